"""School and public holidays of the network's German state, and series that skip them.

The data come from the ``holidays`` package (public holidays by rule for any year;
school holidays, category ``SCHOOL``, as published by the states' ministries, so only
for the years the installed version ships: ``school_data_until`` says up to when).
Past that date a series "ohne Ferien" skips only the public holidays; a newer
``holidays`` release extends it without any change here.

A series whose meeting row carries ``holiday_state`` leaves out every date that falls
on a school-holiday day or a public holiday of that state: ``holiday_exdates`` gives
those dates, and the occurrence expansion and the calendar treat them like cancelled
dates (no ``!termine`` line, no reminder, an EXDATE in the .ics).

The command ``!ferien`` lives in ``commands.meetings.schoolyear``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from commands.timeparse._format import _WEEKDAY_NAMES
from storage.meetings import Meeting

STATE_NAMES = {
    "BB": "Brandenburg",
    "BE": "Berlin",
    "BW": "Baden-Württemberg",
    "BY": "Bayern",
    "HB": "Bremen",
    "HE": "Hessen",
    "HH": "Hamburg",
    "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen",
    "NW": "Nordrhein-Westfalen",
    "RP": "Rheinland-Pfalz",
    "SH": "Schleswig-Holstein",
    "SL": "Saarland",
    "SN": "Sachsen",
    "ST": "Sachsen-Anhalt",
    "TH": "Thüringen",
}
_MONTHS = {
    "de": (
        "Januar", "Februar", "März", "April", "Mai", "Juni",
        "Juli", "August", "September", "Oktober", "November", "Dezember",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip
_LANGS = {"de": "de", "en": "en_US"}
_SKIP = re.compile(r"(?<!\S)(?:ohne\s+ferien|without\s+holidays)(?!\S)", re.IGNORECASE)
_KEEP = re.compile(r"(?<!\S)(?:mit\s+ferien|with\s+holidays)(?!\S)", re.IGNORECASE)
# how far a series is checked for public holidays beyond the school-holiday data
_PUBLIC_YEARS_AHEAD = 5
_MAX_DATES = 2000
FIRST_DATA_YEAR = 2010


@dataclass(frozen=True)
class Break:
    """One stretch of school holidays (first and last day, inclusive)."""

    name: str
    first: date
    last: date


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "de"


def data_version() -> str:
    try:
        return version("holidays")
    except PackageNotFoundError:  # pragma: no cover - installed with the bot
        return "?"


@lru_cache(maxsize=256)
def _school_year(state: str, year: int, lang: str) -> dict[date, str]:
    import holidays as holiday_data  # only with a state configured: ≈ 3 MB less otherwise

    found = holiday_data.country_holidays(
        "DE",
        subdiv=state,
        years=year,
        categories=(holiday_data.SCHOOL,),
        language=_LANGS[_lang(lang)],
    )
    return dict(found.items())


@lru_cache(maxsize=256)
def _public_year(state: str, year: int, lang: str) -> dict[date, str]:
    import holidays as holiday_data

    found = holiday_data.country_holidays(
        "DE", subdiv=state, years=year, language=_LANGS[_lang(lang)]
    )
    return dict(found.items())


@lru_cache(maxsize=32)
def school_data_until(state: str) -> date | None:
    """The last school-holiday day the installed data know for the state (None: none)."""
    last = None
    for year in range(FIRST_DATA_YEAR, date.today().year + 30):
        days = _school_year(state, year, "de")
        if days:
            last = max(days)
        elif last is not None:
            break
    return last


def school_day(state: str, day: date, lang: str = "de") -> str | None:
    """The name of the school holidays ``day`` lies in, or None."""
    return _school_year(state, day.year, lang).get(day)


def public_day(state: str, day: date, lang: str = "de") -> str | None:
    """The name of the public holiday on ``day``, or None."""
    return _public_year(state, day.year, lang).get(day)


def blocked(state: str, day: date, lang: str = "de") -> str | None:
    """Why a meeting on ``day`` would fall into the holidays (a name), or None."""
    return school_day(state, day, lang) or public_day(state, day, lang)


def school_breaks(state: str, begin: date, end: date, lang: str = "de") -> list[Break]:
    """School-holiday stretches overlapping [begin, end], consecutive days merged."""
    days: dict[date, str] = {}
    for year in range(begin.year - 1, end.year + 2):
        days.update(_school_year(state, year, lang))
    breaks: list[Break] = []
    for day in sorted(days):
        name = days[day]
        if breaks and breaks[-1].name == name and breaks[-1].last + timedelta(days=1) == day:
            breaks[-1] = Break(name, breaks[-1].first, day)
        else:
            breaks.append(Break(name, day, day))
    return [b for b in breaks if b.last >= begin and b.first <= end]


def public_holidays(state: str, begin: date, end: date, lang: str = "de") -> list[tuple[date, str]]:
    found: list[tuple[date, str]] = []
    for year in range(begin.year, end.year + 1):
        found += [(d, n) for d, n in _public_year(state, year, lang).items() if begin <= d <= end]
    return sorted(found)


# --- series that skip the holidays -------------------------------------------------------


def split_holiday_words(spec: str) -> tuple[str, bool | None]:
    """Remove "ohne Ferien" / "mit Ferien" from a meeting spec: (rest, skip or None)."""
    if _SKIP.search(spec):
        return " ".join(_SKIP.sub(" ", spec).split()), True
    if _KEEP.search(spec):
        return " ".join(_KEEP.sub(" ", spec).split()), False
    return spec, None


def holiday_exdates(meeting: Meeting) -> tuple[datetime, ...]:
    """The dates of a series "ohne Ferien" that fall into holidays (aware, meeting zone)."""
    if not meeting.is_series or not getattr(meeting, "holiday_state", None):
        return ()
    assert meeting.rrule is not None and meeting.holiday_state is not None
    return _exdates(meeting.rrule, meeting.start_utc, meeting.tz_name, meeting.holiday_state)


@lru_cache(maxsize=512)
def _exdates(rrule: str, start_utc: datetime, tz_name: str, state: str) -> tuple[datetime, ...]:
    tz = ZoneInfo(tz_name)
    start = start_utc.astimezone(tz)
    school_end = school_data_until(state) or start.date()
    horizon = date(max(school_end.year, start.year) + _PUBLIC_YEARS_AHEAD, 12, 31)
    rule = rrulestr(rrule, dtstart=start.replace(tzinfo=None))
    found: list[datetime] = []
    for count, naive in enumerate(rule):
        if naive.date() > horizon or count >= _MAX_DATES:
            break
        if blocked(state, naive.date()):
            # a wall time inside a DST gap becomes the instant it denotes (as occurrences)
            found.append(naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz))
    return tuple(found)


@dataclass(frozen=True)
class SkipReport:
    count: int
    reasons: list[str]  # "Sommerferien (19. Juli – 31. August 2027)", "Karfreitag (…)"
    until: date


def skip_report(meeting: Meeting, after: datetime, lang: str, months: int = 12) -> SkipReport:
    """Which dates of the next ``months`` months a series "ohne Ferien" leaves out."""
    until = (after + timedelta(days=months * 31)).date()
    state = meeting.holiday_state
    dates = [d for d in holiday_exdates(meeting) if after < d and d.date() <= until]
    reasons: list[str] = []
    if state:
        seen: set[str] = set()
        breaks = school_breaks(state, after.date(), until, lang)
        for d in dates:
            school = next((b for b in breaks if b.first <= d.date() <= b.last), None)
            if school is not None:
                text = f"{school.name} ({span(school.first, school.last, lang)})"
            else:
                text = f"{public_day(state, d.date(), lang)} ({long_date(d.date(), lang)})"
            if text not in seen:
                seen.add(text)
                reasons.append(text)
    return SkipReport(len(dates), reasons, until)


# --- words for dates -----------------------------------------------------------------------


def long_date(day: date, lang: str, *, year: bool = True) -> str:
    """ "19. Juli 2027" / "19 July 2027"."""
    lang = _lang(lang)
    month = _MONTHS[lang][day.month - 1]
    if lang == "en":
        return f"{day.day} {month} {day.year}" if year else f"{day.day} {month}"
    return f"{day.day}. {month} {day.year}" if year else f"{day.day}. {month}"


def span(first: date, last: date, lang: str) -> str:
    """ "19. Juli – 31. August 2027" (the year once when both days share it)."""
    if first == last:
        return long_date(first, lang)
    return f"{long_date(first, lang, year=first.year != last.year)} – {long_date(last, lang)}"


def weekday_date(day: date, lang: str) -> str:
    """ "Freitag, 25. Dezember 2026"."""
    return f"{_WEEKDAY_NAMES[_lang(lang)][day.weekday()]}, {long_date(day, lang)}"


def date_words(start: datetime, lang: str) -> str:
    """ "Donnerstag, 3. Dezember 2026, 16:00 Uhr" / "Thursday, 3 December 2026, 16:00"."""
    lang = _lang(lang)
    weekday = _WEEKDAY_NAMES[lang][start.weekday()]
    suffix = "" if lang == "en" else " Uhr"
    return f"{weekday}, {long_date(start.date(), lang)}, {start:%H:%M}{suffix}"


def state_name(state: str) -> str:
    return STATE_NAMES.get(state, state)
