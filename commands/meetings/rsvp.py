"""RSVPs: !dabei / !nicht-dabei, and 👍 / 👎 on a meeting's announcement or reminder.

One answer per person and meeting (the latest wins); a redacted reaction withdraws the
answer it gave. Reactions get no reply: the count shows in !termin <id>.
"""

from __future__ import annotations

import logging

from commands.context import Context, Services
from commands.errors import UserError
from commands.meetings.common import load
from commands.meetings.occurrences import upcoming
from commands.meetings.render import when
from commands.registry import Arg, command, int_arg, on_event
from commands.scope import Visibility
from storage.meetings import Meetings

log = logging.getLogger(__name__)

YES = "👍"
NO = "👎"
# Skin tones and the emoji variation selector do not change the answer.
_MODIFIERS = {chr(c) for c in range(0x1F3FB, 0x1F400)} | {"\ufe0f", "\ufe0e"}


def reaction_answer(key: str) -> bool | None:
    """True for 👍, False for 👎 (any skin tone), None for any other reaction."""
    base = "".join(ch for ch in key if ch not in _MODIFIERS).strip()
    if base == YES:
        return True
    if base == NO:
        return False
    return None


async def _answer(ctx: Context, meeting_id: int, going: bool) -> None:
    meeting = await load(ctx, meeting_id)
    if meeting.cancelled:
        raise UserError("meetings.is_cancelled", id=meeting.id, title=meeting.title)
    following = upcoming(meeting, ctx.services.now(), 1)
    if not following:
        raise UserError("meetings.is_over", id=meeting.id, title=meeting.title)
    repo = Meetings(ctx.db)
    await repo.rsvp(meeting.id, ctx.sender, going)
    count = sum(r.going for r in await repo.rsvps(meeting.id))
    key = "meetings.rsvp_yes" if going else "meetings.rsvp_no"
    title = f"{meeting.title}, {when(following[0].start, ctx.lang)}"
    await ctx.reply(ctx.t(key, id=meeting.id, title=title, going=count))


@command(
    "dabei",
    aliases=("going",),
    group="termine",
    summary="meetings.going_summary",
    usage="<termin-nr>",
    usage_en="<event-no>",
    examples=("!dabei 12",),
    args=(Arg("meeting_id", int_arg),),
)
async def going_command(ctx: Context, meeting_id: int) -> None:
    await _answer(ctx, meeting_id, True)


@command(
    "nicht-dabei",
    aliases=("not-going",),
    group="termine",
    summary="meetings.not_going_summary",
    usage="<termin-nr>",
    usage_en="<event-no>",
    examples=("!nicht-dabei 12",),
    args=(Arg("meeting_id", int_arg),),
)
async def not_going_command(ctx: Context, meeting_id: int) -> None:
    await _answer(ctx, meeting_id, False)


@on_event("reaction")
async def rsvp_by_reaction(
    services: Services, *, room_id: str, event_id: str, sender: str, target: str, key: str
) -> None:
    answer = reaction_answer(key)
    if answer is None or sender == services.chat.user_id:
        return
    repo = Meetings(services.db)
    meeting = await repo.by_message(target)
    if meeting is None or meeting.cancelled:
        return
    if not await Visibility(services, sender, room_id).sees(meeting.room_id):
        return
    await repo.rsvp(meeting.id, sender, answer, reaction_event_id=event_id)
    log.info("rsvp %s for meeting %d by reaction", "yes" if answer else "no", meeting.id)


@on_event("redaction")
async def withdraw_by_redaction(
    services: Services, *, room_id: str, event_id: str, sender: str, redacts: str
) -> None:
    meeting_id = await Meetings(services.db).withdraw_reaction(redacts, sender)
    if meeting_id is not None:
        log.info("rsvp withdrawn for meeting %d (reaction redacted)", meeting_id)
