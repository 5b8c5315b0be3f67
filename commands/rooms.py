"""Network rooms as people meet them: the welcome, removal notes and ``!raum neu``.

The start-up provisioning (space, config rooms, power levels) is in ``bot/rooms.py``;
this module holds what runs while the bot is up, plus the small pieces both share.

Decisions:
- The welcome goes to everyone who joins a network room (or the space) for the first
  time, once in their life, as a direct chat. Coordinators and the bot itself get none:
  coordinators configured the network and know it; they are not counted as new members.
- The coordinators' room gets one line per new member, never for coordinators.
- When the bot is removed from a room it marks it (network rooms: in storage, so the
  provisioning never recreates or rejoins it), stops posting there and tells the
  coordinators how to bring it back: invite it again (after lifting a ban).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Protocol, cast

from commands.context import Context, Services
from commands.errors import UserError
from commands.registry import Arg, Permission, Scope, command, on_event
from commands.reply import Reply, ReplyBuilder, code
from commands.textclean import single_line
from storage.core import UserSettings
from storage.rooms import (
    SPACE_KEY,
    NetworkMembers,
    NetworkRooms,
    StoredRoom,
    is_direct_room,
)

log = logging.getLogger(__name__)

MODERATOR_LEVEL = 50
MAX_NAME_LENGTH = 80
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_KEY = re.compile(r"[^a-z0-9]+")


class StateWriter(Protocol):
    """Room state, as ``bot.matrix.MatrixConnection`` offers it beyond ``Chat``."""

    async def put_state(
        self, room_id: str, event_type: str, content: dict[str, Any], state_key: str = ""
    ) -> None: ...


# --- shared with bot/rooms.py --------------------------------------------------------


def server_of(user_id: str) -> str:
    return user_id.split(":", 1)[1]


def space_child_content(server: str) -> dict[str, Any]:
    """``m.space.child`` in the space, state key = the room id."""
    return {"via": [server]}


def space_parent_content(server: str) -> dict[str, Any]:
    """``m.space.parent`` in the room, state key = the space id."""
    return {"via": [server], "canonical": True}


def restricted_join_rule(space_id: str) -> dict[str, Any]:
    """Members of the space may join without an invite (room versions 8+)."""
    return {
        "join_rule": "restricted",
        "allow": [{"type": "m.room_membership", "room_id": space_id}],
    }


def room_key_for(name: str, taken: set[str]) -> str:
    """A config-style key from a room name: "Schnittstelle OGS" -> "schnittstelle-ogs"."""
    base = _NON_KEY.sub("-", name.casefold().translate(_UMLAUTS)).strip("-")[:40].strip("-")
    base = base or "raum"
    key, number = base, 2
    while key in taken or key == SPACE_KEY:
        key = f"{base}-{number}"
        number += 1
    return key


async def notify_coordinators(
    services: Services, reply: Reply, key: str, *, fallback_direct: bool = False
) -> None:
    """Post to the coordinators' room; without one, optionally to each coordinator."""
    room_id = services.network.coordinators_room
    if room_id is not None:
        await services.chat.send(room_id, reply, key=key)
        return
    if not fallback_direct:
        return
    for user_id in services.network.coordinators:
        if user_id == services.chat.user_id:
            continue
        direct = await services.chat.direct_room(user_id)
        await services.chat.send(direct, reply, key=f"{key}:{user_id}")


def _t(services: Services, key: str, /, **params: object) -> str:
    return services.catalog.get(key, services.network.language, **params)


def _by(services: Services, sender: str | None) -> str:
    return _t(services, "rooms.by", sender=sender) if sender else ""


async def announce_removal(services: Services, room: StoredRoom) -> None:
    """Tell the coordinators the bot was removed from a network room (once per removal)."""
    await services.runtime.reload_rooms()  # the room is marked removed in storage
    text_key = "rooms.removed_ban" if room.removed_how == "ban" else "rooms.removed_kick"
    text = _t(services, text_key, room=room.name, by=_by(services, room.removed_by))
    await notify_coordinators(
        services,
        Reply(text),
        f"rooms.removed:{room.room_id}:{room.removed_at}",
        fallback_direct=True,
    )


# --- hooks ---------------------------------------------------------------------------


@on_event("member")
async def on_member(
    services: Services,
    *,
    room_id: str,
    user_id: str,
    membership: str,
    previous: str | None,
    sender: str,
) -> None:
    """First join of a person in a network room: record, welcome by DM, tell coordinators."""
    if user_id == services.chat.user_id:
        if membership == "join":
            await _bot_back(services, room_id)
        return
    if membership != "join" or previous == "join":
        return  # invites, leaves, and profile changes of members
    room = await NetworkRooms(services.db).by_room(room_id)
    if room is None or services.is_coordinator(user_id):
        return
    if room.key != SPACE_KEY and services.network.room_ids.get(room.key) != room_id:
        return  # removed, or dropped from the config: no longer a network room
    members = NetworkMembers(services.db)
    await members.record_join(user_id, room_id, services.now())
    if await members.welcomed(user_id):
        return
    # Keys make each message exactly-once across crashes; the mark comes last.
    await _welcome(services, user_id)
    note = _t(services, "rooms.new_member", user=user_id, room=room.name)
    await notify_coordinators(services, Reply(note), f"rooms.new_member:{user_id}")
    await members.mark_welcomed(user_id, room_id)


