"""The concrete meetings of a meeting row: a single date, or a series with exceptions.

A series is expanded in wall time (``commands.timeparse.occurrences``); cancelled
occurrences are skipped and moved ones appear at their new start but keep their
original start as identity (notes, materials and the calendar's EXDATE use it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from dateutil.rrule import rrulestr

from commands.meetings.holidays import holiday_exdates
from commands.timeparse import occurrences as expand
from storage.meetings import Meeting, iso

MAX_EXPANSION = 500
_DAY = re.compile(r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{2}|\d{4})?$")
_ISO_DAY = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})$")


def localize(naive: datetime, tz: tzinfo) -> datetime:
    """A wall time in ``tz``; one inside a DST gap becomes the instant it denotes."""
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


@dataclass(frozen=True)
class Occurrence:
    """One meeting: when it really starts, and which date of the series it stands for."""

    original: datetime  # aware, in the meeting's zone
    start: datetime  # aware, in the meeting's zone

    @property
    def moved(self) -> bool:
        return self.original != self.start


def occurrence_key(meeting: Meeting, occurrence: Occurrence) -> str:
    """What notes and materials hang on: '' for a single meeting, else the original start."""
    return iso(occurrence.original) if meeting.is_series else ""


def _changed_originals(meeting: Meeting) -> list[datetime]:
    """Dates of the series that do not take place as planned (changed or holidays)."""
    return [c.original_utc for c in meeting.changes] + list(holiday_exdates(meeting))


def _moved(meeting: Meeting) -> list[Occurrence]:
    tz = meeting.tz
    return [
        Occurrence(c.original_utc.astimezone(tz), c.new_start_utc.astimezone(tz))
        for c in meeting.changes
        if not c.cancelled and c.new_start_utc is not None
    ]


def upcoming(
    meeting: Meeting, after: datetime, limit: int = 1, *, until: datetime | None = None
) -> list[Occurrence]:
    """The next meetings starting strictly after ``after`` (and before ``until``)."""
    if meeting.cancelled or limit <= 0:
        return []
    if not meeting.is_series:
        start = meeting.start
        fits = start > after and (until is None or start < until)
        return [Occurrence(start, start)] if fits else []
    if until is None:
        dates = expand(
            meeting.start, meeting.rrule, after, limit, exdates=_changed_originals(meeting)
        )
    else:  # a window: expand only what lies in it
        dates = [d for d in _originals_around(meeting, after, until) if after < d < until]
    found = [Occurrence(d, d) for d in dates]
    found += [o for o in _moved(meeting) if o.start > after]
    found.sort(key=lambda o: o.start)
    if until is not None:
        found = [o for o in found if o.start < until]
    return found[:limit]


def between(meeting: Meeting, after: datetime, until: datetime) -> list[Occurrence]:
    """All meetings starting in (after, until), at most ``MAX_EXPANSION``."""
    return upcoming(meeting, after, MAX_EXPANSION, until=until)


def _originals_around(meeting: Meeting, begin: datetime, end: datetime) -> Iterator[datetime]:
    """Unchanged series dates with ``begin <= start <= end`` (wall-time expansion)."""
    tz = meeting.tz
    assert meeting.rrule is not None
    rule = rrulestr(meeting.rrule, dtstart=meeting.start.replace(tzinfo=None))
    skipped = set(_changed_originals(meeting))
    lo = begin.astimezone(tz).replace(tzinfo=None) - timedelta(days=1)
    hi = end.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
    for naive in rule.between(lo, hi, inc=True):
        aware = localize(naive, tz)
        if begin <= aware <= end and aware not in skipped:
            yield aware


def previous(meeting: Meeting, before: datetime) -> Occurrence | None:
    """The last meeting that started before ``before`` (within about a year)."""
    if not meeting.is_series:
        return Occurrence(meeting.start, meeting.start) if meeting.start < before else None
    candidates = [
        Occurrence(d, d)
        for d in _originals_around(meeting, before - timedelta(days=400), before)
        if d < before
    ]
    candidates += [o for o in _moved(meeting) if o.start < before]
    return max(candidates, key=lambda o: o.start, default=None)


def on_day(meeting: Meeting, day: date) -> list[Occurrence]:
    """Meetings that take place on ``day``, or were planned for it (local dates)."""
    tz = meeting.tz
    if not meeting.is_series:
        return [Occurrence(meeting.start, meeting.start)] if meeting.start.date() == day else []
    begin = localize(datetime.combine(day, datetime.min.time()), tz)
    end = begin + timedelta(days=1) - timedelta(seconds=1)
    found = [Occurrence(d, d) for d in _originals_around(meeting, begin, end)]
    found += [o for o in _moved(meeting) if o.start.date() == day or o.original.date() == day]
    return sorted(found, key=lambda o: o.start)


def is_current(meeting: Meeting, start: datetime) -> bool:
    """Whether a meeting really starts at ``start`` (not cancelled, not moved away)."""
    second = timedelta(seconds=1)
    return any(o.start == start for o in upcoming(meeting, start - second, 5, until=start + second))


def parse_day(text: str) -> tuple[int, int, int | None] | None:
    """'03.12.', '3.12.2026', '3.12.26' or '2026-12-03' as (day, month, year)."""
    text = text.strip()
    m = _DAY.match(text) or _ISO_DAY.match(text)
    if m is None:
        return None
    raw = m["y"]
    if raw is None:
        return int(m["d"]), int(m["m"]), None
    year = 2000 + int(raw) if len(raw) == 2 else int(raw)
    return int(m["d"]), int(m["m"]), year


def find_on(
    meeting: Meeting, day: tuple[int, int, int | None], now: datetime, *, future: bool
) -> Occurrence | None:
    """The meeting on a day the user named; a day without year: the nearest fitting one."""
    d, m, year = day
    years = [year] if year is not None else [now.year, now.year + 1, now.year - 1]
    found: list[Occurrence] = []
    for y in years:
        try:
            candidate = date(y, m, d)
        except ValueError:
            continue
        found += on_day(meeting, candidate)
    if not found:
        return None
    later = [o for o in found if o.start > now]
    if future:
        return min(later, key=lambda o: o.start) if later else None
    earlier = [o for o in found if o.start <= now]
    return max(earlier, key=lambda o: o.start) if earlier else min(found, key=lambda o: o.start)
