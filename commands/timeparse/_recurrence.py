"""Repetitions ("alle 2 Wochen", "jeden 1. Dienstag") as RFC 5545 RRULE values, and
their expansion into concrete meetings with dateutil.

A series is expanded in local wall time, so a 16:00 meeting stays at 16:00 when the
clocks change; only its UTC instant moves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from ._datetimes import localize
from ._errors import DateError
from ._text import NUMBER, RRULE_DAYS, WEEKDAYS, alternation, normalize, number

_WD = alternation(WEEKDAYS)
_ORDINALS: dict[str, int] = {
    "erste": 1, "ersten": 1, "erster": 1, "first": 1, "1st": 1,
    "zweite": 2, "zweiten": 2, "zweiter": 2, "second": 2, "2nd": 2,
    "dritte": 3, "dritten": 3, "dritter": 3, "third": 3, "3rd": 3,
    "vierte": 4, "vierten": 4, "vierter": 4, "fourth": 4, "4th": 4,
    "fuenfte": 5, "fuenften": 5, "fuenfter": 5, "fifth": 5, "5th": 5,
    "letzte": -1, "letzten": -1, "letzter": -1, "last": -1,
    "vorletzte": -2, "vorletzten": -2, "vorletzter": -2, "second to last": -2,
    "second-to-last": -2, "penultimate": -2,
}  # fmt: skip
_ORD = rf"(?:[1-5]\.?|{alternation(_ORDINALS)})"
_EVERY = r"(?:alle|every|jede[nrs]?|each)"
_OF_MONTH = r"(?:\s(?:im|des|in\sthe|of\sthe|of\seach|of\severy|a|per)\s(?:monat|monats|month))?"

_Builder = Callable[[re.Match[str]], str | None]


def _rule(freq: str, interval: int = 1, byday: str | None = None) -> str:
    if interval < 1:
        raise ValueError("interval must be positive")
    parts = [f"FREQ={freq}"]
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    if byday:
        parts.append(f"BYDAY={byday}")
    return ";".join(parts)


def _days(n: int) -> str:
    # "14-tägig" reads better back as "alle 2 Wochen" than as "alle 14 Tage".
    return _rule("WEEKLY", n // 7) if n % 7 == 0 else _rule("DAILY", n)


def _ordinal(token: str) -> int:
    return int(token.rstrip(".")) if token[0].isdigit() else _ORDINALS[token]


def _weekday(token: str) -> str:
    return RRULE_DAYS[WEEKDAYS[token.removesuffix("s") if token.endswith("tags") else token]]


def _fixed(rule: str | None) -> _Builder:
    return lambda _m: rule


_PATTERNS: list[tuple[str, _Builder]] = [
    (r"einmalig|keine wiederholung|once|never|no repeat", _fixed(None)),
    (r"taeglich|jeden tag|daily|every day", _fixed("FREQ=DAILY")),
    (r"woechentlich|jede woche|weekly|every week", _fixed("FREQ=WEEKLY")),
    (r"every other week|biweekly|fortnightly|zweiwoechentlich", _fixed("FREQ=WEEKLY;INTERVAL=2")),
    (r"monatlich|jeden monat|monthly|every month", _fixed("FREQ=MONTHLY")),
    (
        r"vierteljaehrlich|quartalsweise|jedes quartal|quarterly|every quarter",
        _fixed("FREQ=MONTHLY;INTERVAL=3"),
    ),
    (
        r"halbjaehrlich|every six months|semiannually|twice a year",
        _fixed("FREQ=MONTHLY;INTERVAL=6"),
    ),
    (r"jaehrlich|jedes jahr|yearly|annually|every year", _fixed("FREQ=YEARLY")),
    (rf"{_EVERY} (?P<n>{NUMBER}) (?:tage|days?)", lambda m: _days(number(m["n"]))),
    (rf"{_EVERY} (?P<n>{NUMBER}) (?:wochen|weeks?)", lambda m: _rule("WEEKLY", number(m["n"]))),
    (rf"{_EVERY} (?P<n>{NUMBER}) (?:monate?|months?)", lambda m: _rule("MONTHLY", number(m["n"]))),
    (rf"{_EVERY} (?P<n>{NUMBER}) (?:jahre?|years?)", lambda m: _rule("YEARLY", number(m["n"]))),
    (rf"(?P<n>{NUMBER})[- ]?taegig", lambda m: _days(number(m["n"]))),
    (rf"(?P<n>{NUMBER})[- ]?woechentlich", lambda m: _rule("WEEKLY", number(m["n"]))),
    (rf"(?P<n>{NUMBER})[- ]?monatlich", lambda m: _rule("MONTHLY", number(m["n"]))),
    (
        rf"(?:{_EVERY}|on every|on the) (?P<o>{_ORD}) (?P<wd>{_WD})\.?{_OF_MONTH}",
        lambda m: _rule("MONTHLY", byday=f"{_ordinal(m['o'])}{_weekday(m['wd'])}"),
    ),
    (
        rf"(?:{_EVERY}|on every) (?P<wd>{_WD})\.?",
        lambda m: _rule("WEEKLY", byday=_weekday(m["wd"])),
    ),
    (
        r"(?P<wd>montags|dienstags|mittwochs|donnerstags|freitags|samstags|sonntags)",
        lambda m: _rule("WEEKLY", byday=_weekday(m["wd"])),
    ),
]
# Only for review intervals: integration tests need series that fire within minutes.
_SHORT_PATTERNS: list[tuple[str, _Builder]] = [
    (r"minuetlich|jede minute|every minute", _fixed("FREQ=MINUTELY")),
    (r"stuendlich|jede stunde|hourly|every hour", _fixed("FREQ=HOURLY")),
    (
        rf"{_EVERY} (?P<n>{NUMBER}) (?:minuten|minutes?|min)",
        lambda m: _rule("MINUTELY", number(m["n"])),
    ),
    (
        rf"{_EVERY} (?P<n>{NUMBER}) (?:stunden|hours?|std)",
        lambda m: _rule("HOURLY", number(m["n"])),
    ),
]
_COMPILED = [(re.compile(rf"^(?:{p})$"), b) for p, b in _PATTERNS]
_COMPILED_SHORT = [(re.compile(rf"^(?:{p})$"), b) for p, b in _SHORT_PATTERNS]


MIN_SERIES_DAYS = 7


def too_frequent(rrule: str | None) -> bool:
    """Whether a series repeats more often than once a week.

    Why: every date of a series mentions the room's members; a member must not be able
    to make the bot ping a room every minute. Shorter series are refused everywhere;
    tests move time with the injected clock instead.
    """
    if rrule is None:
        return False
    parts = dict(p.split("=", 1) for p in rrule.upper().split(";") if "=" in p)
    freq = parts.get("FREQ", "")
    try:
        interval = int(parts.get("INTERVAL", "1"))
    except ValueError:
        return True
    if freq in ("SECONDLY", "MINUTELY", "HOURLY"):
        return True
    if freq == "DAILY":
        return interval < MIN_SERIES_DAYS
    if freq == "WEEKLY":
        return len(parts.get("BYDAY", "").split(",")) > 1
    return freq not in ("MONTHLY", "YEARLY")


def match_recurrence(text: str, *, short_intervals: bool = False) -> tuple[bool, str | None]:
    """(recognised, rrule) for ``text``; rrule is None for "einmalig" and friends."""
    cleaned = normalize(text).rstrip(".").strip()
    table = _COMPILED + (_COMPILED_SHORT if short_intervals else [])
    for pattern, build in table:
        m = pattern.match(cleaned)
        if m is not None:
            try:
                return True, build(m)
            except ValueError:  # "alle 0 Wochen"
                raise DateError("recurrence_invalid", text=text.strip()) from None
    return False, None


def parse_recurrence(text: str, *, short_intervals: bool = False) -> str | None:
    """The RRULE value for a repetition such as "alle 2 Wochen" or "jeden 1. Dienstag".

    Returns ``None`` for an empty text or an explicit "einmalig"/"once".
    ``short_intervals`` also admits "alle 5 Minuten" and hourly series, which only make
    sense for review reminders in tests, never for meetings.

    Raises:
        DateError: ``dates.recurrence_invalid`` for text that is no repetition we know.
    """
    if not text.strip():
        return None
    recognised, rule = match_recurrence(text, short_intervals=short_intervals)
    if not recognised:
        raise DateError("recurrence_invalid", text=text.strip())
    return rule


def occurrences(
    start_local: datetime,
    rrule: str | None,
    after: datetime,
    limit: int,
    *,
    exdates: Iterable[datetime] = (),
) -> list[datetime]:
    """The next ``limit`` meetings of a series that begin strictly after ``after``.

    The rule is expanded on the naive wall time of ``start_local`` and each result gets
    its zone back, so 16:00 stays 16:00 local across DST. ``exdates`` (cancelled single
    meetings) are skipped, matched by instant. Without a rule the series is the start.
    """
    if start_local.tzinfo is None or after.tzinfo is None:
        raise ValueError("start_local and after must be aware")
    if limit <= 0:
        return []
    tz = start_local.tzinfo
    skipped = {d.astimezone(UTC) for d in exdates}
    after_utc = after.astimezone(UTC)
    if rrule is None:
        candidates: Iterable[datetime] = [start_local.replace(tzinfo=None)]
    else:
        rule = rrulestr(rrule, dtstart=start_local.replace(tzinfo=None))
        # Begin a little before "after" in wall time: offsets differ by at most a day.
        begin = after.astimezone(tz).replace(tzinfo=None) - timedelta(days=1)
        candidates = rule.xafter(begin, inc=True)
    found: list[datetime] = []
    for naive in candidates:
        aware = localize(naive, tz)
        utc = aware.astimezone(UTC)
        if utc <= after_utc or utc in skipped:
            continue
        found.append(aware)
        if len(found) >= limit:
            break
    return found


def calendar_months(rrule: str | None) -> int | None:
    """Months per step of a plain monthly or yearly rule ("alle 3 Monate": 3), else None.

    RFC 5545 skips the months that lack the start's day (a monthly series from 31 Jan
    has no February); an interval of months as people mean it ends on the last day of a
    shorter month instead. ``calendar_dates`` gives those dates.
    """
    if rrule is None:
        return None
    try:
        parts = dict(part.split("=", 1) for part in rrule.upper().split(";"))
    except ValueError:
        return None
    freq, interval = parts.pop("FREQ", ""), parts.pop("INTERVAL", "1")
    if parts or freq not in ("MONTHLY", "YEARLY") or not interval.isdigit():
        return None
    return int(interval) * (12 if freq == "YEARLY" else 1)


def calendar_dates(start_local: datetime, months: int, after: datetime) -> Iterator[datetime]:
    """``start_local`` plus 0, 1, 2 … times ``months`` (clamped to the month's last day,
    same wall time), from the first one after ``after`` minus a step on."""
    tz = start_local.tzinfo
    if tz is None or months <= 0:
        raise ValueError("start_local must be aware and months positive")
    naive = start_local.replace(tzinfo=None)
    behind = (after.astimezone(tz).year - naive.year) * 12 + after.astimezone(tz).month
    step = max(0, (behind - naive.month) // months - 1)
    while True:
        yield localize(naive + relativedelta(months=step * months), tz)
        step += 1


def first_occurrence(start_local: datetime, rrule: str) -> datetime | None:
    """The first meeting the rule yields from ``start_local`` on (inclusive)."""
    tz = start_local.tzinfo
    if tz is None:
        raise ValueError("start_local must be aware")
    for naive in rrulestr(rrule, dtstart=start_local.replace(tzinfo=None)):
        return localize(naive, tz)
    return None
