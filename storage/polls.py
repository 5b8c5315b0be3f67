"""Repository of date polls: the dates, the last response of each member, the end.

A poll is ``open`` until it is ended; ``closing`` is stored (with the winner) before the
poll end event is sent and the meeting created, ``closed`` after; a crash in between is
finished from ``closing`` at the next start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from storage.db import Database, Tx


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


@dataclass(frozen=True)
class PollOption:
    answer_id: str
    position: int
    start_utc: datetime


@dataclass(frozen=True)
class Vote:
    user_id: str
    answers: tuple[str, ...]
    event_id: str
    ts_ms: int


@dataclass(frozen=True)
class DatePoll:
    id: int
    room_id: str
    title: str
    duration: timedelta
    tz_name: str
    created_by: str
    start_event_id: str | None
    deadline_utc: datetime | None
    state: str  # open | closing | closed
    ended_at_ms: int | None
    winner: str | None
    end_event_id: str | None
    meeting_id: int | None
    options: tuple[PollOption, ...]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name)


@dataclass(frozen=True)
class NewPoll:
    room_id: str
    title: str
    duration: timedelta
    starts: tuple[datetime, ...]  # aware, in order
    created_by: str
    source_event_id: str
    deadline: datetime | None = None


class DatePolls:
    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    async def _load(tx: Tx, row: Any) -> DatePoll:
        options = await tx.fetchall(
            "SELECT * FROM date_poll_options WHERE poll_id = ? ORDER BY position", (row["id"],)
        )
        deadline = row["deadline_utc"]
        return DatePoll(
            id=int(row["id"]),
            room_id=row["room_id"],
            title=row["title"],
            duration=timedelta(minutes=int(row["duration_minutes"])),
            tz_name=row["tz"],
            created_by=row["created_by"],
            start_event_id=row["start_event_id"],
            deadline_utc=None if deadline is None else _instant(deadline),
            state=row["state"],
            ended_at_ms=row["ended_at_ms"],
            winner=row["winner"],
            end_event_id=row["end_event_id"],
            meeting_id=row["meeting_id"],
            options=tuple(
                PollOption(o["answer_id"], int(o["position"]), _instant(o["start_utc"]))
                for o in options
            ),
        )

    async def get(self, poll_id: int) -> DatePoll | None:
        async with self._db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM date_polls WHERE id = ?", (poll_id,))
            return None if row is None else await self._load(tx, row)

    async def by_start_event(self, room_id: str, event_id: str) -> DatePoll | None:
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT * FROM date_polls WHERE start_event_id = ? AND room_id = ?",
                (event_id, room_id),
            )
            return None if row is None else await self._load(tx, row)

    async def in_state(self, state: str) -> list[DatePoll]:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT * FROM date_polls WHERE state = ? ORDER BY id", (state,)
            )
            return [await self._load(tx, r) for r in rows]

    async def create(self, new: NewPoll) -> tuple[DatePoll, bool]:
        """Store a poll; a replayed command gets its first poll back (created False)."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT * FROM date_polls WHERE source_event_id = ?", (new.source_event_id,)
            )
            if row is not None:
                return await self._load(tx, row), False
            tz = new.starts[0].tzinfo
            poll_id = await tx.execute(
                "INSERT INTO date_polls(room_id, title, duration_minutes, tz, created_by,"
                " created_at, source_event_id, deadline_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.room_id,
                    new.title,
                    round(new.duration.total_seconds() / 60),
                    getattr(tz, "key", None) or str(tz),
                    new.created_by,
                    datetime.now(UTC).isoformat(),
                    new.source_event_id,
                    None if new.deadline is None else _iso(new.deadline),
                ),
            )
            for position, start in enumerate(new.starts):
                await tx.execute(
                    "INSERT INTO date_poll_options(poll_id, answer_id, position, start_utc)"
                    " VALUES (?, ?, ?, ?)",
                    (poll_id, f"date-{position + 1}", position, _iso(start)),
                )
            row = await tx.fetchone("SELECT * FROM date_polls WHERE id = ?", (poll_id,))
            return await self._load(tx, row), True

    async def set_start_event(self, poll_id: int, event_id: str) -> None:
        await self._db.execute(
            "UPDATE date_polls SET start_event_id = ? WHERE id = ?", (event_id, poll_id)
        )

    # --- votes --------------------------------------------------------------------------

    async def vote(self, poll_id: int, vote: Vote) -> bool:
        """Keep a member's response if it is their latest (by server time); True if kept."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone("SELECT state FROM date_polls WHERE id = ?", (poll_id,))
            if row is None or row["state"] != "open":
                return False
            stored = await tx.fetchone(
                "SELECT ts_ms FROM date_poll_votes WHERE poll_id = ? AND user_id = ?",
                (poll_id, vote.user_id),
            )
            if stored is not None and int(stored["ts_ms"]) > vote.ts_ms:
                return False  # an older response arriving late
            await tx.execute(
                "INSERT INTO date_poll_votes(poll_id, user_id, answers, event_id, ts_ms)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(poll_id, user_id) DO UPDATE SET"
                " answers = excluded.answers, event_id = excluded.event_id,"
                " ts_ms = excluded.ts_ms",
                (poll_id, vote.user_id, json.dumps(list(vote.answers)), vote.event_id, vote.ts_ms),
            )
            return True

    async def withdraw(self, event_id: str, sender: str) -> int | None:
        """A redacted response withdraws the vote it gave (while the poll is open)."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT v.poll_id FROM date_poll_votes v JOIN date_polls p ON p.id = v.poll_id"
                " WHERE v.event_id = ? AND v.user_id = ? AND p.state = 'open'",
                (event_id, sender),
            )
            if row is None:
                return None
            await tx.execute(
                "DELETE FROM date_poll_votes WHERE event_id = ? AND user_id = ?",
                (event_id, sender),
            )
            return int(row["poll_id"])

    async def votes(self, poll_id: int) -> list[Vote]:
        rows = await self._db.fetchall(
            "SELECT * FROM date_poll_votes WHERE poll_id = ? ORDER BY ts_ms, user_id", (poll_id,)
        )
        return [
            Vote(r["user_id"], tuple(json.loads(r["answers"])), r["event_id"], int(r["ts_ms"]))
            for r in rows
        ]

    async def forget_user(self, user_id: str) -> int:
        async with self._db.transaction() as tx:
            return await tx.execute("DELETE FROM date_poll_votes WHERE user_id = ?", (user_id,))

    # --- the end --------------------------------------------------------------------------

    async def begin_close(
        self, poll_id: int, winner: str | None, ended_at_ms: int, closed_by: str
    ) -> bool:
        """open -> closing with the winner; False when it was no longer open."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE date_polls SET state = 'closing', winner = ?, ended_at_ms = ?,"
                " closed_by = ? WHERE id = ? AND state = 'open'",
                (winner, ended_at_ms, closed_by, poll_id),
            )
            return changed > 0

    async def set_end_event(self, poll_id: int, event_id: str) -> None:
        await self._db.execute(
            "UPDATE date_polls SET end_event_id = ? WHERE id = ?", (event_id, poll_id)
        )

    async def finish(self, poll_id: int, meeting_id: int | None) -> None:
        await self._db.execute(
            "UPDATE date_polls SET state = 'closed', meeting_id = ? WHERE id = ?",
            (meeting_id, poll_id),
        )
