"""Room upgrades: when a room is replaced (``m.room.tombstone``), the bot follows it.

It joins the successor room (or, in an invite-only room, waits for the invite that
Element's upgrade dialog sends), checks that the new room names the old one as its
predecessor, and moves the old room's cooperation, meetings, reminders, settings and
registry entries there in one transaction (``storage.upgrades``). Reminder jobs read
their room from the moved rows, so they post in the new room from then on.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.matrix import MatrixConnection, RoomUpgrade
from storage import Database
from storage.upgrades import RoomUpgrades

log = logging.getLogger(__name__)

OnMoved = Callable[[str, str], Awaitable[None]]


class RoomUpgrader:
    def __init__(
        self, matrix: MatrixConnection, db: Database, on_moved: OnMoved | None = None
    ) -> None:
        self.matrix = matrix
        self.upgrades = RoomUpgrades(db)
        self._on_moved = on_moved

    async def handle(self, event: RoomUpgrade) -> None:
        """A tombstone: note it, join the successor, move the data once inside."""
        known = await self.upgrades.get(event.room_id)
        if known is not None and known.moved_at is not None:
            return  # seen again after a full-state resume
        await self.upgrades.note(event.room_id, event.replacement)
        log.info("room %s was upgraded to %s by %s", event.room_id, event.replacement, event.sender)
        if await self.matrix.join_room(event.replacement):
            await self._move(event.room_id, event.replacement)
        else:
            log.warning(
                "cannot join %s (successor of %s) yet; its data moves once I am invited",
                event.replacement,
                event.room_id,
            )

    async def joined(self, room_id: str) -> None:
        """The bot joined a room on an invite: is it a successor that data waits for?"""
        for old_room_id in await self.upgrades.waiting_for(room_id):
            await self._move(old_room_id, room_id)

    async def _move(self, old_room_id: str, new_room_id: str) -> None:
        create = await self.matrix.get_state(new_room_id, "m.room.create") or {}
        predecessor = create.get("predecessor") or {}
        if predecessor.get("room_id") != old_room_id:
            log.warning(
                "%s does not name %s as its predecessor; its data stays", new_room_id, old_room_id
            )
            return
        rows = await self.upgrades.move(old_room_id, new_room_id)
        log.info("moved %d rows from %s to its successor %s", rows, old_room_id, new_room_id)
        if self._on_moved is not None:
            await self._on_moved(old_room_id, new_room_id)
