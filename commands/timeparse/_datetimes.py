"""Turning what people write ("Di 16 Uhr", "3.12. 16:30") into an aware datetime.

Everything is day-first and read in the network's time zone. One anchored regex
describes the whole grammar, so the regex engine does the backtracking between
readings such as "16.30" (a time) and "3.12 16:00" (a date, then a time).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from ._errors import DateError
from ._text import MONTHS, WEEKDAYS, alternation, normalize

_WD = alternation(WEEKDAYS)
_MON = alternation(MONTHS)
_AMPM = r"(?:[ap]\.?m\.?)"

_GRAMMAR = re.compile(
    rf"""
    ^(?:(?:am|on)\s)?
    (?:(?:(?P<next>naechste[nrs]?|nachste[nrs]?|kommende[nrs]?|next|this)\s)?
       (?P<wd>{_WD})\b\.?\s*)?
    (?:(?:den|the)\s)?
    (?:
        (?P<rel>day\ after\ tomorrow|uebermorgen|ubermorgen|morgen|heute|tomorrow|today)\b
      | (?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}})(?=t|\s|$)
      | (?P<d1>\d{{1,2}})\.(?P<m1>\d{{1,2}})\.(?P<y1>\d{{4}}|\d{{2}})?
      | (?P<d2>\d{{1,2}})\.(?P<m2>\d{{1,2}})(?=\s)
      | (?P<d3>\d{{1,2}})\.?\s(?P<mn3>{_MON})\b\.?(?:\s(?P<y3>\d{{4}}))?
      | (?P<mn4>{_MON})\b\.?\s(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?(?:\s(?P<y4>\d{{4}}))?
    )?
    (?:t|\s*)
    (?:(?P<um>um|at|@)\s*)?
    (?:
        (?P<h1>\d{{1,2}})[:.](?P<min1>\d{{2}})(?::(?P<s1>\d{{2}}))?
            (?P<tz1>z|[+-]\d{{2}}:?\d{{2}})?
            (?:\s*(?:(?P<ap1>{_AMPM})|uhr|h))?
      | (?P<h2>\d{{1,2}})\s*(?:uhr|(?P<ap2>{_AMPM}))
      | (?(um)(?P<h3>\d{{1,2}})|(?!))
    )?
    \s*$
    """,
    re.VERBOSE,
)


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    value = int(text)
    return 2000 + value if len(text) == 2 else value


def _time_of(m: re.Match[str], text: str) -> time | None:
    """The wall-clock time the user wrote, or None if they wrote none."""
    if m["h1"] is not None:
        hour, minute, ampm = int(m["h1"]), int(m["min1"]), m["ap1"]
        second = int(m["s1"] or 0)
    elif m["h2"] is not None:
        hour, minute, second, ampm = int(m["h2"]), 0, 0, m["ap2"]
    elif m["h3"] is not None:
        hour, minute, second, ampm = int(m["h3"]), 0, 0, None
    else:
        return None
    if ampm is not None:
        if not 1 <= hour <= 12:
            raise DateError("invalid_time", text=text)
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise DateError("invalid_time", text=text)
    return time(hour, minute, second)


def _explicit_offset(m: re.Match[str]) -> tzinfo | None:
    """An ISO offset written after the time ("Z", "+01:00"), if any."""
    raw = m["tz1"]
    if raw is None:
        return None
    if raw == "z":
        return UTC
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _date_parts(m: re.Match[str]) -> tuple[int, int, int | None] | None:
    """(day, month, year or None) of an explicit calendar date, if one was written."""
    if m["iy"] is not None:
        return int(m["id"]), int(m["im"]), int(m["iy"])
    if m["d1"] is not None:
        return int(m["d1"]), int(m["m1"]), _year(m["y1"])
    if m["d2"] is not None:
        return int(m["d2"]), int(m["m2"]), None
    if m["d3"] is not None:
        return int(m["d3"]), MONTHS[m["mn3"]], _year(m["y3"])
    if m["d4"] is not None:
        return int(m["d4"]), MONTHS[m["mn4"]], _year(m["y4"])
    return None


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def localize(naive: datetime, tz: tzinfo) -> datetime:
    """Attach ``tz`` to a wall-clock time and normalise it.

    A wall time inside a DST gap (02:30 on the spring-forward night) does not exist;
    the UTC round trip moves it to the real instant it denotes (03:30 summer time).
    """
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


def _at(day: date, clock: time, tz: tzinfo, text: str) -> datetime:
    """``day`` at ``clock`` in ``tz``; a wall time that the clock skips is an error."""
    wall = datetime.combine(day, clock)
    candidate = localize(wall, tz)
    if candidate.replace(tzinfo=None) != wall:
        raise DateError("nonexistent_time", text=text)
    return candidate


def _is_past(when: datetime, now: datetime) -> bool:
    # Compare in UTC: aware datetimes sharing a tzinfo compare by wall clock only.
    return when.astimezone(UTC) <= now.astimezone(UTC)


def _next_annual(
    day: int, month: int, clock: time, now: datetime, tz: tzinfo, text: str
) -> datetime:
    """The next occurrence of day.month. at ``clock`` after now (29.02. waits for a leap year)."""
    if _valid_date(2024, month, day) is None:  # 2024 is a leap year: the widest calendar
        raise DateError("invalid_date", text=text)
    for year in range(now.year, now.year + 9):
        found = _valid_date(year, month, day)
        if found is not None:
            candidate = _at(found, clock, tz, text)
            if not _is_past(candidate, now):
                return candidate
    raise DateError("invalid_date", text=text)  # pragma: no cover - leap years come every 8 years


def parse_datetime(
    text: str, now: datetime, tz: tzinfo, *, default_time: time | None = None
) -> datetime:
    """Read a date and time the way German (and English) users write them.

    Accepts "03.12.2026 16:00", "3.12. 16 Uhr", "3.12.26 16.30", "morgen 16:00",
    "übermorgen um 9", "Di 16:00", "nächsten Dienstag 16 Uhr", "2026-12-03T16:00",
    "tomorrow 4pm", "Do., 03.12.2026, 16:00 Uhr" (our own output) and a bare "16 Uhr"
    (today, or tomorrow once it has passed). A date without a year, a weekday or a bare
    time means the next such moment after ``now``; an explicit past moment is an error.

    Args:
        text: what the user wrote.
        now: an aware "now"; its zone does not matter.
        tz: the network's time zone; the result is aware in it.
        default_time: the time to use when only a date is given; ``None`` makes a
            missing time an error (meetings need one).

    Raises:
        DateError: ``dates.unparsable``, ``dates.invalid_date``, ``dates.invalid_time``,
            ``dates.missing_time``, ``dates.in_past``, ``dates.weekday_mismatch`` or
            ``dates.nonexistent_time``; all with ``text``.
    """
    cleaned = normalize(text)
    m = _GRAMMAR.match(cleaned)
    if not cleaned or m is None or not any(m.groupdict().values()):
        raise DateError("unparsable", text=text.strip())
    text = text.strip()
    clock = _time_of(m, text)
    if clock is None:
        clock = default_time
    if clock is None:
        raise DateError("missing_time", text=text)
    now_local = now.astimezone(tz)
    today = now_local.date()
    offset = _explicit_offset(m)
    parts = _date_parts(m)
    if offset is not None and (parts is None or parts[2] is None):
        # "16:00Z" alone: an offset only makes sense on a full ISO timestamp.
        raise DateError("unparsable", text=text)

    if parts is not None:
        day, month, year = parts
        if year is None:
            result = _next_annual(day, month, clock, now_local, tz, text)
        else:
            found = _valid_date(year, month, day)
            if found is None:
                raise DateError("invalid_date", text=text)
            if offset is not None:
                result = datetime.combine(found, clock, tzinfo=offset).astimezone(tz)
            else:
                result = _at(found, clock, tz, text)
        if m["wd"] is not None and WEEKDAYS[m["wd"]] != result.weekday():
            raise DateError("weekday_mismatch", text=text, date=result)
    elif m["rel"] is not None:
        shift = {"heute": 0, "today": 0, "morgen": 1, "tomorrow": 1}.get(m["rel"], 2)
        result = _at(today + timedelta(days=shift), clock, tz, text)
    elif m["wd"] is not None:
        ahead = (WEEKDAYS[m["wd"]] - today.weekday()) % 7
        result = _at(today + timedelta(days=ahead), clock, tz, text)
        if _is_past(result, now):
            result = _at(today + timedelta(days=ahead + 7), clock, tz, text)
    else:
        result = _at(today, clock, tz, text)
        if _is_past(result, now):
            result = _at(today + timedelta(days=1), clock, tz, text)

    if _is_past(result, now):
        raise DateError("in_past", text=text, when=result)
    return result
