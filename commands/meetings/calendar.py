"""Meetings as iCalendar: ``/calendar.ics`` for the network and one ``.ics`` per meeting.

A series is one VEVENT with RRULE; cancelled dates become EXDATEs, a moved date is an
EXDATE plus a VEVENT of its own at the new time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from commands.context import Services
from commands.ical import CalendarEvent, build_calendar
from commands.meetings.holidays import holiday_exdates
from commands.registry import on_event
from commands.scope import Visibility, network_rooms
from storage.meetings import Meeting, Meetings


def server_of(user_id: str) -> str:
    return user_id.split(":", 1)[1] if ":" in user_id else "koopbot"


def calendar_events(
    meeting: Meeting, offsets: Sequence[timedelta], server: str
) -> list[CalendarEvent]:
    """The VEVENTs of one meeting (several when dates of a series were moved)."""
    uid = f"meeting-{meeting.id}@{server}"
    skipped = [c.original_utc for c in meeting.changes] + list(holiday_exdates(meeting))
    events = [
        CalendarEvent(
            uid=uid,
            title=meeting.title,
            start=meeting.start,
            duration=meeting.duration,
            rrule=meeting.rrule,
            exdates=skipped if meeting.is_series else (),
            link=meeting.link,
            alarm_offsets=tuple(offsets),
            sequence=meeting.sequence,
            cancelled=meeting.cancelled,
        )
    ]
    for change in meeting.changes:
        if change.cancelled or change.new_start_utc is None or not meeting.is_series:
            continue
        stamp = f"{change.original_utc:%Y%m%dT%H%M%SZ}"
        events.append(
            CalendarEvent(
                uid=f"meeting-{meeting.id}-{stamp}@{server}",
                title=meeting.title,
                start=change.new_start_utc.astimezone(meeting.tz),
                duration=meeting.duration,
                link=meeting.link,
                alarm_offsets=tuple(offsets),
                sequence=meeting.sequence,
                cancelled=meeting.cancelled,
            )
        )
    return events


def _calendar(services: Services, meetings: Sequence[Meeting]) -> bytes:
    server = server_of(services.chat.user_id)
    offsets = services.network.reminder_offsets
    events = [e for m in meetings for e in calendar_events(m, offsets, server)]
    return build_calendar(events, services.network.tz.key, services.network.name)


async def network_calendar(services: Services) -> bytes:
    """The network rooms' meetings (lobby and topic rooms); no other room's."""
    public = network_rooms(services)
    meetings = [m for m in await Meetings(services.db).all() if m.room_id in public]
    return _calendar(services, meetings)


async def personal_calendar(services: Services, user_id: str) -> bytes:
    """One member's feed: network meetings plus those of the rooms they are in now."""
    return _calendar(
        services, await Visibility(services, user_id, None).meetings(active_only=False)
    )


@on_event("calendar")  # type: ignore[arg-type]  # EventHook is typed as returning None
async def calendar_hook(services: Services) -> bytes:
    """``/calendar.ics``: the network rooms' meetings, cancelled ones marked so."""
    return await network_calendar(services)
