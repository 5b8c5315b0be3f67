"""Dates, times, durations and repetitions as German (and English) users write them.

Pure functions, no Matrix and no storage: every parser takes an aware ``now`` and the
network's time zone, reads day-first, and returns aware datetimes in that zone.

Errors, all one type::

    DateError(UserError, ValueError)   .key = "dates.<name>", .params for the catalog
        dates.unparsable, dates.invalid_date, dates.invalid_time, dates.missing_time,
        dates.in_past, dates.weekday_mismatch, dates.nonexistent_time,
        dates.duration_invalid, dates.duration_out_of_range, dates.offset_invalid,
        dates.recurrence_invalid, dates.recurrence_mismatch, dates.interval_invalid,
        dates.link_invalid, dates.title_missing, dates.title_too_long,
        dates.series_too_frequent

The texts live in ``commands/locales/dates.yaml``.
"""

from ._datetimes import parse_datetime
from ._durations import MAX_DURATION, parse_duration, parse_offset
from ._errors import DateError
from ._format import format_date, format_datetime, format_duration, format_recurrence
from ._recurrence import (
    calendar_dates,
    calendar_months,
    occurrences,
    parse_recurrence,
    too_frequent,
)
from ._spec import (
    DEFAULT_DURATION,
    DEFAULT_REVIEW_TIME,
    EventSpec,
    Schedule,
    parse_event_spec,
    parse_interval_or_date,
)

__all__ = [
    "DEFAULT_DURATION",
    "DEFAULT_REVIEW_TIME",
    "MAX_DURATION",
    "DateError",
    "EventSpec",
    "Schedule",
    "calendar_dates",
    "calendar_months",
    "format_date",
    "format_datetime",
    "format_duration",
    "format_recurrence",
    "occurrences",
    "parse_datetime",
    "parse_duration",
    "parse_event_spec",
    "parse_interval_or_date",
    "parse_offset",
    "parse_recurrence",
    "too_frequent",
]
