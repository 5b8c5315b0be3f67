"""Permissions from the Matrix spec, through Synapse: the same table in a room of version
10 and of version 12 (creators outrank everyone there, and are not in ``users``)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.integration.botrunner import BotHarness, bot_factory  # noqa: F401
from tests.integration.test_backbone import ask

REFUSED = "Das dürfen nur"


async def create_room(
    client: Any, version: str, invite: list[str], additional_creators: list[str] = ()
) -> str:
    """A private room of ``version`` (raw API: nio cannot set ``creation_content``)."""
    body: dict[str, Any] = {
        "preset": "private_chat",
        "room_version": version,
        "invite": invite,
        "creation_content": {"additional_creators": list(additional_creators)}
        if additional_creators
        else {},
    }
    url = f"{client.client.homeserver}/_matrix/client/v3/createRoom"
    headers = {"Authorization": f"Bearer {client.client.access_token}"}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=body, headers=headers) as response:
            data = await response.json()
            assert response.status == 200, data
    room_id = str(data["room_id"])
    await client.wait_for_room(room_id, timeout=15)
    return room_id


async def set_power(client: Any, room_id: str, change: dict[str, Any]) -> None:
    current = await client.client.room_get_state_event(room_id, "m.room.power_levels")
    content = dict(current.content)
    users = dict(content.get("users") or {})
    users.update(change.pop("users", {}))
    content["users"] = users
    content.update(change)
    response = await client.client.room_put_state(room_id, "m.room.power_levels", content)
    assert hasattr(response, "event_id"), response


async def may_schedule(client: Any, room_id: str, title: str) -> bool:
    reply = await ask(client, room_id, f"!termin neu morgen 16:00 {title}", timeout=15)
    if REFUSED in reply.body:
        return False
    assert title in reply.body, reply.body
    return True


@pytest.mark.parametrize("version", ["10", "12"])
async def test_same_permission_table_in_v10_and_v12(
    client_factory: Any, bot_factory: Any, version: str
) -> None:
    creator = await client_factory("creator")
    co = await client_factory("cocreator", auto_join=True)
    mod = await client_factory("mod", auto_join=True)
    member = await client_factory("member", auto_join=True)
    bot: BotHarness = await bot_factory()
    room_id = await create_room(
        creator, version, [bot.user_id, co.user_id, mod.user_id, member.user_id], [co.user_id]
    )
    for user in (bot.user_id, co.user_id, mod.user_id, member.user_id):
        await creator.wait_for_member(room_id, user, timeout=15)
    await set_power(creator, room_id, {"users": {mod.user_id: 50}})
    v12 = version == "12"

    # who                 v10    v12
    assert await may_schedule(creator, room_id, "Vom Ersteller")  # creator: both
    # an additional creator outranks everyone only where the version says so
    assert await may_schedule(co, room_id, "Vom Miterstellenden") is v12
    assert await may_schedule(mod, room_id, "Von der Moderation")  # level 50: both
    assert not await may_schedule(member, room_id, "Vom Mitglied")  # level 0: neither

    # state changes count at once: everyone 50 by default, then the moderator demoted
    await set_power(creator, room_id, {"users_default": 50})
    assert await may_schedule(member, room_id, "Standardstufe")
    await set_power(creator, room_id, {"users_default": 0, "users": {mod.user_id: 0}})
    assert not await may_schedule(mod, room_id, "Herabgestuft")
    assert not await may_schedule(member, room_id, "Wieder ohne")
