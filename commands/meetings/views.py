"""!termine and !termin <id>: what is planned, and everything about one meeting."""

from __future__ import annotations

from datetime import datetime

from commands.context import Context
from commands.errors import UsageError
from commands.ical import build_calendar, build_event_ics, ics_filename
from commands.meetings.calendar import calendar_events, server_of
from commands.meetings.common import load
from commands.meetings.occurrences import Occurrence, occurrence_key, previous, upcoming
from commands.meetings.render import day, list_line, notes_lines, pills, when
from commands.meetings.schoolyear import holiday_details
from commands.registry import Arg, Scope, command, int_arg
from commands.reply import Attachment, ReplyBuilder, link
from commands.scope import Visibility
from commands.timeparse import format_duration, format_recurrence
from storage.meetings import Meeting, Meetings

LIST_LIMIT = 15
_ALL = {"alle", "all"}


@command(
    "termine",
    aliases=("events",),
    group="termine",
    scope=Scope.ROOM,
    summary="meetings.list_summary",
    usage="[alle]",
    usage_en="[all]",
    examples=("!termine", "!termine alle"),
    args=(Arg("scope", optional=True),),
)
async def list_meetings(ctx: Context, scope: str | None) -> None:
    if scope and scope.casefold() not in _ALL:
        raise UsageError("meetings.list_scope_invalid", text=scope)
    everywhere = bool(scope) or ctx.is_direct
    repo = Meetings(ctx.db)
    now = ctx.services.now()
    # network-wide means: the network's meetings and those of the asker's own rooms
    meetings = await (Visibility.of(ctx).meetings() if everywhere else repo.active(ctx.room_id))
    items: list[tuple[Occurrence, Meeting]] = [
        (occurrence, m) for m in meetings for occurrence in upcoming(m, now, 1)
    ]
    items.sort(key=lambda item: item[0].start)
    lines = ReplyBuilder(compact=True)
    if not items:
        if everywhere:
            lines.line(ctx.t("meetings.list_empty_all"))
        else:  # suggest "!termin neu" only to whom it works here
            lines.line(ctx.t("meetings.list_empty_room"))
            if not ctx.is_direct and await ctx.is_moderator():
                lines.line(ctx.t("meetings.list_empty_new"))
        await ctx.reply(lines.build())
        return
    lines.heading(ctx.t("meetings.list_title_all" if everywhere else "meetings.list_title_room"))
    for occurrence, meeting in items[:LIST_LIMIT]:
        going = sum(r.going for r in await repo.rsvps(meeting.id))
        room = ctx.chat.room_name(meeting.room_id) if everywhere else None
        lines.bullet(list_line(meeting, occurrence, going, ctx.t, ctx.lang, room))
    if len(items) > LIST_LIMIT:
        lines.line(ctx.t("meetings.list_more", n=len(items) - LIST_LIMIT))
    await ctx.reply(lines.build())


def _changes(lines: ReplyBuilder, ctx: Context, meeting: Meeting, now: datetime) -> None:
    skipped = [c for c in meeting.changes if c.cancelled and c.original_utc > now]
    if skipped:
        dates = ", ".join(day(c.original_utc.astimezone(meeting.tz), ctx.lang) for c in skipped)
        lines.line(ctx.t("meetings.details_skipped", dates=dates))
    for change in meeting.changes:
        if change.new_start_utc is not None and change.new_start_utc > now:
            lines.line(
                ctx.t(
                    "meetings.details_moved",
                    old=day(change.original_utc.astimezone(meeting.tz), ctx.lang),
                    new=when(change.new_start_utc.astimezone(meeting.tz), ctx.lang),
                )
            )


@command(
    "termin",
    aliases=("event",),
    group="termine",
    summary="meetings.show_summary",
    usage="<termin-nr>",
    usage_en="<event-no>",
    examples=("!termin 12",),
    args=(Arg("meeting_id", int_arg),),
)
async def show_meeting(ctx: Context, meeting_id: int) -> None:
    meeting = await load(ctx, meeting_id)
    repo = Meetings(ctx.db)
    now = ctx.services.now()
    duration = format_duration(meeting.duration, ctx.lang)
    lines = ReplyBuilder(compact=True)
    lines.heading(ctx.t("meetings.details_title", id=meeting.id, title=meeting.title))
    following = upcoming(meeting, now, 1)
    last = previous(meeting, now)
    if meeting.cancelled:
        lines.line(ctx.t("meetings.details_cancelled"))
    elif following:
        lines.line(
            ctx.t(
                "meetings.details_next", when=when(following[0].start, ctx.lang), duration=duration
            )
        )
    elif last is not None:
        lines.line(
            ctx.t("meetings.details_past", when=when(last.start, ctx.lang), duration=duration)
        )
    if meeting.rrule:
        lines.line(
            ctx.t("meetings.series_line", recurrence=format_recurrence(meeting.rrule, ctx.lang))
        )
    if meeting.link:
        label = ctx.t("meetings.link_line", link="")
        lines.line(label, link(meeting.link))
    lines.line(ctx.t("meetings.details_room", room=ctx.chat.room_name(meeting.room_id)))
    _changes(lines, ctx, meeting, now)
    holiday_details(lines, ctx, meeting, now)
    rsvps = await repo.rsvps(meeting.id)
    yes = [r.user_id for r in rsvps if r.going]
    no = [r.user_id for r in rsvps if not r.going]
    if yes:
        label = ctx.t("meetings.details_going", n=len(yes), names="")
        lines.line(label, pills(yes))
    else:
        lines.line(ctx.t("meetings.details_going_none", id=meeting.id))
    if no:
        lines.line(ctx.t("meetings.details_not_going", n=len(no)))
    shown = [o for o in (last, following[0] if following else None) if o is not None]
    for occurrence in dict.fromkeys(shown):
        notes = await repo.notes(meeting.id, occurrence_key(meeting, occurrence))
        if notes:
            lines.line(ctx.t("meetings.details_notes_for", when=when(occurrence.start, ctx.lang)))
            notes_lines(lines, notes, ctx.t)
        if not meeting.is_series:
            break
    lines.line(ctx.t("meetings.details_ics"))
    server = server_of(ctx.chat.user_id)
    events = calendar_events(meeting, ctx.services.network.reminder_offsets, server)
    data = (
        build_event_ics(events[0], meeting.tz_name)
        if len(events) == 1
        else build_calendar(events, meeting.tz_name, meeting.title, method="PUBLISH")
    )
    reply = lines.build()
    reply.attachment = Attachment(ics_filename(events[0]), data, "text/calendar")
    await ctx.reply(reply)


async def next_meeting_texts(ctx: Context) -> dict[str, str]:
    """Per room, its next meeting as "<date> – <title>" (for !themen)."""
    now = ctx.services.now()
    best: dict[str, tuple[datetime, str]] = {}
    for meeting in await Visibility.of(ctx).meetings():
        found = upcoming(meeting, now, 1)
        if not found:
            continue
        start = found[0].start
        if meeting.room_id not in best or start < best[meeting.room_id][0]:
            best[meeting.room_id] = (start, meeting.title)
    return {room: f"{when(start, ctx.lang)} – {title}" for room, (start, title) in best.items()}
