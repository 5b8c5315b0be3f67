"""!erledigt / !offen: tick and untick checklist items, all or nothing."""

from __future__ import annotations

import re
from typing import Any

from commands.context import Context
from commands.cooperation.common import content_of, cooperation_here, progress_of
from commands.cooperation.progress import bar
from commands.errors import UsageError, UserError
from commands.registry import Arg, Scope, command
from commands.reply import ReplyBuilder, bold
from storage.cooperations import Cooperations

MAX_ITEMS = 60
LIST_LIMIT = 8  # more ticked at once are listed by number only
_RANGE = re.compile(r"^([1-7])\.(\d{1,2})\s*[-–]\s*(?:([1-7])\.)?(\d{1,2})$")


def parse_item_ids(text: str, content: Any) -> list[str]:
    """Item ids in input order, deduplicated; "1.1 1.2", "1.1, 1.2", "1.1-1.4".

    Raises:
        UserError: ``cooperation.unknown_items`` naming every id the checklist lacks.
    """
    spaced = re.sub(r"\s*[-–]\s*", "-", text.strip())
    joined: list[str] = []
    for token in re.split(r"[\s;]+", spaced):
        # "1.1,1.2" is a list; "3,4" alone is the German way of writing 3.4
        parts = token.split(",") if "." in token else [token.rstrip(",")]
        joined += [part for part in parts if part]
    if len(joined) > MAX_ITEMS:
        raise UserError("cooperation.too_many_items", limit=MAX_ITEMS)
    found: list[str] = []
    unknown: list[str] = []
    for token in joined:
        ids = _expand(token)
        if ids is None:
            unknown.append(token)
            continue
        for item_id in ids:
            item = content.checklist_item(item_id)
            if item is None:
                unknown.append(item_id)
            elif item.id not in found:
                found.append(item.id)
    if unknown:
        # echoed back: a few, each short (a reply must stay far below the event limit)
        shown = [u if len(u) <= 12 else u[:11] + "…" for u in unknown[:10]]
        more = ", …" if len(unknown) > len(shown) else ""
        raise UserError("cooperation.unknown_items", items=", ".join(shown) + more)
    if len(found) > MAX_ITEMS:
        raise UserError("cooperation.too_many_items", limit=MAX_ITEMS)
    return found


def _expand(token: str) -> list[str] | None:
    """A single id, or the ids of a range within one phase ("3.1-3.4", "3.1-4")."""
    m = _RANGE.match(token)
    if m is None:
        return [token] if token else None
    phase, start, end_phase, end = m.group(1), int(m.group(2)), m.group(3), int(m.group(4))
    if (end_phase is not None and end_phase != phase) or end < start:
        return None
    return [f"{phase}.{n}" for n in range(start, end + 1)]


def _summary(ctx: Context, content: Any, before: Any, after: Any) -> list[str]:
    """Lines on the current phase: moved on, went back, or where it stands."""
    text: list[str] = []
    lang = ctx.lang
    old, new = before.current, after.current
    if new is None:
        text.append(ctx.t("cooperation.all_done"))
    elif old is None or old.number != new.number:
        phase = content.phase(new.number)
        key = (
            "cooperation.phase_advanced"
            if old is None or new.number > old.number
            else "cooperation.phase_back"
        )
        text.append(ctx.t(key, number=new.number, title=phase.title(lang)))
        if new.open_items:
            first = content.checklist_item(new.open_items[0])
            text.append(ctx.t("cooperation.next_item", item=first.id, text=first.text(lang)))
    else:
        phase = content.phase(new.number)
        text.append(
            ctx.t(
                "cooperation.phase_status",
                number=new.number,
                title=phase.title(lang),
                bar=bar(new.done, new.total),
            )
        )
    return text


async def _change(ctx: Context, items: str, *, tick: bool) -> None:
    content = content_of(ctx)
    if not items.strip():
        raise UsageError("core.missing_argument", name="<phase>.<nr>")
    ids = parse_item_ids(items, content)
    coop = await cooperation_here(ctx)
    repo = Cooperations(ctx.db)
    before = progress_of(content, await repo.ticks(coop.id))
    now = ctx.services.now()
    if tick:
        changed = await repo.tick(coop.id, ids, ticked_by=ctx.sender, now=now)
    else:
        changed = await repo.untick(coop.id, ids, now=now)
    after = progress_of(content, await repo.ticks(coop.id))
    unchanged = [i for i in ids if i not in changed]
    reply = ReplyBuilder()
    if changed:
        reply.line(
            ctx.t("cooperation.ticked" if tick else "cooperation.unticked", count=len(changed))
        )
        mark = "✅" if tick else "☐"
        if len(changed) > LIST_LIMIT:  # a whole phase at once: numbers only
            reply.bullet(f"{mark} " + ", ".join(changed), mark="")
        for item_id in changed if len(changed) <= LIST_LIMIT else ():
            item_text = content.checklist_item(item_id).text(ctx.lang)
            reply.bullet(f"{mark} ", bold(item_id), f" {item_text}", mark="")
    if unchanged:
        key = "cooperation.already_ticked" if tick else "cooperation.not_ticked"
        reply.line(ctx.t(key, items=", ".join(unchanged)))
    for line in _summary(ctx, content, before, after):
        reply.line(line)
    await ctx.reply(reply.build())


@command(
    "erledigt",
    aliases=("done",),
    group="kooperation",
    scope=Scope.ROOM,
    summary="cooperation.done_summary",
    usage="<phase>.<nr> [...]",
    usage_en="<phase>.<no> [...]",
    examples=("!erledigt 1.1", "!erledigt 1.1 1.2 1.3", "!erledigt 2.1-2.4"),
    args=(Arg("items", rest=True),),
)
async def tick_items(ctx: Context, items: str) -> None:
    await _change(ctx, items, tick=True)


@command(
    "offen",
    aliases=("undo",),
    group="kooperation",
    scope=Scope.ROOM,
    summary="cooperation.undo_summary",
    usage="<phase>.<nr> [...]",
    usage_en="<phase>.<no> [...]",
    examples=("!offen 1.3",),
    args=(Arg("items", rest=True),),
)
async def untick_items(ctx: Context, items: str) -> None:
    await _change(ctx, items, tick=False)
