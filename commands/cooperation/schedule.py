"""When review and term-end reminders are due: pure planning, no storage.

Feedback meetings fall on working days: a date or a date of a series that is not one
moves to the next working day, at the same time (the series keeps its rhythm, only that
date moves; one less than an hour ahead stays, the team is about to meet). Review
reminders come on the working day before each feedback meeting (at
the meeting time itself when that day has passed, and for the minute/hour series used
in tests). One job row
per meeting (``<coop>:<meeting UTC>``): the handler arms the next meeting of a series,
so a restart neither loses nor doubles one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from commands.timeparse import (
    DEFAULT_REVIEW_TIME,
    calendar_dates,
    calendar_months,
    occurrences,
    too_frequent,
)
from storage.cooperations import Review

KIND_REVIEW = "coop.review"
KIND_TERM_END = "coop.term_end"
REVIEW_LEAD = timedelta(days=1)
REVIEW_GRACE = timedelta(hours=1)
# how far back a date of a series may lie and still move forward past ``after``
SHIFT_WINDOW = timedelta(days=14)
# a date less than this ahead stays as given: the team is about to meet
KEEP_WITHIN = timedelta(hours=1)
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


def is_working_day(day: date) -> bool:
    """Monday to Friday."""
    return day.weekday() < 5


def to_working_day(when: datetime) -> datetime:
    """The same wall time on the next working day (``when`` itself if it is one)."""
    while not is_working_day(when.date()):
        when = when + timedelta(days=1)  # aware + timedelta keeps the wall time
    return when


def next_review(review: Review, after: datetime) -> datetime | None:
    """The first feedback meeting strictly after ``after`` (None when none is left),
    moved to a working day."""
    tz = ZoneInfo(review.tz_name)
    first = review.first.astimezone(tz)
    if is_short(review.rrule):
        found = occurrences(first, review.rrule, after, 1)
        return found[0] if found else None
    months = calendar_months(review.rrule)
    dates: Iterable[datetime] = (
        occurrences(first, review.rrule, after - SHIFT_WINDOW, 8)
        if months is None
        else islice(
            (d for d in calendar_dates(first, months, after) if d > after - SHIFT_WINDOW), 8
        )
    )
    for date_of_series in dates:
        if after < date_of_series <= after + KEEP_WITHIN:
            return date_of_series
        meeting = to_working_day(date_of_series)
        if meeting > after:
            return meeting
    return None


def reminder_due(meeting: datetime, rrule: str | None, now: datetime) -> datetime:
    """The working day before the meeting, same time; the meeting time when that passed."""
    if is_short(rrule):
        return meeting
    early = meeting - REVIEW_LEAD
    while not is_working_day(early.date()):
        early -= timedelta(days=1)
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
