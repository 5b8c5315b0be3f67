"""Calendars built by commands.ical, parsed back with icalendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar, Event

from commands.ical import CalendarEvent, build_calendar, build_event_ics, ics_filename
from commands.timeparse import occurrences

BERLIN = ZoneInfo("Europe/Berlin")
STAMP = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def series() -> CalendarEvent:
    return CalendarEvent(
        uid="termin-7@koopbot.localhost",
        title="Austausch Schnittstelle OGS, Musikschule; Übergänge",
        start=datetime(2026, 3, 24, 16, 0, tzinfo=BERLIN),
        duration=timedelta(minutes=90),
        rrule="FREQ=WEEKLY;INTERVAL=2",
        exdates=[datetime(2026, 4, 7, 14, 0, tzinfo=UTC)],  # 16:00 summer time
        link="https://meet.example/ogs",
        description="Bitte die Checkliste Phase 3 mitbringen.",
        alarm_offsets=[timedelta(hours=1), timedelta(days=7), timedelta(days=1)],
        sequence=2,
    )


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def only_event(calendar: Calendar) -> Event:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert isinstance(events[0], Event)
    return events[0]


def test_calendar_properties_and_timezone() -> None:
    data = build_calendar([series()], "Europe/Berlin", "Netzwerk Kooperationen", stamp=STAMP)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    calendar = parse(data)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Netzwerk Kooperationen"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Berlin"
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Berlin"]
    assert {c.name for c in timezones[0].subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_event_fields_survive_the_round_trip() -> None:
    event = only_event(parse(build_calendar([series()], "Europe/Berlin", "N", stamp=STAMP)))
    assert str(event["UID"]) == "termin-7@koopbot.localhost"
    assert str(event["SUMMARY"]) == "Austausch Schnittstelle OGS, Musikschule; Übergänge"
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    start = event.decoded("DTSTART")
    assert start == datetime(2026, 3, 24, 16, 0, tzinfo=BERLIN)
    assert str(start.tzinfo) == "Europe/Berlin"
    assert event.decoded("DTEND") - start == timedelta(minutes=90)
    assert event.decoded("DTSTAMP") == STAMP
    assert event.decoded("SEQUENCE") == 2
    assert str(event["URL"]) == "https://meet.example/ogs"
    assert str(event["LOCATION"]) == "https://meet.example/ogs"
    assert str(event["DESCRIPTION"]) == "Bitte die Checkliste Phase 3 mitbringen."
    assert "STATUS" not in event


def test_rrule_and_exdate() -> None:
    event = only_event(parse(build_calendar([series()], "Europe/Berlin", "N", stamp=STAMP)))
    assert [r.to_ical() for r in event.rrules] == [b"FREQ=WEEKLY;INTERVAL=2"]
    assert dict(event.rrules[0]) == {"FREQ": ["WEEKLY"], "INTERVAL": [2]}
    assert event["EXDATE"].params["TZID"] == "Europe/Berlin"
    assert event.exdates == [datetime(2026, 4, 7, 16, 0, tzinfo=BERLIN)]
    assert str(event.exdates[0].tzinfo) == "Europe/Berlin"


def test_alarms_one_per_offset() -> None:
    event = only_event(parse(build_calendar([series()], "Europe/Berlin", "N", stamp=STAMP)))
    alarms = event.walk("VALARM")
    assert [a.decoded("TRIGGER") for a in alarms] == [
        timedelta(days=-7),
        timedelta(days=-1),
        timedelta(hours=-1),
    ]
    for alarm in alarms:
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert str(alarm["DESCRIPTION"]) == series().title


def test_apps_expand_the_series_like_we_do() -> None:
    """dateutil on the parsed DTSTART/RRULE gives our occurrences (16:00 across DST)."""
    event = only_event(parse(build_calendar([series()], "Europe/Berlin", "N", stamp=STAMP)))
    start = event.decoded("DTSTART")
    rule = rrulestr(event.rrules[0].to_ical().decode(), dtstart=start.replace(tzinfo=None))
    theirs = [d.replace(tzinfo=BERLIN) for d in islice(rule, 4)]
    ours = occurrences(series().start, series().rrule, STAMP, 4)
    assert theirs == ours
    assert [d.hour for d in ours] == [16] * 4
    assert [d.utcoffset() for d in ours[:2]] == [timedelta(hours=1), timedelta(hours=2)]


def test_several_events_and_a_cancelled_one() -> None:
    single = CalendarEvent(
        uid="termin-8@koopbot.localhost",
        title="Qualitätsdialog",
        start=datetime(2026, 12, 3, 15, 0, tzinfo=UTC),
        duration=timedelta(hours=2),
        location="Musikschule, Raum 2",
        cancelled=True,
    )
    calendar = parse(build_calendar([series(), single], "Europe/Berlin", "N", stamp=STAMP))
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == 2
    cancelled = events["termin-8@koopbot.localhost"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled.decoded("DTSTART") == datetime(2026, 12, 3, 16, 0, tzinfo=BERLIN)
    assert cancelled["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert "RRULE" not in cancelled and "VALARM" not in {c.name for c in cancelled.subcomponents}
    assert str(cancelled["LOCATION"]) == "Musikschule, Raum 2"
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_empty_calendar_still_names_its_zone() -> None:
    calendar = parse(build_calendar([], "Europe/Berlin", "Leer", stamp=STAMP))
    assert calendar.walk("VEVENT") == []
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_single_event_ics_for_upload() -> None:
    data = build_event_ics(series(), "Europe/Berlin", stamp=STAMP)
    calendar = parse(data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(only_event(calendar)["UID"]) == "termin-7@koopbot.localhost"
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


def test_naive_start_is_refused() -> None:
    event = CalendarEvent(
        uid="x", title="x", start=datetime(2026, 4, 1, 9), duration=timedelta(hours=1)
    )
    with pytest.raises(ValueError):
        build_calendar([event], "Europe/Berlin", "N")


def test_ics_filename() -> None:
    assert ics_filename(series()) == (
        "austausch-schnittstelle-ogs-musikschule-uebergaenge-2026-03-24.ics"
    )
    blank = CalendarEvent(
        uid="x", title="!!!", start=datetime(2026, 4, 1, 9, tzinfo=BERLIN), duration=timedelta(1)
    )
    assert ics_filename(blank) == "termin-2026-04-01.ics"
