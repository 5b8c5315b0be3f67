"""!status (coordinators): uptime, rooms, scheduled jobs, last errors."""

from __future__ import annotations

from datetime import datetime

from commands.context import Context
from commands.registry import Permission, Scope, command
from commands.reply import Reply, esc
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
    text = [
        ctx.t("core.status_title"),
        ctx.t("core.status_uptime", uptime=uptime, sync_age=sync_age),
        ctx.t("core.status_jobs", jobs=runtime.scheduled_jobs()),
        ctx.t("core.status_parked", count=await Inbox(ctx.db).parked_count()),
        ctx.t("core.status_rooms", count=len(rooms)),
    ]
    html = [
        f"<p><strong>{esc(text[0])}</strong><br>{esc(text[1])}<br>{esc(text[2])}"
        f"<br>{esc(text[3])}</p>"
    ]
    html.append(f"<p>{esc(text[4])}</p><ul>")
    for room in rooms:
        label = f"{room.name} ({room.members})" + (f" [{room.key}]" if room.key else "")
        text.append(f"• {label}")
        html.append(f"<li>{esc(label)}</li>")
    html.append("</ul>")
    if errors:
        heading = ctx.t("core.status_errors")
        text.append(heading)
        html.append(f"<p>{esc(heading)}</p><ul>")
        for entry in errors:
            line = f"{entry.at[:19]} [{entry.ref}] {entry.command or ''}: {entry.error[:120]}"
            text.append(f"• {line}")
            html.append(f"<li>{esc(line)}</li>")
        html.append("</ul>")
    else:
        text.append(ctx.t("core.status_no_errors"))
        html.append(f"<p>{esc(text[-1])}</p>")
    await ctx.reply(Reply("\n".join(text), "".join(html)))
