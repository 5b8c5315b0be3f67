"""!hilfe: what this person can do here (short), everything they may use (``!hilfe
alles``), and usage with examples of one command (``!hilfe <befehl>``).

The short help depends on the room and the role: a cooperation room shows the
cooperation commands, a room of the network the network's; moderator commands appear
only where the sender moderates, coordinator commands only for coordinators. Commands
that would be refused here are never suggested.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from commands.context import Context
from commands.registry import Arg, CommandSpec, Permission, Registry, Scope, command, fold
from commands.reply import Reply, ReplyBuilder, code, em, indent, join
from storage.cooperations import Cooperations

GROUP_ORDER = ("inhalte", "kooperation", "termine", "profil", "netzwerk", "system")
ALL_WORDS = {"alles", "alle", "all", "everything"}
MAX_SHORT = 10  # commands in the short help: with title and footer at most 12 lines


@dataclass(frozen=True)
class Here:
    """What the short help needs to know about the room and the sender."""

    direct: bool
    network_room: bool
    cooperation: bool
    moderator: bool
    coordinator: bool

    @property
    def own_room(self) -> bool:
        """A group room of its own (a cooperation can be registered here)."""
        return not self.direct and not self.network_room


Rule = Callable[[Here], bool]
ANYWHERE: Rule = lambda h: True  # noqa: E731
# (command name, where it is suggested), most specific first
SHORT_HELP: tuple[tuple[str, Rule], ...] = (
    ("kooperation", lambda h: h.cooperation),
    ("erledigt", lambda h: h.cooperation),
    ("kooperation feld", lambda h: h.cooperation),
    ("kooperation prüfung", lambda h: h.cooperation),
    ("vereinbarung entwurf", lambda h: h.cooperation),
    ("kooperation neu", lambda h: h.own_room and not h.cooperation),
    ("termin neu", lambda h: not h.direct and h.moderator),
    ("terminfindung", lambda h: not h.direct and h.moderator),
    ("ankündigung", lambda h: h.coordinator),
    ("offene-fragen", lambda h: h.coordinator),
    ("antwort", lambda h: h.coordinator),
    ("status", lambda h: h.coordinator),
    ("frage", ANYWHERE),
    ("checkliste", ANYWHERE),
    ("termine", ANYWHERE),
    ("ferien", lambda h: h.network_room or h.direct),
    ("themen", lambda h: h.network_room or h.direct),
    ("profil", ANYWHERE),
    ("partner", ANYWHERE),
    ("cluster interesse", lambda h: h.network_room or h.direct),
    ("meine-daten", lambda h: h.direct),
    ("kalender", lambda h: h.direct),
)


async def where(ctx: Context) -> Here:
    network_room = ctx.room_id in ctx.services.network.network_rooms()
    cooperation = not network_room and (await Cooperations(ctx.db).by_room(ctx.room_id) is not None)
    return Here(
        direct=ctx.is_direct,
        network_room=network_room,
        cooperation=cooperation,
        moderator=await ctx.is_moderator(),
        coordinator=ctx.is_coordinator,
    )


def allowed(spec: CommandSpec, here: Here) -> bool:
    if spec.permission is Permission.COORDINATOR:
        return here.coordinator
    if spec.permission is Permission.MODERATOR:
        return here.moderator
    return True


def usage_block(reply: ReplyBuilder, spec: CommandSpec, ctx: Context) -> None:
    """Usage, what it does, examples, who may use it: one paragraph of ``reply``."""
    usage = spec.usage_line(ctx.lang)
    reply.line(code(usage))
    reply.line(indent(), ctx.t(spec.summary), joined=True)
    if spec.permission is not Permission.EVERYONE:
        note = ctx.t(f"core.permission_{spec.permission.name.lower()}")
        reply.line(indent(), em("(", note, ")"), joined=True)
    if spec.examples:
        label = ctx.t("core.examples")
        reply.line(indent(), label, ": ", join(" · ", map(code, spec.examples)), joined=True)


def short_help(ctx: Context, registry: Registry, here: Here) -> Reply:
    """At most ``MAX_SHORT`` commands that work for this person in this room."""
    chosen: list[CommandSpec] = []
    for name, rule in SHORT_HELP:
        spec = registry.find(name)
        if spec is None or spec in chosen or not rule(here) or not allowed(spec, here):
            continue
        chosen.append(spec)
    chosen = chosen[:MAX_SHORT]
    title = ctx.t("core.help_short_title", network=ctx.services.network.name)
    footer = ctx.t("core.help_short_footer")
    reply = ReplyBuilder().heading(title)
    for spec in chosen:
        reply.bullet(code(spec.usage_line(ctx.lang)), " – ", ctx.t(spec.summary))
    return reply.line(footer).build()


def overview(ctx: Context, registry: Registry, here: Here | None = None) -> Reply:
    """Every command by group; with ``here``, only those this person may use here."""
    groups: dict[str, list[CommandSpec]] = {}
    hidden = 0
    for spec in registry.commands:
        if spec.hidden:
            continue
        if here is not None and not allowed(spec, here):
            hidden += 1
            continue
        groups.setdefault(spec.group, []).append(spec)
    ordered = [g for g in GROUP_ORDER if g in groups] + sorted(set(groups) - set(GROUP_ORDER))
    title = ctx.t("core.help_title", network=ctx.services.network.name)
    reply = ReplyBuilder().heading(title)
    for group in ordered:
        reply.gap().heading(ctx.t(f"core.group_{group}"))
        for spec in groups[group]:
            reply.bullet(code(spec.usage_line(ctx.lang)), " – ", ctx.t(spec.summary))
    footers = [ctx.t("core.help_footer")]
    if hidden:
        footers.insert(0, ctx.t("core.help_hidden", count=hidden))
    for footer in footers:
        reply.gap().line(footer)
    return reply.build()


@command(
    "hilfe",
    aliases=("help",),
    group="system",
    scope=Scope.NETWORK,
    summary="core.help_summary",
    usage="[befehl]",
    usage_en="[command]",
    examples=("!hilfe", "!hilfe alles", "!hilfe termin"),
    args=(Arg("topic", optional=True, rest=True),),
)
async def help_command(ctx: Context, topic: str | None) -> None:
    registry = ctx.services.registry
    assert registry is not None, "the composition root binds the registry"
    if not topic:
        await ctx.reply(short_help(ctx, registry, await where(ctx)))
        return
    name = topic.lstrip("!/").strip()
    if fold(name) in ALL_WORDS:
        await ctx.reply(overview(ctx, registry, await where(ctx)))
        return
    specs = registry.related(name)
    if not specs:
        await ctx.reply(ctx.t("core.help_unknown", name=name))
        return
    reply = ReplyBuilder()
    for spec in specs:
        usage_block(reply.gap(), spec, ctx)
    await ctx.reply(reply.build())
