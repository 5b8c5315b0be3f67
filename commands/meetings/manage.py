"""!termin neu / absagen / verschieben: the meeting's row first, then its reminder jobs,
then the message in the room. A replayed command finds its meeting (source event id)."""

from __future__ import annotations

from datetime import datetime, timedelta

from commands.context import Context
from commands.errors import UsageError, UserError
from commands.meetings import schoolyear
from commands.meetings.common import announce_change, load_changeable
from commands.meetings.holidays import split_holiday_words
from commands.meetings.occurrences import (
    Occurrence,
    find_on,
    occurrence_key,
    parse_day,
    previous,
    upcoming,
)
from commands.meetings.planning import KIND
from commands.meetings.reminders import sync_meeting
from commands.meetings.render import announcement, when
from commands.registry import Arg, Permission, Scope, command, int_arg
from commands.reply import ReplyBuilder
from commands.textclean import strip_controls
from commands.timeparse import (
    DateError,
    format_recurrence,
    occurrences,
    parse_datetime,
    parse_event_spec,
)
from storage.meetings import Meeting, Meetings, NewMeeting, iso

_WHOLE = {"serie", "series", "alle", "all", "reihe"}
_TO = {"auf", "to", "nach"}


@command(
    "termin neu",
    aliases=("event new",),
    group="termine",
    scope=Scope.ROOM,
    summary="meetings.new_summary",
    usage="<datum> <uhrzeit> [dauer] <titel> [wiederholung] [link=…]",
    usage_en="<date> <time> [duration] <title> [repeat] [link=…]",
    examples=(
        "!termin neu 03.12.2026 16:00 Austausch OGS",
        "!termin neu Dienstag 16 Uhr 90min Netzwerktreffen alle 2 Wochen link=https://meet.example.org/netz",
        "!termin neu morgen 10:00 1,5h Fachtag Musik",
        "!termin neu Montag 16:00 Steuerungsgruppe wöchentlich ohne Ferien",
    ),
    permission=Permission.MODERATOR,
    args=(Arg("spec", rest=True),),
)
async def new_meeting(ctx: Context, spec: str) -> None:
    network = ctx.services.network
    now = ctx.services.now()
    spec, skip_holidays = split_holiday_words(strip_controls(spec))
    parsed = parse_event_spec(spec, now, network.tz)
    holiday_state = schoolyear.series_state(ctx, skip_holidays, parsed.rrule is not None)
    repo = Meetings(ctx.db)
    async with ctx.db.transaction():  # the meeting and its reminder jobs commit together
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
        meeting, holiday_lines = await schoolyear.apply(ctx, meeting, holiday_state, now)
        await sync_meeting(ctx.services, meeting.id)
    offsets = network.reminder_offsets
    skipped = meeting.is_series and any(meeting.start - o <= now for o in offsets)
    if not meeting.is_series:  # announce only the reminders that can still come
        offsets = tuple(o for o in offsets if meeting.start - o > now)
    message = announcement(meeting, offsets, ctx.t, ctx.lang, skipped=skipped)
    event_id = await ctx.reply(message.extend(holiday_lines).build())
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
    usage="<termin-nr> [datum]",
    usage_en="<event-no> [date]",
    examples=("!termin absagen 12", "!termin absagen 12 10.12."),
    permission=Permission.MODERATOR,
    args=(Arg("meeting_id", int_arg), Arg("day", optional=True, rest=True)),
)
async def cancel_meeting(ctx: Context, meeting_id: int, day: str | None) -> None:
    meeting = await load_changeable(ctx, meeting_id)
    repo = Meetings(ctx.db)
    now = ctx.services.now()
    lines = ReplyBuilder(compact=True)
    if day and day.casefold() not in _WHOLE and meeting.is_series:
        occurrence = _find_day(meeting, day, now, ctx.lang)
        async with ctx.db.transaction():  # the change and its reminder jobs commit together
            await repo.cancel_occurrence(meeting.id, occurrence.original)
            await sync_meeting(ctx.services, meeting.id)
        lines.heading(
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
            lines.line(ctx.t("meetings.next_line", when=when(following[0].start, ctx.lang)))
    else:
        if day and day.casefold() not in _WHOLE:
            _find_day(meeting, day, now, ctx.lang)  # a single meeting: the day must fit
        next_one = upcoming(meeting, now, 1)
        if not next_one:
            raise UserError("meetings.is_over", id=meeting.id, title=meeting.title)
        async with ctx.db.transaction():  # the change and its reminder jobs commit together
            await repo.cancel(meeting.id)
            await ctx.services.scheduler.cancel(KIND, f"{meeting.id}:")
            await sync_meeting(ctx.services, meeting.id)
        key = "meetings.cancelled_series" if meeting.is_series else "meetings.cancelled_meeting"
        lines.heading(
            ctx.t(key, id=meeting.id, title=meeting.title, when=when(meeting.start, ctx.lang))
        )
    await announce_change(ctx, meeting, lines.build())


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
    usage="<termin-nr> [<alter tag> auf] <datum> <uhrzeit> [serie]",
    usage_en="<event-no> [<old day> to] <date> <time> [series]",
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
    async with ctx.db.transaction():  # the move and its reminder jobs commit together
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
            kept = 0  # a moved date keeps its identity, and so its notes
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
            kept = await _move_keeping_notes(repo, meeting, new_start, now)
            key = "meetings.moved_series" if meeting.is_series else "meetings.moved_meeting"
        await sync_meeting(ctx.services, meeting.id)
    lines = ReplyBuilder(compact=True)
    lines.heading(
        ctx.t(
            key,
            id=meeting.id,
            title=meeting.title,
            when=when(new_start, ctx.lang),
            old=when(old, ctx.lang),
            recurrence=format_recurrence(meeting.rrule, ctx.lang),
        )
    )
    if kept:
        lines.line(ctx.t("meetings.moved_notes_kept", count=kept))
    await announce_change(ctx, meeting, lines.build())


async def _move_keeping_notes(
    repo: Meetings, meeting: Meeting, new_start: datetime, now: datetime
) -> int:
    """Move a meeting (a whole series from now on) so that its notes and materials stay
    visible: the past dates that have some (and the last one) are kept as dates of their
    own, and those of coming dates move with them, in order. Returns how many notes."""
    if not meeting.is_series:
        await repo.move(meeting.id, new_start, keep_before=now)
        return len(await repo.notes(meeting.id))
    notes = await repo.notes(meeting.id)
    last = previous(meeting, now)
    coming = upcoming(meeting, now, 50)
    await repo.move(meeting.id, new_start, keep_before=now)
    moved = await repo.get(meeting.id)
    if moved is None:
        return 0
    past = {n.occurrence for n in notes if n.occurrence and n.occurrence < iso(now)}
    if last is not None:
        past.add(occurrence_key(meeting, last))
    changed = {iso(c.original_utc) for c in meeting.changes}  # cancelled or moved: as they are
    for key in sorted(past - changed):
        start = datetime.fromisoformat(key).astimezone(meeting.tz)
        await repo.move_occurrence(meeting.id, start, start)
    following = upcoming(moved, now, len(coming))
    keys = {
        occurrence_key(meeting, old): occurrence_key(moved, new)
        for old, new in zip(coming, following, strict=False)
        if occurrence_key(meeting, old) != occurrence_key(moved, new)
    }
    await repo.rekey_notes(meeting.id, keys)
    return len(notes)
