"""``!kalender``: each member's own secret calendar feed (``/calendar/<token>.ics``).

The feed holds the network rooms' meetings plus those of the rooms the member is in,
checked whenever a calendar app fetches it. Only the SHA-256 of the token is stored,
so a link can be shown once, when it is made; ``!kalender neu`` replaces it (the old
link stops working at once). Personal: asked in a group room, answered in the DM.
"""

from __future__ import annotations

import secrets

from commands.context import Context
from commands.errors import UserError
from commands.registry import Scope, command
from commands.reply import ReplyBuilder, link
from storage.privacy import CalendarFeeds


def feed_url(ctx: Context, token: str) -> str:
    return f"{ctx.services.network.web_url}/calendar/{token}.ics"


async def _issue(ctx: Context, key: str) -> None:
    if not ctx.services.network.web_url:
        raise UserError("calendar.no_web")
    token = secrets.token_urlsafe(32)
    await CalendarFeeds(ctx.db).issue(ctx.sender, token)
    url = feed_url(ctx, token)
    text = ctx.t(key, url="")
    note = ctx.t("calendar.keep_secret")
    await ctx.reply(ReplyBuilder(compact=True).line(text, link(url)).line(note).build())


@command(
    "kalender",
    aliases=("calendar",),
    group="termine",
    summary="calendar.summary",
    examples=("!kalender",),
    scope=Scope.PERSONAL,
)
async def calendar_command(ctx: Context) -> None:
    if await CalendarFeeds(ctx.db).has(ctx.sender):
        await ctx.reply(ctx.t("calendar.exists"))
        return
    await _issue(ctx, "calendar.issued")


@command(
    "kalender neu",
    aliases=("calendar new",),
    group="termine",
    summary="calendar.new_summary",
    examples=("!kalender neu",),
    scope=Scope.PERSONAL,
)
async def new_calendar_command(ctx: Context) -> None:
    await _issue(ctx, "calendar.renewed")
