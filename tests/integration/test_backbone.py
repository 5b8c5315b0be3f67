"""The backbone through the real path: a client talks to the bot via Synapse."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.integration.botrunner import BotHarness


async def room_with_bot(client: Any, bot: BotHarness, *, direct: bool = False) -> str:
    room_id = await client.create_room(invite=[bot.user_id], direct=direct)
    await client.wait_for_member(room_id, bot.user_id, timeout=15)
    return str(room_id)


async def ask(client: Any, room_id: str, text: str, timeout: float = 20, **kw: Any) -> Any:
    """Send ``text`` and return the bot's reply to it. The bot answers in well under a
    second; the generous timeout only absorbs a loaded CI machine (a first command in a
    fresh direct chat once waited more than 10 s at load 3 on 2 cores)."""
    mark = client.mark()
    event_id = await client.send_text(room_id, text, **kw)
    return await client.wait_for_reply(room_id, event_id, timeout, since_index=mark)


async def test_help_in_room_is_a_notice_reply_with_html(
    client_factory: Any, bot_factory: Any
) -> None:
    bot = await bot_factory()
    alice = await client_factory("alice")
    room_id = await room_with_bot(alice, bot)

    reply = await ask(alice, room_id, "!hilfe")

    assert reply.sender == bot.user_id
    assert reply.msgtype == "m.notice"
    assert "!hilfe alles" in reply.body and "!status" not in reply.body  # not a coordinator
    assert reply.content["format"] == "org.matrix.custom.html"
    assert "<code>!frage &lt;text&gt;</code>" in reply.content["formatted_body"]
    assert "m.mentions" in reply.content

    slash = await ask(alice, room_id, "/hilfe alles")
    assert slash.msgtype == "m.notice" and "!phasen" in slash.body
    assert "<code>!hilfe [befehl]</code>" in slash.content["formatted_body"]

    english = await ask(alice, room_id, "!help")
    assert "what you can do here" in english.body


async def test_help_in_direct_chat_and_unknown_command_hint(
    client_factory: Any, bot_factory: Any
) -> None:
    bot = await bot_factory()
    bob = await client_factory("bob")
    room_id = await room_with_bot(bob, bot, direct=True)

    reply = await ask(bob, room_id, "!hilfe")
    assert reply.msgtype == "m.notice" and "!hilfe" in reply.body

    hint = await ask(bob, room_id, "!gibtsnicht")
    assert "!hilfe" in hint.body


async def test_unknown_command_in_group_room_stays_silent(
    client_factory: Any, bot_factory: Any
) -> None:
    bot = await bot_factory()
    alice = await client_factory("alice")
    carol = await client_factory("carol", auto_join=True)
    room_id = await alice.create_room(invite=[bot.user_id, carol.user_id])
    await alice.wait_for_member(room_id, bot.user_id, timeout=15)
    await alice.wait_for_member(room_id, carol.user_id, timeout=15)

    mark = alice.mark()
    await alice.send_text(room_id, "!gibtsnicht")
    probe = await ask(alice, room_id, "!hilfe")  # answered in order, so the first got none
    assert probe.sender == bot.user_id
    bot_messages = [
        m for m in alice.messages(room_id, sender=bot.user_id) if alice.events.index(m) >= mark
    ]
    assert len(bot_messages) == 1


async def test_user_text_is_escaped_in_html(client_factory: Any, bot_factory: Any) -> None:
    bot = await bot_factory()
    alice = await client_factory("alice")
    room_id = await room_with_bot(alice, bot)
    reply = await ask(alice, room_id, "!hilfe <script>alert(1)</script>")
    html = reply.content["formatted_body"]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


async def test_thread_command_is_answered_in_thread(client_factory: Any, bot_factory: Any) -> None:
    bot = await bot_factory()
    alice = await client_factory("alice")
    room_id = await room_with_bot(alice, bot)
    root = await alice.send_text(room_id, "Thread-Start")
    reply = await ask(alice, room_id, "!hilfe", thread_root=root)
    relates = reply.content["m.relates_to"]
    assert relates["rel_type"] == "m.thread" and relates["event_id"] == root


async def test_status_only_for_coordinators(client_factory: Any, bot_factory: Any) -> None:
    coordinator = await client_factory("koord")
    member = await client_factory("member")
    bot = await bot_factory(coordinators=[coordinator.user_id])
    room_id = await room_with_bot(coordinator, bot)
    await coordinator.invite(room_id, member.user_id)
    await member.join(room_id)

    status = await ask(coordinator, room_id, "!status")
    assert "Status" in status.body and "Räume" in status.body

    refused = await ask(member, room_id, "!status")
    assert "Koordination" in refused.body and "Räume:" not in refused.body


async def test_invites_only_from_allowed_inviters(client_factory: Any, bot_factory: Any) -> None:
    bot = await bot_factory(matrix={"allowed_inviters": ["@allowed*:localhost"]})
    allowed = await client_factory("allowed")
    stranger = await client_factory("stranger")

    ok_room = await allowed.create_room(invite=[bot.user_id])
    await allowed.wait_for_member(ok_room, bot.user_id, timeout=15)

    bad_room = await stranger.create_room(invite=[bot.user_id])
    await stranger.wait_for(
        lambda r: (
            r.room_id == bad_room
            and r.type == "m.room.member"
            and r.source.get("state_key") == bot.user_id
            and r.content.get("membership") == "leave"
        ),
        timeout=15,
    )


@pytest.mark.parametrize("restarts", [3])
async def test_restart_answers_nothing_twice_and_keeps_device(
    client_factory: Any, bot_factory: Any, synapse: Any, restarts: int
) -> None:
    bot = await bot_factory()
    alice = await client_factory("alice")
    room_id = await room_with_bot(alice, bot)
    first = await ask(alice, room_id, "!hilfe")
    devices = await synapse.device_count(bot.user_id)

    await bot.stop()
    mark = alice.mark()
    while_down = await alice.send_text(room_id, "!hilfe status")
    await bot.start()
    late = await alice.wait_for_reply(room_id, while_down, 15, since_index=mark)
    assert late.sender == bot.user_id

    for _ in range(restarts - 1):
        await bot.restart()
    probe = await ask(alice, room_id, "!sprache de")
    assert probe.sender == bot.user_id

    replies_to_first = [m for m in alice.messages(room_id) if m.in_reply_to == first.in_reply_to]
    replies_to_late = [m for m in alice.messages(room_id) if m.in_reply_to == while_down]
    assert len(replies_to_first) == 1
    assert len(replies_to_late) == 1
    assert await synapse.device_count(bot.user_id) == devices


async def test_help_for_one_command_shows_usage_and_examples(
    client_factory: Any, bot_factory: Any
) -> None:
    bot = await bot_factory()
    alice = await client_factory("alice")
    room_id = await room_with_bot(alice, bot)
    reply = await ask(alice, room_id, "!hilfe termin")
    assert "!termin neu <datum> <uhrzeit>" in reply.body
    assert "Beispiele" in reply.body
    assert "!termin absagen <termin-nr>" in reply.body and "!termin verschieben" in reply.body
    bad = await ask(alice, room_id, "!checkliste")
    assert "!checkliste <phase>" in bad.body and "Beispiele" in bad.body


async def test_edits_and_notices_are_ignored_replies_with_fallback_are_answered(
    client_factory: Any, bot_factory: Any
) -> None:
    bot = await bot_factory()
    alice = await client_factory("alice")
    room_id = await room_with_bot(alice, bot)
    original = await alice.send_text(room_id, "hallo zusammen")
    mark = alice.mark()
    edit = await alice.send_text(
        room_id,
        "* !hilfe",
        extra={
            "m.new_content": {"msgtype": "m.text", "body": "!hilfe"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": original},
        },
    )
    notice = await alice.send_text(room_id, "!hilfe", msgtype="m.notice")
    quoted = await ask(
        alice, room_id, "> <@someone:localhost> !status\n\n!sprache de", reply_to=original
    )
    assert "Deutsch" in quoted.body  # the quoted !status was not what got answered
    answered = {
        m.in_reply_to
        for m in alice.messages(room_id, sender=bot.user_id)
        if alice.events.index(m) >= mark
    }
    assert edit not in answered and notice not in answered


async def test_first_start_answers_what_came_after_the_start_not_before(
    client_factory: Any, bot_factory: Any
) -> None:
    alice = await client_factory("alice", auto_join=True)
    bot = await bot_factory(start=False)
    await bot._ensure_account()
    room_id = await alice.create_room(invite=[bot.user_id])
    old = await alice.send_text(room_id, "!hilfe")  # before the bot ever started
    from bot.app import App

    bot.app = App(bot.settings())
    await bot.app.start()
    await alice.wait_for_member(room_id, bot.user_id, timeout=15)
    mark = alice.mark()
    fresh = await alice.send_text(room_id, "!sprache de")
    await alice.wait_for_reply(room_id, fresh, 20, since_index=mark)
    assert not [m for m in alice.messages(room_id) if m.in_reply_to == old]


async def test_metrics_count_commands_and_latency(client_factory: Any, bot_factory: Any) -> None:
    import aiohttp

    bot = await bot_factory()
    alice = await client_factory("alice")
    room_id = await room_with_bot(alice, bot)
    await ask(alice, room_id, "!hilfe")
    await ask(alice, room_id, "!checkliste")  # usage error
    # the bot counts a command right after its reply is sent: give it that moment
    text = ""
    for _ in range(50):
        async with aiohttp.ClientSession() as session, session.get(f"{bot.web_url}/metrics") as r:
            text = await r.text()
        if "koopbot_reply_latency_seconds_count 2.0" in text:
            break
        await asyncio.sleep(0.1)
    assert 'koopbot_commands_total{command="hilfe",outcome="ok"} 1.0' in text
    assert 'koopbot_commands_total{command="checkliste",outcome="usage"} 1.0' in text, [
        line for line in text.splitlines() if "checkliste" in line
    ]
    assert "koopbot_reply_latency_seconds_count 2.0" in text
    for name in (
        "koopbot_reminders_total",
        "koopbot_sync_lag_seconds",
        "koopbot_decryption_failures_total",
    ):
        assert name in text
