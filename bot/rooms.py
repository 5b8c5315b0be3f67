"""Provisioning of the network's space and rooms at start: a pure plan, then apply.

``plan_rooms`` compares what the config wants with what storage remembers and what the
homeserver currently holds, and returns the few actions that close the gap (nothing,
on a second start). ``RoomProvisioner`` observes the state over MatrixConnection,
plans, applies, and keeps ``NetworkInfo.room_ids`` in step with storage.

Rules the plan keeps:
- A config key is a room's identity: a stored key keeps its room id, whatever its name.
- Config rooms follow the config (name, topic, public/invite-only, encryption on);
  rooms from ``!raum neu`` keep whatever name and topic the coordinators give them.
- Coordinators get power level 50 (never lowered, never raised above what they have);
  they are invited to every network room they were never in (a left room stays left).
- A room the bot was kicked or banned from is never recreated, rejoined or touched.
- Nothing is sent that already holds: equal state is not re-sent.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.config import RoomSettings, Settings
from bot.matrix import MatrixConnection, MatrixError
from commands.context import NetworkInfo, Services
from commands.rooms import (
    MODERATOR_LEVEL,
    announce_removal,
    server_of,
    space_child_content,
    space_parent_content,
)
from storage import Database
from storage.rooms import SPACE_KEY, NetworkRooms, StoredRoom

log = logging.getLogger(__name__)

MEGOLM = "m.megolm.v1.aes-sha2"
# Room versions in which power levels alone decide; from version 12 on (MSC4289) the
# creators have unlimited power, cannot be kicked and must not appear in "users".
_LEGACY_ROOM_VERSIONS = frozenset(str(n) for n in range(1, 12))


# --- the plan (pure) -------------------------------------------------------------------


@dataclass(frozen=True)
class DesiredRoom:
    """A room as the network wants it. ``manage_meta``: name, topic, join rule and
    encryption follow this description (config rooms); otherwise they are left alone."""

    key: str
    name: str
    topic: str | None = ""
    kind: str = "topic"
    public: bool = False
    encrypted: bool = False
    manage_meta: bool = True

    @classmethod
    def from_settings(cls, room: RoomSettings) -> DesiredRoom:
        return cls(room.key, room.name, room.topic, room.kind, room.public, room.encrypted)


@dataclass(frozen=True)
class Observed:
    """One existing room as the homeserver holds it now (None: absent or unreadable)."""

    membership: str | None  # the bot's own membership
    name: str | None = None
    topic: str | None = None
    join_rule: str | None = None
    encrypted: bool = False
    power_levels: Mapping[str, Any] | None = None
    space_child: Mapping[str, Any] | None = None  # m.space.child for it in the space
    space_parent: Mapping[str, Any] | None = None  # m.space.parent for the space in it
    members: Mapping[str, str | None] = field(default_factory=dict)  # coordinator -> membership
    room_version: str = "10"
    additional_creators: tuple[str, ...] = ()

    @property
    def creators_privileged(self) -> bool:
        return self.room_version not in _LEGACY_ROOM_VERSIONS


@dataclass(frozen=True)
class CreateSpace:
    name: str
    public: bool


@dataclass(frozen=True)
class CreateRoom:
    room: DesiredRoom


@dataclass(frozen=True)
class PutState:
    key: str
    room_id: str
    event_type: str
    content: Mapping[str, Any]
    state_key: str = ""


@dataclass(frozen=True)
class LinkChild:
    """``m.space.child`` in the space (its id may only be known while applying)."""

    key: str
    room_id: str


@dataclass(frozen=True)
class LinkParent:
    key: str
    room_id: str


@dataclass(frozen=True)
class Invite:
    key: str
    room_id: str
    user_id: str


@dataclass(frozen=True)
class MarkRemoved:
    """The bot was removed while it was down: remember it, tell the coordinators."""

    key: str
    room_id: str
    how: str


Action = CreateSpace | CreateRoom | PutState | LinkChild | LinkParent | Invite | MarkRemoved


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.actions


def _has_via(content: Mapping[str, Any] | None) -> bool:
    return bool(content and isinstance(content.get("via"), list) and content["via"])


def power_levels_update(
    current: Mapping[str, Any],
    coordinators: Sequence[str],
    bot_user: str,
    creators: Sequence[str] = (),
) -> dict[str, Any] | None:
    """The power-levels content with every coordinator at >= 50, or None if it holds.

    ``creators``: privileged creators (room version 12+), who must not be listed.
    """
    users: dict[str, Any] = dict(current.get("users") or {})
    default = int(current.get("users_default", 0))
    short = [
        c
        for c in coordinators
        if c != bot_user and c not in creators and int(users.get(c, default)) < MODERATOR_LEVEL
    ]
    if not short:
        return None
    updated = dict(current)
    updated["users"] = {**users, **dict.fromkeys(short, MODERATOR_LEVEL)}
    return updated


def _can_set_power(current: Mapping[str, Any], bot_user: str, seen: Observed) -> bool:
    if seen.creators_privileged:
        return True  # the bot created every stored room: as creator it has all power
    users = current.get("users") or {}
    own = int(users.get(bot_user, current.get("users_default", 0)))
    events = current.get("events") or {}
    needed = int(events.get("m.room.power_levels", current.get("state_default", 50)))
    return own >= needed and own >= MODERATOR_LEVEL


def _plan_existing(
    plan: Plan,
    room: DesiredRoom,
    row: StoredRoom,
    observed: Mapping[str, Observed],
    coordinators: Sequence[str],
    bot_user: str,
) -> Observed | None:
    """Updates for a stored room; returns its observation if the bot can work in it."""
    if not row.active:
        plan.notes.append(f"{room.key}: the bot was removed from {row.room_id}; left alone")
        return None
    seen = observed.get(row.room_id)
    if seen is None or seen.membership is None:
        plan.notes.append(f"{room.key}: state of {row.room_id} unreadable; left alone")
        return None
    if seen.membership in ("leave", "ban"):
        plan.actions.append(MarkRemoved(room.key, row.room_id, seen.membership))
        return None
    if seen.membership != "join":
        plan.notes.append(f"{room.key}: bot membership {seen.membership!r}; left alone")
        return None
    rid = row.room_id
    if room.manage_meta:
        if (seen.name or "") != room.name:
            plan.actions.append(PutState(room.key, rid, "m.room.name", {"name": room.name}))
        if room.topic is not None and (seen.topic or "") != room.topic:
            plan.actions.append(PutState(room.key, rid, "m.room.topic", {"topic": room.topic}))
        # Only "public" vs not: a coordinator's "restricted" or "knock" stays.
        if room.public and seen.join_rule != "public":
            plan.actions.append(
                PutState(room.key, rid, "m.room.join_rules", {"join_rule": "public"})
            )
        elif not room.public and seen.join_rule == "public":
            plan.actions.append(
                PutState(room.key, rid, "m.room.join_rules", {"join_rule": "invite"})
            )
        if room.encrypted and not seen.encrypted:
            plan.actions.append(PutState(room.key, rid, "m.room.encryption", {"algorithm": MEGOLM}))
        elif not room.encrypted and seen.encrypted:
            plan.notes.append(f"{room.key}: encryption cannot be switched off again")
    if seen.power_levels is not None:
        creators = (bot_user, *seen.additional_creators) if seen.creators_privileged else ()
        update = power_levels_update(seen.power_levels, coordinators, bot_user, creators)
        if update is not None:
            if _can_set_power(seen.power_levels, bot_user, seen):
                plan.actions.append(PutState(room.key, rid, "m.room.power_levels", update))
            else:
                plan.notes.append(f"{room.key}: the bot lacks the power to promote coordinators")
    for user_id in coordinators:
        if user_id != bot_user and seen.members.get(user_id) is None:
            plan.actions.append(Invite(room.key, rid, user_id))
    return seen


def plan_rooms(
    desired: Sequence[DesiredRoom],
    stored: Mapping[str, StoredRoom],
    observed: Mapping[str, Observed],
    *,
    space_name: str,
    coordinators: Sequence[str],
    bot_user: str,
) -> Plan:
    """What to do so that the network's rooms are as described. Pure: no I/O.

    Args:
        desired: config rooms first, then the rooms made with ``!raum neu``.
        stored: rows of ``network_rooms`` by key (the space under ``SPACE_KEY``).
        observed: current state by room id, for the stored rooms and the space.
    """
    plan = Plan()
    if not desired:
        return plan
    public = any(r.public for r in desired if r.manage_meta)
    space_row = stored.get(SPACE_KEY)
    linkable = True
    if space_row is None:
        plan.actions.append(CreateSpace(space_name, public))
    else:
        space = DesiredRoom(SPACE_KEY, space_name, None, "space", public)
        linkable = (
            _plan_existing(plan, space, space_row, observed, coordinators, bot_user) is not None
        )
        if not linkable:
            plan.notes.append("the space is not usable; rooms are not linked to it")
    for room in desired:
        row = stored.get(room.key)
        if row is None:
            plan.actions.append(CreateRoom(room))
            continue
        seen = _plan_existing(plan, room, row, observed, coordinators, bot_user)
        if seen is None or not linkable:
            continue
        if not _has_via(seen.space_child):
            plan.actions.append(LinkChild(room.key, row.room_id))
        if not _has_via(seen.space_parent):
            plan.actions.append(LinkParent(room.key, row.room_id))
    wanted = {r.key for r in desired}
    for key, row in stored.items():
        if key != SPACE_KEY and key not in wanted and row.source == "config":
            plan.notes.append(f"{key}: no longer in the config; {row.room_id} is left as it is")
    return plan


def desired_rooms(rooms: Sequence[RoomSettings], stored: Sequence[StoredRoom]) -> list[DesiredRoom]:
    """Config rooms, then the stored ``!raum neu`` rooms (name and topic theirs)."""
    result = [DesiredRoom.from_settings(r) for r in rooms]
    keys = {r.key for r in rooms}
    for row in stored:
        if row.source == "command" and row.key not in keys:
            result.append(DesiredRoom(row.key, row.name, None, row.kind, manage_meta=False))
    return result


# --- observe and apply -------------------------------------------------------------------


async def load_network_rooms(
    rooms: NetworkRooms, network: NetworkInfo, config_keys: Collection[str]
) -> None:
    """Fill ``network.room_ids`` (and kinds of ``!raum neu`` rooms) from storage: active
    rooms, config rooms only while the config names them. The commands change the stored
    rooms and ask the bot to call this (``Runtime.reload_rooms``); they never write here."""
    ids: dict[str, str] = {}
    for row in await rooms.all():
        if row.key == SPACE_KEY or not row.active:
            continue
        if row.source == "config" and row.key not in config_keys:
            continue
        ids[row.key] = row.room_id
        network.room_kinds.setdefault(row.key, row.kind)
    network.room_ids.clear()
    network.room_ids.update(ids)


class RoomProvisioner:
    """Creates and keeps the network's space and rooms (see the module docstring)."""

    def __init__(self, settings: Settings, matrix: MatrixConnection, db: Database) -> None:
        self.settings = settings
        self.matrix = matrix
        self.rooms = NetworkRooms(db)
        self.server = server_of(settings.matrix.user_id)
        self.bot_user = settings.matrix.user_id

    @property
    def coordinators(self) -> list[str]:
        return list(dict.fromkeys(self.settings.network.coordinators))

    async def load(self, services: Services) -> None:
        """Fill ``network.room_ids`` (and kinds of ``!raum neu`` rooms) from storage."""
        config_keys = {r.key for r in self.settings.network.rooms}
        await load_network_rooms(self.rooms, services.network, config_keys)

    async def plan(self) -> Plan:
        stored_rows = await self.rooms.all()
        stored = {row.key: row for row in stored_rows}
        desired = desired_rooms(self.settings.network.rooms, stored_rows)
        space = stored.get(SPACE_KEY)
        space_id = space.room_id if space is not None and space.active else None
        observed: dict[str, Observed] = {}
        wanted = {r.key for r in desired} | {SPACE_KEY}
        for key, row in stored.items():
            if key in wanted and row.active:
                observed[row.room_id] = await self.observe(
                    row.room_id, space_id=None if key == SPACE_KEY else space_id
                )
        return plan_rooms(
            desired,
            stored,
            observed,
            space_name=self.settings.network.name,
            coordinators=self.coordinators,
            bot_user=self.bot_user,
        )

    async def observe(self, room_id: str, *, space_id: str | None) -> Observed:
        """Read the state the plan compares with (authoritative: from the homeserver)."""
        get = self.matrix.get_state
        own = await get(room_id, "m.room.member", self.bot_user)
        membership = None if own is None else own.get("membership")
        if membership != "join":
            return Observed(membership)
        create, name, topic, rules, encryption, power = await asyncio.gather(
            get(room_id, "m.room.create"),
            get(room_id, "m.room.name"),
            get(room_id, "m.room.topic"),
            get(room_id, "m.room.join_rules"),
            get(room_id, "m.room.encryption"),
            get(room_id, "m.room.power_levels"),
        )
        child = parent = None
        if space_id is not None:
            child, parent = await asyncio.gather(
                get(space_id, "m.space.child", room_id),
                get(room_id, "m.space.parent", space_id),
            )
        members = await asyncio.gather(
            *(get(room_id, "m.room.member", user) for user in self.coordinators)
        )
        return Observed(
            membership=membership,
            name=(name or {}).get("name"),
            topic=(topic or {}).get("topic"),
            join_rule=(rules or {}).get("join_rule"),
            encrypted=bool(encryption and encryption.get("algorithm")),
            power_levels=power,
            room_version=str((create or {}).get("room_version", "1")),
            additional_creators=tuple((create or {}).get("additional_creators") or ()),
            space_child=child,
            space_parent=parent,
            members={
                user: (content or {}).get("membership")
                for user, content in zip(self.coordinators, members, strict=True)
            },
        )

    async def provision(self, services: Services) -> Plan:
        """Plan and apply; failures are logged, never stop the bot. Returns the plan."""
        try:
            plan = await self.plan()
        except MatrixError as exc:
            log.error("room provisioning skipped: %s", exc)
            return Plan()
        except Exception:  # state set by someone else's client must not stop the start
            log.exception("room provisioning skipped [ref %s]", secrets.token_hex(4))
            return Plan()
        for note in plan.notes:
            log.info("rooms: %s", note)
        if plan.empty:
            log.info("rooms: nothing to change")
        else:
            await self.apply(plan, services)
        await self._remember_config()
        await self.load(services)
        return plan

    async def apply(self, plan: Plan, services: Services) -> None:
        space = await self.rooms.get(SPACE_KEY)
        space_id = space.room_id if space is not None and space.active else None
        for action in plan.actions:
            try:
                space_id = await self._apply_one(action, space_id, services)
            except MatrixError as exc:
                log.warning("rooms: %s failed: %s", action, exc)

    async def _apply_one(
        self, action: Action, space_id: str | None, services: Services
    ) -> str | None:
        matrix = self.matrix
        if isinstance(action, CreateSpace):
            new_space = await matrix.create_room(
                action.name,
                space=True,
                public=action.public,
                invite=[c for c in self.coordinators if c != self.bot_user],
                power_users=self._power_users(),
            )
            await self.rooms.add(
                StoredRoom(SPACE_KEY, new_space, "space", action.name, source="space")
            )
            log.info("rooms: created the space %s", new_space)
            return new_space
        if isinstance(action, CreateRoom):
            room = action.room
            room_id = await matrix.create_room(
                room.name,
                topic=room.topic or "",
                invite=[c for c in self.coordinators if c != self.bot_user],
                encrypted=room.encrypted,
                public=room.public,
                power_users=self._power_users(),
            )
            await self.rooms.add(
                StoredRoom(room.key, room_id, room.kind, room.name, room.topic or "")
            )
            services.network.room_ids[room.key] = room_id
            log.info("rooms: created %s (%s) as %s", room.key, room.name, room_id)
            if space_id is not None:
                await self._link(space_id, room_id)
        elif isinstance(action, PutState):
            await matrix.put_state(
                action.room_id, action.event_type, dict(action.content), action.state_key
            )
        elif isinstance(action, LinkChild) and space_id is not None:
            await matrix.put_state(
                space_id, "m.space.child", space_child_content(self.server), action.room_id
            )
        elif isinstance(action, LinkParent) and space_id is not None:
            await matrix.put_state(
                action.room_id, "m.space.parent", space_parent_content(self.server), space_id
            )
        elif isinstance(action, Invite):
            await matrix.invite(action.room_id, action.user_id)
        elif isinstance(action, MarkRemoved):
            await self.rooms.mark_removed(action.room_id, by=None, how=action.how)
            row = await self.rooms.by_room(action.room_id)
            matrix.mark_left(action.room_id)
            if row is not None:
                await announce_removal(services, row)
        return space_id

    async def _link(self, space_id: str, room_id: str) -> None:
        await self.matrix.put_state(
            space_id, "m.space.child", space_child_content(self.server), room_id
        )
        await self.matrix.put_state(
            room_id, "m.space.parent", space_parent_content(self.server), space_id
        )

    def _power_users(self) -> dict[str, int]:
        return {c: MODERATOR_LEVEL for c in self.coordinators if c != self.bot_user}

    async def _remember_config(self) -> None:
        """Keep the stored name/topic/kind of config rooms as last configured."""
        for room in self.settings.network.rooms:
            row = await self.rooms.get(room.key)
            if row is not None and (row.name, row.topic, row.kind) != (
                room.name,
                room.topic,
                room.kind,
            ):
                await self.rooms.update_meta(
                    room.key, name=room.name, topic=room.topic, kind=room.kind
                )
