"""When review and term-end reminders are due: pure planning, no storage.

Review reminders come a day before each feedback meeting (at the meeting time itself
when that day has passed, and for the minute/hour series used in tests). One job row
per meeting (``<coop>:<meeting UTC>``): the handler arms the next meeting of a series,
so a restart neither loses nor doubles one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from commands.timeparse import DEFAULT_REVIEW_TIME, occurrences, too_frequent
from storage.cooperations import Review

KIND_REVIEW = "coop.review"
KIND_TERM_END = "coop.term_end"
REVIEW_LEAD = timedelta(days=1)
REVIEW_GRACE = timedelta(hours=1)
TERM_LEAD = timedelta(weeks=8)


@dataclass(frozen=True)
class PlannedJob:
    kind: str
    ref: str
    due: datetime
    not_after: datetime | None
    payload: dict[str, Any] = field(default_factory=dict)


def _utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def review_prefix(coop_id: int) -> str:
    return f"{coop_id}:"


def is_short(rrule: str | None) -> bool:
    """Minute and hour series (tests): reminded at the meeting time, not a day before."""
    return rrule is not None and ("FREQ=MINUTELY" in rrule or "FREQ=HOURLY" in rrule)


def next_review(review: Review, after: datetime) -> datetime | None:
    """The first feedback meeting strictly after ``after`` (None when none is left)."""
    tz = ZoneInfo(review.tz_name)
    found = occurrences(review.first.astimezone(tz), review.rrule, after, 1)
    return found[0] if found else None


def reminder_due(meeting: datetime, rrule: str | None, now: datetime) -> datetime:
    if is_short(rrule):
        return meeting
    early = meeting - REVIEW_LEAD
    return early if early > now else meeting


def plan_review(coop_id: int, review: Review, after: datetime, now: datetime) -> PlannedJob | None:
    """The reminder job of the next feedback meeting after ``after``.

    A series more often than weekly (accepted before that was refused) is not armed:
    it would mention the room's members every time.
    """
    if too_frequent(review.rrule):
        return None
    meeting = next_review(review, after)
    if meeting is None:
        return None
    return PlannedJob(
        KIND_REVIEW,
        f"{coop_id}:{_utc_iso(meeting)}",
        reminder_due(meeting, review.rrule, now),
        meeting + REVIEW_GRACE,
        {"cooperation": coop_id, "at": _utc_iso(meeting), "stamp": review.stamp},
    )


def plan_term_end(coop_id: int, end: date, tz: tzinfo, now: datetime) -> PlannedJob | None:
    """One reminder eight weeks before the term ends (at once if that has passed).

    The due time stays the computed one even when it has passed, so re-arming the same
    end date keeps an already-sent reminder done.
    """
    end_at = datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=tz)
    if end_at <= now:
        return None
    due = datetime.combine(end - TERM_LEAD, DEFAULT_REVIEW_TIME, tzinfo=tz)
    return PlannedJob(
        KIND_TERM_END,
        f"{coop_id}:end",
        due,
        end_at,
        {"cooperation": coop_id, "end": end.isoformat()},
    )
