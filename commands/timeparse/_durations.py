"""Durations of meetings ("90min", "1,5h", "1h30") and reminder offsets ("7d", "15m")."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from ._errors import DateError
from ._text import normalize

MAX_DURATION = timedelta(hours=24)

_HOURS = r"(?:h|hrs?\.?|std\.?|stunden?|hours?)"
_MINUTES = r"(?:m|mins?\.?|minuten?|minutes?)"
_DURATION = re.compile(
    rf"""^(?:(?P<hours>\d+(?:[.,]\d+)?)\s*{_HOURS}(?:\s*(?P<rest>\d{{1,2}})(?:\s*{_MINUTES})?)?
          | (?P<minutes>\d+)\s*{_MINUTES})$""",
    re.VERBOSE,
)
_OFFSET_PART = re.compile(r"(\d+)\s*([dhm])")
_OFFSET = re.compile(r"^(?:\d+\s*[dhm]\s*)+$")


def parse_duration(text: str) -> timedelta:
    """How long a meeting lasts: "90min", "90 Minuten", "1,5h", "2 Std", "1h30".

    Rounded to whole minutes; must be more than zero and at most 24 hours.

    Raises:
        DateError: ``dates.duration_invalid`` or ``dates.duration_out_of_range``.
    """
    text = text.strip()
    m = _DURATION.match(normalize(text, keep_commas=True))
    if m is None:
        raise DateError("duration_invalid", text=text)
    if m["minutes"] is not None:
        total = Decimal(m["minutes"])
    else:
        total = Decimal(m["hours"].replace(",", ".")) * 60 + Decimal(m["rest"] or 0)
    result = timedelta(minutes=int(total.to_integral_value()))
    if not timedelta(0) < result <= MAX_DURATION:
        raise DateError("duration_out_of_range", text=text)
    return result


def parse_offset(text: str) -> timedelta:
    """A reminder offset from the config: "7d", "1h", "15m", also combined ("1h30m").

    Raises:
        DateError: ``dates.offset_invalid`` for anything else, zero included.
    """
    cleaned = normalize(text)
    if not _OFFSET.match(cleaned):
        raise DateError("offset_invalid", text=text.strip())
    unit = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
    result = sum((int(n) * unit[u] for n, u in _OFFSET_PART.findall(cleaned)), timedelta())
    if result <= timedelta(0):
        raise DateError("offset_invalid", text=text.strip())
    return result
