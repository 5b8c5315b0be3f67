"""Texts of meetings, built with ``ReplyBuilder`` in its compact style.

Every function takes the translator ``t`` (``Context.t`` or ``JobContext.t``) and the
language, and returns a ``Reply`` (or the builder, to add more); nothing here sends or
stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from commands.meetings.occurrences import Occurrence
from commands.reply import Reply, ReplyBuilder, Rich, bold, join, link, mention
from commands.timeparse import format_date, format_datetime, format_duration, format_recurrence
from storage.meetings import Meeting, Note

Translate = Callable[..., str]


def when(start: datetime, lang: str) -> str:
    return format_datetime(start, lang)


def day(start: datetime, lang: str = "de") -> str:
    """A day in words of the language: "Do., 10.12.2026" / "Thu, 10 Dec 2026"."""
    return format_date(start, lang)


def pills(user_ids: Sequence[str]) -> Rich:
    """User mentions as Element shows them (matrix.to links), comma-separated."""
    return join(", ", (mention(u) for u in user_ids))


def offsets_text(offsets: Iterable[timedelta], t: Translate) -> str:
    parts = []
    for offset in sorted(offsets, reverse=True):
        seconds = int(offset.total_seconds())
        if seconds % 86400 == 0:
            n = seconds // 86400
            parts.append(t("meetings.unit_day") if n == 1 else t("meetings.unit_days", n=n))
        elif seconds % 3600 == 0:
            parts.append(t("meetings.unit_hours", n=seconds // 3600))
        elif seconds % 60 == 0:
            parts.append(t("meetings.unit_minutes", n=seconds // 60))
        else:
            parts.append(t("meetings.unit_seconds", n=seconds))
    return ", ".join(parts)


def relative(remaining: timedelta, t: Translate) -> str:
    """'in 7 Tagen', 'in 1 Stunde', 'in 5 Minuten' (rounded to the nearest unit)."""
    minutes = round(remaining.total_seconds() / 60)
    if minutes <= 0:
        return t("meetings.relative_now")
    if minutes < 90:
        return (
            t("meetings.relative_minute")
            if minutes == 1
            else t("meetings.relative_minutes", n=minutes)
        )
    hours = round(minutes / 60)
    if hours < 24:
        return t("meetings.relative_hour") if hours == 1 else t("meetings.relative_hours", n=hours)
    days = round(hours / 24)
    return t("meetings.relative_day") if days == 1 else t("meetings.relative_days", n=days)


def _basics(
    lines: ReplyBuilder, meeting: Meeting, start: datetime, t: Translate, lang: str
) -> None:
    lines.line(
        t(
            "meetings.when_line",
            when=when(start, lang),
            duration=format_duration(meeting.duration, lang),
        )
    )
    if meeting.rrule:
        lines.line(t("meetings.series_line", recurrence=format_recurrence(meeting.rrule, lang)))
    if meeting.link:
        label = t("meetings.link_line", link="")
        lines.line(label, link(meeting.link))


def announcement(
    meeting: Meeting, offsets: Sequence[timedelta], t: Translate, lang: str, *, skipped: bool
) -> ReplyBuilder:
    lines = ReplyBuilder(compact=True)
    lines.heading(t("meetings.announcement_title", id=meeting.id, title=meeting.title))
    _basics(lines, meeting, meeting.start, t, lang)
    if offsets:
        lines.line(t("meetings.reminders_line", offsets=offsets_text(offsets, t)))
        if skipped:
            lines.line(t("meetings.past_offsets_skipped"))
    lines.line(t("meetings.rsvp_hint", id=meeting.id))
    return lines


def notes_lines(lines: ReplyBuilder, notes: Sequence[Note], t: Translate) -> None:
    for note in notes:
        if note.kind == "note":
            lines.bullet(t("meetings.note_item", text=note.text))
        else:
            prefix = t("meetings.material_item", label="")
            lines.bullet(prefix, link(note.url or "", note.text or None))


def reminder(
    meeting: Meeting,
    occurrence: Occurrence,
    going: Sequence[str],
    previous: tuple[Occurrence, Sequence[Note]] | None,
    now: datetime,
    t: Translate,
    lang: str,
) -> Reply:
    """The m.text reminder: notifies exactly those who said yes."""
    lines = ReplyBuilder(compact=True)
    lines.heading(
        t(
            "meetings.reminder_title",
            title=meeting.title,
            relative=relative(occurrence.start - now, t),
        )
    )
    _basics(lines, meeting, occurrence.start, t, lang)
    if going:
        label = t("meetings.reminder_attendees", names="")
        lines.line(label, pills(going))
    else:
        lines.line(t("meetings.reminder_no_attendees", id=meeting.id))
    if previous is not None and previous[1]:
        lines.line(t("meetings.reminder_previous", when=when(previous[0].start, lang)))
        notes_lines(lines, previous[1], t)
    return lines.build(notify=True, mentions=list(going))


def list_line(
    meeting: Meeting, occurrence: Occurrence, going: int, t: Translate, lang: str, room: str | None
) -> Rich:
    extra = [format_recurrence(meeting.rrule, lang)] if meeting.rrule else []
    extra.append(t("meetings.list_going", n=going))
    where = f" [{room}]" if room else ""
    head = f"#{meeting.id} {when(occurrence.start, lang)} – "
    tail = f" ({', '.join(extra)}){where}"
    return head + bold(meeting.title) + tail
