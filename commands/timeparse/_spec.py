"""Whole argument strings: `!termin neu …` and `!kooperation prüfung …`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from itertools import islice
from urllib.parse import urlsplit

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from ._datetimes import localize, parse_datetime
from ._durations import parse_duration
from ._errors import DateError
from ._recurrence import calendar_months, first_occurrence, match_recurrence, too_frequent

DEFAULT_DURATION = timedelta(minutes=90)
DEFAULT_REVIEW_TIME = time(10, 0)
MAX_TITLE_LENGTH = 200
# "am nächsten Dienstag um 16 Uhr" and "day after tomorrow at 4 pm" are six words.
_MAX_DATETIME_WORDS = 7
_MAX_RECURRENCE_WORDS = 8
_MAX_DURATION_WORDS = 4  # "1 Stunde 30 Minuten"
_LINK = re.compile(r"^(?:link|url)=(?P<url>\S*)$", re.IGNORECASE)
_QUOTES = "\"'„“”‚‘’«»"


@dataclass(frozen=True, slots=True)
class EventSpec:
    """A meeting as the coordinator described it; nothing is stored yet."""

    start: datetime
    duration: timedelta
    title: str
    rrule: str | None = None
    link: str | None = None


@dataclass(frozen=True, slots=True)
class Schedule:
    """When something is due: once (``rrule`` None) or as a series from ``first``."""

    first: datetime
    rrule: str | None = None


def _check_link(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise DateError("link_invalid", link=url)
    return url


def _split_datetime(words: list[str], now: datetime, tz: tzinfo) -> tuple[datetime, list[str]]:
    """The longest leading run of words that is a date and time, and the rest.

    A run that reads as a date but is wrong ("31.02.2026 16:00") stops the search with
    its own error rather than a vague "not understood".
    """
    for count in range(min(_MAX_DATETIME_WORDS, len(words)), 0, -1):
        try:
            return parse_datetime(" ".join(words[:count]), now, tz), words[count:]
        except DateError as error:
            if error.key != "dates.unparsable":
                raise
    raise DateError("unparsable", text=" ".join(words[:3]))


def _split_duration(words: list[str]) -> tuple[timedelta, list[str]]:
    """A leading duration ("90min", "1 Std. 30 Min.") and the rest; 90 minutes if none."""
    for count in range(min(_MAX_DURATION_WORDS, len(words)), 0, -1):
        try:
            return parse_duration(" ".join(words[:count])), words[count:]
        except DateError as error:
            if error.key != "dates.duration_invalid":
                raise
    return DEFAULT_DURATION, words


def _split_recurrence(words: list[str]) -> tuple[list[str], str | None, str]:
    """Strip the longest trailing run of words that is a repetition: (rest, rule, run)."""
    for count in range(min(_MAX_RECURRENCE_WORDS, len(words)), 0, -1):
        run = " ".join(words[-count:])
        recognised, rule = match_recurrence(run)
        if recognised:
            return words[:-count], rule, run
    return words, None, ""


def _check_series(start: datetime, rrule: str | None, text: str) -> None:
    """A series must begin on one of its own dates (RFC 5545 leaves the rest undefined)."""
    if rrule is None:
        return
    if too_frequent(rrule):
        raise DateError("series_too_frequent", text=text)
    first = first_occurrence(start, rrule)
    if first is None or first != start:
        raise DateError("recurrence_mismatch", text=text, first=first or start)


def parse_event_spec(args: str, now: datetime, tz: tzinfo) -> EventSpec:
    """Read `<datum> <uhrzeit> [dauer] <titel> [wiederholung] [link=…]`.

    Example: "03.12.2026 16:00 90min Austausch OGS alle 2 Wochen link=https://x.example/r".
    The duration defaults to 90 minutes; a repetition is recognised at the end of the
    text; ``link=`` (or ``url=``) may stand anywhere and must be http(s).

    Raises:
        DateError: any key of ``parse_datetime`` and ``parse_duration``, and
            ``dates.link_invalid``, ``dates.title_missing``, ``dates.title_too_long``,
            ``dates.recurrence_invalid``, ``dates.recurrence_mismatch``.
    """
    words: list[str] = []
    link: str | None = None
    for word in args.split():
        m = _LINK.match(word)
        if m is None:
            words.append(word)
        elif link is None:
            link = _check_link(m["url"])
    if not words:
        raise DateError("unparsable", text=args.strip())
    start, rest = _split_datetime(words, now, tz)

    duration, rest = _split_duration(rest)
    rest, rrule, repetition = _split_recurrence(rest)
    title = " ".join(rest).strip().strip(_QUOTES).strip()
    if not title:
        raise DateError("title_missing")
    if len(title) > MAX_TITLE_LENGTH:
        raise DateError("title_too_long", limit=MAX_TITLE_LENGTH)
    _check_series(start, rrule, repetition)
    return EventSpec(start=start, duration=duration, title=title, rrule=rrule, link=link)


def parse_interval_or_date(text: str, now: datetime, tz: tzinfo) -> Schedule:
    """A review date ("15.03.2027", "1.4. 14 Uhr") or interval ("alle 3 Monate").

    A date without a time means 10:00. An interval starts one interval from now: at
    10:00 local for daily and longer rules, to the minute for the short ones
    ("alle 5 Minuten", accepted here for integration tests).

    Raises:
        DateError: ``dates.interval_invalid`` when the text is neither; a date-like
            text that is wrong keeps its own key (``dates.invalid_date``, ``dates.in_past``…).
    """
    recognised, rrule = match_recurrence(text, short_intervals=True)
    if recognised and too_frequent(rrule):
        raise DateError("series_too_frequent", text=text.strip())
    if recognised and rrule is not None:
        local = now.astimezone(tz).replace(second=0, microsecond=0, tzinfo=None)
        if "FREQ=MINUTELY" not in rrule and "FREQ=HOURLY" not in rrule:
            local = datetime.combine(local.date(), DEFAULT_REVIEW_TIME)
        months = calendar_months(rrule)
        if months is not None:  # "alle 3 Monate" from 29 Nov: 28 Feb, not 29 May
            return Schedule(first=localize(local + relativedelta(months=months), tz), rrule=rrule)
        # The start itself is the series' first date when it fits the rule ("monatlich");
        # the review is due one interval later. A BYDAY rule starts on its next match.
        head = list(islice(rrulestr(rrule, dtstart=local), 2))
        due = head[1] if head[0] == local else head[0]
        return Schedule(first=localize(due, tz), rrule=rrule)
    try:
        return Schedule(first=parse_datetime(text, now, tz, default_time=DEFAULT_REVIEW_TIME))
    except DateError as error:
        if error.key == "dates.unparsable":
            raise DateError("interval_invalid", text=text.strip()) from None
        raise
