"""Everything stored about one person: export it, or erase it.

Why generic: features add tables over time; a per-table list would silently miss a new
one. Every table and text column is inspected. Rows *owned* by the person (the user id
is in the primary key or in an owner column) are deleted; everywhere else the id is
replaced by a neutral marker, so shared records (who ticked an item) stay consistent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storage.db import Database, Tx

ANONYMOUS = "[gelöscht]"
OWNER_COLUMNS = {"user_id", "member", "member_id", "sender_id", "owner"}
SKIP_TABLES = {"schema_migrations", "sqlite_sequence"}


@dataclass(frozen=True)
class Column:
    name: str
    primary: bool
    text: bool


async def _tables(tx: Tx) -> dict[str, list[Column]]:
    rows = await tx.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    tables: dict[str, list[Column]] = {}
    for row in rows:
        name = row["name"]
        if name in SKIP_TABLES:
            continue
        info = await tx.fetchall(f'PRAGMA table_info("{name}")')
        tables[name] = [
            Column(c["name"], bool(c["pk"]), (c["type"] or "").upper() in ("TEXT", ""))
            for c in info
        ]
    return tables


async def export_user(db: Database, user_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every row that mentions the user, per table."""
    result: dict[str, list[dict[str, Any]]] = {}
    async with db.transaction() as tx:
        for table, columns in (await _tables(tx)).items():
            text_columns = [c.name for c in columns if c.text]
            if not text_columns:
                continue
            where = " OR ".join(f'instr("{c}", ?) > 0' for c in text_columns)
            rows = await tx.fetchall(
                f'SELECT * FROM "{table}" WHERE {where}', [user_id] * len(text_columns)
            )
            if rows:
                result[table] = [dict(row) for row in rows]
    return result


async def forget_user(db: Database, user_id: str) -> dict[str, int]:
    """Delete owned rows and anonymise every other mention; returns counts per table."""
    counts: dict[str, int] = {}
    async with db.transaction() as tx:
        for table, columns in (await _tables(tx)).items():
            owners = [c.name for c in columns if c.text and (c.primary or c.name in OWNER_COLUMNS)]
            changed = 0
            for column in owners:
                changed += await tx.execute(
                    f'DELETE FROM "{table}" WHERE "{column}" = ?', (user_id,)
                )
            for column in (c.name for c in columns if c.text):
                try:
                    changed += await tx.execute(
                        f'UPDATE "{table}" SET "{column}" = replace("{column}", ?, ?)'
                        f' WHERE instr("{column}", ?) > 0',
                        (user_id, ANONYMOUS, user_id),
                    )
                except Exception:  # a unique key may collide: then the row goes
                    changed += await tx.execute(
                        f'DELETE FROM "{table}" WHERE instr("{column}", ?) > 0', (user_id,)
                    )
            if changed:
                counts[table] = changed
    return counts


async def mentions(db: Database, user_id: str) -> int:
    """How many rows still mention the user anywhere (0 after ``forget_user``)."""
    return sum(len(rows) for rows in (await export_user(db, user_id)).values())


@dataclass(frozen=True)
class ForwardedMessage:
    event_id: str
    room_id: str
    kind: str


class ForwardedMessages:
    """Messages the bot posted for a member into another room (e.g. a forwarded question)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, event_id: str, room_id: str, user_id: str, kind: str) -> None:
        await self._db.execute(
            "INSERT OR IGNORE INTO forwarded_messages(event_id, room_id, user_id, kind,"
            " created_at) VALUES (?, ?, ?, ?, ?)",
            (event_id, room_id, user_id, kind, datetime.now(UTC).isoformat()),
        )

    async def of(self, user_id: str) -> list[ForwardedMessage]:
        rows = await self._db.fetchall(
            "SELECT event_id, room_id, kind FROM forwarded_messages WHERE user_id = ?"
            " ORDER BY created_at",
            (user_id,),
        )
        return [ForwardedMessage(r["event_id"], r["room_id"], r["kind"]) for r in rows]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class CalendarFeeds:
    """One secret personal feed per member; only the token's SHA-256 is stored."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def has(self, user_id: str) -> bool:
        row = await self._db.fetchall("SELECT 1 FROM calendar_feeds WHERE user_id = ?", (user_id,))
        return bool(row)

    async def issue(self, user_id: str, token: str) -> None:
        """Store the feed of ``user_id`` (replacing, i.e. revoking, an older one)."""
        await self._db.execute(
            "INSERT INTO calendar_feeds(user_id, token_sha256, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET token_sha256 = excluded.token_sha256,"
            " created_at = excluded.created_at",
            (user_id, token_hash(token), datetime.now(UTC).isoformat()),
        )

    async def owner(self, token: str) -> str | None:
        """The member whose feed ``token`` opens, or None."""
        value = await self._db.scalar(
            "SELECT user_id FROM calendar_feeds WHERE token_sha256 = ?", (token_hash(token),)
        )
        return None if value is None else str(value)
