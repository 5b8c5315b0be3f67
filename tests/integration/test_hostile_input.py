"""What a hostile or careless member can send, through a real Synapse and real clients.

Malformed raw events (as any client can send them), very long input from one member
while another waits, control characters in single-line fields, series that would spam.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tests.integration.test_backbone import ask, room_with_bot

# Raw contents a client can send; each one ended the bot before (AttributeError /
# TypeError in the event conversion), and again at every start.
POISON: list[tuple[str, dict[str, Any]]] = [
    ("m.room.message", {"msgtype": "m.text", "body": "!phasen", "m.relates_to": "oops"}),
    (
        "m.room.message",
        {
            "msgtype": "m.text",
            "body": "!phasen",
            "format": "org.matrix.custom.html",
            "formatted_body": 42,
        },
    ),
    ("m.reaction", {"m.relates_to": "oops"}),
    ("m.reaction", {"m.relates_to": {"rel_type": "m.annotation", "event_id": 5, "key": ["x"]}}),
    (
        "m.room.message",
        {
            "msgtype": "m.text",
            "body": "!phasen",
            "m.relates_to": {"rel_type": "m.thread", "event_id": {"nested": True}},
        },
    ),
    ("m.room.message", {"msgtype": "m.text", "body": "!phasen", "m.relates_to": [1, 2]}),
]


async def _answers_help(client: Any, room_id: str, bot_user: str) -> None:
    reply = await ask(client, room_id, "!hilfe", timeout=20)
    assert reply.sender == bot_user and "!hilfe" in reply.body


async def test_malformed_events_neither_crash_nor_loop(
    client_factory: Any, bot_factory: Any
) -> None:
    bot = await bot_factory(start=False)
    await bot.start_process()  # a real process, as under systemd
    alice = await client_factory("alice")
    room_id = await room_with_bot(alice, bot)

    for event_type, content in POISON:
        await alice.send_event(room_id, event_type, content)
    await _answers_help(alice, room_id, bot.user_id)
    assert bot.process is not None and bot.process.poll() is None

    # a malformed relation counts as absent: the command itself is still answered
    phasen = await ask(alice, room_id, "!phasen")
    assert phasen.sender == bot.user_id
    answered = [
        m
        for m in alice.messages(room_id, sender=bot.user_id)
        if "Phase" in (m.body or "") and m.in_reply_to != phasen.event_id
    ]
    assert answered, "the !phasen with a malformed m.relates_to was not answered"

    # a restart must neither replay the poison nor die on it
    await bot.stop()
    await bot.start_process()
    await _answers_help(alice, room_id, bot.user_id)
    await asyncio.sleep(1)
    assert bot.process is not None and bot.process.poll() is None


# In an encrypted room the homeserver cannot check the content at all: whatever a
# member's client puts into the ciphertext reaches the bot's conversion.
ENCRYPTED_POISON: list[dict[str, Any]] = [
    {"msgtype": "m.text", "body": 17},
    {"msgtype": ["m.text"], "body": "!phasen"},
    {"msgtype": "m.text", "body": "!phasen", "m.mentions": "everyone"},
    {"msgtype": "m.text", "body": "!phasen", "m.mentions": {"user_ids": 7}},
    {"msgtype": "m.text", "body": "!phasen", "formatted_body": {"html": True}},
    {"msgtype": "m.text", "body": "!phasen", "m.relates_to": "oops"},
    {"msgtype": "m.text", "body": None},
    {"body": "!phasen"},
]


async def test_malformed_encrypted_events_are_survived(
    client_factory: Any, bot_factory: Any
) -> None:
    bot = await bot_factory(encryption=True)
    alice = await client_factory("alice", encryption=True)
    room_id = await alice.create_room(invite=[bot.user_id], encrypted=True)
    await alice.wait_for_member(room_id, bot.user_id, timeout=15)
    await _answers_help(alice, room_id, bot.user_id)

    for content in ENCRYPTED_POISON:
        await alice.send_event(room_id, "m.room.message", content)
    await _answers_help(alice, room_id, bot.user_id)

    await bot.restart()
    await _answers_help(alice, room_id, bot.user_id)


LONG_INPUTS = [
    "!frage " + "a" * 60_000,
    "!frage " + "Ä" * 30_000,
    "@" * 60_000,  # a plain question in a direct chat
    "!profil interessen " + ",".join(f"t{i}" for i in range(9000)),
    "!kooperation neu " + "T" * 60_000,
]


async def test_long_input_of_one_member_does_not_hold_up_another(
    client_factory: Any, bot_factory: Any
) -> None:
    bot = await bot_factory()
    alice = await client_factory("alice")
    bob = await client_factory("bob")
    alice_room = await room_with_bot(alice, bot)
    bob_room = await room_with_bot(bob, bot)

    for text in LONG_INPUTS:
        mark = alice.mark()
        sent = await alice.send_text(alice_room, text)
        await _answers_help(bob, bob_room, bot.user_id)
        answer = await alice.wait_for_reply(alice_room, sent, 30, since_index=mark)
        assert answer.sender == bot.user_id
        assert len(answer.body or "") < 2000, "the bot must not echo the long input"

    too_long = await ask(alice, alice_room, "!frage " + "a" * 60_000, timeout=30)
    assert "zu lang" in too_long.body and "1000" in too_long.body
