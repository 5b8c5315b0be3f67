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
    schoolyear !ferien; series "ohne Ferien" (logic in ``holidays``)
    datepoll   !terminfindung (native polls), job ``date_poll.close``, poll responses
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
from commands.meetings.schoolyear import holidays_command, warm_holiday_data
from commands.meetings.datepoll import (
    close_by_deadline,
    end_find_date,
    find_date,
    finish_interrupted_polls,
    record_vote,
    withdraw_vote,
)
from commands.meetings.feeds import calendar_command, new_calendar_command

__all__ = [
    "announce_command",
    "calendar_command",
    "calendar_hook",
    "cancel_meeting",
    "close_by_deadline",
    "end_find_date",
    "ensure_digest",
    "find_date",
    "finish_interrupted_polls",
    "going_command",
    "holidays_command",
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
    "record_vote",
    "rsvp_by_reaction",
    "send_reminder",
    "show_meeting",
    "warm_holiday_data",
    "withdraw_by_redaction",
    "withdraw_vote",
]
