"""Parsing and formatting of dates, durations and repetitions (commands.timeparse).

"now" is Friday, 20 March 2026, 10:00 in Berlin (CET, 09:00 UTC): nine days before
summer time begins, so the tables cross a DST change.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import commands
from commands.i18n import Catalog
from commands.timeparse import (
    DEFAULT_DURATION,
    DateError,
    EventSpec,
    Schedule,
    format_datetime,
    format_duration,
    format_recurrence,
    occurrences,
    parse_datetime,
    parse_duration,
    parse_event_spec,
    parse_interval_or_date,
    parse_offset,
    parse_recurrence,
    too_frequent,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=BERLIN)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


# ---------------------------------------------------------------- parse_datetime

DATETIMES: list[tuple[str, datetime]] = [
    # full dates, day first
    ("03.12.2026 16:00", utc(2026, 12, 3, 15)),
    ("3.12. 16 Uhr", utc(2026, 12, 3, 15)),
    ("3.12.26 16:30", utc(2026, 12, 3, 15, 30)),
    ("03.12.2026 16.30", utc(2026, 12, 3, 15, 30)),
    ("3.12 16:00", utc(2026, 12, 3, 15)),
    ("03.12.2026, 16:00 Uhr", utc(2026, 12, 3, 15)),
    ("03.12.2026 16:00h", utc(2026, 12, 3, 15)),
    ("Do., 03.12.2026, 16:00 Uhr", utc(2026, 12, 3, 15)),
    ("Donnerstag, 3.12.2026 16 Uhr", utc(2026, 12, 3, 15)),
    ("am 3.12. um 16 Uhr", utc(2026, 12, 3, 15)),
    ("3. Dezember 2026 16:00", utc(2026, 12, 3, 15)),
    ("3. Dez. 16 Uhr", utc(2026, 12, 3, 15)),
    ("15.06.2026 8.15 Uhr", utc(2026, 6, 15, 6, 15)),
    # ISO
    ("2026-12-03 16:00", utc(2026, 12, 3, 15)),
    ("2026-12-03T16:00", utc(2026, 12, 3, 15)),
    ("2026-12-03T16:00:00Z", utc(2026, 12, 3, 16)),
    # bare times: today while ahead, else tomorrow
    ("16 Uhr", utc(2026, 3, 20, 15)),
    ("12.30 Uhr", utc(2026, 3, 20, 11, 30)),
    ("9:00", utc(2026, 3, 21, 8)),
    ("0:00", utc(2026, 3, 20, 23)),
    # relative days
    ("heute 18:00", utc(2026, 3, 20, 17)),
    ("Heute 10:30", utc(2026, 3, 20, 9, 30)),
    ("morgen 16:00", utc(2026, 3, 21, 15)),
    ("Morgen um 9", utc(2026, 3, 21, 8)),
    ("übermorgen 9 Uhr", utc(2026, 3, 22, 8)),
    ("uebermorgen 9 Uhr", utc(2026, 3, 22, 8)),
    # weekdays: the next one; today only while the time is ahead
    ("Dienstag 16:00", utc(2026, 3, 24, 15)),
    ("Di 16:00", utc(2026, 3, 24, 15)),
    ("Di. 16 Uhr", utc(2026, 3, 24, 15)),
    ("nächsten Dienstag 16:00", utc(2026, 3, 24, 15)),
    ("naechsten Dienstag um 16 Uhr", utc(2026, 3, 24, 15)),
    ("Mittwoch 16:00", utc(2026, 3, 25, 15)),
    ("Samstag 9:30", utc(2026, 3, 21, 8, 30)),
    ("Sonntag 16:00", utc(2026, 3, 22, 15)),
    ("Montag 16:00", utc(2026, 3, 23, 15)),
    ("Freitag 11:00", utc(2026, 3, 20, 10)),
    ("Freitag 9:00", utc(2026, 3, 27, 8)),
    ("Fr 10:00", utc(2026, 3, 27, 9)),  # exactly now is not ahead
    # without a year: the next occurrence
    ("1.4. 14 Uhr", utc(2026, 4, 1, 12)),
    ("20.3. 11:00", utc(2026, 3, 20, 10)),
    ("20.3. 9:00", utc(2027, 3, 20, 8)),
    ("1.1. 10:00", utc(2027, 1, 1, 9)),
    ("29.02. 10:00", utc(2028, 2, 29, 9)),
    # DST: last Sundays of March and October 2026 and 2027
    ("29.03.2026 01:59", utc(2026, 3, 29, 0, 59)),
    ("29.03.2026 03:00", utc(2026, 3, 29, 1)),
    ("31.03.2026 16:00", utc(2026, 3, 31, 14)),
    ("25.10.2026 02:30", utc(2026, 10, 25, 0, 30)),  # ambiguous: the first (summer) one
    ("25.10.2026 03:00", utc(2026, 10, 25, 2)),
    ("26.10.2026 16:00", utc(2026, 10, 26, 15)),
    ("28.03.2027 16:00", utc(2027, 3, 28, 14)),
    ("31.10.2027 16:00", utc(2027, 10, 31, 15)),
    # English
    ("tomorrow 16:00", utc(2026, 3, 21, 15)),
    ("tomorrow 4pm", utc(2026, 3, 21, 15)),
    ("tuesday 4pm", utc(2026, 3, 24, 15)),
    ("Thu 03 Dec 2026, 16:00", utc(2026, 12, 3, 15)),
    ("dec 3 4:30 pm", utc(2026, 12, 3, 15, 30)),
]


@pytest.mark.parametrize(("text", "expected"), DATETIMES)
def test_parse_datetime(text: str, expected: datetime) -> None:
    result = parse_datetime(text, NOW, BERLIN)
    # Compare in UTC: "==" across zones is always False for an ambiguous wall time (PEP 495).
    assert result.astimezone(UTC) == expected
    assert result.tzinfo is BERLIN


def test_now_in_another_zone_means_the_same_instant() -> None:
    assert parse_datetime("16 Uhr", NOW.astimezone(UTC), BERLIN) == utc(2026, 3, 20, 15)


def test_default_time_for_a_date_alone() -> None:
    result = parse_datetime("15.03.2027", NOW, BERLIN, default_time=time(10))
    assert result == local(2027, 3, 15, 10)


BAD_DATETIMES: list[tuple[str, str]] = [
    ("31.02.2026 16:00", "dates.invalid_date"),
    ("31.02. 16:00", "dates.invalid_date"),
    ("30.2. 9 Uhr", "dates.invalid_date"),
    ("32.01.2027 10:00", "dates.invalid_date"),
    ("15.13.2026 10:00", "dates.invalid_date"),
    ("2026-02-30 10:00", "dates.invalid_date"),
    ("29.02.2027 10:00", "dates.invalid_date"),
    ("25:00", "dates.invalid_time"),
    ("morgen 25:00", "dates.invalid_time"),
    ("03.12.2026 24:00", "dates.invalid_time"),
    ("morgen 16:60", "dates.invalid_time"),
    ("Dienstag 13pm", "dates.invalid_time"),
    ("heute 08:00", "dates.in_past"),
    ("heute 10:00", "dates.in_past"),
    ("01.01.2026 10:00", "dates.in_past"),
    ("20.03.2026 09:59", "dates.in_past"),
    ("03.12.2026", "dates.missing_time"),
    ("morgen", "dates.missing_time"),
    ("Dienstag", "dates.missing_time"),
    ("Mittwoch 03.12.2026 16:00", "dates.weekday_mismatch"),
    ("29.03.2026 02:30", "dates.nonexistent_time"),
    ("quatsch", "dates.unparsable"),
    ("", "dates.unparsable"),
    ("16", "dates.unparsable"),
    ("morgen früh", "dates.unparsable"),
    ("nächste Woche", "dates.unparsable"),
    ("03.12.2026 16:00 Uhr Treffen", "dates.unparsable"),
    ("12/03/2026 16:00", "dates.unparsable"),
    ("16:00Z", "dates.unparsable"),
]


@pytest.mark.parametrize(("text", "key"), BAD_DATETIMES)
def test_parse_datetime_errors(text: str, key: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_datetime(text, NOW, BERLIN)
    assert caught.value.key == key
    assert caught.value.params["text"] == text.strip()


def test_date_error_is_a_value_error_with_params() -> None:
    with pytest.raises(ValueError):
        parse_datetime("heute 08:00", NOW, BERLIN)
    try:
        parse_datetime("heute 08:00", NOW, BERLIN)
    except DateError as error:
        assert error.params["when"] == local(2026, 3, 20, 8)


@given(st.datetimes(min_value=datetime(2026, 3, 21), max_value=datetime(2035, 12, 31)))
def test_german_format_parses_back(naive: datetime) -> None:
    wall = naive.replace(second=0, microsecond=0)
    when = wall.replace(tzinfo=BERLIN).astimezone(UTC).astimezone(BERLIN)
    if when.replace(tzinfo=None) != wall:  # a wall time the spring-forward night skips
        return
    parsed = parse_datetime(format_datetime(when, "de"), NOW, BERLIN)
    assert parsed.replace(tzinfo=None) == wall
    assert parse_datetime(format_datetime(when, "en"), NOW, BERLIN).replace(tzinfo=None) == wall


# ---------------------------------------------------------------- durations and offsets


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90min", 90),
        ("90 Minuten", 90),
        ("90 min.", 90),
        ("45m", 45),
        ("1,5h", 90),
        ("1.5h", 90),
        ("1,5 Stunden", 90),
        ("2h", 120),
        ("2 Std", 120),
        ("2 Std.", 120),
        ("1 Stunde", 60),
        ("1h30", 90),
        ("1h 30min", 90),
        ("1 Std. 30 Min.", 90),
        ("1 Stunde 15 Minuten", 75),
        ("1.25h", 75),
        ("24h", 24 * 60),
        ("2 hours", 120),
    ],
)
def test_parse_duration(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("0min", "dates.duration_out_of_range"),
        ("25h", "dates.duration_out_of_range"),
        ("1441 Minuten", "dates.duration_out_of_range"),
        ("lang", "dates.duration_invalid"),
        ("90", "dates.duration_invalid"),
        ("-1h", "dates.duration_invalid"),
        ("", "dates.duration_invalid"),
    ],
)
def test_parse_duration_errors(text: str, key: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_duration(text)
    assert caught.value.key == key


@given(st.integers(min_value=1, max_value=24 * 60))
def test_formatted_duration_parses_back(minutes: int) -> None:
    td = timedelta(minutes=minutes)
    assert parse_duration(format_duration(td, "de")) == td
    assert parse_duration(format_duration(td, "en")) == td


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", timedelta(days=7)),
        ("1d", timedelta(days=1)),
        ("1h", timedelta(hours=1)),
        ("15m", timedelta(minutes=15)),
        (" 2 h ", timedelta(hours=2)),
        ("1h30m", timedelta(minutes=90)),
        ("1D", timedelta(days=1)),
    ],
)
def test_parse_offset(text: str, expected: timedelta) -> None:
    assert parse_offset(text) == expected


@pytest.mark.parametrize("text", ["", "7", "0d", "1w", "1 Tag", "-1h", "h"])
def test_parse_offset_errors(text: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_offset(text)
    assert caught.value.key == "dates.offset_invalid"


# ---------------------------------------------------------------- recurrence

RECURRENCES: list[tuple[str, str | None]] = [
    ("wöchentlich", "FREQ=WEEKLY"),
    ("Woechentlich", "FREQ=WEEKLY"),
    ("jede Woche", "FREQ=WEEKLY"),
    ("alle 2 Wochen", "FREQ=WEEKLY;INTERVAL=2"),
    ("alle zwei Wochen", "FREQ=WEEKLY;INTERVAL=2"),
    ("14-tägig", "FREQ=WEEKLY;INTERVAL=2"),
    ("vierzehntägig", "FREQ=WEEKLY;INTERVAL=2"),
    ("zweiwöchentlich", "FREQ=WEEKLY;INTERVAL=2"),
    ("3-wöchentlich", "FREQ=WEEKLY;INTERVAL=3"),
    ("täglich", "FREQ=DAILY"),
    ("alle 3 Tage", "FREQ=DAILY;INTERVAL=3"),
    ("monatlich", "FREQ=MONTHLY"),
    ("alle 3 Monate", "FREQ=MONTHLY;INTERVAL=3"),
    ("vierteljährlich", "FREQ=MONTHLY;INTERVAL=3"),
    ("quartalsweise", "FREQ=MONTHLY;INTERVAL=3"),
    ("halbjährlich", "FREQ=MONTHLY;INTERVAL=6"),
    ("jährlich", "FREQ=YEARLY"),
    ("alle 2 Jahre", "FREQ=YEARLY;INTERVAL=2"),
    ("jeden 1. Dienstag", "FREQ=MONTHLY;BYDAY=1TU"),
    ("jeden ersten Dienstag im Monat", "FREQ=MONTHLY;BYDAY=1TU"),
    ("jeden 3. Mi", "FREQ=MONTHLY;BYDAY=3WE"),
    ("jeden letzten Freitag", "FREQ=MONTHLY;BYDAY=-1FR"),
    ("jeden letzten Freitag des Monats", "FREQ=MONTHLY;BYDAY=-1FR"),
    ("jeden vorletzten Montag", "FREQ=MONTHLY;BYDAY=-2MO"),
    ("jeden Donnerstag", "FREQ=WEEKLY;BYDAY=TH"),
    ("donnerstags", "FREQ=WEEKLY;BYDAY=TH"),
    ("einmalig", None),
    ("", None),
    ("weekly", "FREQ=WEEKLY"),
    ("every 2 weeks", "FREQ=WEEKLY;INTERVAL=2"),
    ("every other week", "FREQ=WEEKLY;INTERVAL=2"),
    ("monthly", "FREQ=MONTHLY"),
    ("every 3 months", "FREQ=MONTHLY;INTERVAL=3"),
    ("every first Tuesday of the month", "FREQ=MONTHLY;BYDAY=1TU"),
    ("every last friday", "FREQ=MONTHLY;BYDAY=-1FR"),
]


@pytest.mark.parametrize(("text", "rule"), RECURRENCES)
def test_parse_recurrence(text: str, rule: str | None) -> None:
    assert parse_recurrence(text) == rule


@pytest.mark.parametrize(
    "text", ["manchmal", "alle 0 Wochen", "jeden 6. Dienstag", "alle 5 Minuten"]
)
def test_parse_recurrence_errors(text: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_recurrence(text)
    assert caught.value.key == "dates.recurrence_invalid"


@pytest.mark.parametrize("repeat", ["täglich", "alle 3 Tage", "every day"])
def test_meetings_more_often_than_weekly_are_refused(repeat: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_event_spec(f"03.12.2026 16:00 Treffen {repeat}", NOW, BERLIN)
    assert caught.value.key == "dates.series_too_frequent"


@pytest.mark.parametrize(
    ("rrule", "expected"),
    [
        (None, False),
        ("FREQ=MINUTELY", True),
        ("FREQ=HOURLY;INTERVAL=200", True),
        ("FREQ=DAILY", True),
        ("FREQ=DAILY;INTERVAL=6", True),
        ("FREQ=DAILY;INTERVAL=10", False),
        ("FREQ=WEEKLY", False),
        ("FREQ=WEEKLY;BYDAY=MO,TH", True),
        ("FREQ=WEEKLY;BYDAY=TU", False),
        ("FREQ=MONTHLY;BYDAY=1TU", False),
        ("FREQ=YEARLY", False),
    ],
)
def test_too_frequent(rrule: str | None, expected: bool) -> None:
    assert too_frequent(rrule) is expected


def test_short_intervals_only_on_request() -> None:
    assert parse_recurrence("alle 5 Minuten", short_intervals=True) == "FREQ=MINUTELY;INTERVAL=5"
    assert parse_recurrence("stündlich", short_intervals=True) == "FREQ=HOURLY"


@pytest.mark.parametrize(("text", "rule"), [r for r in RECURRENCES if r[1] is not None])
def test_recurrence_words_round_trip(text: str, rule: str) -> None:
    for lang in ("de", "en"):
        assert parse_recurrence(format_recurrence(rule, lang)) == rule


def test_format_recurrence_texts() -> None:
    assert format_recurrence("FREQ=WEEKLY;INTERVAL=2") == "alle 2 Wochen"
    assert format_recurrence("FREQ=MONTHLY;BYDAY=1TU") == "jeden 1. Dienstag im Monat"
    assert format_recurrence("FREQ=MONTHLY;BYDAY=-1FR", "en") == "every last Friday of the month"
    assert format_recurrence(None) == "einmalig"
    assert format_recurrence("FREQ=WEEKLY;COUNT=3") == "FREQ=WEEKLY;COUNT=3"


# ---------------------------------------------------------------- occurrences


def test_weekly_series_keeps_local_time_across_spring_dst() -> None:
    start = local(2026, 3, 24, 16)
    got = occurrences(start, "FREQ=WEEKLY", after=NOW, limit=3)
    assert got == [utc(2026, 3, 24, 15), utc(2026, 3, 31, 14), utc(2026, 4, 7, 14)]
    assert all(d.tzinfo is BERLIN and d.hour == 16 for d in got)


@pytest.mark.parametrize(
    ("start", "expected_utc"),
    [
        (local(2026, 10, 20, 16), [utc(2026, 10, 20, 14), utc(2026, 10, 27, 15)]),
        (local(2027, 3, 25, 16), [utc(2027, 3, 25, 15), utc(2027, 4, 1, 14)]),
        (local(2027, 10, 28, 16), [utc(2027, 10, 28, 14), utc(2027, 11, 4, 15)]),
    ],
)
def test_weekly_series_across_other_dst_changes(
    start: datetime, expected_utc: list[datetime]
) -> None:
    got = occurrences(start, "FREQ=WEEKLY", after=NOW, limit=2)
    assert got == expected_utc
    assert [d.hour for d in got] == [16, 16]


def test_occurrences_are_strictly_after_and_limited() -> None:
    start = local(2026, 3, 24, 16)
    got = occurrences(start, "FREQ=WEEKLY;INTERVAL=2", after=local(2026, 4, 7, 16), limit=2)
    assert got == [local(2026, 4, 21, 16), local(2026, 5, 5, 16)]
    assert occurrences(start, "FREQ=WEEKLY", after=NOW, limit=0) == []


def test_occurrences_skip_exdates() -> None:
    start = local(2026, 3, 24, 16)
    got = occurrences(start, "FREQ=WEEKLY", after=NOW, limit=2, exdates=[utc(2026, 3, 31, 14)])
    assert got == [local(2026, 3, 24, 16), local(2026, 4, 7, 16)]


def test_occurrences_far_in_the_future() -> None:
    start = local(2026, 3, 24, 16)
    got = occurrences(start, "FREQ=WEEKLY", after=local(2040, 1, 1), limit=1)
    assert got == [local(2040, 1, 3, 16)]


def test_occurrences_of_monthly_weekday_rules() -> None:
    first_tuesdays = occurrences(local(2026, 4, 7, 16), "FREQ=MONTHLY;BYDAY=1TU", NOW, 3)
    assert [d.date().isoformat() for d in first_tuesdays] == [
        "2026-04-07",
        "2026-05-05",
        "2026-06-02",
    ]
    last_fridays = occurrences(local(2026, 3, 27, 16), "FREQ=MONTHLY;BYDAY=-1FR", NOW, 3)
    assert [d.day for d in last_fridays] == [27, 24, 29]


def test_daily_series_through_the_missing_hour() -> None:
    got = occurrences(local(2026, 3, 28, 2, 30), "FREQ=DAILY", NOW, 3)
    assert got == [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]


def test_single_meeting_occurrences() -> None:
    assert occurrences(local(2026, 4, 1, 9), None, NOW, 5) == [local(2026, 4, 1, 9)]
    assert occurrences(local(2026, 3, 1, 9), None, NOW, 5) == []


def test_occurrences_need_aware_datetimes() -> None:
    with pytest.raises(ValueError):
        occurrences(datetime(2026, 4, 1, 9), "FREQ=WEEKLY", NOW, 1)


# ---------------------------------------------------------------- event spec


def test_event_spec_full_example() -> None:
    spec = parse_event_spec(
        "03.12.2026 16:00 90min Austausch Schnittstelle OGS alle 2 Wochen "
        "link=https://meet.example/x",
        NOW,
        BERLIN,
    )
    assert spec == EventSpec(
        start=local(2026, 12, 3, 16),
        duration=timedelta(minutes=90),
        title="Austausch Schnittstelle OGS",
        rrule="FREQ=WEEKLY;INTERVAL=2",
        link="https://meet.example/x",
    )


@pytest.mark.parametrize(
    ("args", "start", "minutes", "title", "rule"),
    [
        ("3.12. 16 Uhr Treffen", local(2026, 12, 3, 16), 90, "Treffen", None),
        ("morgen 9 Uhr 2 Std Workshop Musik", local(2026, 3, 21, 9), 120, "Workshop Musik", None),
        (
            "Di 16:00 1h30 Jour fixe wöchentlich",
            local(2026, 3, 24, 16),
            90,
            "Jour fixe",
            "FREQ=WEEKLY",
        ),
        (
            "nächsten Dienstag um 16 Uhr 1 Stunde 30 Minuten Jour fixe",
            local(2026, 3, 24, 16),
            90,
            "Jour fixe",
            None,
        ),
        (
            "07.04.2026 16:00 Netzwerktreffen jeden 1. Dienstag",
            local(2026, 4, 7, 16),
            90,
            "Netzwerktreffen",
            "FREQ=MONTHLY;BYDAY=1TU",
        ),
        (
            "27.03.2026 15:00 45min Sprechstunde jeden letzten Freitag im Monat",
            local(2026, 3, 27, 15),
            45,
            "Sprechstunde",
            "FREQ=MONTHLY;BYDAY=-1FR",
        ),
        (
            "03.12.2026 16:00 „1. Netzwerktreffen“",
            local(2026, 12, 3, 16),
            90,
            "1. Netzwerktreffen",
            None,
        ),
        (
            "2026-12-03T16:00 1,5h Planung monatlich",
            local(2026, 12, 3, 16),
            90,
            "Planung",
            "FREQ=MONTHLY",
        ),
        (
            "tomorrow 4pm 1h Exchange every 2 weeks",
            local(2026, 3, 21, 16),
            60,
            "Exchange",
            "FREQ=WEEKLY;INTERVAL=2",
        ),
    ],
)
def test_event_spec_variants(
    args: str, start: datetime, minutes: int, title: str, rule: str | None
) -> None:
    spec = parse_event_spec(args, NOW, BERLIN)
    assert (spec.start, spec.duration, spec.title, spec.rrule) == (
        start,
        timedelta(minutes=minutes),
        title,
        rule,
    )


def test_event_spec_link_may_stand_anywhere() -> None:
    spec = parse_event_spec("link=http://a.example/r morgen 16:00 Treffen", NOW, BERLIN)
    assert spec.link == "http://a.example/r"
    assert spec.duration == DEFAULT_DURATION


@pytest.mark.parametrize(
    ("args", "key"),
    [
        ("31.02.2026 16:00 Treffen", "dates.invalid_date"),
        ("morgen 25:00 Treffen", "dates.invalid_time"),
        ("heute 08:00 Treffen", "dates.in_past"),
        ("03.12.2026 Treffen", "dates.missing_time"),
        ("irgendwann Treffen", "dates.unparsable"),
        ("", "dates.unparsable"),
        ("03.12.2026 16:00", "dates.title_missing"),
        ("03.12.2026 16:00 90min", "dates.title_missing"),
        ("03.12.2026 16:00 alle 2 Wochen", "dates.title_missing"),
        ("03.12.2026 16:00 „ “", "dates.title_missing"),
        ("03.12.2026 16:00 25h Treffen", "dates.duration_out_of_range"),
        ("03.12.2026 16:00 Treffen link=ftp://a.example/x", "dates.link_invalid"),
        ("03.12.2026 16:00 Treffen link=javascript:alert(1)", "dates.link_invalid"),
        ("03.12.2026 16:00 Treffen link=https://", "dates.link_invalid"),
        ("03.12.2026 16:00 Treffen jeden 1. Dienstag", "dates.recurrence_mismatch"),
        ("03.12.2026 16:00 " + "x" * 201, "dates.title_too_long"),
    ],
)
def test_event_spec_errors(args: str, key: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_event_spec(args, NOW, BERLIN)
    assert caught.value.key == key


def test_recurrence_mismatch_suggests_the_first_matching_day() -> None:
    with pytest.raises(DateError) as caught:
        parse_event_spec("03.12.2026 16:00 Treffen jeden 1. Dienstag", NOW, BERLIN)
    assert caught.value.params["first"] == local(2027, 1, 5, 16)


# ---------------------------------------------------------------- review: date or interval


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alle 3 Monate", Schedule(local(2026, 6, 20, 10), "FREQ=MONTHLY;INTERVAL=3")),
        ("monatlich", Schedule(local(2026, 4, 20, 10), "FREQ=MONTHLY")),
        ("alle 2 Wochen", Schedule(local(2026, 4, 3, 10), "FREQ=WEEKLY;INTERVAL=2")),
        ("every 3 months", Schedule(local(2026, 6, 20, 10), "FREQ=MONTHLY;INTERVAL=3")),
        ("jeden 1. Dienstag", Schedule(local(2026, 4, 7, 10), "FREQ=MONTHLY;BYDAY=1TU")),
        ("freitags", Schedule(local(2026, 3, 27, 10), "FREQ=WEEKLY;BYDAY=FR")),
        ("montags", Schedule(local(2026, 3, 23, 10), "FREQ=WEEKLY;BYDAY=MO")),
        ("15.03.2027", Schedule(local(2027, 3, 15, 10))),
        ("1.4. 14 Uhr", Schedule(local(2026, 4, 1, 14))),
    ],
)
def test_parse_interval_or_date(text: str, expected: Schedule) -> None:
    assert parse_interval_or_date(text, NOW, BERLIN) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("bald", "dates.interval_invalid"),
        ("31.02.2027", "dates.invalid_date"),
        ("01.01.2026", "dates.in_past"),
        ("alle 0 Monate", "dates.recurrence_invalid"),
        # a series more often than weekly would ping the room's members: refused
        ("jede Minute", "dates.series_too_frequent"),
        ("alle 5 Minuten", "dates.series_too_frequent"),
        ("stündlich", "dates.series_too_frequent"),
        ("täglich", "dates.series_too_frequent"),
        ("alle 6 Tage", "dates.series_too_frequent"),
    ],
)
def test_parse_interval_or_date_errors(text: str, key: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_interval_or_date(text, NOW, BERLIN)
    assert caught.value.key == key


# ---------------------------------------------------------------- formatting


def test_format_datetime() -> None:
    when = local(2026, 12, 3, 16)
    assert format_datetime(when, "de") == "Do., 03.12.2026, 16:00 Uhr"
    assert format_datetime(when, "en") == "Thu, 3 Dec 2026, 16:00"
    assert format_datetime(utc(2026, 12, 3, 15), "de", tz=BERLIN) == "Do., 03.12.2026, 16:00 Uhr"


@pytest.mark.parametrize(
    ("minutes", "de", "en"),
    [
        (45, "45 Min.", "45 min"),
        (90, "90 Min.", "90 min"),
        (60, "1 Std.", "1 h"),
        (120, "2 Std.", "2 h"),
        (150, "2 Std. 30 Min.", "2 h 30 min"),
    ],
)
def test_format_duration(minutes: int, de: str, en: str) -> None:
    assert format_duration(timedelta(minutes=minutes), "de") == de
    assert format_duration(timedelta(minutes=minutes), "en") == en


# ---------------------------------------------------------------- message catalog


def _raised_names() -> set[str]:
    package = Path(commands.__file__).parent / "timeparse"
    source = "\n".join(p.read_text(encoding="utf-8") for p in package.glob("*.py"))
    return set(re.findall(r'DateError\(\s*"(\w+)"', source))


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """Only our own file, so another group's catalog cannot break these tests."""
    directory = tmp_path_factory.mktemp("locales")
    shutil.copy(Path(commands.__file__).parent / "locales" / "dates.yaml", directory)
    return Catalog.load(directory)


