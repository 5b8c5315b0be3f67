"""👎 on an answer: the member who asked says a curated answer did not fit.

The asker's 👎 (any skin tone) on the bot's reply, or ``!passt-nicht`` after it, turns the
question into an open question (as if the bot had abstained, the entry among its
suggestions), forwards it to the coordinators naming the entry that did not fit, and
files the (entry, question) pair among the refused questions, live: the verifier then
reads similar questions as near-misses. A coordinators' answer (``koordination-*``) is
forwarded but not filed (the coordinators fix their own text), and so is every flag of a
member beyond ``MAX_REFUSED_PER_MEMBER``. Once per answer.
"""

from __future__ import annotations

import asyncio
from typing import Any

from commands.context import Context, Services
from commands.knowledge import forward_question
from commands.registry import Scope, command, on_event
from commands.reply import Reply
from storage.feedback import AnsweredQuestion, AnsweredQuestions, RefusedQuestions
from storage.questions import UnansweredQuestions

_THUMBS_DOWN = "\U0001f44e"
# 👎, 👎️ and 👎🏻 … 👎🏿 (Fitzpatrick skin tones)
THUMBS_DOWN = frozenset(
    {_THUMBS_DOWN, _THUMBS_DOWN + "\ufe0f"}
    | {_THUMBS_DOWN + chr(c) for c in range(0x1F3FB, 0x1F400)}
)
# the coordinators' own answers (commands.knowledge.network_entry)
COORDINATION_PREFIX = "koordination-"
# a member's flags that teach the verifier: beyond these, a 👎 is still forwarded to the
# coordinators but no longer filed, so that one member cannot make many entries suspect
MAX_REFUSED_PER_MEMBER = 20


@on_event("reaction")
async def flag_by_reaction(
    services: Services, *, room_id: str, event_id: str, sender: str, target: str, key: str
) -> None:
    """👎 on a curated answer, by the member who asked: see the module's doc."""
    if key not in THUMBS_DOWN or sender == services.chat.user_id:
        return
    answered = await AnsweredQuestions(services.db).by_reply(target)
    if answered is None or answered.user_id != sender or answered.room_id != room_id:
        return  # someone else's answer, or no curated answer at all: ignored
    text = await flag_answer(services, answered)
    if text is not None:
        await services.chat.send(room_id, Reply(text), key=f"flag:{target}", reply_to=target)


@command(
    "passt-nicht",
    aliases=("not-helpful",),
    group="inhalte",
    scope=Scope.NETWORK,
    summary="knowledge.flag_summary",
    examples=("!passt-nicht",),
)
async def flag_command(ctx: Context) -> None:
    """The member's last curated answer in this room did not fit (like 👎 on it)."""
    answered = await AnsweredQuestions(ctx.db).last(ctx.room_id, ctx.sender)
    if answered is None:
        await ctx.reply(ctx.t("knowledge.flag_nothing"))
        return
    text = await flag_answer(ctx.services, answered)
    await ctx.reply(text if text is not None else ctx.t("knowledge.flag_already"))


async def flag_answer(services: Services, answered: AnsweredQuestion) -> str | None:
    """Flag ``answered``: open question, forward, refused memory. Returns the thanks for
    the member (in the question's language), None when it was flagged before."""
    repo = AnsweredQuestions(services.db)
    refused = not answered.entry_id.startswith(COORDINATION_PREFIX)
    filed = RefusedQuestions(services.db)
    if refused and await filed.count_by(answered.user_id) >= MAX_REFUSED_PER_MEMBER:
        refused = False
    async with services.db.transaction():
        if not await repo.flag(answered.reply_event):
            return None
        question_id = await UnansweredQuestions(services.db).add(
            answered.question,
            sender=answered.user_id,
            room_id=answered.room_id,
            lang=answered.lang,
            best_score=answered.score,
            suggestions=[answered.entry_id],
        )
        await repo.set_question(answered.reply_event, question_id)
        if refused:
            await filed.add(answered.entry_id, answered.question, answered.user_id)
    if refused and services.answers is not None:
        pair = (answered.entry_id, answered.question)
        # re-indexing the refused questions is CPU work: off the event loop
        await asyncio.to_thread(services.answers.add_refused, [pair])
    forwarded = await _forward(services, answered, question_id)
    key = "knowledge.flag_thanks" if forwarded else "knowledge.flag_noted"
    return services.catalog.get(key, answered.lang)


async def _forward(services: Services, answered: AnsweredQuestion, question_id: int) -> bool:
    """To the coordinators' room like an open question, naming the entry that did not
    fit; whether it went out."""
    lang = services.network.language
    title = _entry_title(services.answers, answered.entry_id, lang)
    return await forward_question(
        services,
        sender=answered.user_id,
        room_id=answered.room_id,
        question=answered.question,
        question_id=question_id,
        key=f"flag-forward:{answered.reply_event}",
        note=services.catalog.get("knowledge.flag_forward", lang, title=title) if title else "",
    )


def _entry_title(index: Any, entry_id: str, lang: str) -> str:
    entry = index.entry(entry_id) if index is not None else None
    return "" if entry is None else str(entry.title(lang))


async def load_refused_questions(services: Services) -> int:
    """At start: the pairs members flagged into the search index (beside the shipped
    refused questions)."""
    if services.answers is None:
        return 0
    pairs = await RefusedQuestions(services.db).all()
    if pairs:
        await asyncio.to_thread(services.answers.add_refused, pairs)
    return len(pairs)


@on_event("forget")
async def forget_flags(services: Services, *, user_id: str) -> None:
    """``!vergiss-mich``: the member's answered questions, flags and refused questions go,
    from the database and from the live index."""
    await AnsweredQuestions(services.db).forget(user_id)
    removed = await RefusedQuestions(services.db).forget(user_id)
    if removed and services.answers is not None:
        await asyncio.to_thread(services.answers.remove_refused, removed)
