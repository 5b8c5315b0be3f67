"""Network rooms, the people seen in them, and the welcomes already sent.

Why stored: the config key is a room's identity (a renamed room keeps its id), a room
the bot was removed from must never be recreated or rejoined, and a person is welcomed
once in their life, not once per start.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from storage.db import Database

SPACE_KEY = "_space"  # config keys start with [a-z0-9], so this never collides


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class StoredRoom:
    """A room the bot created for the network.

    ``source``: ``config`` ([[network.rooms]]), ``command`` (!raum neu) or ``space``.
    """

    key: str
    room_id: str
    kind: str
    name: str
    topic: str = ""
    source: str = "config"
    created_by: str | None = None
    created_at: str = ""
    removed_at: str | None = None
    removed_by: str | None = None
    removed_how: str | None = None

    @property
    def active(self) -> bool:
        return self.removed_at is None


_COLUMNS = (
    "key, room_id, kind, name, topic, source, created_by, created_at,"
    " removed_at, removed_by, removed_how"
)


def _room(row: sqlite3.Row) -> StoredRoom:
    return StoredRoom(*tuple(row))


class NetworkRooms:
    """Config key -> room id, plus the removal mark."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def all(self) -> list[StoredRoom]:
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM network_rooms ORDER BY created_at, key"
        )
        return [_room(r) for r in rows]

    async def get(self, key: str) -> StoredRoom | None:
        row = await self._db.fetchone(f"SELECT {_COLUMNS} FROM network_rooms WHERE key = ?", (key,))
        return None if row is None else _room(row)

    async def by_room(self, room_id: str) -> StoredRoom | None:
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM network_rooms WHERE room_id = ?", (room_id,)
        )
        return None if row is None else _room(row)

    async def add(self, room: StoredRoom) -> StoredRoom:
        """Remember a newly created room (the key must be new)."""
        stored = room if room.created_at else replace(room, created_at=_now())
        await self._db.execute(
            f"INSERT INTO network_rooms({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                stored.key,
                stored.room_id,
                stored.kind,
                stored.name,
                stored.topic,
                stored.source,
                stored.created_by,
                stored.created_at,
                stored.removed_at,
                stored.removed_by,
                stored.removed_how,
            ),
        )
        return stored

    async def update_meta(self, key: str, *, name: str, topic: str, kind: str) -> None:
        await self._db.execute(
            "UPDATE network_rooms SET name = ?, topic = ?, kind = ? WHERE key = ?",
            (name, topic, kind, key),
        )

    async def mark_removed(self, room_id: str, *, by: str | None, how: str) -> StoredRoom | None:
        """Mark the room as one the bot was removed from; the row if this changed it."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE network_rooms SET removed_at = ?, removed_by = ?, removed_how = ?"
                " WHERE room_id = ? AND removed_at IS NULL",
                (_now(), by, how, room_id),
            )
            if not changed:
                return None
            row = await tx.fetchone(
                f"SELECT {_COLUMNS} FROM network_rooms WHERE room_id = ?", (room_id,)
            )
        return None if row is None else _room(row)

    async def mark_back(self, room_id: str) -> StoredRoom | None:
        """The bot was invited back and joined; the row if it was marked removed."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE network_rooms SET removed_at = NULL, removed_by = NULL,"
                " removed_how = NULL WHERE room_id = ? AND removed_at IS NOT NULL",
                (room_id,),
            )
            if not changed:
                return None
            row = await tx.fetchone(
                f"SELECT {_COLUMNS} FROM network_rooms WHERE room_id = ?", (room_id,)
            )
        return None if row is None else _room(row)


@dataclass(frozen=True)
class NetworkMember:
    user_id: str
    first_room: str | None
    first_seen: str | None


class NetworkMembers:
    """Who joined a network room, and when first; whether the welcome went out."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record_join(self, user_id: str, room_id: str, at: datetime | None = None) -> bool:
        """Remember the first join; True if the person is new to the network."""
        when = (at or datetime.now(UTC)).isoformat()
        changed = await self._db.execute(
            "INSERT OR IGNORE INTO network_members(user_id, first_room, first_seen)"
            " VALUES (?, ?, ?)",
            (user_id, room_id, when),
        )
        return bool(changed)

    async def get(self, user_id: str) -> NetworkMember | None:
        row = await self._db.fetchone(
            "SELECT user_id, first_room, first_seen FROM network_members WHERE user_id = ?",
            (user_id,),
        )
        return None if row is None else NetworkMember(*tuple(row))

    async def joined_since(self, since: datetime) -> list[NetworkMember]:
        """New members since a moment (for the weekly digest), oldest first."""
        rows = await self._db.fetchall(
            "SELECT user_id, first_room, first_seen FROM network_members"
            " WHERE first_seen >= ? ORDER BY first_seen",
            (since.astimezone(UTC).isoformat(),),
        )
        return [NetworkMember(*tuple(r)) for r in rows]

    async def welcomed(self, user_id: str) -> bool:
        found = await self._db.scalar("SELECT 1 FROM member_welcomes WHERE user_id = ?", (user_id,))
        return found is not None

    async def mark_welcomed(self, user_id: str, room_id: str) -> None:
        await self._db.execute(
            "INSERT OR IGNORE INTO member_welcomes(user_id, room_id, sent_at) VALUES (?, ?, ?)",
            (user_id, room_id, _now()),
        )


async def is_direct_room(db: Database, room_id: str) -> bool:
    """Whether the bot uses this room as someone's direct chat (core table, read only)."""
    found = await db.scalar("SELECT 1 FROM direct_rooms WHERE room_id = ?", (room_id,))
    return found is not None
