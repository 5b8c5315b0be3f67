"""Room moderators act by power level; a demotion takes effect at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.integration.test_backbone import ask, room_with_bot


async def set_power(client: Any, room_id: str, user_id: str, level: int) -> None:
    current = await client.client.room_get_state_event(room_id, "m.room.power_levels")
    content = dict(current.content)
    users = dict(content.get("users", {}))
    users[user_id] = level
    content["users"] = users
    await client.client.room_put_state(room_id, "m.room.power_levels", content)


async def test_moderator_may_schedule_until_demoted(client_factory: Any, bot_factory: Any) -> None:
    owner = await client_factory("owner")
    mod = await client_factory("mod", auto_join=True)
    bot = await bot_factory()
    room_id = await room_with_bot(owner, bot)
    await owner.invite(room_id, mod.user_id)
    await owner.wait_for_member(room_id, mod.user_id, timeout=15)

    when = datetime.now(ZoneInfo("Europe/Berlin")) + timedelta(days=3)
    refused = await ask(mod, room_id, f"!termin neu {when:%d.%m.%Y} 16:00 Austausch")
    assert "Moderation" in refused.body

    await set_power(owner, room_id, mod.user_id, 50)
    created = await ask(mod, room_id, f"!termin neu {when:%d.%m.%Y} 16:00 Austausch")
    assert "#" in created.body and "Moderation" not in created.body

    await set_power(owner, room_id, mod.user_id, 0)
    again = await ask(mod, room_id, f"!termin neu {when:%d.%m.%Y} 17:00 Austausch zwei")
    assert "Moderation" in again.body
