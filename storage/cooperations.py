"""Repository of cooperations: one per room, with ticks, agreement fields and reviews.

A field change and the job it arms (term end) commit together: callers open
``db.transaction()`` and every method here joins it (``storage.db``'s ambient
transaction), so there is one method per operation, never a ``tx`` twin.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from storage.db import Database, Tx


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def _instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).astimezone(UTC)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


@dataclass(frozen=True)
class Review:
    """The quality-review schedule: first review, repetition (None = once), zone."""

    first: datetime
    rrule: str | None
    tz_name: str
    stamp: str


@dataclass(frozen=True)
class Cooperation:
    id: int
    room_id: str
    title: str
    created_by: str | None
    created_at: datetime
    source_event_id: str | None
    term_end: date | None
    review: Review | None
    updated_at: datetime


@dataclass(frozen=True)
class Tick:
    item_id: str
    ticked_by: str | None
    ticked_at: datetime


@dataclass(frozen=True)
class FieldValue:
    field: str
    value: str
    set_by: str | None
    set_at: datetime


class AlreadyExists(Exception):
    """The room has a cooperation already (one per room)."""

    def __init__(self, existing: Cooperation) -> None:
        super().__init__(existing.title)
        self.existing = existing


def _row_to_cooperation(row: sqlite3.Row) -> Cooperation:
    first = _instant(row["review_first"])
    review = None
    if first is not None:
        review = Review(
            first, row["review_rrule"], row["review_tz"] or "UTC", row["review_stamp"] or ""
        )
    created = _instant(row["created_at"])
    updated = _instant(row["updated_at"])
    assert created is not None and updated is not None
    return Cooperation(
        id=row["id"],
        room_id=row["room_id"],
        title=row["title"],
        created_by=row["created_by"],
        created_at=created,
        source_event_id=row["source_event_id"],
        term_end=date.fromisoformat(row["term_end"]) if row["term_end"] else None,
        review=review,
        updated_at=updated,
    )


class Cooperations:
    """Cooperations, their checklist ticks and agreement fields."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- cooperations ------------------------------------------------------------

    async def create(
        self,
        room_id: str,
        title: str,
        *,
        created_by: str,
        source_event_id: str | None,
        fields: dict[str, str],
        now: datetime,
    ) -> tuple[Cooperation, bool]:
        """Register the room's cooperation with initial fields; (row, created).

        A replay of the same command (same ``source_event_id``) returns the existing row
        with ``created`` False; any other existing row raises ``AlreadyExists``.
        """
        async with self._db.transaction() as tx:
            existing = await self.by_room(room_id)
            if existing is not None:
                if source_event_id is not None and existing.source_event_id == source_event_id:
                    return existing, False
                raise AlreadyExists(existing)
            coop_id = await tx.execute(
                "INSERT INTO cooperations(room_id, title, created_by, created_at,"
                " source_event_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (room_id, title, created_by, _iso(now), source_event_id, _iso(now)),
            )
            for key, value in fields.items():
                await self.set_field(coop_id, key, value, set_by=created_by, now=now)
            row = await tx.fetchone("SELECT * FROM cooperations WHERE id = ?", (coop_id,))
            assert row is not None
            return _row_to_cooperation(row), True

    async def by_room(self, room_id: str) -> Cooperation | None:
        row = await self._db.fetchone("SELECT * FROM cooperations WHERE room_id = ?", (room_id,))
        return None if row is None else _row_to_cooperation(row)

    async def get(self, coop_id: int) -> Cooperation | None:
        row = await self._db.fetchone("SELECT * FROM cooperations WHERE id = ?", (coop_id,))
        return None if row is None else _row_to_cooperation(row)

    async def all(self) -> list[Cooperation]:
        rows = await self._db.fetchall("SELECT * FROM cooperations ORDER BY id")
        return [_row_to_cooperation(row) for row in rows]

    async def touch(self, coop_id: int, now: datetime) -> None:
        await self._db.execute(
            "UPDATE cooperations SET updated_at = ? WHERE id = ?", (_iso(now), coop_id)
        )

    # --- checklist ---------------------------------------------------------------

    async def ticks(self, coop_id: int) -> dict[str, Tick]:
        rows = await self._db.fetchall(
            "SELECT item_id, ticked_by, ticked_at FROM cooperation_ticks"
            " WHERE cooperation_id = ? ORDER BY ticked_at, item_id",
            (coop_id,),
        )
        return {
            row["item_id"]: Tick(row["item_id"], row["ticked_by"], _at(row["ticked_at"]))
            for row in rows
        }

    async def all_ticks(self) -> dict[int, set[str]]:
        """Ticked item ids per cooperation (for the network overview)."""
        rows = await self._db.fetchall("SELECT cooperation_id, item_id FROM cooperation_ticks")
        result: dict[int, set[str]] = {}
        for row in rows:
            result.setdefault(int(row["cooperation_id"]), set()).add(row["item_id"])
        return result

    async def tick(
        self, coop_id: int, item_ids: Iterable[str], *, ticked_by: str, now: datetime
    ) -> list[str]:
        """Tick items in one transaction; returns the ids that were not ticked before."""
        added: list[str] = []
        async with self._db.transaction() as tx:
            for item_id in item_ids:
                if await tx.execute(
                    "INSERT OR IGNORE INTO cooperation_ticks(cooperation_id, item_id,"
                    " ticked_by, ticked_at) VALUES (?, ?, ?, ?)",
                    (coop_id, item_id, ticked_by, _iso(now)),
                ):
                    added.append(item_id)
            if added:
                await self.touch(coop_id, now)
        return added

    async def untick(self, coop_id: int, item_ids: Iterable[str], *, now: datetime) -> list[str]:
        """Untick items in one transaction; returns the ids that were ticked before."""
        removed: list[str] = []
        async with self._db.transaction() as tx:
            for item_id in item_ids:
                if await tx.execute(
                    "DELETE FROM cooperation_ticks WHERE cooperation_id = ? AND item_id = ?",
                    (coop_id, item_id),
                ):
                    removed.append(item_id)
            if removed:
                await self.touch(coop_id, now)
        return removed

    # --- agreement fields --------------------------------------------------------

    async def fields(self, coop_id: int) -> dict[str, FieldValue]:
        rows = await self._db.fetchall(
            "SELECT field, value, set_by, set_at FROM cooperation_fields WHERE cooperation_id = ?",
            (coop_id,),
        )
        return {
            row["field"]: FieldValue(row["field"], row["value"], row["set_by"], _at(row["set_at"]))
            for row in rows
        }

    async def set_field(
        self, coop_id: int, key: str, value: str | None, *, set_by: str, now: datetime
    ) -> None:
        """Set (or with ``None`` clear) one field; the title field renames the row too."""
        async with self._db.transaction() as tx:
            await self._set_field(tx, coop_id, key, value, set_by=set_by, now=now)

    async def _set_field(
        self, tx: Tx, coop_id: int, key: str, value: str | None, *, set_by: str, now: datetime
    ) -> None:
        if value is None:
            await tx.execute(
                "DELETE FROM cooperation_fields WHERE cooperation_id = ? AND field = ?",
                (coop_id, key),
            )
        else:
            await tx.execute(
                "INSERT INTO cooperation_fields(cooperation_id, field, value, set_by, set_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(cooperation_id, field) DO UPDATE SET"
                " value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at",
                (coop_id, key, value, set_by, _iso(now)),
            )
            if key == "titel":
                await tx.execute("UPDATE cooperations SET title = ? WHERE id = ?", (value, coop_id))
        await self.touch(coop_id, now)

    async def set_term_end(self, coop_id: int, end: date | None) -> None:
        await self._db.execute(
            "UPDATE cooperations SET term_end = ? WHERE id = ?",
            (end.isoformat() if end else None, coop_id),
        )

    # --- reviews -----------------------------------------------------------------

    async def set_review(self, coop_id: int, review: Review | None, now: datetime) -> None:
        if review is None:
            params: tuple[object, ...] = (None, None, None, None, coop_id)
        else:
            params = (_iso(review.first), review.rrule, review.tz_name, review.stamp, coop_id)
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE cooperations SET review_first = ?, review_rrule = ?, review_tz = ?,"
                " review_stamp = ? WHERE id = ?",
                params,
            )
            await self.touch(coop_id, now)
