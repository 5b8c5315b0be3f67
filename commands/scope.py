"""Who may see a room's things: koopbot's one visibility model, enforced here only.

Network rooms (``[[network.rooms]]`` of kind lobby or topic) hold the network's things:
every member sees them. Every other room (a cooperation, cluster or introduction room,
a direct chat) holds things only its members may see, change or answer.

A thing of room ``R`` may be used by ``asker`` from room ``Q`` when

- ``R`` is a network room, or
- ``Q`` is ``R`` (the asker wrote in that room, so is in it), or
- the asker is in ``R`` and everyone in ``Q`` is in ``R`` too (a direct chat with the
  bot is the usual case): the answer is read only by people who may read ``R``.

Membership is asked at the moment of use (joined members as the bot sees them, never a
cached list), so leaving a room ends access at once. Everything out of scope reads
exactly like a missing id: handlers raise the same "unknown" error for both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from commands.context import Context, Services
from commands.errors import UserError
from storage.meetings import Meeting, Meetings

NETWORK_KINDS = frozenset({"lobby", "topic"})


def network_rooms(services: Services) -> set[str]:
    """The rooms whose things are the network's (lobby and topic rooms)."""
    network = services.network
    return {
        room_id
        for key, room_id in network.room_ids.items()
        if network.room_kinds.get(key) in NETWORK_KINDS
    }


@dataclass
class Visibility:
    """One asker in one room; answers "may this asker use things of room R here?"."""

    services: Services
    asker: str
    room_id: str | None  # where the answer is read; None: the asker alone (own feed)
    _network: set[str] = field(default_factory=set)
    _cache: dict[str, bool] = field(default_factory=dict)
    _audience: set[str] | None = None

    def __post_init__(self) -> None:
        self._network = network_rooms(self.services)

    @classmethod
    def of(cls, ctx: Context) -> Visibility:
        return cls(ctx.services, ctx.sender, ctx.room_id)

    async def _members(self, room_id: str) -> set[str]:
        return set(await self.services.chat.members(room_id)) - {self.services.chat.user_id}

    async def sees(self, room_id: str) -> bool:
        """May things of ``room_id`` be shown to, changed or answered by the asker here?"""
        if room_id in self._network or room_id == self.room_id:
            return True
        if room_id in self._cache:
            return self._cache[room_id]
        members = await self._members(room_id)
        allowed = self.asker in members
        if allowed and self.room_id is not None:
            if self._audience is None:
                self._audience = await self._members(self.room_id) | {self.asker}
            allowed = self._audience <= members
        self._cache[room_id] = allowed
        return allowed

    async def filter(self, room_ids: Iterable[str]) -> set[str]:
        return {room_id for room_id in set(room_ids) if await self.sees(room_id)}

    # --- meetings ------------------------------------------------------------------

    async def meeting(self, meeting_id: int) -> Meeting | None:
        """The meeting, or None when it is missing or out of scope (the same answer)."""
        meeting = await Meetings(self.services.db).get(meeting_id)
        if meeting is None or not await self.sees(meeting.room_id):
            return None
        return meeting

    async def meetings(self, *, active_only: bool = True) -> list[Meeting]:
        """Every meeting the asker may see from here (network ones and their rooms')."""
        repo = Meetings(self.services.db)
        found = await (repo.active() if active_only else repo.all())
        visible = await self.filter(m.room_id for m in found)
        return [m for m in found if m.room_id in visible]


async def visible_meeting(ctx: Context, meeting_id: int) -> Meeting:
    """``meeting_id`` as the asker may use it here, else "unknown id"."""
    meeting = await Visibility.of(ctx).meeting(meeting_id)
    if meeting is None:
        raise UserError("meetings.not_found", id=meeting_id)
    return meeting


async def present(services: Services, room_id: str, user_ids: Iterable[str]) -> list[str]:
    """Those of ``user_ids`` who are in ``room_id`` now, in the given order."""
    members = set(await services.chat.members(room_id))
    return [u for u in user_ids if u in members]
