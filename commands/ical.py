"""RFC 5545 calendars of the network's meetings (``/calendar.ics`` and ``.ics`` uploads).

Built with the ``icalendar`` library, never by string formatting: it folds lines,
escapes text and writes the VTIMEZONE from the IANA database. Times are written with
the network's TZID so that calendar apps keep 16:00 at 16:00 across DST.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import icalendar


PRODID = "-//koopbot//koopbot//DE"
# A VTIMEZONE lists each transition; a few years either side of the meetings suffice.
_TZ_YEARS_AHEAD = 10
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One meeting or series, as calendar apps need it.

    Args:
        uid: globally unique and stable across exports (e.g. ``"<id>@<server>"``).
        start: aware; written in the calendar's zone.
        rrule: an RRULE value such as ``"FREQ=WEEKLY;INTERVAL=2"``, or None.
        exdates: cancelled meetings of the series (their original starts).
        link: the online meeting room; also used as LOCATION when there is none.
        alarm_offsets: reminders before the start, one DISPLAY alarm each.
        sequence: raise it on every change (moved, cancelled) so apps update their copy.
        cancelled: a cancelled single meeting (STATUS:CANCELLED).
    """

    uid: str
    title: str
    start: datetime
    duration: timedelta
    rrule: str | None = None
    exdates: Sequence[datetime] = ()
    location: str | None = None
    link: str | None = None
    description: str | None = None
    alarm_offsets: Sequence[timedelta] = ()
    sequence: int = 0
    cancelled: bool = False


def _event_component(event: CalendarEvent, tz: ZoneInfo, stamp: datetime) -> icalendar.Event:
    if event.start.tzinfo is None:
        raise ValueError(f"event {event.uid}: start must be aware")
    start = event.start.astimezone(tz)
    import icalendar  # loaded on first use: keeps the idle bot smaller

    component = icalendar.Event()
    component.add("uid", event.uid)
    component.add("dtstamp", stamp)
    component.add("summary", event.title)
    component.add("dtstart", start)
    # DTEND in the same zone rather than DURATION: every client understands it.
    component.add("dtend", (start + event.duration).astimezone(tz))
    component.add("sequence", event.sequence)
    if event.cancelled:
        component.add("status", "CANCELLED")
    if event.rrule:
        component.add("rrule", icalendar.vRecur.from_ical(event.rrule))
    if event.exdates:
        component.add("exdate", sorted(d.astimezone(tz) for d in event.exdates))
    location = event.location or event.link
    if location:
        component.add("location", location)
    if event.link:
        component.add("url", event.link)
    if event.description:
        component.add("description", event.description)
    for offset in sorted(set(event.alarm_offsets), reverse=True):
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event.title)
        alarm.add("trigger", -abs(offset))
        component.add_component(alarm)
    return component


def build_calendar(
    events: Iterable[CalendarEvent],
    tz_name: str,
    calendar_name: str,
    *,
    stamp: datetime | None = None,
    method: str | None = None,
) -> bytes:
    """A VCALENDAR with one VTIMEZONE for ``tz_name`` and one VEVENT per event.

    ``stamp`` is the DTSTAMP of every event (default: now, UTC); tests pass a fixed one.
    """
    tz = ZoneInfo(tz_name)
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    events = list(events)
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("name", calendar_name)  # RFC 7986
    calendar.add("x-wr-calname", calendar_name)  # what Google and Apple read
    calendar.add("x-wr-timezone", tz_name)

    starts = [e.start.astimezone(tz).date() for e in events] or [stamp.date()]
    first = date(min(starts).year - 1, 1, 1)
    last = date(max(*starts, stamp.date()).year + _TZ_YEARS_AHEAD, 1, 1)
    calendar.add_component(icalendar.Timezone.from_tzid(tz_name, first_date=first, last_date=last))
    for event in events:
        calendar.add_component(_event_component(event, tz, stamp))
    calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def build_event_ics(event: CalendarEvent, tz_name: str, *, stamp: datetime | None = None) -> bytes:
    """A single-event ``.ics`` to upload with a meeting's details."""
    return build_calendar([event], tz_name, event.title, stamp=stamp, method="PUBLISH")


def ics_filename(event: CalendarEvent) -> str:
    """A safe, readable file name: ``austausch-ogs-2026-12-03.ics``."""
    folded = event.title.lower().translate(_UMLAUTS)
    ascii_title = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:60].rstrip("-") or "termin"
    return f"{slug}-{event.start:%Y-%m-%d}.ics"
