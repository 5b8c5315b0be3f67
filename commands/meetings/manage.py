"""!termin neu / absagen / verschieben: the meeting's row first, then its reminder jobs,
then the message in the room. A replayed command finds its meeting (source event id)."""

from __future__ import annotations

from datetime import datetime, timedelta

from commands.context import Context
from commands.errors import UsageError, UserError
from commands.meetings.common import announce_change, load_changeable
from commands.meetings.occurrences import Occurrence, find_on, parse_day, upcoming
from commands.meetings.planning import KIND
from commands.meetings.reminders import sync_meeting
from commands.meetings.render import Lines, announcement, when
from commands.registry import Arg, Permission, command, int_arg
from commands.textclean import strip_controls
from commands.timeparse import (
    DateError,
    format_recurrence,
    occurrences,
    parse_datetime,
    parse_event_spec,
)
from storage.meetings import Meeting, Meetings, NewMeeting

_WHOLE = {"serie", "series", "alle", "all", "reihe"}
_TO = {"auf", "to", "nach"}


@command(
    "termin neu",
    aliases=("event new",),
    group="termine",
    summary="meetings.new_summary",
    usage="<datum> <uhrzeit> [dauer] <titel> [wiederholung] [link=…]",
    usage_en="<date> <time> [duration] <title> [repeat] [link=…]",
    examples=(
        "!termin neu 03.12.2026 16:00 Austausch OGS",
        "!termin neu Dienstag 16 Uhr 90min Netzwerktreffen alle 2 Wochen link=https://meet.example.org/netz",
        "!termin neu morgen 10:00 1,5h Fachtag Musik",
    ),
    permission=Permission.MODERATOR,
    args=(Arg("spec", rest=True),),
)
async def new_meeting(ctx: Context, spec: str) -> None:
    network = ctx.services.network
    now = ctx.services.now()
    parsed = parse_event_spec(strip_controls(spec), now, network.tz)
    repo = Meetings(ctx.db)
    meeting, _created = await repo.create(
        NewMeeting(
            room_id=ctx.room_id,
            title=parsed.title,
            start=parsed.start,
            duration=parsed.duration,
            rrule=parsed.rrule,
            link=parsed.link,
            created_by=ctx.sender,
            source_event_id=ctx.event_id,
        )
    )
    await sync_meeting(ctx.services, meeting.id)
    offsets = network.reminder_offsets
    skipped = any(meeting.start - offset <= now for offset in offsets)
    event_id = await ctx.reply(announcement(meeting, offsets, ctx.t, ctx.lang, skipped=skipped))
    if meeting.announcement_event_id != event_id:
        await repo.set_announcement(meeting.id, event_id)


def _next_dates(meeting: Meeting, now: datetime, lang: str) -> str:
    return ", ".join(when(o.start, lang) for o in upcoming(meeting, now, 3)) or "—"


def _find_day(meeting: Meeting, text: str, now: datetime, lang: str) -> Occurrence:
    day = parse_day(text)
    if day is None:
        raise UserError("meetings.day_invalid", text=text)
    found = find_on(meeting, day, now, future=True)
    if found is None:
        raise UserError(
            "meetings.occurrence_not_found",
            day=text,
            title=meeting.title,
            dates=_next_dates(meeting, now, lang),
        )
    return found


@command(
    "termin absagen",
    aliases=("event cancel",),
    group="termine",
    summary="meetings.cancel_summary",
    usage="<id> [datum]",
    usage_en="<id> [date]",
    examples=("!termin absagen 12", "!termin absagen 12 10.12."),
    permission=Permission.MODERATOR,
    args=(Arg("meeting_id", int_arg), Arg("day", optional=True, rest=True)),
)
async def cancel_meeting(ctx: Context, meeting_id: int, day: str | None) -> None:
    meeting = await load_changeable(ctx, meeting_id)
    repo = Meetings(ctx.db)
    now = ctx.services.now()
    lines = Lines()
    if day and day.casefold() not in _WHOLE and meeting.is_series:
        occurrence = _find_day(meeting, day, now, ctx.lang)
        await repo.cancel_occurrence(meeting.id, occurrence.original)
        await sync_meeting(ctx.services, meeting.id)
        lines.bold(
            ctx.t(
                "meetings.cancelled_occurrence",
                id=meeting.id,
                title=meeting.title,
                when=when(occurrence.start, ctx.lang),
            )
        )
        changed = await repo.get(meeting.id)
        assert changed is not None
        following = upcoming(changed, now, 1)
        if following:
            lines.add(ctx.t("meetings.next_line", when=when(following[0].start, ctx.lang)))
    else:
        if day and day.casefold() not in _WHOLE:
            _find_day(meeting, day, now, ctx.lang)  # a single meeting: the day must fit
        next_one = upcoming(meeting, now, 1)
        if not next_one:
            raise UserError("meetings.is_over", id=meeting.id, title=meeting.title)
        await repo.cancel(meeting.id)
        await ctx.services.scheduler.cancel(KIND, f"{meeting.id}:")
        await sync_meeting(ctx.services, meeting.id)
        key = "meetings.cancelled_series" if meeting.is_series else "meetings.cancelled_meeting"
        lines.bold(
            ctx.t(key, id=meeting.id, title=meeting.title, when=when(meeting.start, ctx.lang))
        )
    await announce_change(ctx, meeting, lines.reply())


