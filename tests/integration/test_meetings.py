"""Meetings through Synapse: announcement, RSVP by reaction and command, a reminder that
arrives exactly once (also across a SIGKILL), cancel, move and /calendar.ics."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from commands.meetings.planning import reminder_ref
from tests.integration.botrunner import BotHarness, bot_factory  # noqa: F401
from tests.integration.test_backbone import ask, room_with_bot

BERLIN = ZoneInfo("Europe/Berlin")


def reminders(client: Any, room_id: str, bot: BotHarness) -> list[Any]:
    return [
        m
        for m in client.messages(room_id, sender=bot.user_id)
        if m.msgtype == "m.text" and "Erinnerung" in (m.body or "")
    ]


def meeting_id(body: str) -> int:
    found = re.search(r"#(\d+)", body)
    assert found, body
    return int(found.group(1))


async def test_meeting_rsvp_reminder_cancel_move_calendar(
    client_factory: Any, bot_factory: Any
) -> None:
    alice = await client_factory("alice")
    bob = await client_factory("bob", auto_join=True)
    bot = await bot_factory(coordinators=[alice.user_id])
    room_id = await room_with_bot(alice, bot)
    await alice.invite(room_id, bob.user_id)
    await alice.wait_for_member(room_id, bob.user_id, timeout=15)

    # Meetings start on whole minutes; a seconds-level offset (set on the running bot,
    # config only knows d/h/m) makes the reminder due ~12 s from now.
    start = bot.reminder_soon(12)

    announcement = await ask(
        alice,
        room_id,
        f"!termin neu {start:%d.%m.%Y %H:%M} Testtreffen link=https://meet.example.org/t",
    )
    assert announcement.msgtype == "m.notice" and "Testtreffen" in announcement.body
    mid = meeting_id(announcement.body)

    reaction = await bob.react(room_id, announcement.event_id, "👍")
    confirm = await ask(alice, room_id, f"!dabei {mid}")
    assert "Zusagen bisher" in confirm.body
    details = await ask(alice, room_id, f"!termin {mid}")
    assert "Dabei (2)" in details.body
    await alice.wait_for(
        lambda r: r.room_id == room_id and r.content.get("msgtype") == "m.file", 10
    )

    reminder = await alice.wait_for(
        lambda r: r.room_id == room_id and r.msgtype == "m.text" and "Erinnerung" in (r.body or ""),
        25,
    )
    assert reminder.sender == bot.user_id
    assert set(reminder.content["m.mentions"]["user_ids"]) == {alice.user_id, bob.user_id}
    assert f"{start:%d.%m.%Y}" in reminder.body

    # RSVP withdrawn by redacting the reaction
    await bob.redact(room_id, reaction)
    await asyncio.sleep(1)
    details = await ask(alice, room_id, f"!termin {mid}")
    assert "Dabei (1)" in details.body

    later = (start + timedelta(days=2)).replace(hour=17, minute=0)
    moved = await ask(alice, room_id, f"!termin verschieben {mid} {later:%d.%m.%Y %H:%M}")
    assert "Verschoben" in moved.body and f"{later:%d.%m.%Y}" in moved.body
    # a private room's meeting: not on the network's feed, on the members' own feeds
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{bot.web_url}/calendar.ics") as response:
            assert response.status == 200
            assert "Testtreffen" not in await response.text()
    alice_dm = await room_with_bot(alice, bot, direct=True)
    feed = re.search(r"http://\S+\.ics", (await ask(alice, alice_dm, "!kalender")).body)
    assert feed is not None
    async with aiohttp.ClientSession() as session:
        async with session.get(feed.group(0)) as response:
            assert response.status == 200
            ics = await response.text()
    assert (
        "SUMMARY:Testtreffen" in ics and f"DTSTART;TZID=Europe/Berlin:{later:%Y%m%dT%H%M%S}" in ics
    )
    cancelled = await ask(alice, room_id, f"!termin absagen {mid}")
    assert "Abgesagt" in cancelled.body

    assert len(reminders(alice, room_id, bot)) == 1  # exactly once
    async with aiohttp.ClientSession() as session:
        async with session.get(feed.group(0)) as response:
            assert "STATUS:CANCELLED" in await response.text()


async def test_reminder_survives_sigkill_exactly_once(
    client_factory: Any, bot_factory: Any
) -> None:
    alice = await client_factory("alice")
    bot: BotHarness = await bot_factory(
        start=False, coordinators=[alice.user_id], network={"reminder_offsets": ["1m"]}
    )
    await bot.start_process()
    room_id = await room_with_bot(alice, bot)
    tomorrow = datetime.now(BERLIN) + timedelta(days=1)
    announcement = await ask(
        alice, room_id, f"!termin neu {tomorrow:%d.%m.%Y} 16:00 Absturztest", timeout=20
    )
    mid = meeting_id(announcement.body)
    await ask(alice, room_id, f"!dabei {mid}")
    bot.kill_process()

    # While the bot is down, time "passes": the meeting now starts 70 s from now, so its
    # 1-minute reminder is due in ~10 s. Row and job are moved together, as a restart
    # after a real wait would find them.
    start = (datetime.now(UTC) + timedelta(seconds=70)).replace(microsecond=0)
    old_start = datetime.combine(tomorrow.date(), datetime.min.time().replace(hour=16), BERLIN)
    with sqlite3.connect(bot.data_dir / "koopbot.db") as db:
        db.execute(
            "UPDATE meetings SET start_utc = ?, start_local = ? WHERE id = ?",
            (start.isoformat(), start.astimezone(BERLIN).replace(tzinfo=None).isoformat(), mid),
        )
        changed = db.execute(
            "UPDATE jobs SET ref = ?, due_at = ?, not_after = ? WHERE ref = ?",
            (
                reminder_ref(mid, start, timedelta(minutes=1)),
                (start - timedelta(minutes=1)).isoformat(),
                start.isoformat(),
                reminder_ref(mid, old_start, timedelta(minutes=1)),
            ),
        ).rowcount
    assert changed == 1

    await bot.start_process()
    reminder = await alice.wait_for(
        lambda r: r.room_id == room_id and r.msgtype == "m.text" and "Erinnerung" in (r.body or ""),
        30,
    )
    assert alice.user_id in reminder.content["m.mentions"]["user_ids"]
    bot.kill_process()  # right after sending; the restart must not post it again
    await bot.start_process()
    await ask(alice, room_id, f"!termin {mid}", timeout=20)
    await asyncio.sleep(2)
    assert len(reminders(alice, room_id, bot)) == 1
    with sqlite3.connect(bot.data_dir / "koopbot.db") as db:
        states = [
            r[0] for r in db.execute("SELECT state FROM jobs WHERE kind = 'meeting.reminder'")
        ]
    assert states == ["done"]
