"""School year through Synapse: a weekly series "ohne Ferien" across NW's summer holidays
2027 (!termine, reminder jobs, /calendar.ics), and a date poll answered by three real
clients with raw MSC3381 poll responses, across a bot restart."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from commands.meetings.planning import parse_ref
from tests.integration.botrunner import BotHarness, bot_factory  # noqa: F401
from tests.integration.test_backbone import ask, room_with_bot

BERLIN = ZoneInfo("Europe/Berlin")
SUMMER = (date(2027, 7, 19), date(2027, 8, 31))  # NW summer holidays 2027
POLL_START = "org.matrix.msc3381.poll.start"
POLL_RESPONSE = "org.matrix.msc3381.poll.response"
POLL_END = "org.matrix.msc3381.poll.end"


def in_summer(day: date) -> bool:
    return SUMMER[0] <= day <= SUMMER[1]


async def test_weekly_series_without_holidays_skips_the_summer(
    client_factory: Any, bot_factory: Any
) -> None:
    alice = await client_factory("alice")
    lobby = {"key": "lobby", "name": "Netzwerk", "kind": "lobby", "public": True}
    bot: BotHarness = await bot_factory(
        coordinators=[alice.user_id], network={"state": "NW"}, rooms=[lobby]
    )
    assert bot.app is not None and bot.app.services is not None
    services = bot.app.services
    # a network room's series, so that /calendar.ics (network meetings only) lists it
    room_id = services.network.room_ids["lobby"]
    await alice.join(room_id)
    clock = {"now": datetime(2027, 7, 1, 9, 0, tzinfo=BERLIN)}
    services.clock = lambda: clock["now"]  # the injected clock the reminder planning uses

    created = await ask(
        alice, room_id, "!termin neu 05.07.2027 16:00 Steuerungsgruppe wöchentlich ohne Ferien"
    )
    assert "Steuerungsgruppe" in created.body
    assert (
        "entfallen" in created.body and "Sommerferien (19. Juli – 31. August 2027)" in created.body
    )
    mid = int(re.search(r"#(\d+)", created.body).group(1))  # type: ignore[union-attr]

    # !termine after the last meeting before the holidays: the next one is after them
    clock["now"] = datetime(2027, 7, 12, 17, 0, tzinfo=BERLIN)
    listing = await ask(alice, room_id, "!termine")
    assert "06.09.2027" in listing.body, listing.body
    assert not re.search(r"\d\d\.0[78]\.2027", listing.body), listing.body

    # reminders: the jobs planned from the 12 July on are for the 6 September
    from commands.meetings.reminders import sync_meeting

    await sync_meeting(services, mid)
    with sqlite3.connect(bot.data_dir / "koopbot.db") as db:
        refs = [
            r[0]
            for r in db.execute(
                "SELECT ref FROM jobs WHERE kind = 'meeting.reminder' AND state = 'pending'"
            )
        ]
    planned = {parse_ref(ref)[1].astimezone(BERLIN).date() for ref in refs}
    assert date(2027, 9, 6) in planned, refs
    assert not [d for d in planned if in_summer(d)], refs

    # the calendar: one RRULE, the seven summer Mondays as EXDATEs
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{bot.web_url}/calendar.ics") as response:
            assert response.status == 200
            ics = await response.text()
    assert "RRULE:FREQ=WEEKLY" in ics
    exdates = set(re.findall(r"(\d{8})T160000", "".join(
        line for line in ics.replace("\r\n ", "").splitlines() if line.startswith("EXDATE")
    )))  # fmt: skip
    summer_mondays = {f"{SUMMER[0] + timedelta(weeks=k):%Y%m%d}" for k in range(7)}
    assert summer_mondays <= exdates, ics
    assert "20270906" not in exdates and "20270712" not in exdates

    holidays = await ask(alice, room_id, "!ferien")
    assert "Nordrhein-Westfalen" in holidays.body and "Sommerferien" in holidays.body


async def test_date_poll_three_voters_restart_and_end(
    client_factory: Any, bot_factory: Any
) -> None:
    alice = await client_factory("alice")
    voters = [await client_factory(name, auto_join=True) for name in ("bob", "carol", "dave")]
    bob, carol, dave = voters
    bot: BotHarness = await bot_factory(coordinators=[alice.user_id], network={"state": "NW"})
    room_id = await room_with_bot(alice, bot)
    for voter in voters:
        await alice.invite(room_id, voter.user_id)
        await alice.wait_for_member(room_id, voter.user_id, timeout=15)

    base = (datetime.now(BERLIN) + timedelta(days=20)).replace(
        hour=16, minute=0, second=0, microsecond=0
    )
    dates = [base, base + timedelta(days=2), base + timedelta(days=5)]
    spec = "; ".join(f"{d:%d.%m.%Y %H:%M}" for d in dates)
    started = await ask(alice, room_id, f"!terminfindung Netzwerktreffen: {spec}")
    assert "Terminfindung #1" in started.body
    poll = await bob.wait_for(lambda r: r.room_id == room_id and r.type == POLL_START, 10)
    content = poll.content[POLL_START]
    assert content["kind"] == "org.matrix.msc3381.poll.disclosed"
    assert content["max_selections"] == 3 and len(content["answers"]) == 3
    assert "org.matrix.msc1767.text" in poll.content
    ids = [a["id"] for a in content["answers"]]

    async def respond(client: Any, answers: list[str]) -> str:
        return str(
            await client.send_event(
                room_id,
                POLL_RESPONSE,
                {
                    "m.relates_to": {"rel_type": "m.reference", "event_id": poll.event_id},
                    POLL_RESPONSE: {"answers": answers},
                },
            )
        )

    await respond(bob, [ids[0], ids[2]])
    await respond(carol, [ids[0]])
    await respond(dave, [ids[1]])
    await respond(dave, [ids[2]])  # dave changes the vote: the last one counts
    # malformed ones are ignored
    await dave.send_event(room_id, POLL_RESPONSE, {"m.relates_to": "nonsense"})

    async def tally() -> str:
        return str((await ask(alice, room_id, "!terminfindung 1")).body)

    text = ""
    for _ in range(50):  # the bot reads the responses from its sync
        text = await tally()
        if text.count(": 2 –") == 2:
            break
        await asyncio.sleep(0.2)
    lines = text.splitlines()
    first = next(line for line in lines if f", {dates[0].day}. " in line)
    third = next(line for line in lines if f", {dates[2].day}. " in line)
    assert ": 2 –" in first and carol.user_id in first and dave.user_id not in first, text
    assert ": 2 –" in third and dave.user_id in third and carol.user_id not in third, text

    await bot.restart()  # the tally is in the database
    await respond(carol, [ids[2]])  # carol moves too: date 3 now leads with 3 votes
    for _ in range(50):
        text = await tally()
        if ": 3 –" in text:
            break
        await asyncio.sleep(0.2)
    assert ": 3 –" in text, text

    mark = alice.mark()
    result = await ask(alice, room_id, "!terminfindung ende 1")
    end_event = await alice.wait_for(
        lambda r: r.room_id == room_id and r.type == POLL_END, 10, since_index=mark
    )
    assert end_event.sender == bot.user_id
    assert end_event.relates_to == {"rel_type": "m.reference", "event_id": poll.event_id}
    assert "Netzwerktreffen" in end_event.content["org.matrix.msc1767.text"]
    assert "Neuer Termin" in result.body
    assert f"{dates[2]:%d.%m.%Y}" in result.body
    assert set(result.content["m.mentions"]["user_ids"]) == {
        bob.user_id,
        carol.user_id,
        dave.user_id,
    }
    mid = int(re.search(r"Neuer Termin #(\d+)", result.body).group(1))  # type: ignore[union-attr]
    details = await ask(alice, room_id, f"!termin {mid}")
    assert "Dabei (3)" in details.body
    for voter in voters:
        assert voter.user_id in details.body

    # a response after the end changes nothing
    await respond(bob, [ids[0]])
    await asyncio.sleep(1)
    assert ": 3 –" in await tally()
    with sqlite3.connect(bot.data_dir / "koopbot.db") as db:
        assert db.execute("SELECT COUNT(*) FROM meetings").fetchone()[0] == 1
        assert (
            db.execute(
                "SELECT COUNT(*) FROM jobs WHERE kind = 'meeting.reminder' AND state = 'pending'"
            ).fetchone()[0]
            >= 1
        )


async def test_date_poll_in_an_encrypted_room(client_factory: Any, bot_factory: Any) -> None:
    alice = await client_factory("alice", encryption=True)
    bob = await client_factory("bob", encryption=True, auto_join=True)
    bot: BotHarness = await bot_factory(coordinators=[alice.user_id], encryption=True)
    room_id = await alice.create_room(invite=[bot.user_id, bob.user_id], encrypted=True)
    await alice.wait_for_member(room_id, bot.user_id, timeout=15)
    await alice.wait_for_member(room_id, bob.user_id, timeout=15)
    base = (datetime.now(BERLIN) + timedelta(days=30)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    spec = f"{base:%d.%m.%Y %H:%M}; {base + timedelta(days=1):%d.%m.%Y %H:%M}"
    await ask(alice, room_id, f"!terminfindung Klausur: {spec}", timeout=30)
    poll = await bob.wait_for(lambda r: r.room_id == room_id and r.type == POLL_START, 30)
    assert poll.decrypted, "the poll must be sent encrypted"
    second = poll.content[POLL_START]["answers"][1]["id"]
    await bob.send_event(
        room_id,
        POLL_RESPONSE,
        {
            "m.relates_to": {"rel_type": "m.reference", "event_id": poll.event_id},
            POLL_RESPONSE: {"answers": [second]},
        },
    )
    text = ""
    for _ in range(50):
        text = (await ask(alice, room_id, "!terminfindung 1", timeout=30)).body
        if bob.user_id in text:
            break
        await asyncio.sleep(0.2)
    assert f": 1 – {bob.user_id}" in text, text
    result = await ask(alice, room_id, "!terminfindung ende 1", timeout=30)
    assert f"{base + timedelta(days=1):%d.%m.%Y}" in result.body
    end = await alice.wait_for(lambda r: r.room_id == room_id and r.type == POLL_END, 30)
    assert end.decrypted and end.relates_to["event_id"] == poll.event_id
