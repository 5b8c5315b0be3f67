"""Repository of meetings: the source of truth for meetings, RSVPs, notes and reminders.

Scheduler jobs are derived from these rows (``commands.meetings.planning``); nothing
here knows about Matrix or the scheduler. Times are stored as UTC ISO strings; the
wall time and zone of the first meeting are kept too, because a series repeats in
wall time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from storage.db import Database, Tx


def iso(value: datetime) -> str:
    """The stored (and job ref) form of an instant: UTC, seconds precision."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class OccurrenceChange:
    """One occurrence of a series that was cancelled or moved (by its original start)."""

    original_utc: datetime
    cancelled: bool
    new_start_utc: datetime | None = None


@dataclass(frozen=True)
class Meeting:
    id: int
    room_id: str
    title: str
    start_utc: datetime
    tz_name: str
    duration: timedelta
    rrule: str | None
    link: str | None
    created_by: str
    created_at: datetime
    source_event_id: str | None
    announcement_event_id: str | None
    cancelled: bool
    sequence: int
    changes: tuple[OccurrenceChange, ...] = ()
    holiday_state: str | None = None  # a series that skips this German state's holidays

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name)

    @property
    def start(self) -> datetime:
        """The first meeting, aware in the meeting's zone."""
        return self.start_utc.astimezone(self.tz)

    @property
    def is_series(self) -> bool:
        return self.rrule is not None


@dataclass(frozen=True)
class NewMeeting:
    room_id: str
    title: str
    start: datetime  # aware, in the network's zone
    duration: timedelta
    rrule: str | None
    link: str | None
    created_by: str
    source_event_id: str | None = None


@dataclass(frozen=True)
class Rsvp:
    user_id: str
    going: bool
    reaction_event_id: str | None


@dataclass(frozen=True)
class Note:
    id: int
    occurrence: str
    kind: str  # note | material
    text: str
    url: str | None
    author: str
    created_at: datetime


def _change(row: Any) -> OccurrenceChange:
    new = row["new_start_utc"]
    return OccurrenceChange(
        original_utc=_instant(row["original_utc"]),
        cancelled=bool(row["cancelled"]),
        new_start_utc=None if new is None else _instant(new),
    )


def _meeting(row: Any, changes: Iterable[OccurrenceChange] = ()) -> Meeting:
    return Meeting(
        id=int(row["id"]),
        room_id=row["room_id"],
        title=row["title"],
        start_utc=_instant(row["start_utc"]),
        tz_name=row["tz"],
        duration=timedelta(minutes=int(row["duration_minutes"])),
        rrule=row["rrule"],
        link=row["link"],
        created_by=row["created_by"],
        created_at=_instant(row["created_at"]),
        source_event_id=row["source_event_id"],
        announcement_event_id=row["announcement_event_id"],
        cancelled=bool(row["cancelled"]),
        sequence=int(row["sequence"]),
        changes=tuple(sorted(changes, key=lambda c: c.original_utc)),
        holiday_state=row["holiday_state"] if "holiday_state" in row.keys() else None,
    )


