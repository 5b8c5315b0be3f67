"""!protokoll and !material: notes and links per meeting (per date of a series).

Without a day they belong to the last meeting that has begun (or, before the first,
to the first); the first reminder of the following meeting shows them.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from commands.context import Context
from commands.errors import UserError
from commands.meetings.common import load
from commands.meetings.occurrences import (
    Occurrence,
    find_on,
    occurrence_key,
    parse_day,
    previous,
    upcoming,
)
from commands.meetings.render import when
from commands.registry import Arg, command, int_arg
from commands.reply import ReplyBuilder, link
from commands.textclean import multi_line, strip_controls
from storage.meetings import Meeting, Meetings

MAX_NOTE = 4000
MAX_TITLE = 200


def _target(meeting: Meeting, text: str, now: datetime) -> tuple[Occurrence, str]:
    """The meeting a note is for and the rest of the text.

    A leading day ("10.12.") names a date of the series; otherwise a series uses its
    last meeting that has begun (before the first: the first), a single meeting itself.
    """
    first, _, rest = text.strip().partition(" ")
    day = parse_day(first) if rest.strip() else None
    if day is not None:
        found = find_on(meeting, day, now, future=False)
        if found is None:
            raise UserError(
                "meetings.occurrence_not_found", day=first, title=meeting.title, dates="—"
            )
        return found, rest.strip()
    single = Occurrence(meeting.start, meeting.start)
    if not meeting.is_series:
        return single, text.strip()
    last = previous(meeting, now)
    following = upcoming(meeting, now, 1)
    return (last or (following[0] if following else single)), text.strip()


@command(
    "protokoll",
    aliases=("notes",),
    group="termine",
    summary="meetings.notes_summary",
    usage="<termin-nr> [tag] <text>",
    usage_en="<event-no> [day] <text>",
    examples=("!protokoll 12 Beschlossen: Fortbildung im Mai, Einladung macht Anna",),
    args=(Arg("meeting_id", int_arg), Arg("text", rest=True)),
)
async def notes_command(ctx: Context, meeting_id: int, text: str) -> None:
    meeting = await load(ctx, meeting_id)
    occurrence, body = _target(meeting, text, ctx.services.now())
    if len(body) > MAX_NOTE:
        raise UserError("meetings.text_too_long", limit=MAX_NOTE)
    body = multi_line(body)
    if not body:
        raise UserError("meetings.text_missing")
    if len(body) > MAX_NOTE:
        raise UserError("meetings.text_too_long", limit=MAX_NOTE)
    await Meetings(ctx.db).add_note(
        meeting.id,
        occurrence_key(meeting, occurrence),
        "note",
        body,
        ctx.sender,
        source_event_id=ctx.event_id,
    )
    await ctx.reply(
        ctx.t("meetings.notes_saved", title=meeting.title, when=when(occurrence.start, ctx.lang))
    )


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise UserError("meetings.url_invalid", url=url)
    return url


@command(
    "material",
    group="termine",
    summary="meetings.material_summary",
    usage="<termin-nr> [tag] <url> [titel]",
    usage_en="<event-no> [day] <url> [title]",
    examples=("!material 12 https://example.org/folien.pdf Folien vom Fachtag",),
    args=(Arg("meeting_id", int_arg), Arg("text", rest=True)),
)
async def material_command(ctx: Context, meeting_id: int, text: str) -> None:
    meeting = await load(ctx, meeting_id)
    occurrence, rest = _target(meeting, text, ctx.services.now())
    words = rest.split()
    url = _check_url(words[0])
    title = " ".join(strip_controls(" ".join(words[1:])).split())
    if len(title) > MAX_TITLE:
        raise UserError("meetings.text_too_long", limit=MAX_TITLE)
    await Meetings(ctx.db).add_note(
        meeting.id,
        occurrence_key(meeting, occurrence),
        "material",
        title,
        ctx.sender,
        url=url,
        source_event_id=ctx.event_id,
    )
    message = ctx.t(
        "meetings.material_saved",
        title=meeting.title,
        when=when(occurrence.start, ctx.lang),
        label="",
    )
    await ctx.reply(ReplyBuilder(compact=True).line(message, link(url, title or None)).build())
