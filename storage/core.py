"""Repositories for the core tables: sync position, handled events, errors, users."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from storage.db import Database

# UPDATE … RETURNING (SQLite 3.35+): one round trip to the database thread instead of
# seven (BEGIN, UPDATE, SELECT, COMMIT with their cursors) before each command runs
_RETURNING = sqlite3.sqlite_version_info >= (3, 35, 0)


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


class KeyValue:
    """Small named values such as the sync token and the first start time."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> str | None:
        value = await self._db.scalar("SELECT value FROM kv WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def set(self, key: str, value: str) -> None:
        await self._db.execute(
            "INSERT INTO kv(key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


@dataclass(frozen=True)
class ParkedEvent:
    """An inbox event the bot gave up on (see ``Inbox.park``)."""

    event_id: str
    room_id: str
    kind: str
    attempts: int
    parked_at: str
    ref: str | None
    error: str | None


class Inbox:
    """Events to act on, stored with the sync token in one transaction.

    Why: the token is only advanced together with the events it covers, so a crash
    between receiving and answering replays the event instead of losing it; the reply's
    transaction id (derived from the event id) keeps the replay from doubling it.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    async def accept(
        self, events: list[tuple[str, str, str, str]], next_batch: str | None
    ) -> list[str]:
        """Store (event_id, room_id, kind, payload) rows and the token; returns new ids."""
        fresh: list[str] = []
        async with self._db.transaction() as tx:
            for event_id, room_id, kind, payload in events:
                changed = await tx.execute(
                    "INSERT OR IGNORE INTO inbox(event_id, room_id, kind, payload, received_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (event_id, room_id, kind, payload, now_iso()),
                )
                if changed:
                    fresh.append(event_id)
            if next_batch is not None:
                await tx.execute(
                    "INSERT INTO kv(key, value) VALUES ('next_batch', ?)"
                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (next_batch,),
                )
        return fresh

    async def open_items(self) -> list[tuple[str, str, str, str]]:
        """Events neither done nor parked, oldest first."""
        rows = await self._db.fetchall(
            "SELECT event_id, room_id, kind, payload FROM inbox"
            " WHERE done_at IS NULL AND parked_at IS NULL ORDER BY received_at, rowid"
        )
        return [(r["event_id"], r["room_id"], r["kind"], r["payload"]) for r in rows]

    async def begin_attempt(self, event_id: str) -> int:
        """Count one more try of an event (before it runs) and return the count.

        Why before: a try that takes the whole process down must count as well, or the
        event would be replayed at every start.
        """
        if _RETURNING:
            rows = await self._db.fetchall(
                "UPDATE inbox SET attempts = attempts + 1 WHERE event_id = ? RETURNING attempts",
                (event_id,),
            )
            return int(rows[0][0] or 0) if rows else 0
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE inbox SET attempts = attempts + 1 WHERE event_id = ?", (event_id,)
            )
            value = await tx.scalar("SELECT attempts FROM inbox WHERE event_id = ?", (event_id,))
        return int(value or 0)

    async def forgive_attempt(self, event_id: str) -> None:
        """Take back the count of a try that failed through no fault of the event."""
        await self._db.execute(
            "UPDATE inbox SET attempts = MAX(attempts - 1, 0) WHERE event_id = ?", (event_id,)
        )

    async def park(self, event_id: str, ref: str, error: str) -> None:
        """Give up on an event: kept for inspection, never replayed again."""
        await self._db.execute(
            "UPDATE inbox SET parked_at = ?, parked_ref = ?, error = ? WHERE event_id = ?",
            (now_iso(), ref, error[:500], event_id),
        )

    async def parked_count(self) -> int:
        return int(
            await self._db.scalar("SELECT COUNT(*) FROM inbox WHERE parked_at IS NOT NULL") or 0
        )

    async def parked(self, limit: int = 5) -> list[ParkedEvent]:
        """The latest parked events (newest first)."""
        rows = await self._db.fetchall(
            "SELECT event_id, room_id, kind, attempts, parked_at, parked_ref, error FROM inbox"
            " WHERE parked_at IS NOT NULL ORDER BY parked_at DESC LIMIT ?",
            (limit,),
        )
        return [ParkedEvent(*tuple(row)) for row in rows]

    async def done(self, event_id: str) -> None:
        await self._db.execute(
            "UPDATE inbox SET done_at = ? WHERE event_id = ?", (now_iso(), event_id)
        )

    async def prune(self, older_than: datetime) -> int:
        return await self._db.execute(
            "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?",
            (older_than.isoformat(),),
        )


@dataclass(frozen=True)
class ErrorEntry:
    ref: str
    at: str
    room_id: str | None
    sender: str | None
    command: str | None
    error: str


class ErrorLog:
    """Unexpected errors with their reference id, shown to coordinators in !status."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, entry: ErrorEntry) -> None:
        await self._db.execute(
            "INSERT OR REPLACE INTO error_log(ref, at, room_id, sender, command, error)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (entry.ref, entry.at, entry.room_id, entry.sender, entry.command, entry.error),
        )

    async def latest(self, limit: int = 5) -> list[ErrorEntry]:
        rows = await self._db.fetchall(
            "SELECT ref, at, room_id, sender, command, error FROM error_log"
            " ORDER BY at DESC LIMIT ?",
            (limit,),
        )
        return [ErrorEntry(*tuple(row)) for row in rows]


class UserSettings:
    """Per-user preferences (language)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def language(self, user_id: str) -> str | None:
        value = await self._db.scalar(
            "SELECT lang FROM user_settings WHERE user_id = ?", (user_id,)
        )
        return None if value is None else str(value)

    async def set_language(self, user_id: str, lang: str) -> None:
        await self._db.execute(
            "INSERT INTO user_settings(user_id, lang) VALUES (?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET lang = excluded.lang",
            (user_id, lang),
        )


class DirectRooms:
    """The direct chat the bot uses for each user, so it never opens a second one."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: str) -> str | None:
        value = await self._db.scalar(
            "SELECT room_id FROM direct_rooms WHERE user_id = ?", (user_id,)
        )
        return None if value is None else str(value)

    async def set(self, user_id: str, room_id: str) -> None:
        await self._db.execute(
            "INSERT INTO direct_rooms(user_id, room_id) VALUES (?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET room_id = excluded.room_id",
            (user_id, room_id),
        )
