"""Timed work and the sent-log that makes each posted message exactly-once.

A job row is the truth about a reminder, digest or review; the scheduler only mirrors
pending rows. Scheduling the same (kind, ref) twice keeps one row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storage.db import Database


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    ref: str
    due_at: datetime
    not_after: datetime | None
    payload: dict[str, Any]
    state: str


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _row_to_job(row: Any) -> Job:
    due = _parse(row["due_at"])
    assert due is not None
    return Job(
        id=row["id"],
        kind=row["kind"],
        ref=row["ref"],
        due_at=due,
        not_after=_parse(row["not_after"]),
        payload=json.loads(row["payload"] or "{}"),
        state=row["state"],
    )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


_UPSERT = (
    "INSERT INTO jobs(kind, ref, due_at, not_after, payload, state)"
    " VALUES (?, ?, ?, ?, ?, 'pending')"
    " ON CONFLICT(kind, ref) DO UPDATE SET due_at = excluded.due_at,"
    " not_after = excluded.not_after, payload = excluded.payload,"
    " state = CASE WHEN jobs.state = 'done' AND jobs.due_at = excluded.due_at"
    " THEN 'done' ELSE 'pending' END"
)


class Jobs:
    """Repository of jobs."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def db(self) -> Database:
        return self._db

    async def upsert(
        self,
        kind: str,
        ref: str,
        due_at: datetime,
        *,
        not_after: datetime | None = None,
        payload: dict[str, Any] | None = None,
    ) -> int:
        """Create or re-arm a job (a moved meeting re-arms its reminders); joins the
        caller's transaction, so a job commits with the change that wants it."""
        async with self._db.transaction() as tx:
            await tx.execute(
                _UPSERT, (kind, ref, _iso(due_at), _iso(not_after), json.dumps(payload or {}))
            )
            return int(
                await tx.scalar("SELECT id FROM jobs WHERE kind = ? AND ref = ?", (kind, ref))
            )

    async def upsert_many(
        self,
        kind: str,
        items: Iterable[tuple[str, datetime, datetime | None, dict[str, Any]]],
    ) -> None:
        """``upsert`` for many (ref, due_at, not_after, payload) at once (start-up rebuilds)."""
        async with self._db.transaction() as tx:
            await tx.executemany(
                _UPSERT,
                [
                    (kind, ref, _iso(due), _iso(until), json.dumps(data))
                    for ref, due, until, data in items
                ],
            )

    async def get(self, job_id: int) -> Job | None:
        row = await self._db.fetchone("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return None if row is None else _row_to_job(row)

    async def pending(self) -> list[Job]:
        rows = await self._db.fetchall("SELECT * FROM jobs WHERE state = 'pending' ORDER BY due_at")
        return [_row_to_job(row) for row in rows]

    async def pending_ids(self, kind: str, ref_prefix: str) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT id FROM jobs WHERE state = 'pending' AND kind = ? AND ref LIKE ? ESCAPE '\\'",
            (kind, ref_prefix.replace("%", "\\%").replace("_", "\\_") + "%"),
        )
        return [int(row["id"]) for row in rows]

    async def finish(
        self, job_id: int, state: str, note: str | None = None, *, now: datetime | None = None
    ) -> None:
        """Mark a job done, skipped or cancelled (never fires again)."""
        await self._db.execute(
            "UPDATE jobs SET state = ?, done_at = ?, note = ? WHERE id = ?",
            (state, (now or datetime.now(UTC)).astimezone(UTC).isoformat(), note, job_id),
        )

    async def cancel_matching(
        self, kind: str, ref_prefix: str, *, now: datetime | None = None
    ) -> list[int]:
        async with self._db.transaction():
            ids = await self.pending_ids(kind, ref_prefix)
            for job_id in ids:
                await self.finish(job_id, "cancelled", now=now)
        return ids

    async def counts(self) -> dict[str, int]:
        rows = await self._db.fetchall("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state")
        return {row["state"]: int(row["n"]) for row in rows}


class SentLog:
    """A message key is posted once; the stored event id proves it."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def event_for(self, key: str) -> str | None:
        value = await self._db.scalar("SELECT event_id FROM sent_log WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def record(self, key: str, room_id: str, event_id: str) -> None:
        await self._db.execute(
            "INSERT OR IGNORE INTO sent_log(key, room_id, event_id, sent_at) VALUES (?, ?, ?, ?)",
            (key, room_id, event_id, datetime.now(UTC).isoformat()),
        )

    async def prune(self, older_than: datetime) -> int:
        """Forget old keys: a replay or a re-run only ever concerns recent messages."""
        return await self._db.execute(
            "DELETE FROM sent_log WHERE sent_at < ?", (older_than.astimezone(UTC).isoformat(),)
        )
