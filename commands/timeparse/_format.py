"""Dates, durations and repetitions written back for people, in German or English.

Dates and times are formatted by Babel from CLDR data (``commands.i18n``), so the OS
locale never matters; the words of repetitions are kept here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from commands import i18n

from ._text import RRULE_DAYS

_WEEKDAY_NAMES = {
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "de"


def format_datetime(dt: datetime, lang: str = "de", *, tz: tzinfo | None = None) -> str:
    """ "Do., 03.12.2026, 16:00 Uhr" or "Thu, 3 Dec 2026, 16:00" (Babel, CLDR data).

    Shown in ``dt``'s own zone, or converted to ``tz`` first. Both forms parse back
    with ``parse_datetime``.
    """
    if tz is not None:
        dt = dt.astimezone(tz)
    return i18n.format_datetime(dt, _lang(lang))


def format_date(day: date | datetime, lang: str = "de", *, tz: tzinfo | None = None) -> str:
    """ "Mo., 15.02.2027" or "Mon, 15 Feb 2027": one format per language."""
    if tz is not None and isinstance(day, datetime):
        day = day.astimezone(tz)
    return i18n.format_date(day, _lang(lang))


def format_duration(td: timedelta, lang: str = "de") -> str:
    """ "90 Min." / "2 Std." / "1 Std. 30 Min." (English "90 min", "2 h", "1 h 30 min").

    Under two hours a non-round duration stays in minutes, as people say "90 Minuten".
    """
    minutes = round(td.total_seconds() / 60)
    hours, rest = divmod(minutes, 60)
    h, m = ("h", "min") if _lang(lang) == "en" else ("Std.", "Min.")
    if hours == 0 or (hours < 2 and rest):
        return f"{minutes} {m}"
    if rest == 0:
        return f"{hours} {h}"
    return f"{hours} {h} {rest} {m}"


_FREQ_WORDS = {
    "de": {
        "MINUTELY": ("jede Minute", "alle {n} Minuten"),
        "HOURLY": ("stündlich", "alle {n} Stunden"),
        "DAILY": ("täglich", "alle {n} Tage"),
        "WEEKLY": ("wöchentlich", "alle {n} Wochen"),
        "MONTHLY": ("monatlich", "alle {n} Monate"),
        "YEARLY": ("jährlich", "alle {n} Jahre"),
    },
    "en": {
        "MINUTELY": ("every minute", "every {n} minutes"),
        "HOURLY": ("hourly", "every {n} hours"),
        "DAILY": ("daily", "every {n} days"),
        "WEEKLY": ("weekly", "every {n} weeks"),
        "MONTHLY": ("monthly", "every {n} months"),
        "YEARLY": ("yearly", "every {n} years"),
    },
}
_ORDINAL_WORDS = {
    "de": {-1: "letzten", -2: "vorletzten"},
    "en": {
        1: "first",
        2: "second",
        3: "third",
        4: "fourth",
        5: "fifth",
        -1: "last",
        -2: "second-to-last",
    },
}


def _byday(value: str, lang: str, monthly: bool) -> str | None:
    """ "jeden 1. Dienstag im Monat" / "every Tuesday" for one BYDAY entry, else None."""
    day = value[-2:]
    if day not in RRULE_DAYS or "," in value:
        return None
    name = _WEEKDAY_NAMES[lang][RRULE_DAYS.index(day)]
    ordinal_text = value[:-2]
    if not ordinal_text:
        return f"every {name}" if lang == "en" else f"jeden {name}"
    if not monthly:
        return None
    ordinal = int(ordinal_text)
    if lang == "en":
        return f"every {_ORDINAL_WORDS['en'].get(ordinal, str(ordinal))} {name} of the month"
    word = _ORDINAL_WORDS["de"].get(ordinal, f"{ordinal}.")
    return f"jeden {word} {name} im Monat"


def format_recurrence(rrule: str | None, lang: str = "de") -> str:
    """A repetition in words ("alle 2 Wochen", "every first Tuesday of the month").

    Rules this module did not produce fall back to the raw RRULE value.
    """
    lang = _lang(lang)
    if rrule is None:
        return "once" if lang == "en" else "einmalig"
    try:
        parts = dict(part.split("=", 1) for part in rrule.upper().split(";"))
    except ValueError:
        return rrule
    freq, interval = parts.pop("FREQ", ""), int(parts.pop("INTERVAL", "1"))
    words = _FREQ_WORDS[lang].get(freq)
    if words is None:
        return rrule
    byday = parts.pop("BYDAY", None)
    if parts:  # COUNT, UNTIL, BYMONTHDAY, …: say it exactly rather than wrongly
        return rrule
    if byday is not None and freq in ("WEEKLY", "MONTHLY") and interval == 1:
        described = _byday(byday, lang, monthly=freq == "MONTHLY")
        return described if described is not None else rrule
    if byday is not None:
        return rrule
    return words[0] if interval == 1 else words[1].format(n=interval)