def _split_move(text: str) -> tuple[str | None, str, bool]:
    """'[<alter Tag> auf] <datum> <uhrzeit> [serie]' -> (old day, new date text, series)."""
    words = text.split()
    whole = bool(words) and words[-1].casefold() in _WHOLE
    if whole:
        words = words[:-1]
    old = None
    for index, word in enumerate(words):
        if word.casefold() in _TO and index > 0:
            old, words = " ".join(words[:index]), words[index + 1 :]
            break
    if not words:
        raise UsageError("meetings.move_missing")
    return old, " ".join(words), whole


def _check_series_start(meeting: Meeting, start: datetime) -> None:
    """A series must begin on one of its own dates ("jeden 1. Dienstag": a 1st Tuesday)."""
    first = occurrences(start, meeting.rrule, start - timedelta(seconds=1), 1)
    if not first or first[0] != start:
        raise DateError(
            "recurrence_mismatch",
            text=format_recurrence(meeting.rrule),
            first=first[0] if first else start,
        )


@command(
    "termin verschieben",
    aliases=("event move",),
    group="termine",
    summary="meetings.move_summary",
    usage="<id> [<alter tag> auf] <datum> <uhrzeit> [serie]",
    usage_en="<id> [<old day> to] <date> <time> [series]",
    examples=(
        "!termin verschieben 12 04.12.2026 17:00",
        "!termin verschieben 12 10.12. auf 11.12. 16:00",
        "!termin verschieben 12 Donnerstag 16:00 serie",
    ),
    permission=Permission.MODERATOR,
    args=(Arg("meeting_id", int_arg), Arg("target", rest=True)),
)
async def move_meeting(ctx: Context, meeting_id: int, target: str) -> None:
    meeting = await load_changeable(ctx, meeting_id)
    repo = Meetings(ctx.db)
    now = ctx.services.now()
    old_day, new_text, whole = _split_move(target)
    new_start = parse_datetime(new_text, now, meeting.tz)
    if meeting.is_series and not whole:
        if old_day is not None:
            occurrence = _find_day(meeting, old_day, now, ctx.lang)
        else:
            following = upcoming(meeting, now, 1)
            if not following:
                raise UserError("meetings.is_over", id=meeting.id, title=meeting.title)
            occurrence = following[0]
        if occurrence.start == new_start:
            raise UserError(
                "meetings.move_same", title=meeting.title, when=when(new_start, ctx.lang)
            )
        await repo.move_occurrence(meeting.id, occurrence.original, new_start)
        old = occurrence.start
        key = "meetings.moved_meeting"
    else:
        if meeting.is_series:
            _check_series_start(meeting, new_start)
        elif not upcoming(meeting, now, 1):
            raise UserError("meetings.is_over", id=meeting.id, title=meeting.title)
        if meeting.start == new_start:
            raise UserError(
                "meetings.move_same", title=meeting.title, when=when(new_start, ctx.lang)
            )
        old = meeting.start
        await repo.move(meeting.id, new_start, keep_before=now)
        key = "meetings.moved_series" if meeting.is_series else "meetings.moved_meeting"
    await sync_meeting(ctx.services, meeting.id)
    lines = Lines()
    lines.bold(
        ctx.t(
            key,
            id=meeting.id,
            title=meeting.title,
            when=when(new_start, ctx.lang),
            old=when(old, ctx.lang),
            recurrence=format_recurrence(meeting.rrule, ctx.lang),
        )
    )
    await announce_change(ctx, meeting, lines.reply())
