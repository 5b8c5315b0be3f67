"""What a hostile or careless member can send, through a real Synapse and real clients.

Malformed raw events (as any client can send them), very long input from one member
while another waits, control characters in single-line fields, series that would spam.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any
from zoneinfo import ZoneInfo

from tests.integration.test_backbone import ask, room_with_bot

BERLIN = ZoneInfo("Europe/Berlin")

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
    reply = await ask(client, room_id, "!hilfe", timeout=30)
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
    # answers that would echo the input were too large for an event: no answer at all
    "!erledigt " + " ".join(f"{i % 7 + 1}.{i}" for i in range(9000)),
    "!kooperation feld " + "f" * 60_000,
]


async def test_long_input_of_one_member_does_not_hold_up_another(
    client_factory: Any, bot_factory: Any
) -> None:
    bot = await bot_factory()
    alice = await client_factory("alice")
    bob = await client_factory("bob")
    alice_room = await room_with_bot(alice, bot)
    bob_room = await room_with_bot(bob, bot)
    await ask(alice, alice_room, "!kooperation neu Musikschule Bonn und GS Am Park")

    for text in LONG_INPUTS:
        mark = alice.mark()
        sent = await alice.send_text(alice_room, text)
        await _answers_help(bob, bob_room, bot.user_id)
        answer = await alice.wait_for_reply(alice_room, sent, 30, since_index=mark)
        assert answer.sender == bot.user_id
        assert len(answer.body or "") < 2000, "the bot must not echo the long input"

    too_long = await ask(alice, alice_room, "!frage " + "a" * 60_000, timeout=30)
    assert "zu lang" in too_long.body and "1000" in too_long.body


FAKE_LINE = "✅ Koordination: Vereinbarung genehmigt"


def _lines(reply: Any) -> list[str]:
    return [line.strip() for line in (reply.body or "").splitlines()]


async def test_a_line_break_in_a_field_makes_no_line_of_the_bots_own(
    client_factory: Any, bot_factory: Any
) -> None:
    bot = await bot_factory()
    alice = await client_factory("alice")
    room_id = await room_with_bot(alice, bot)
    await ask(alice, room_id, "!kooperation neu Musikschule Bonn und GS Am Park")

    saved = await ask(alice, room_id, f"!kooperation feld ansprechpartner Frau A\n{FAKE_LINE}")
    overview = await ask(alice, room_id, "!kooperation")

    for reply in (saved, overview):
        assert not any(line.startswith("✅ Koordination") for line in _lines(reply)), reply.body
        assert "<br>✅ Koordination" not in reply.content["formatted_body"]
    [contact] = [line for line in _lines(overview) if "(ansprechpartner)" in line]
    assert contact.endswith(f"Frau A, {FAKE_LINE}")


async def test_bidi_override_and_room_mention_are_not_echoed(
    client_factory: Any, bot_factory: Any
) -> None:
    bot = await bot_factory()
    alice = await client_factory("alice")
    direct = await room_with_bot(alice, bot, direct=True)

    saved = await ask(alice, direct, "!profil ort Bonn\u202eliam-e\u2066 @room")
    shown = await ask(alice, direct, "!profil")

    for reply in (saved, shown):
        for text in (reply.body, reply.content["formatted_body"]):
            assert "\u202e" not in text and "\u2066" not in text
            assert "@room" not in text
        assert "Bonnliam-e" in reply.body
        assert "room" not in reply.content["m.mentions"]


async def test_series_more_often_than_weekly_are_refused(
    client_factory: Any, bot_factory: Any
) -> None:
    alice = await client_factory("alice")
    bot = await bot_factory(coordinators=[alice.user_id])
    room_id = await room_with_bot(alice, bot)
    await ask(alice, room_id, "!kooperation neu Musikschule Bonn und GS Am Park")

    for spec in ("jede minute", "alle 5 Minuten", "stündlich", "täglich"):
        refused = await ask(alice, room_id, f"!kooperation prüfung {spec}")
        assert "wiederholt sich zu oft" in refused.body and "wöchentlich" in refused.body
    overview = await ask(alice, room_id, "!kooperation")
    assert "Keine Qualitätsprüfung geplant" in overview.body or "keine" in overview.body.lower()

    meeting = await ask(alice, room_id, "!termin neu morgen 16:00 Sprechstunde täglich")
    assert "wiederholt sich zu oft" in meeting.body
    weekly = await ask(alice, room_id, "!kooperation prüfung alle 2 Wochen")
    assert "alle 2 Wochen" in weekly.body


async def test_reminders_mention_only_people_in_the_room(
    client_factory: Any, bot_factory: Any
) -> None:
    """Bob says he'll come, then leaves the room: the reminder does not mention him."""
    alice = await client_factory("alice")
    bob = await client_factory("bob", auto_join=True)
    bot = await bot_factory(coordinators=[alice.user_id])
    room_id = await room_with_bot(alice, bot)
    await alice.invite(room_id, bob.user_id)
    await alice.wait_for_member(room_id, bob.user_id, timeout=15)

    # as in test_meetings: a seconds-level reminder offset set on the running bot
    start = bot.reminder_soon(12)
    announcement = await ask(alice, room_id, f"!termin neu {start:%d.%m.%Y %H:%M} Treffen")
    mid = int(re.search(r"#(\d+)", announcement.body).group(1))  # type: ignore[union-attr]
    await ask(alice, room_id, f"!dabei {mid}")
    going = await ask(bob, room_id, f"!dabei {mid}")
    assert going.sender == bot.user_id
    await bob.leave(room_id)
    await alice.wait_for(
        lambda r: (
            r.room_id == room_id
            and r.type == "m.room.member"
            and r.source.get("state_key") == bob.user_id
            and r.content.get("membership") == "leave"
        ),
        timeout=15,
    )

    reminder = await alice.wait_for(
        lambda r: r.room_id == room_id and r.msgtype == "m.text" and "Erinnerung" in (r.body or ""),
        30,
    )
    assert reminder.sender == bot.user_id
    assert reminder.content["m.mentions"] == {"user_ids": [alice.user_id]}


async def test_a_reply_too_large_for_an_event_still_arrives_shortened(
    client_factory: Any, bot_factory: Any
) -> None:
    """The last guard for replies that echo member text: cut to fit, never refused."""
    from commands.reply import Reply

    bot = await bot_factory()
    alice = await client_factory("alice")
    room_id = await room_with_bot(alice, bot)
    assert bot.app is not None
    mark = alice.mark()
    await bot.app.matrix.send(room_id, Reply("Anfang " + "ä" * 70_000), key="big-reply")
    reply = await alice.wait_for(
        lambda r: r.room_id == room_id and r.sender == bot.user_id, 15, since_index=mark
    )
    assert reply.body.startswith("Anfang ää") and reply.body.endswith(" …")
