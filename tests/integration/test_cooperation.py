"""The cooperation tracker through the real path: a client talks to the bot via Synapse."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from storage.cooperations import Cooperations
from tests.integration.test_backbone import ask, room_with_bot

BERLIN = ZoneInfo("Europe/Berlin")


def _seconds_ahead(seconds: int) -> str:
    """A review date a few seconds ahead, as a user could type it (with seconds)."""
    return f"{datetime.now(BERLIN) + timedelta(seconds=seconds):%d.%m.%Y %H:%M:%S}"


def _reminders(client: Any, room_id: str, bot_id: str, since: int) -> list[Any]:
    return [
        m
        for m in client.messages(room_id, sender=bot_id)
        if client.events.index(m) >= since and "Feedbackgespräch" in (m.body or "")
    ]


async def test_cooperation_lifecycle(client_factory: Any, bot_factory: Any) -> None:
    coordinator = await client_factory("koord")
    bot = await bot_factory(coordinators=[coordinator.user_id])
    alice = await client_factory("alice")
    room_id = await room_with_bot(alice, bot)

    created = await ask(alice, room_id, "!kooperation neu Musikschule Bonn und GS Am Park")
    assert created.msgtype == "m.notice"
    assert "Partner: Musikschule Bonn, GS Am Park" in created.body

    second = await ask(alice, room_id, "!kooperation neu Noch eine")
    assert "schon eine Kooperation" in second.body
    empty = await ask(alice, room_id, "!kooperation neu")
    assert "!kooperation neu <titel>" in empty.body

    first = await ask(alice, room_id, "!erledigt 1.1-1.17")
    assert "Weiter geht’s mit Phase 2" in first.body
    contact = await ask(alice, room_id, "!erledigt 2.1 2.2 2.3 2.4")
    assert "Phase 3" in contact.body
    bad = await ask(alice, room_id, "!erledigt 3.1 9.9")
    assert "9.9" in bad.body and "nichts geändert" in bad.body
    overview = await ask(alice, room_id, "!kooperation")
    assert "Aktuelle Phase: 3" in overview.body and "░░░░░░ 0/6" in overview.body
    assert "▓▓▓▓ 4/4 ✓" in overview.body
    assert "<code>" in overview.content["formatted_body"]

    saved = await ask(alice, room_id, "!kooperation feld ansprechpartnr Frau Beispiel")
    assert "gespeichert" in saved.body
    term = await ask(alice, room_id, "!coop set term 01.08.2026–31.07.2027")
    assert "Sat, 31 Jul 2027" in term.body and "31.07.2027" not in term.body
    unknown = await ask(alice, room_id, "!kooperation feld farbe blau")
    assert "farbe" in unknown.body and "laufzeit" in unknown.body

    assert bot.app is not None
    coop = await Cooperations(bot.app.db).by_room(room_id)
    assert coop is not None and coop.term_end is not None
    fields = await Cooperations(bot.app.db).fields(coop.id)
    assert set(fields) == {"titel", "partner", "ansprechpartner", "laufzeit"}
    ticks = await Cooperations(bot.app.db).ticks(coop.id)
    assert len(ticks) == 21 and "3.1" not in ticks and ticks["1.1"].ticked_by == alice.user_id

    mark = alice.mark()
    draft = await ask(alice, room_id, "!vereinbarung entwurf")
    assert "⚠ noch offen: Rahmenbedingungen" in draft.body
    upload = await alice.wait_for(
        lambda r: r.room_id == room_id and r.sender == bot.user_id and r.msgtype == "m.file",
        timeout=15,
        since_index=mark,
    )
    assert upload.body == "kooperationsvereinbarung-musikschule-bonn-und-gs-am-park.md"

    # nothing of this room shows elsewhere
    other = await room_with_bot(alice, bot)
    elsewhere = await ask(alice, other, "!kooperation")
    assert "noch keine Kooperation" in elsewhere.body and "Musikschule Bonn" not in elsewhere.body

    # the coordinators' overview shows the cooperations of rooms they are in, no others
    coordinator_dm = await room_with_bot(coordinator, bot, direct=True)
    listing = await ask(coordinator, coordinator_dm, "!kooperation alle")
    assert "Musikschule Bonn" not in listing.body
    await alice.invite(room_id, coordinator.user_id)
    await coordinator.join(room_id)
    await alice.wait_for_member(room_id, coordinator.user_id, timeout=15)
    listing = await ask(coordinator, coordinator_dm, "!kooperation alle")
    assert "Musikschule Bonn und GS Am Park" in listing.body and "Phase 3" in listing.body


async def test_review_reminder_comes_exactly_once_also_across_a_restart(
    client_factory: Any, bot_factory: Any
) -> None:
    bot = await bot_factory()
    alice = await client_factory("alice")
    room_id = await room_with_bot(alice, bot)
    await ask(alice, room_id, "!kooperation neu Singpause")

    mark = alice.mark()
    planned = await ask(alice, room_id, f"!kooperation prüfung {_seconds_ahead(4)}")
    assert "Qualitätsprüfung geplant" in planned.body
    reminder = await alice.wait_for(
        lambda r: r.room_id == room_id and r.sender == bot.user_id
        and "Feedbackgespräch" in (r.body or ""),
        timeout=30,
        since_index=mark,
    )  # fmt: skip
    assert reminder.msgtype == "m.text" and "7.1" in reminder.body
    assert alice.user_id in reminder.content["m.mentions"]["user_ids"]

    mark = alice.mark()
    await ask(alice, room_id, f"!kooperation prüfung {_seconds_ahead(6)}")
    await bot.restart()
    await alice.wait_for(
        lambda r: r.room_id == room_id and r.sender == bot.user_id
        and "Feedbackgespräch" in (r.body or ""),
        timeout=40,
        since_index=mark,
    )  # fmt: skip
    await asyncio.sleep(3)
    assert len(_reminders(alice, room_id, bot.user_id, mark)) == 1
