"""Meetings, RSVPs, reminders, announcements, the weekly digest and ``/calendar.ics``.

The registry collects the declarations re-exported here:

    manage     !termin neu / absagen / verschieben
    views      !termine, !termin <id> (with .ics)
    rsvp       !dabei / !nicht-dabei, 👍 / 👎 reactions and their redaction
    notes      !protokoll, !material
    announce   !ankündigung
    reminders  job ``meeting.reminder``, start-up rebuild of reminder jobs
    digest     job ``digest.weekly``, start-up check
    calendar   the ``calendar`` hook
    feeds      !kalender (personal calendar feeds)
"""

# Import order is the order of the commands in !hilfe.
from commands.meetings.views import list_meetings, next_meeting_texts, show_meeting  # noqa: I001
from commands.meetings.manage import new_meeting, cancel_meeting, move_meeting
from commands.meetings.rsvp import (
    going_command,
    not_going_command,
    rsvp_by_reaction,
    withdraw_by_redaction,
)
from commands.meetings.notes import notes_command, material_command
from commands.meetings.announce import announce_command
from commands.meetings.reminders import rebuild_reminders, send_reminder
from commands.meetings.digest import ensure_digest, post_digest
from commands.meetings.calendar import calendar_hook
from commands.meetings.feeds import calendar_command, new_calendar_command

__all__ = [
    "announce_command",
    "calendar_command",
    "calendar_hook",
    "cancel_meeting",
    "ensure_digest",
    "going_command",
    "list_meetings",
    "material_command",
    "move_meeting",
    "new_calendar_command",
    "new_meeting",
    "next_meeting_texts",
    "not_going_command",
    "notes_command",
    "post_digest",
    "rebuild_reminders",
    "rsvp_by_reaction",
    "send_reminder",
    "show_meeting",
    "withdraw_by_redaction",
]
