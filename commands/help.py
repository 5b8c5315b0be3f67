"""!hilfe: the overview by group, and usage with examples of one command."""

from __future__ import annotations

from commands.context import Context
from commands.registry import Arg, CommandSpec, Permission, Registry, Scope, command
from commands.reply import Reply, esc

GROUP_ORDER = ("inhalte", "kooperation", "termine", "profil", "netzwerk", "system")


def usage_block(spec: CommandSpec, ctx: Context) -> tuple[str, str]:
    """Plain and HTML text: usage, what it does, examples, who may use it."""
    usage = spec.usage_line(ctx.lang)
    summary = ctx.t(spec.summary)
    lines = [usage, f"  {summary}"]
    html = [f"<code>{esc(usage)}</code><br>{esc(summary)}"]
    if spec.permission is not Permission.EVERYONE:
        note = ctx.t(f"core.permission_{spec.permission.name.lower()}")
        lines.append(f"  ({note})")
        html.append(f"<br><em>{esc(note)}</em>")
    if spec.examples:
        label = ctx.t("core.examples")
        lines.append(f"  {label}: " + " · ".join(spec.examples))
        html.append(
            f"<br>{esc(label)}: " + " · ".join(f"<code>{esc(e)}</code>" for e in spec.examples)
        )
    return "\n".join(lines), "".join(html)


def overview(ctx: Context, registry: Registry) -> Reply:
    groups: dict[str, list[CommandSpec]] = {}
    for spec in registry.commands:
        if not spec.hidden:
            groups.setdefault(spec.group, []).append(spec)
    ordered = [g for g in GROUP_ORDER if g in groups] + sorted(set(groups) - set(GROUP_ORDER))
    title = ctx.t("core.help_title", network=ctx.services.network.name)
    text = [title]
    html = [f"<p><strong>{esc(title)}</strong></p>"]
    for group in ordered:
        heading = ctx.t(f"core.group_{group}")
        text.append(f"\n{heading}")
        html.append(f"<p><strong>{esc(heading)}</strong></p><ul>")
        for spec in groups[group]:
            usage = spec.usage_line(ctx.lang)
            summary = ctx.t(spec.summary)
            text.append(f"• {usage} — {summary}")
            html.append(f"<li><code>{esc(usage)}</code> — {esc(summary)}</li>")
        html.append("</ul>")
    footer = ctx.t("core.help_footer")
    text.append(f"\n{footer}")
    html.append(f"<p>{esc(footer)}</p>")
    return Reply("\n".join(text), "".join(html))


@command(
    "hilfe",
    aliases=("help",),
    group="system",
    scope=Scope.NETWORK,
    summary="core.help_summary",
    usage="[befehl]",
    usage_en="[command]",
    examples=("!hilfe", "!hilfe termin"),
    args=(Arg("topic", optional=True, rest=True),),
)
async def help_command(ctx: Context, topic: str | None) -> None:
    registry: Registry = ctx.services.registry
    if not topic:
        await ctx.reply(overview(ctx, registry))
        return
    name = topic.lstrip("!/").strip()
    specs = registry.related(name)
    if not specs:
        await ctx.reply(ctx.t("core.help_unknown", name=name))
        return
    blocks = [usage_block(spec, ctx) for spec in specs]
    await ctx.reply(Reply("\n\n".join(b[0] for b in blocks), "<br><br>".join(b[1] for b in blocks)))
