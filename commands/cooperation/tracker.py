"""!kooperation neu, !kooperation (overview), !kooperation feld, !kooperation alle."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from commands.context import Context
from commands.cooperation.common import (
    MAX_TITLE,
    MAX_VALUE,
    content_of,
    cooperation_here,
    progress_of,
)
from commands.cooperation.fields import (
    ENGLISH_NAMES,
    FIELD_KEYS,
    parse_term_end,
    partners_from_title,
    resolve_field,
    split_assignment,
)
from commands.cooperation.progress import bar
from commands.cooperation.schedule import KIND_TERM_END, next_review, plan_term_end, review_prefix
from commands.errors import UsageError, UserError
from commands.registry import Arg, Permission, Scope, command
from commands.reply import Reply, ReplyBuilder, bold, code, em
from commands.scope import Visibility
from commands.textclean import multi_line, single_line
from commands.timeparse import format_date, format_datetime, format_recurrence
from storage.cooperations import AlreadyExists, Cooperation, Cooperations

STALE_AFTER = timedelta(days=30)
CLEAR_WORDS = {"-", "–", "löschen", "loeschen", "leer", "clear", "delete"}


# Agreement fields that are one line (a name, a period); the contents may have several.
SINGLE_LINE_FIELDS = frozenset({"titel", "partner", "ansprechpartner", "laufzeit"})


def _date(value: Any, lang: str) -> str:
    return format_date(value, lang)


def field_names(lang: str) -> str:
    """The field names for error messages: German keys, in English with the alias."""
    if lang == "en":
        return ", ".join(f"{ENGLISH_NAMES[k]} ({k})" for k in FIELD_KEYS)
    return ", ".join(FIELD_KEYS)


@command(
    "kooperation neu",
    aliases=("coop new",),
    group="kooperation",
    scope=Scope.ROOM,
    summary="cooperation.new_summary",
    usage="<titel>",
    usage_en="<title>",
    examples=("!kooperation neu Musikschule Bonn und GS Am Park",),
    args=(Arg("title", rest=True),),
)
async def new_cooperation(ctx: Context, title: str) -> None:
    title = single_line(title).strip("\"'„“”")
    if not title:
        raise UsageError("cooperation.title_missing")
    if len(title) > MAX_TITLE:
        raise UserError("cooperation.title_too_long", limit=MAX_TITLE)
    if ctx.room_id in ctx.services.network.network_rooms():
        raise UserError("cooperation.network_room")
    partners = partners_from_title(title)
    fields = {"titel": title}
    if partners:
        fields["partner"] = ", ".join(partners)
    try:
        coop, _created = await Cooperations(ctx.db).create(
            ctx.room_id,
            title,
            created_by=ctx.sender,
            source_event_id=ctx.event_id,
            fields=fields,
            now=ctx.services.now(),
        )
    except AlreadyExists as exists:
        raise UserError("cooperation.already_exists", title=exists.existing.title) from None
    lines = [ctx.t("cooperation.created", title=coop.title)]
    if partners:
        lines.append(ctx.t("cooperation.created_partners", partners=", ".join(partners)))
    else:
        lines.append(ctx.t("cooperation.created_no_partners"))
    lines.append(ctx.t("cooperation.created_next"))
    await ctx.reply(Reply("\n".join(lines)))


@command(
    "kooperation",
    aliases=("coop",),
    group="kooperation",
    scope=Scope.ROOM,
    summary="cooperation.show_summary",
    examples=("!kooperation",),
)
async def show_cooperation(ctx: Context) -> None:
    content = content_of(ctx)
    coop = await cooperation_here(ctx)
    repo = Cooperations(ctx.db)
    ticks = await repo.ticks(coop.id)
    fields = await repo.fields(coop.id)
    await ctx.reply(render_overview(ctx, content, coop, ticks, fields))


def render_overview(
    ctx: Context, content: Any, coop: Cooperation, ticks: dict[str, Any], fields: dict[str, Any]
) -> Reply:
    """Phase, bars per phase, open items of the current phase, fields, next review."""
    lang, tz = ctx.lang, ctx.services.network.tz
    state = progress_of(content, ticks)
    title = ctx.t("cooperation.overview_title", title=coop.title)
    reply = ReplyBuilder().heading(title)
    current = state.current
    if current is None:
        phase_line = ctx.t("cooperation.all_done")
    else:
        phase = content.phase(current.number)
        phase_line = ctx.t(
            "cooperation.current_phase", number=current.number, title=phase.title(lang)
        )
    reply.line(phase_line)

    reply.heading(ctx.t("cooperation.progress_heading", done=state.done, total=state.total))
    for item in state.phases:
        name = content.phase(item.number).title(lang)
        mark = " ✓" if item.complete else (" ◀" if item is current else "")
        reply.bullet(f"{item.number} {name}: ", code(bar(item.done, item.total)), mark, mark="")

    if current is not None and current.open_items:
        reply.heading(ctx.t("cooperation.open_heading", number=current.number))
        for item_id in current.open_items:
            item_text = content.checklist_item(item_id).text(lang)
            reply.bullet("☐ ", bold(item_id), f" {item_text}", mark="")
        reply.note(ctx.t("cooperation.tick_hint", example=current.open_items[0]))

    if ticks:
        last = max(ticks.values(), key=lambda t: (t.ticked_at, t.item_id))
        line = ctx.t(
            "cooperation.last_tick",
            item=last.item_id,
            who=last.ticked_by or "?",
            date=_date(last.ticked_at.astimezone(tz), ctx.lang),
        )
        reply.line(line)

    elements = content.agreement_elements
    filled = [e for e in elements if e.key in fields]
    reply.heading(ctx.t("cooperation.fields_heading", filled=len(filled), total=len(elements)))
    for element in elements:
        value = fields.get(element.key)
        # the key is what "!kooperation feld <key> …" takes: shown for filled fields too
        named = (element.title(lang), " (", code(element.key), "): ")
        if value is not None:
            one_line = " / ".join(value.value.splitlines())
            shown = one_line if len(one_line) <= 80 else one_line[:77] + "…"
            reply.bullet("✓ ", *named, shown, mark="")
        else:
            reply.bullet("✗ ", *named, em(ctx.t("cooperation.field_missing")), mark="")
    if len(filled) < len(elements):
        reply.note(ctx.t("cooperation.field_hint"))

    upcoming = None if coop.review is None else next_review(coop.review, ctx.services.now())
    if coop.review is not None and upcoming is not None:
        line = ctx.t(
            "cooperation.next_review",
            when=format_datetime(upcoming, lang, tz=tz),
            repeat=format_recurrence(coop.review.rrule, lang),
        )
    else:
        line = ctx.t("cooperation.no_review")
    reply.line(line)
    if coop.term_end is not None:
        reply.line(ctx.t("cooperation.term_end_line", date=_date(coop.term_end, ctx.lang)))
    return reply.build()


@command(
    "kooperation feld",
    aliases=("coop set",),
    group="kooperation",
    scope=Scope.ROOM,
    summary="cooperation.set_summary",
    usage="<name> <wert>",
    usage_en="<name> <value>",
    examples=(
        "!kooperation feld laufzeit 01.08.2026–31.07.2027",
        "!kooperation feld ansprechpartner Frau Beispiel (Musikschule), Herr Muster (GS)",
    ),
    args=(Arg("spec", rest=True),),
)
async def set_field(ctx: Context, spec: str) -> None:
    name, value = split_assignment(spec)
    key = resolve_field(name)
    if key is None:
        raise UserError(
            "cooperation.unknown_field", name=single_line(name)[:40], names=field_names(ctx.lang)
        )
    if len(value) > MAX_VALUE:
        raise UserError("cooperation.value_too_long", limit=MAX_VALUE)
    # one-line fields stay one line: a line break would read as a line of the bot's own
    # message; the longer contents may have several lines
    value = single_line(value) if key in SINGLE_LINE_FIELDS else multi_line(value)
    if not value:
        raise UsageError("cooperation.value_missing", name=key)
    if key == "titel" and len(value) > MAX_TITLE:
        raise UserError("cooperation.title_too_long", limit=MAX_TITLE)
    clear = value.casefold() in CLEAR_WORDS
    if clear and key == "titel":
        raise UserError("cooperation.title_required")
    coop = await cooperation_here(ctx)
    content = content_of(ctx)
    element = content.agreement_element(key)
    label = element.title(ctx.lang) if element is not None else key
    now = ctx.services.now()
    tz = ctx.services.network.tz
    end = None if clear or key != "laufzeit" else parse_term_end(value)
    planned = None if end is None else plan_term_end(coop.id, end, tz, now)
    scheduler = ctx.services.scheduler
    async with ctx.db.transaction():  # the field and the job it arms commit together
        coops = Cooperations(ctx.db)
        await coops.set_field(coop.id, key, None if clear else value, set_by=ctx.sender, now=now)
        if key == "laufzeit":
            await coops.set_term_end(coop.id, end)
            if planned is None:
                await scheduler.cancel(KIND_TERM_END, review_prefix(coop.id))
            else:
                await scheduler.schedule(
                    planned.kind, planned.ref, planned.due,
                    not_after=planned.not_after, payload=planned.payload,
                )  # fmt: skip
    lines = [ctx.t("cooperation.field_cleared" if clear else "cooperation.field_set", field=label)]
    if key == "laufzeit" and not clear:
        if end is None:
            lines.append(ctx.t("cooperation.term_no_end"))
        elif planned is None:
            lines.append(ctx.t("cooperation.term_end_past", date=_date(end, ctx.lang)))
        else:
            remind = max(planned.due, now)
            lines.append(
                ctx.t(
                    "cooperation.term_end_set",
                    date=_date(end, ctx.lang),
                    remind=format_datetime(remind, ctx.lang, tz=tz),
                )
            )
    fields = await Cooperations(ctx.db).fields(coop.id)
    missing = [e.key for e in content.agreement_elements if e.key not in fields]
    if missing:
        lines.append(ctx.t("cooperation.fields_missing", names=", ".join(missing)))
    else:
        lines.append(ctx.t("cooperation.fields_complete"))
    await ctx.reply(Reply("\n".join(lines)))


@command(
    "kooperation alle",
    aliases=("coop all",),
    group="kooperation",
    scope=Scope.ROOM,
    summary="cooperation.all_summary",
    permission=Permission.COORDINATOR,
    examples=("!kooperation alle",),
)
async def all_cooperations(ctx: Context) -> None:
    content = content_of(ctx)
    repo = Cooperations(ctx.db)
    # a cooperation's state is its room's: only those the coordinator may see from here
    everything = await repo.all()
    visible = await Visibility.of(ctx).filter(c.room_id for c in everything)
    coops = [c for c in everything if c.room_id in visible]
    if not coops:
        await ctx.reply(ctx.t("cooperation.all_none"))
        return
    ticks = await repo.all_ticks()
    now = ctx.services.now()
    rows = []
    for coop in coops:
        state = progress_of(content, ticks.get(coop.id, set()))
        rows.append((state.done / max(state.total, 1), coop.updated_at, coop, state))
    rows.sort(key=lambda r: (r[0], r[1]))
    title = ctx.t("cooperation.all_title", count=len(coops))
    reply = ReplyBuilder().heading(title)
    for _share, updated, coop, state in rows:
        current = state.current
        if current is None:
            phase = ctx.t("cooperation.all_phase_done")
        else:
            phase = ctx.t(
                "cooperation.all_phase",
                number=current.number,
                title=content.phase(current.number).title(ctx.lang),
            )
        stale = now - updated > STALE_AFTER
        line = ctx.t(
            "cooperation.all_line",
            title=coop.title,
            room=ctx.chat.room_name(coop.room_id),
            phase=phase,
            bar=bar(state.done, state.total),
            date=_date(updated.astimezone(ctx.services.network.tz), ctx.lang),
        )
        if stale:
            line = "⚠ " + line + " " + ctx.t("cooperation.all_stale")
        reply.bullet(line)
    await ctx.reply(reply.note(ctx.t("cooperation.all_hint")).build())
