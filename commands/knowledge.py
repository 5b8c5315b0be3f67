"""Curated knowledge: phases, checklists, the agreement, free questions, topics.

Every answer names its source file; below the confidence threshold the bot says so,
suggests the closest topics, stores the question and forwards it to the coordinators.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from commands.context import Context
from commands.errors import UserError
from commands.i18n import Catalog
from commands.registry import Arg, Permission, Scope, command
from commands.reply import Reply, esc, html_from_text
from commands.timeparse import format_date
from storage.privacy import ForwardedMessages
from storage.questions import UnansweredQuestions

log = logging.getLogger(__name__)

# A question is stored and forwarded to the coordinators: a few sentences, not a file.
MAX_QUESTION = 1000


def _content(ctx: Context) -> Any:
    if ctx.services.content is None:
        raise UserError("knowledge.no_content")
    return ctx.services.content


def render_answer(result: Any, catalog: Catalog, lang: str, *, forwarded: bool = False) -> Reply:
    """The reply to a free question (also used offline by ``koopbot ask``)."""
    t = lambda key, **kw: catalog.get(key, lang, **kw)  # noqa: E731
    if result.abstained:
        lines = [t("knowledge.abstain")]
        html = [f"<p>{esc(lines[0])}</p>"]
        if result.suggestions:
            lines.append(t("knowledge.closest"))
            html.append(f"<p>{esc(lines[-1])}</p><ul>")
            for _entry_id, title in result.suggestions[:3]:
                lines.append(f"• {title}")
                html.append(f"<li>{esc(title)}</li>")
            html.append("</ul>")
        if forwarded:
            lines.append(t("knowledge.forwarded_hint"))
            html.append(f"<p>{esc(lines[-1])}</p>")
        return Reply("\n".join(lines), "".join(html), extra={"koopbot.answer": result.metadata()})
    source = t("knowledge.source", source=result.source)
    text = [result.title, result.text, source]
    html = [
        f"<p><strong>{esc(result.title)}</strong></p>",
        f"<p>{html_from_text(result.text)}</p>",
        f"<p><em>{esc(source)}</em></p>",
    ]
    if result.related:
        titles = [title for _id, title in result.related[:2]]
        related = t("knowledge.related", titles=" · ".join(titles))
        text.append(related)
        html.append(f"<p>{esc(related)}</p>")
    return Reply("\n".join(text), "".join(html), extra={"koopbot.answer": result.metadata()})


async def answer_question(ctx: Context, question: str) -> None:
    """!frage and plain questions in direct chats or with a mention."""
    index = ctx.services.answers
    if index is None:
        raise UserError("knowledge.no_content")
    if len(question) > MAX_QUESTION:
        raise UserError("knowledge.question_too_long", limit=MAX_QUESTION)
    from content import detect_lang

    lang = detect_lang(question, default=ctx.lang)
    # the search is CPU work: off the event loop, so that nobody else waits for it
    result = await asyncio.to_thread(index.answer, question, lang)
    coordinators = ctx.services.network.coordinators_room
    forwarded = result.abstained and coordinators is not None and coordinators != ctx.room_id
    await ctx.reply(render_answer(result, ctx.services.catalog, lang, forwarded=forwarded))
    if result.abstained:
        await _record_unanswered(ctx, question, lang, result)


async def _record_unanswered(ctx: Context, question: str, lang: str, result: Any) -> None:
    await UnansweredQuestions(ctx.db).add(
        question,
        sender=ctx.sender,
        room_id=ctx.room_id,
        lang=lang,
        best_score=int(result.score),
        suggestions=[entry_id for entry_id, _t in result.suggestions],
    )
    target = ctx.services.network.coordinators_room
    if target is None or target == ctx.room_id:
        return
    network_lang = ctx.services.network.language
    where = ctx.chat.room_name(ctx.room_id)
    text = ctx.services.catalog.get(
        "knowledge.forward", network_lang, sender=ctx.sender, room=where, question=question
    )
    try:
        event_id = await ctx.chat.send(target, Reply(text), key=f"forward:{ctx.event_id}")
        # remembered so that "forget me" can take it back out of the coordinators' room
        await ForwardedMessages(ctx.db).add(event_id, target, ctx.sender, "question")
    except Exception:  # the member got an answer; a failed forward is only logged
        log.exception("could not forward question %s", ctx.event_id)


def titled_list(
    title: str, items: list[tuple[str, str]], footer: list[str], *, ordered: bool = False
) -> Reply:
    """A heading, one line per (name, text) item, then footer lines (hint, source)."""
    tag = "ol" if ordered else "ul"
    lines = [title]
    html = [f"<p><strong>{esc(title)}</strong></p><{tag}>"]
    for index, (name, text) in enumerate(items, 1):
        prefix = f"{index}." if ordered else "•"
        lines.append(f"{prefix} {name} – {text}")
        html.append(f"<li><strong>{esc(name)}</strong> – {esc(text)}</li>")
    html.append(f"</{tag}>")
    lines += footer
    html += [f"<p>{esc(line)}</p>" for line in footer]
    return Reply("\n".join(lines), "".join(html))


def source_line(ctx: Context, entries: Any) -> str:
    return ctx.t("knowledge.source", source=", ".join(sorted({e.source for e in entries})))


@command(
    "frage",
    aliases=("ask",),
    group="inhalte",
    scope=Scope.NETWORK,
    summary="knowledge.ask_summary",
    usage="<text>",
    usage_en="<text>",
    examples=(
        "!frage Was gehört in eine Kooperationsvereinbarung?",
        "!ask how big is a learning cluster?",
    ),
    args=(Arg("question", rest=True),),
)
async def ask_command(ctx: Context, question: str) -> None:
    await answer_question(ctx, question)


@command(
    "phasen",
    aliases=("phases",),
    group="inhalte",
    scope=Scope.NETWORK,
    summary="knowledge.phases_summary",
    examples=("!phasen",),
)
async def phases_command(ctx: Context) -> None:
    content = _content(ctx)
    items = [(p.title(ctx.lang), p.summary(ctx.lang)) for p in content.phases]
    footer = [ctx.t("knowledge.phases_hint"), source_line(ctx, content.phases)]
    await ctx.reply(titled_list(ctx.t("knowledge.phases_title"), items, footer, ordered=True))


@command(
    "checkliste",
    aliases=("checklist",),
    group="inhalte",
    scope=Scope.NETWORK,
    summary="knowledge.checklist_summary",
    usage="<phase>",
    usage_en="<phase>",
    examples=("!checkliste 3", "!checkliste kontakt", "!checklist quality"),
    args=(Arg("phase", rest=True),),
)
async def checklist_command(ctx: Context, phase: str) -> None:
    content = _content(ctx)
    found = content.find_phase(phase)
    if found is None:
        names = ", ".join(f"{p.number} {p.title(ctx.lang)}" for p in content.phases)
        raise UserError("knowledge.unknown_phase", phase=phase, phases=names)
    title = ctx.t("knowledge.checklist_title", number=found.number, title=found.title(ctx.lang))
    lines = [title, found.summary(ctx.lang)]
    html = [f"<p><strong>{esc(title)}</strong><br>{esc(found.summary(ctx.lang))}</p><ul>"]
    for item in found.items:
        lines.append(f"{item.id} {item.text(ctx.lang)}")
        hint = item.hint(ctx.lang)
        if hint:
            lines.append(f"    ↳ {hint}")
        html.append(
            f"<li><strong>{esc(item.id)}</strong> {esc(item.text(ctx.lang))}"
            + (f"<br><em>{esc(hint)}</em>" if hint else "")
            + "</li>"
        )
    html.append("</ul>")
    tick = ctx.t("knowledge.checklist_tick", example=found.items[0].id if found.items else "1.1")
    source = ctx.t("knowledge.source", source=found.source)
    lines += [tick, source]
    html.append(f"<p>{esc(tick)}</p><p><em>{esc(source)}</em></p>")
    await ctx.reply(Reply("\n".join(lines), "".join(html)))


@command(
    "vereinbarung",
    aliases=("agreement",),
    group="inhalte",
    scope=Scope.NETWORK,
    summary="knowledge.agreement_summary",
    examples=("!vereinbarung",),
)
async def agreement_command(ctx: Context) -> None:
    content = _content(ctx)
    elements = content.agreement_elements
    items = [(e.title(ctx.lang), e.guidance(ctx.lang)) for e in elements]
    footer = [ctx.t("knowledge.agreement_hint"), source_line(ctx, elements)]
    await ctx.reply(titled_list(ctx.t("knowledge.agreement_title"), items, footer, ordered=True))


@command(
    "themen",
    aliases=("topics",),
    group="inhalte",
    scope=Scope.NETWORK,
    summary="knowledge.topics_summary",
    examples=("!themen",),
)
async def topics_command(ctx: Context) -> None:
    content = _content(ctx)
    network = ctx.services.network
    title = ctx.t("knowledge.topics_title", network=network.name)
    lines = [title]
    html = [f"<p><strong>{esc(title)}</strong></p><ul>"]
    upcoming = await _next_meetings_by_room(ctx)
    for topic in content.topics:
        room_id = network.room_ids.get(topic.key) or network.room_ids.get(
            network.topic_rooms.get(topic.key, "")
        )
        line = f"• {topic.title}: {topic.description(ctx.lang)}"
        item = f"<li><strong>{esc(topic.title)}</strong>: {esc(topic.description(ctx.lang))}"
        if room_id:
            room = ctx.chat.room_name(room_id)
            line += " " + ctx.t("knowledge.topic_room", room=room)
            item += f"<br>{esc(ctx.t('knowledge.topic_room', room=room))}"
            if room_id in upcoming:
                line += " " + ctx.t("knowledge.topic_next", when=upcoming[room_id])
                item += f"<br>{esc(ctx.t('knowledge.topic_next', when=upcoming[room_id]))}"
        lines.append(line)
        html.append(item + "</li>")
    html.append("</ul>")
    source = ctx.t("knowledge.source", source=", ".join(sorted({t.source for t in content.topics})))
    lines.append(source)
    html.append(f"<p><em>{esc(source)}</em></p>")
    await ctx.reply(Reply("\n".join(lines), "".join(html)))


async def _next_meetings_by_room(ctx: Context) -> dict[str, str]:
    """Next meeting per room as display text, when the meetings feature is present."""
    try:
        from commands.meetings import next_meeting_texts
    except ImportError:
        return {}
    result: dict[str, str] = await next_meeting_texts(ctx)
    return result


@command(
    "offene-fragen",
    aliases=("open-questions",),
    group="inhalte",
    scope=Scope.NETWORK,
    summary="knowledge.open_questions_summary",
    permission=Permission.COORDINATOR,
    examples=("!offene-fragen",),
)
async def open_questions_command(ctx: Context) -> None:
    questions = await UnansweredQuestions(ctx.db).open_questions(20)
    if not questions:
        await ctx.reply(ctx.t("knowledge.no_open_questions"))
        return
    title = ctx.t("knowledge.open_questions_title", count=len(questions))
    lines = [title]
    html = [f"<p><strong>{esc(title)}</strong></p><ul>"]
    tz = ctx.services.network.tz
    for q in questions:
        asked = format_date(datetime.fromisoformat(q.asked_at), ctx.lang, tz=tz)
        who = ctx.chat.display_name(q.sender) if q.sender else ctx.t("knowledge.asker_unknown")
        lines.append(f"• {asked} – {who}: {q.question}")
        person = (
            f'<a href="https://matrix.to/#/{esc(q.sender)}">{esc(who)}</a>'
            if q.sender
            else esc(who)
        )
        html.append(f"<li>{esc(asked)} – {person}: {esc(q.question)}</li>")
    html.append("</ul>")
    await ctx.reply(Reply("\n".join(lines), "".join(html)))
