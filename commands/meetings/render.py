"""Texts of meetings: plain body and escaped HTML built side by side.

Every function takes the translator ``t`` (``Context.t`` or ``JobContext.t``) and the
language, and returns a ``Reply``; nothing here sends or stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from commands.meetings.occurrences import Occurrence
from commands.reply import Reply, esc, html_from_text, link
from commands.timeparse import format_date, format_datetime, format_duration, format_recurrence
from storage.meetings import Meeting, Note

Translate = Callable[..., str]


class Lines:
    """A message built line by line; each line has its plain and its HTML form."""

    def __init__(self) -> None:
        self._text: list[str] = []
        self._html: list[str] = []

    def add(self, text: str, html: str | None = None) -> None:
        self._text.append(text)
        self._html.append(html if html is not None else html_from_text(text))

    def bold(self, text: str) -> None:
        self.add(text, f"<strong>{esc(text)}</strong>")

    def reply(self, **kwargs: object) -> Reply:
        return Reply("\n".join(self._text), "<br>".join(self._html), **kwargs)  # type: ignore[arg-type]


def when(start: datetime, lang: str) -> str:
    return format_datetime(start, lang)


def day(start: datetime, lang: str = "de") -> str:
    """A day in words of the language: "Do., 10.12.2026" / "Thu, 10 Dec 2026"."""
    return format_date(start, lang)


def pill(user_id: str) -> str:
    """A user mention as Element shows it (a matrix.to link)."""
    return f'<a href="https://matrix.to/#/{esc(user_id)}">{esc(user_id)}</a>'


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


def _basics(lines: Lines, meeting: Meeting, start: datetime, t: Translate, lang: str) -> None:
    lines.add(
        t(
            "meetings.when_line",
            when=when(start, lang),
            duration=format_duration(meeting.duration, lang),
        )
    )
    if meeting.rrule:
        lines.add(t("meetings.series_line", recurrence=format_recurrence(meeting.rrule, lang)))
    if meeting.link:
        label = t("meetings.link_line", link="")
        lines.add(label + meeting.link, esc(label) + link(meeting.link))


def announcement(
    meeting: Meeting, offsets: Sequence[timedelta], t: Translate, lang: str, *, skipped: bool
) -> Reply:
    lines = Lines()
    lines.bold(t("meetings.announcement_title", id=meeting.id, title=meeting.title))
    _basics(lines, meeting, meeting.start, t, lang)
    if offsets:
        lines.add(t("meetings.reminders_line", offsets=offsets_text(offsets, t)))
        if skipped:
            lines.add(t("meetings.past_offsets_skipped"))
    lines.add(t("meetings.rsvp_hint", id=meeting.id))
    return lines.reply()


def notes_lines(lines: Lines, notes: Sequence[Note], t: Translate) -> None:
    for note in notes:
        if note.kind == "note":
            lines.add("• " + t("meetings.note_item", text=note.text))
        else:
            label = (
                f"{note.text} – {note.url}" if note.text and note.url else (note.url or note.text)
            )
            prefix = t("meetings.material_item", label="")
            lines.add(
                "• " + prefix + label, "• " + esc(prefix) + link(note.url or "", note.text or None)
            )


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
    lines = Lines()
    lines.bold(
        t(
            "meetings.reminder_title",
            title=meeting.title,
            relative=relative(occurrence.start - now, t),
        )
    )
    _basics(lines, meeting, occurrence.start, t, lang)
    if going:
        label = t("meetings.reminder_attendees", names="")
        lines.add(label + ", ".join(going), esc(label) + ", ".join(pill(u) for u in going))
    else:
        lines.add(t("meetings.reminder_no_attendees", id=meeting.id))
    if previous is not None and previous[1]:
        lines.add(t("meetings.reminder_previous", when=when(previous[0].start, lang)))
        notes_lines(lines, previous[1], t)
    return lines.reply(notify=True, mentions=list(going))


def list_line(
    meeting: Meeting, occurrence: Occurrence, going: int, t: Translate, lang: str, room: str | None
) -> tuple[str, str]:
    extra = [format_recurrence(meeting.rrule, lang)] if meeting.rrule else []
    extra.append(t("meetings.list_going", n=going))
    where = f" [{room}]" if room else ""
    head = f"#{meeting.id} {when(occurrence.start, lang)} – "
    tail = f" ({', '.join(extra)}){where}"
    return (
        head + meeting.title + tail,
        f"{esc(head)}<strong>{esc(meeting.title)}</strong>{esc(tail)}",
    )
