"""A room upgrade (m.room.tombstone, room version 12) keeps the room's data working."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bot.homeserver import LocalSynapse
from storage.upgrades import RoomUpgrades
from tests.integration.test_backbone import ask, room_with_bot
from tests.integration.test_meetings import meeting_id

BERLIN = ZoneInfo("Europe/Berlin")


async def test_upgraded_room_keeps_cooperation_meetings_and_reminders(
    synapse: LocalSynapse, client_factory: Any, bot_factory: Any
) -> None:
    alice = await client_factory("alice")
    bot = await bot_factory(coordinators=[alice.user_id])
    old_room = await room_with_bot(alice, bot)

    created = await ask(alice, old_room, "!kooperation neu Musikschule Bonn und GS Am Park")
    assert "Partner: Musikschule Bonn, GS Am Park" in created.body
    # a meeting whose reminder is due ~25 s from now (a seconds-level offset, set on the
    # running bot as test_meetings does): it fires after the upgrade
    start = bot.reminder_soon(25, lead=90)
    announced = await ask(alice, old_room, f"!termin neu {start:%d.%m.%Y %H:%M} Upgradetreffen")
    assert "Upgradetreffen" in announced.body
    mid = meeting_id(announced.body)
    going = await ask(alice, old_room, f"!dabei {mid}")
    assert "Zusagen bisher" in going.body

    # Element's "upgrade room" with "invite members": upgrade, then invite the bot
    upgraded = await synapse._request(
        "POST",
        f"/_matrix/client/v3/rooms/{quote(old_room)}/upgrade",
        token=alice.user.access_token,
        body={"new_version": "12"},
    )
    new_room = upgraded["replacement_room"]
    await alice.wait_for_room(new_room)
    await alice.invite(new_room, bot.user_id)
    await alice.wait_for_member(new_room, bot.user_id, timeout=15)

    upgrades = RoomUpgrades(bot.app.db)
    for _ in range(100):
        record = await upgrades.get(old_room)
        if record is not None and record.moved_at is not None:
            break
        await asyncio.sleep(0.1)
    assert record is not None and record.new_room_id == new_room and record.moved_at

    overview = await ask(alice, new_room, "!kooperation")
    assert "Musikschule Bonn" in overview.body
    meetings = await ask(alice, new_room, "!termine")
    assert "Upgradetreffen" in meetings.body

    reminder = await alice.wait_for(
        lambda r: (
            r.sender == bot.user_id and r.msgtype == "m.text" and "Erinnerung" in (r.body or "")
        ),
        40,
    )
    assert reminder.room_id == new_room
    assert reminder.content["m.mentions"]["user_ids"] == [alice.user_id]
    in_old_room = [m for m in alice.messages(old_room, sender=bot.user_id) if m.msgtype == "m.text"]
    assert in_old_room == []
