"""Shared steps of the meeting commands: find a meeting, check who may change it,
announce a change in the meeting's room."""

from __future__ import annotations

from commands.context import Context
from commands.errors import UserError
from commands.reply import Reply
from commands.scope import present, visible_meeting
from storage.meetings import Meeting, Meetings


async def load(ctx: Context, meeting_id: int) -> Meeting:
    """The meeting as the asker may use it here; missing and out of scope read alike."""
    return await visible_meeting(ctx, meeting_id)


async def may_change(ctx: Context, meeting: Meeting) -> bool:
    """Coordinators (for meetings they may see); moderators (power level 50+) of the
    meeting's own room, asked there."""
    if ctx.is_coordinator:
        return True
    if meeting.room_id != ctx.room_id:
        return False
    return await ctx.chat.power_level(meeting.room_id, ctx.sender) >= 50


async def load_changeable(ctx: Context, meeting_id: int) -> Meeting:
    meeting = await load(ctx, meeting_id)
    if not await may_change(ctx, meeting):
        raise UserError("meetings.other_room", id=meeting_id)
    if meeting.cancelled:
        raise UserError("meetings.is_cancelled", id=meeting_id, title=meeting.title)
    return meeting


async def going(ctx: Context, meeting_id: int, room_id: str) -> list[str]:
    """Who said yes and is in the meeting's room now (only they are mentioned)."""
    said_yes = [r.user_id for r in await Meetings(ctx.db).rsvps(meeting_id) if r.going]
    return await present(ctx.services, room_id, said_yes)


async def announce_change(ctx: Context, meeting: Meeting, notice: Reply) -> None:
    """Tell the meeting's room (mentioning those who said yes); answer the command."""
    notice.mentions = await going(ctx, meeting.id, meeting.room_id)
    if meeting.room_id == ctx.room_id:
        await ctx.reply(notice)
        return
    await ctx.chat.send(meeting.room_id, notice, key=f"meeting-change:{ctx.event_id}")
    await ctx.reply(ctx.t("meetings.change_elsewhere"))
