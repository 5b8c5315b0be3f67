"""Which reminder jobs a meeting needs: pure functions of the meeting, offsets and now.

A job ref is ``"{meeting_id}:{occurrence_utc_iso}:{offset_seconds}"``. For a series only
a prefix of its reminders (in due order) is kept as jobs: every reminder due before the
next meeting that still has one ahead. Each fired reminder, each change and each start
plans again, so the prefix never runs dry and no reminder falls into a gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from commands.meetings.occurrences import Occurrence, between, is_current, localize, upcoming
from storage.meetings import Meeting, iso

KIND = "meeting.reminder"


@dataclass(frozen=True)
class PlannedReminder:
    meeting_id: int
    occurrence: datetime  # the meeting's actual start, aware
    offset: timedelta

    @property
    def due(self) -> datetime:
        return due_at(self.occurrence, self.offset)

    @property
    def ref(self) -> str:
        return reminder_ref(self.meeting_id, self.occurrence, self.offset)


def due_at(start: datetime, offset: timedelta) -> datetime:
    """When a reminder is due, in UTC.

    Whole days count in wall time ("1 Tag vorher" is 16:00 the day before, even across
    a DST change); hours and minutes count in real time.
    """
    if offset % timedelta(days=1) == timedelta(0):
        tz = start.tzinfo
        assert tz is not None
        return localize(start.replace(tzinfo=None) - offset, tz).astimezone(UTC)
    return start.astimezone(UTC) - offset


def reminder_ref(meeting_id: int, occurrence: datetime, offset: timedelta) -> str:
    return f"{meeting_id}:{iso(occurrence)}:{int(offset.total_seconds())}"


def occurrence_prefix(meeting_id: int, occurrence: datetime) -> str:
    """The ref prefix of all reminders of one occurrence (unambiguous: ends with ':')."""
    return f"{meeting_id}:{iso(occurrence)}:"


def parse_ref(ref: str) -> tuple[int, datetime, int]:
    """(meeting id, occurrence start in UTC, offset seconds) of a job ref."""
    meeting_id, rest = ref.split(":", 1)
    when, offset = rest.rsplit(":", 1)
    return int(meeting_id), datetime.fromisoformat(when), int(offset)


def plan(meeting: Meeting, offsets: tuple[timedelta, ...], now: datetime) -> list[PlannedReminder]:
    """The reminder jobs a meeting should have now, earliest first.

    Offsets already in the past are not planned. For a series: the reminders of the
    next meeting that has one ahead, and every reminder of later meetings that falls
    due before that meeting starts.
    """
    if meeting.cancelled or not offsets:
        return []
    smallest, largest = min(offsets), max(offsets)
    anchor: list[Occurrence] = upcoming(meeting, now + smallest, 1)
    if not anchor:
        return []
    deadline = anchor[0].start
    planned = [
        PlannedReminder(meeting.id, occurrence.start, offset)
        # a day of margin: whole-day offsets count in wall time (DST moves them an hour)
        for occurrence in between(meeting, now, deadline + largest + timedelta(days=1))
        for offset in offsets
        if now < due_at(occurrence.start, offset) <= deadline
    ]
    return sorted(planned, key=lambda p: (p.due, p.ref))


def still_wanted(
    meeting: Meeting | None, offsets: tuple[timedelta, ...], occurrence: datetime, seconds: int
) -> bool:
    """Whether an existing reminder job still belongs to a real meeting and offset.

    A job that is overdue (the bot was down) stays wanted: the scheduler posts it late
    once if the meeting has not started yet.
    """
    if meeting is None or meeting.cancelled:
        return False
    if seconds not in {int(o.total_seconds()) for o in offsets}:
        return False
    return is_current(meeting, occurrence.astimezone(meeting.tz))


def superseded(
    offsets: tuple[timedelta, ...], occurrence: datetime, offset: timedelta, now: datetime
) -> bool:
    """A late reminder is dropped when a closer one of the same meeting is due as well."""
    return any(o < offset and due_at(occurrence, o) <= now for o in offsets)