class Meetings:
    """Meetings and everything hanging off them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- reading ---------------------------------------------------------------------

    @staticmethod
    async def _with_changes(tx: Tx, rows: list[sqlite3.Row]) -> list[Meeting]:
        if not rows:
            return []
        ids = [int(r["id"]) for r in rows]
        changes: dict[int, list[OccurrenceChange]] = {}
        # Chunked IN lists stay below SQLite's variable limit.
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for row in await tx.fetchall(
                f"SELECT * FROM meeting_exceptions WHERE meeting_id IN ({marks})", chunk
            ):
                changes.setdefault(int(row["meeting_id"]), []).append(_change(row))
        return [_meeting(r, changes.get(int(r["id"]), ())) for r in rows]

    async def get(self, meeting_id: int) -> Meeting | None:
        """One meeting with its changed dates (joins the caller's transaction, if any)."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM meetings WHERE id = ?", (meeting_id,))
            if row is None:
                return None
            found = await self._with_changes(tx, [row])
            return found[0]

    async def by_message(self, event_id: str) -> Meeting | None:
        """The meeting whose announcement (or one of whose reminders) is ``event_id``."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT * FROM meetings WHERE announcement_event_id = ?", (event_id,)
            )
            if row is None:
                row = await tx.fetchone(
                    "SELECT m.* FROM meetings m JOIN meeting_reminders r"
                    " ON r.meeting_id = m.id WHERE r.event_id = ?",
                    (event_id,),
                )
            if row is None:
                return None
            return (await self._with_changes(tx, [row]))[0]

    async def active(self, room_id: str | None = None) -> list[Meeting]:
        """Meetings not cancelled as a whole, in one room or network-wide."""
        sql = "SELECT * FROM meetings WHERE cancelled = 0"
        params: tuple[str, ...] = ()
        if room_id is not None:
            sql += " AND room_id = ?"
            params = (room_id,)
        async with self._db.transaction() as tx:
            return await self._with_changes(tx, await tx.fetchall(sql + " ORDER BY id", params))

    async def all(self) -> list[Meeting]:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall("SELECT * FROM meetings ORDER BY id")
            return await self._with_changes(tx, rows)

    async def count(self) -> int:
        return int(await self._db.scalar("SELECT COUNT(*) FROM meetings"))

    # --- writing ---------------------------------------------------------------------

    async def create(self, new: NewMeeting) -> tuple[Meeting, bool]:
        """Store a meeting; (meeting, created). A replayed command gets its first meeting."""
        async with self._db.transaction() as tx:
            if new.source_event_id is not None:
                row = await tx.fetchone(
                    "SELECT id FROM meetings WHERE source_event_id = ?", (new.source_event_id,)
                )
                if row is not None:
                    existing = await self.get(int(row["id"]))
                    assert existing is not None
                    return existing, False
            tz = new.start.tzinfo
            tz_name = getattr(tz, "key", None) or str(tz)
            now = _now()
            meeting_id = await tx.execute(
                "INSERT INTO meetings(room_id, title, start_utc, start_local, tz,"
                " duration_minutes, rrule, link, created_by, created_at, source_event_id,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.room_id,
                    new.title,
                    iso(new.start),
                    new.start.replace(tzinfo=None, microsecond=0).isoformat(),
                    tz_name,
                    round(new.duration.total_seconds() / 60),
                    new.rrule,
                    new.link,
                    new.created_by,
                    now,
                    new.source_event_id,
                    now,
                ),
            )
            created = await self.get(meeting_id)
            assert created is not None
            return created, True

    async def set_holiday_state(self, meeting_id: int, state: str | None) -> None:
        """Let a series skip the school and public holidays of ``state`` (None: not)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE meetings SET holiday_state = ? WHERE id = ? AND holiday_state IS NOT ?",
                (state, meeting_id, state),
            )

    async def set_announcement(self, meeting_id: int, event_id: str) -> None:
        await self._db.execute(
            "UPDATE meetings SET announcement_event_id = ? WHERE id = ?", (event_id, meeting_id)
        )

    async def _touch(self, tx: Tx, meeting_id: int) -> None:
        await tx.execute(
            "UPDATE meetings SET sequence = sequence + 1, updated_at = ? WHERE id = ?",
            (_now(), meeting_id),
        )

    async def cancel(self, meeting_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE meetings SET cancelled = 1 WHERE id = ?", (meeting_id,))
            await self._touch(tx, meeting_id)

    async def cancel_occurrence(self, meeting_id: int, original: datetime) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO meeting_exceptions(meeting_id, original_utc, cancelled)"
                " VALUES (?, ?, 1) ON CONFLICT(meeting_id, original_utc) DO UPDATE"
                " SET cancelled = 1, new_start_utc = NULL, new_start_local = NULL",
                (meeting_id, iso(original)),
            )
            await self._touch(tx, meeting_id)

    async def move_occurrence(self, meeting_id: int, original: datetime, new: datetime) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO meeting_exceptions(meeting_id, original_utc, cancelled,"
                " new_start_utc, new_start_local) VALUES (?, ?, 0, ?, ?)"
                " ON CONFLICT(meeting_id, original_utc) DO UPDATE SET cancelled = 0,"
                " new_start_utc = excluded.new_start_utc,"
                " new_start_local = excluded.new_start_local",
                (
                    meeting_id,
                    iso(original),
                    iso(new),
                    new.replace(tzinfo=None, microsecond=0).isoformat(),
                ),
            )
            await self._touch(tx, meeting_id)

    async def move(self, meeting_id: int, new_start: datetime, *, keep_before: datetime) -> None:
        """Move a meeting (a whole series: from now on); later exceptions are dropped."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE meetings SET start_utc = ?, start_local = ? WHERE id = ?",
                (iso(new_start), new_start.replace(tzinfo=None).isoformat(), meeting_id),
            )
            await tx.execute(
                "DELETE FROM meeting_exceptions WHERE meeting_id = ? AND original_utc >= ?",
                (meeting_id, iso(keep_before)),
            )
            await self._touch(tx, meeting_id)

    # --- RSVPs -----------------------------------------------------------------------

    async def rsvp(
        self, meeting_id: int, user_id: str, going: bool, reaction_event_id: str | None = None
    ) -> None:
        """One answer per person and meeting; the latest wins."""
        await self._db.execute(
            "INSERT INTO meeting_rsvps(meeting_id, user_id, going, reaction_event_id, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(meeting_id, user_id) DO UPDATE SET"
            " going = excluded.going, reaction_event_id = excluded.reaction_event_id,"
            " updated_at = excluded.updated_at",
            (meeting_id, user_id, int(going), reaction_event_id, _now()),
        )

    async def withdraw_reaction(self, reaction_event_id: str, sender: str) -> int | None:
        """A redacted reaction withdraws the answer it gave; returns the meeting id."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT meeting_id FROM meeting_rsvps WHERE reaction_event_id = ? AND user_id = ?",
                (reaction_event_id, sender),
            )
            if row is None:
                return None
            await tx.execute(
                "DELETE FROM meeting_rsvps WHERE reaction_event_id = ? AND user_id = ?",
                (reaction_event_id, sender),
            )
            return int(row["meeting_id"])

    async def rsvps(self, meeting_id: int) -> list[Rsvp]:
        rows = await self._db.fetchall(
            "SELECT * FROM meeting_rsvps WHERE meeting_id = ? ORDER BY updated_at, user_id",
            (meeting_id,),
        )
        return [Rsvp(r["user_id"], bool(r["going"]), r["reaction_event_id"]) for r in rows]

    # --- notes and materials ---------------------------------------------------------------

    async def add_note(
        self,
        meeting_id: int,
        occurrence: str,
        kind: str,
        text: str,
        author: str,
        *,
        url: str | None = None,
        source_event_id: str | None = None,
    ) -> None:
        await self._db.execute(
            "INSERT OR IGNORE INTO meeting_notes(meeting_id, occurrence, kind, text, url,"
            " author, created_at, source_event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (meeting_id, occurrence, kind, text, url, author, _now(), source_event_id),
        )

    async def rekey_notes(self, meeting_id: int, keys: dict[str, str]) -> int:
        """Hang notes and materials on other dates of their series (old key -> new key),
        in one transaction; returns how many moved."""
        moved = 0
        async with self._db.transaction() as tx:
            # two steps, so that a chain a->b, b->c never merges two dates
            for number, old in enumerate(keys):
                moved += await tx.execute(
                    "UPDATE meeting_notes SET occurrence = ? WHERE meeting_id = ? AND occurrence = ?",
                    (f"~{number}", meeting_id, old),
                )
            for number, new in enumerate(keys.values()):
                await tx.execute(
                    "UPDATE meeting_notes SET occurrence = ? WHERE meeting_id = ? AND occurrence = ?",
                    (new, meeting_id, f"~{number}"),
                )
        return moved

    async def notes(self, meeting_id: int, occurrence: str | None = None) -> list[Note]:
        sql = "SELECT * FROM meeting_notes WHERE meeting_id = ?"
        params: tuple[Any, ...] = (meeting_id,)
        if occurrence is not None:
            sql += " AND occurrence = ?"
            params += (occurrence,)
        rows = await self._db.fetchall(sql + " ORDER BY id", params)
        return [
            Note(
                int(r["id"]),
                r["occurrence"],
                r["kind"],
                r["text"],
                r["url"],
                r["author"],
                _instant(r["created_at"]),
            )
            for r in rows
        ]

    # --- reminders posted ---------------------------------------------------------------

    async def record_reminder(
        self, meeting_id: int, occurrence: datetime, offset_seconds: int, event_id: str
    ) -> None:
        await self._db.execute(
            "INSERT OR IGNORE INTO meeting_reminders(meeting_id, occurrence_utc,"
            " offset_seconds, event_id, sent_at) VALUES (?, ?, ?, ?, ?)",
            (meeting_id, iso(occurrence), offset_seconds, event_id, _now()),
        )

    async def reminders_sent(self, meeting_id: int, occurrence: datetime) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT offset_seconds FROM meeting_reminders"
            " WHERE meeting_id = ? AND occurrence_utc = ? ORDER BY offset_seconds DESC",
            (meeting_id, iso(occurrence)),
        )
        return [int(r["offset_seconds"]) for r in rows]