def test_every_error_key_has_german_and_english_text(catalog: Catalog) -> None:
    in_catalog = {k.removeprefix("dates.") for k in catalog.keys() if k.startswith("dates.")}
    assert _raised_names() == in_catalog
    for name in in_catalog:
        assert catalog.languages_of(f"dates.{name}") >= {"de", "en"}


def _some_errors() -> list[DateError]:
    errors: list[DateError] = []
    attempts = [(parse_datetime, a) for a, _ in BAD_DATETIMES] + [
        (parse_event_spec, "03.12.2026 16:00 Treffen jeden 1. Dienstag"),
        (parse_event_spec, "03.12.2026 16:00 Treffen link=ftp://x"),
        (parse_event_spec, "03.12.2026 16:00 " + "x" * 300),
        (parse_event_spec, "03.12.2026 16:00"),
        (parse_interval_or_date, "bald"),
        (parse_interval_or_date, "jede Minute"),
    ]
    for parse, text in attempts:
        try:
            parse(text, NOW, BERLIN)
        except DateError as error:
            errors.append(error)
    for parse_one, text in [(parse_duration, "0min"), (parse_duration, "x"), (parse_offset, "x")]:
        try:
            parse_one(text)
        except DateError as error:
            errors.append(error)
    try:
        parse_recurrence("manchmal")
    except DateError as error:
        errors.append(error)
    return errors


@pytest.mark.parametrize("lang", ["de", "en"])
def test_error_messages_render(catalog: Catalog, lang: str) -> None:
    errors = _some_errors()
    assert {e.key for e in errors} == {f"dates.{n}" for n in _raised_names()}
    for error in errors:
        text = catalog.get(error.key, lang, **error.params)
        assert text != error.key
        assert "{" not in text
