"""!status (coordinators): uptime, rooms, scheduled jobs, last errors."""

from __future__ import annotations

from datetime import datetime

from commands.context import Context
from commands.registry import Permission, Scope, command
from commands.reply import ReplyBuilder
from storage.core import ErrorLog, Inbox


def _duration(seconds: float) -> str:
    minutes, _ = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h {minutes}min" if days else f"{hours}h {minutes}min"


@command(
    "status",
    group="system",
    scope=Scope.NETWORK,
    summary="core.status_summary",
    permission=Permission.COORDINATOR,
    examples=("!status",),
)
async def status_command(ctx: Context) -> None:
    runtime = ctx.services.runtime
    now = datetime.now(runtime.started_at.tzinfo)
    uptime = _duration((now - runtime.started_at).total_seconds())
    last_sync = runtime.last_sync_at()
    sync_age = "—" if last_sync is None else f"{(now - last_sync).total_seconds():.0f}s"
    rooms = await runtime.rooms()
    errors = await ErrorLog(ctx.db).latest(5)
    reply = ReplyBuilder().heading(ctx.t("core.status_title"))
    reply.line(ctx.t("core.status_uptime", uptime=uptime, sync_age=sync_age), joined=True)
    reply.line(ctx.t("core.status_jobs", jobs=runtime.scheduled_jobs()), joined=True)
    parked = await Inbox(ctx.db).parked_count()
    reply.line(ctx.t("core.status_parked", count=parked), joined=True)
    reply.line(ctx.t("core.status_rooms", count=len(rooms)))
    for room in rooms:
        reply.bullet(f"{room.name} ({room.members})" + (f" [{room.key}]" if room.key else ""))
    if errors:
        reply.line(ctx.t("core.status_errors"))
        for entry in errors:
            reply.bullet(
                f"{entry.at[:19]} [{entry.ref}] {entry.command or ''}: {entry.error[:120]}"
            )
    else:
        reply.line(ctx.t("core.status_no_errors"))
    await ctx.reply(reply.build())