async def _welcome(services: Services, user_id: str) -> None:
    lang = await UserSettings(services.db).language(user_id) or services.network.language
    catalog = services.catalog
    network = services.network.name
    intro = catalog.get("rooms.welcome_intro", lang, network=network)
    lines = [
        ("!hilfe", catalog.get("rooms.welcome_help", lang)),
        ("!frage …", catalog.get("rooms.welcome_ask", lang)),
        ("!profil", catalog.get("rooms.welcome_profile", lang)),
    ]
    outro = catalog.get("rooms.welcome_outro", lang)
    welcome = ReplyBuilder().line(intro)
    for cmd, what in lines:
        welcome.bullet(code(cmd), " – ", what)
    welcome.line(outro)
    direct = await services.chat.direct_room(user_id)
    await services.chat.send(direct, welcome.build(), key=f"rooms.welcome:{user_id}")


async def _bot_back(services: Services, room_id: str) -> None:
    """The bot was invited back into a network room it had been removed from."""
    before = await NetworkRooms(services.db).mark_back(room_id)
    if before is None:
        return
    if before.key != SPACE_KEY:
        await services.runtime.reload_rooms()
    text = _t(services, "rooms.bot_back", room=before.name)
    await notify_coordinators(services, Reply(text), f"rooms.back:{room_id}:{before.removed_at}")


@on_event("bot_removed")
async def on_bot_removed(services: Services, *, room_id: str, sender: str, membership: str) -> None:
    """Kicked or banned: never post there again, never rejoin alone, tell the coordinators."""
    rooms = NetworkRooms(services.db)
    await rooms.mark_removed(room_id, by=sender, how=membership)
    room = await rooms.by_room(room_id)
    if room is not None:
        # Even the bot's own account leaving a network room (a person using it, or a
        # server admin) counts. Re-read: a replay after a crash sends the note once.
        if not room.active:
            await announce_removal(services, room)
        return
    if sender == services.chat.user_id:
        return  # the bot left by itself (a rejected invite)
    if await is_direct_room(services.db, room_id):
        return  # someone closed their direct chat with the bot: their business
    text_key = "rooms.removed_ban" if membership == "ban" else "rooms.removed_kick"
    text = _t(services, text_key, room=services.chat.room_name(room_id), by=_by(services, sender))
    await notify_coordinators(
        services, Reply(text), f"rooms.removed:{room_id}:{membership}:{sender}"
    )


# --- !raum neu -----------------------------------------------------------------------


@command(
    "raum neu",
    aliases=("room new",),
    group="netzwerk",
    scope=Scope.NETWORK,
    summary="rooms.new_summary",
    usage="<name>",
    usage_en="<name>",
    examples=("!raum neu Musikschule trifft Kita", "!raum neu Ganztag im Kreis Kleve"),
    permission=Permission.COORDINATOR,
    args=(Arg("name", rest=True),),
)
async def new_room(ctx: Context, name: str) -> None:
    """A further topic room in the network space, kept like the config rooms."""
    name = single_line(name)
    if len(name) > MAX_NAME_LENGTH:
        raise UserError("rooms.name_too_long", limit=MAX_NAME_LENGTH)
    rooms = NetworkRooms(ctx.db)
    stored = await rooms.all()
    if any(
        r.active and r.source != "space" and r.name.casefold() == name.casefold() for r in stored
    ):
        raise UserError("rooms.exists", name=name)
    network = ctx.services.network
    key = room_key_for(name, {r.key for r in stored} | set(network.room_kinds))
    space = next((r for r in stored if r.key == SPACE_KEY and r.active), None)
    invite = [
        u for u in dict.fromkeys([*network.coordinators, ctx.sender]) if u != ctx.chat.user_id
    ]
    room_id = await ctx.chat.create_room(
        name,
        invite=invite,
        power_users={u: MODERATOR_LEVEL for u in network.coordinators if u != ctx.chat.user_id},
    )
    await rooms.add(
        StoredRoom(key, room_id, "topic", name, "", source="command", created_by=ctx.sender)
    )
    await ctx.services.runtime.reload_rooms()
    writer = cast(StateWriter, ctx.chat)
    if space is not None and hasattr(writer, "put_state"):
        server = server_of(ctx.chat.user_id)
        await writer.put_state(space.room_id, "m.space.child", space_child_content(server), room_id)
        await writer.put_state(
            room_id, "m.space.parent", space_parent_content(server), space.room_id
        )
        await writer.put_state(room_id, "m.room.join_rules", restricted_join_rule(space.room_id))
    link = f"https://matrix.to/#/{room_id}"
    text_key = "rooms.created_in_space" if space is not None else "rooms.created"
    text = ctx.t(text_key, name=name, key=key, link=link)
    await ctx.reply(Reply(text))
