"""!ankündigung: one announcement into every network room, exactly once per room."""

from __future__ import annotations

from commands.context import Context
from commands.registry import Arg, Permission, Scope, command
from commands.reply import ReplyBuilder


@command(
    "ankündigung",
    aliases=("announce",),
    group="netzwerk",
    scope=Scope.NETWORK,
    summary="meetings.announce_summary",
    usage="<text>",
    examples=("!ankündigung Am 15.03. ist Fachtag in der Musikschule – bitte vormerken!",),
    permission=Permission.COORDINATOR,
    args=(Arg("text", rest=True),),
)
async def announce_command(ctx: Context, text: str) -> None:
    rooms = ctx.services.network.network_rooms()
    if not rooms:
        await ctx.reply(ctx.t("meetings.announce_no_rooms"))
        return
    joined = set(ctx.chat.joined_rooms())
    message = ReplyBuilder(compact=True)
    message.heading(ctx.t("meetings.announce_header"))
    message.line(text.strip())
    posted, skipped = 0, []
    for room_id in dict.fromkeys(rooms):
        if room_id not in joined:
            skipped.append(ctx.chat.room_name(room_id))
            continue
        # No @room: an announcement informs, it does not wake everyone up.
        await ctx.chat.send(room_id, message.build(), key=f"announce:{ctx.event_id}:{room_id}")
        posted += 1
    answer = ReplyBuilder(compact=True)
    answer.line(ctx.t("meetings.announce_posted", count=posted))
    if skipped:
        answer.line(ctx.t("meetings.announce_skipped", rooms=", ".join(skipped)))
    await ctx.reply(answer.build())
