"""Curated knowledge: phases, checklists, the agreement, free questions, topics.

Every answer names its source (the document's title; the file name is in the metadata);
below the confidence threshold the bot offers up to three candidates ("Meinst du …?",
answered by ``1``-``3`` or 1️⃣-3️⃣) or says it has no answer, stores the question and
forwards it to the coordinators, whose ``!antwort`` reaches the asker and becomes a
network content entry. Greetings and thanks get a friendly line and are not forwarded.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime
from typing import Any

from commands.context import Context, Services
from commands.errors import UserError
from commands.i18n import Catalog
from commands.registry import Arg, Permission, Scope, command, int_arg, on_event
from commands.reply import Reply, ReplyBuilder, bold, em, mention
from commands.timeparse import format_date
from storage.answers import AnswerChoices, Choice, NetworkAnswers
from storage.feedback import AnsweredQuestions
from storage.privacy import ForwardedMessages
from storage.questions import StoredQuestion, UnansweredQuestions

log = logging.getLogger(__name__)

# A question is stored and forwarded to the coordinators: a few sentences, not a file.
MAX_QUESTION = 1000
MAX_ANSWER = 4000  # a coordinator's answer becomes a content entry: a few paragraphs


def _content(ctx: Context) -> Any:
    if ctx.services.content is None:
        raise UserError("knowledge.no_content")
    return ctx.services.content


_CHOICE = re.compile(r"^\s*(?:nr\.?\s*|nummer\s*|#)?([1-3])\s*[.)!]?\s*$", re.IGNORECASE)
_REACTION_NUMBERS = {"1\ufe0f\u20e3": 1, "2\ufe0f\u20e3": 2, "3\ufe0f\u20e3": 3}
_REACTION_NUMBERS |= {"1\u20e3": 1, "2\u20e3": 2, "3\u20e3": 3}


def source_title(content: Any, source: str, lang: str) -> str:
    """What users see of a source: the document's title (the file name stays in the
    metadata)."""
    if content is None or not hasattr(content, "source_title"):
        return source
    return str(content.source_title(source, lang))


def _choice_hint(t: Any, count: int) -> str:
    """How to pick one of ``count`` numbered entries: by digit or by keycap reaction."""
    if count == 1:
        return str(t("knowledge.did_you_mean_hint_one"))
    return str(t("knowledge.did_you_mean_hint", count=count, keycap=f"{count}\ufe0f\u20e3"))


def render_answer(result: Any, catalog: Catalog, lang: str, *, forwarded: bool = False) -> Reply:
    """The reply to a free question (also used offline by ``koopbot ask``)."""
    t = lambda key, **kw: catalog.get(key, lang, **kw)  # noqa: E731
    if getattr(result, "small_talk", None):
        return ReplyBuilder().line(t(f"knowledge.small_talk_{result.small_talk}")).build()
    if result.abstained:
        candidates = getattr(result, "candidates", [])
        reply = ReplyBuilder()
        if candidates:
            reply.line(t("knowledge.did_you_mean"))
            for _entry_id, title in candidates[:3]:
                reply.numbered(title)
            reply.line(_choice_hint(t, len(candidates[:3])))
        else:
            reply.line(t("knowledge.abstain"))
            if result.suggestions:
                reply.line(t("knowledge.closest"))
                for _entry_id, title in result.suggestions[:3]:
                    reply.bullet(title)
        if forwarded:
            reply.line(t("knowledge.forwarded_hint"))
        return reply.build(extra={"koopbot.answer": result.metadata()})
    source = t("knowledge.source", source=getattr(result, "source_title", "") or result.source)
    reply = ReplyBuilder().heading(result.title).line(result.text).note(source)
    alternatives = getattr(result, "candidates", [])[:2]
    if alternatives:  # the runner-ups score close to this answer: one tap away
        reply.line(t("knowledge.or_did_you_mean"))
        for _entry_id, title in alternatives:
            reply.numbered(title)
        reply.line(_choice_hint(t, len(alternatives)))
    elif result.related:
        titles = [title for _id, title in result.related[:2]]
        reply.line(t("knowledge.related", titles=" · ".join(titles)))
    return reply.build(extra={"koopbot.answer": result.metadata()})


def is_choice_reply(text: str) -> bool:
    """``1``-``3`` (also "Nr. 2", "#3"): an answer to a "Meinst du …?" offer."""
    return _CHOICE.match(text) is not None


async def answer_question(ctx: Context, question: str) -> None:
    """!frage and plain questions in direct chats or with a mention."""
    index = ctx.services.answers
    if index is None:
        raise UserError("knowledge.no_content")
    if len(question) > MAX_QUESTION:
        raise UserError("knowledge.question_too_long", limit=MAX_QUESTION)
    from content import detect_lang

    picked = _CHOICE.match(question)
    if picked:
        await _answer_choice(ctx, int(picked.group(1)))
        return
    lang = detect_lang(question, default=ctx.lang)
    # the search is CPU work: off the event loop, so that nobody else waits for it
    result = await asyncio.to_thread(index.answer, question, lang)
    if result.small_talk:  # "hallo", "danke!", "🎻": a friendly line, nothing forwarded
        await ctx.reply(render_answer(result, ctx.services.catalog, lang))
        return
    coordinators = ctx.services.network.coordinators_room
    forwarded = result.abstained and coordinators is not None and coordinators != ctx.room_id
    question_id = None
    if result.abstained:
        question_id = await _record_unanswered(ctx, question, lang, result)
    # "Meinst du …?" below the threshold, or beside an answer the runner-ups close to it:
    # either way the numbers pick an entry (an answered question is not open)
    offered = result.candidates[:3] if result.abstained else result.candidates[:2]
    if not offered:  # a new question: an older offer's numbers no longer apply
        await AnswerChoices(ctx.db).clear(ctx.room_id, ctx.sender)
    else:
        await AnswerChoices(ctx.db).offer(
            ctx.room_id,
            ctx.sender,
            [entry_id for entry_id, _t in offered],
            lang,
            question_id=question_id,
        )
    event_id = await ctx.reply(
        render_answer(result, ctx.services.catalog, lang, forwarded=forwarded)
    )
    if offered:
        await AnswerChoices(ctx.db).set_reply(ctx.room_id, ctx.sender, event_id)
    if not result.abstained and result.entry_id:  # a curated answer: the asker may 👎 it
        await AnsweredQuestions(ctx.db).add(
            event_id,
            room_id=ctx.room_id,
            user_id=ctx.sender,
            question=question,
            entry_id=result.entry_id,
            lang=result.lang or lang,
            score=int(result.score),
        )


async def _answer_choice(ctx: Context, number: int) -> None:
    """``1``-``3`` after a "Meinst du …?": the chosen entry's answer."""
    repo = AnswerChoices(ctx.db)
    choice = await repo.current(ctx.room_id, ctx.sender)
    if choice is None or number > len(choice.candidates):
        await ctx.reply(ctx.t("knowledge.no_choice"))
        return
    reply = await _chosen_reply(ctx.services, choice, number)
    if reply is None:
        await ctx.reply(ctx.t("knowledge.no_choice"))
        return
    await _remember_choice(ctx.services, choice, number, await ctx.reply(reply))


async def _chosen_reply(services: Services, choice: Choice, number: int) -> Reply | None:
    answers = services.answers
    assert answers is not None, "the composition root loads the content index"
    result = answers.result_for(choice.candidates[number - 1], choice.lang)
    if result is None:
        return None
    await AnswerChoices(services.db).clear(choice.room_id, choice.sender)
    if choice.question_id is not None:  # the member found the answer: no longer open
        await UnansweredQuestions(services.db).resolve(choice.question_id)
    return render_answer(result, services.catalog, choice.lang)


@on_event("reaction")
async def choice_by_reaction(
    services: Services, *, room_id: str, event_id: str, sender: str, target: str, key: str
) -> None:
    """1️⃣ 2️⃣ 3️⃣ on a "Meinst du …?" reply: the chosen answer, by the one who asked."""
    number = _REACTION_NUMBERS.get(key)
    if number is None or sender == services.chat.user_id or services.answers is None:
        return
    choice = await AnswerChoices(services.db).by_reply(target)
    if choice is None or choice.sender != sender or choice.room_id != room_id:
        return
    if number > len(choice.candidates):
        return
    reply = await _chosen_reply(services, choice, number)
    if reply is not None:
        sent = await services.chat.send(room_id, reply, key=f"choice:{event_id}", reply_to=target)
        await _remember_choice(services, choice, number, sent)


async def _remember_choice(services: Services, choice: Choice, number: int, reply: str) -> None:
    """An answer the member picked by one tap can be flagged (👎) like any other: it is
    remembered with the question it was offered for (the open one, or the one answered
    beside the offer)."""
    question = None
    if choice.question_id is not None:
        asked = await UnansweredQuestions(services.db).get(choice.question_id)
        question = asked.question if asked is not None else None
    elif choice.reply_event is not None:
        answered = await AnsweredQuestions(services.db).by_reply(choice.reply_event)
        question = answered.question if answered is not None else None
    if question:
        await AnsweredQuestions(services.db).add(
            reply,
            room_id=choice.room_id,
            user_id=choice.sender,
            question=question,
            entry_id=choice.candidates[number - 1],
            lang=choice.lang,
        )


async def _record_unanswered(ctx: Context, question: str, lang: str, result: Any) -> int:
    question_id = await UnansweredQuestions(ctx.db).add(
        question,
        sender=ctx.sender,
        room_id=ctx.room_id,
        lang=lang,
        best_score=int(result.score),
        suggestions=[entry_id for entry_id, _t in result.suggestions],
    )
    await forward_question(
        ctx.services,
        sender=ctx.sender,
        room_id=ctx.room_id,
        question=question,
        question_id=question_id,
        key=f"forward:{ctx.event_id}",
    )
    return question_id


async def forward_question(
    services: Services,
    *,
    sender: str,
    room_id: str,
    question: str,
    question_id: int,
    key: str,
    note: str = "",
) -> bool:
    """An open question to the coordinators' room (in the network's language), with how
    to answer it and an optional note; whether it went out. Not when there is no such
    room or it was asked there. A failed send is only logged: the question is stored."""
    target = services.network.coordinators_room
    if target is None or target == room_id:
        return False
    catalog = services.catalog
    lang = services.network.language
    where = services.chat.room_name(room_id)
    text = catalog.get("knowledge.forward", lang, sender=sender, room=where, question=question)
    if note:
        text += " " + note
    text += " " + catalog.get("knowledge.forward_answer", lang, nr=question_id)
    try:
        event_id = await services.chat.send(target, Reply(text), key=key)
        # remembered so that "forget me" can take it back out of the coordinators' room
        await ForwardedMessages(services.db).add(event_id, target, sender, "question")
    except Exception:
        log.exception("could not forward question %d", question_id)
        return False
    return True


def titled_list(
    title: str, items: list[tuple[str, str]], footer: list[str], *, ordered: bool = False
) -> Reply:
    """A heading, one line per (name, text) item, then footer lines (hint, source)."""
    reply = ReplyBuilder().heading(title)
    for name, text in items:
        (reply.numbered if ordered else reply.bullet)(bold(name), " – ", text)
    for line in footer:
        reply.line(line)
    return reply.build()


def source_line(ctx: Context, entries: Any) -> str:
    content = ctx.services.content
    titles = sorted({source_title(content, e.source, ctx.lang) for e in entries})
    return ctx.t("knowledge.source", source=", ".join(titles))


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
    reply = ReplyBuilder().heading(title).line(found.summary(ctx.lang), joined=True)
    for item in found.items:
        hint = item.hint(ctx.lang)
        reply.bullet(
            bold(item.id), " ", item.text(ctx.lang), mark="", more=[em(hint)] if hint else []
        )
    tick = ctx.t("knowledge.checklist_tick", example=found.items[0].id if found.items else "1.1")
    source = ctx.t("knowledge.source", source=source_title(content, found.source, ctx.lang))
    await ctx.reply(reply.line(tick).note(source).build())


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
    reply = ReplyBuilder().heading(title)
    upcoming = await _next_meetings_by_room(ctx)
    for topic in content.topics:
        room_id = network.room_ids.get(topic.key) or network.room_ids.get(
            network.topic_rooms.get(topic.key, "")
        )
        more = []
        if room_id:
            more.append(ctx.t("knowledge.topic_room", room=ctx.chat.room_name(room_id)))
            if room_id in upcoming:
                more.append(ctx.t("knowledge.topic_next", when=upcoming[room_id]))
        reply.bullet(bold(topic.title), ": ", topic.description(ctx.lang), more=more, more_mark=" ")
    await ctx.reply(reply.note(source_line(ctx, content.topics)).build())


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
    reply = ReplyBuilder().heading(title)
    tz = ctx.services.network.tz
    for q in questions:
        asked = format_date(datetime.fromisoformat(q.asked_at), ctx.lang, tz=tz)
        who = ctx.chat.display_name(q.sender) if q.sender else ctx.t("knowledge.asker_unknown")
        person = mention(q.sender, who) if q.sender else who
        reply.bullet(f"#{q.id} {asked} – ", person, ": ", q.question)
    await ctx.reply(reply.line(ctx.t("knowledge.open_questions_hint")).build())


def network_entry(answer: Any) -> Any:
    """A coordinator's answer as a content entry (source: the coordination, dated)."""
    from content import FaqEntry

    # the question it was typed for, then every later question filed under it (rewordings)
    asked = (answer.question, *getattr(answer, "rewordings", ()))
    phrasings = list(dict.fromkeys(q for q in (" ".join(a.split()) for a in asked) if q))
    # after the asker's !vergiss-mich the question is blank: a rewording or the answer
    # names the entry
    title = phrasings[0] if phrasings else " ".join(answer.answer.split())
    title = title if len(title) <= 90 else title[:87].rstrip() + "…"
    return FaqEntry(
        id=f"koordination-{answer.id}",
        titles={answer.lang: title},
        answers={answer.lang: answer.answer},
        phrasings={answer.lang: phrasings},
        source=f"koordination:{answer.answered_at[:10]}",
    )


async def load_network_answers(services: Services) -> int:
    """At start: the coordinators' answers into the search index."""
    if services.answers is None:
        return 0
    answers = await NetworkAnswers(services.db).all()
    if answers:
        services.answers.add_entries([network_entry(a) for a in answers])
    return len(answers)


@on_event("forget")
async def forget_asked_questions(services: Services, *, user_id: str) -> None:
    """``!vergiss-mich``: no question of the member stays, neither open nor as the
    phrasing of a coordinator's answer (the live index forgets it too)."""
    changed = await NetworkAnswers(services.db).forget_asker(user_id)
    if changed and services.answers is not None:
        await asyncio.to_thread(services.answers.add_entries, [network_entry(a) for a in changed])


# "!antwort 14 siehe 12": question 14 gets the answer question 12 received
_SEE = re.compile(
    r"^(?:siehe|wie|see|like)\s+(?:#\s*|nr\.?\s*|no\.?\s*)?(\d+)\s*[.!]?$", re.IGNORECASE
)


@command(
    "antwort",
    aliases=("answer",),
    group="inhalte",
    scope=Scope.NETWORK,
    summary="knowledge.answer_summary",
    usage="<nr> <text>",
    usage_en="<nr> <text>",
    permission=Permission.COORDINATOR,
    examples=(
        "!antwort 12 Die Teilnahme an den Austauschtreffen ist für Mitglieder offen.",
        "!antwort 14 siehe 12",
    ),
    args=(Arg("number"), Arg("text", rest=True)),
)
async def answer_command(ctx: Context, number: str, text: str) -> None:
    questions = UnansweredQuestions(ctx.db)
    found = await questions.get(_question_number(number))
    if found is None or found.resolved:
        raise UserError("knowledge.unknown_question", nr=number)
    text = text.strip()
    see = _SEE.match(text)
    if see:
        await _answer_like(ctx, found, see.group(1))
        return
    if len(text) < 3:
        raise UserError("knowledge.answer_too_short")
    if len(text) > MAX_ANSWER:
        raise UserError("knowledge.answer_too_long", limit=MAX_ANSWER)
    saved = await NetworkAnswers(ctx.db).add(found.id, found.question, text, found.lang, ctx.sender)
    if ctx.services.answers is not None:
        # the rebuild takes ~0.7 s for the shipped content: off the event loop
        await asyncio.to_thread(ctx.services.answers.add_entries, [network_entry(saved)])
    delivered = await _send_answer(ctx, found, text, key=f"answer-dm:{saved.id}")
    key = "knowledge.answer_done" if delivered else "knowledge.answer_done_undelivered"
    await ctx.reply(ctx.t(key, nr=found.id, sender=found.sender or "?"))


def _question_number(text: str) -> int:
    """An open question's number as typed ("12", "#12"); 0 (no question) for anything
    else, "²" or a number no row can have included."""
    try:
        return int_arg(text)
    except ValueError:
        return 0


async def _answer_like(ctx: Context, found: StoredQuestion, see: str) -> None:
    """``!antwort <nr> siehe <m>``: the answer question ``m`` received answers ``nr``
    too; ``nr``'s words become a further phrasing of that entry (no second entry)."""
    number = _question_number(see)
    repo = NetworkAnswers(ctx.db)
    # the answer outlives its question: after the asker's !vergiss-mich the question is
    # gone, but "siehe <nr>" still finds the answer it received
    answer = await repo.for_question(number)
    earlier = await UnansweredQuestions(ctx.db).get(number)
    if earlier is None and answer is None:
        raise UserError("knowledge.see_unknown", nr=see)
    if number == found.id:
        raise UserError("knowledge.see_same", nr=found.id)
    if answer is None:
        raise UserError("knowledge.see_unanswered", nr=number)
    saved = await repo.add_rewording(answer.id, found.id, found.question)
    if ctx.services.answers is not None:  # the entry, replaced by id: all its phrasings
        await asyncio.to_thread(ctx.services.answers.add_entries, [network_entry(saved)])
    delivered = await _send_answer(ctx, found, saved.answer, key=f"answer-dm:q{found.id}")
    key = "knowledge.answer_like_done" if delivered else "knowledge.answer_like_undelivered"
    await ctx.reply(ctx.t(key, nr=found.id, see=number, sender=found.sender or "?"))


async def _send_answer(ctx: Context, found: StoredQuestion, text: str, *, key: str) -> bool:
    """The answer to the asker of ``found`` in a direct chat; whether it went out."""
    if not found.sender:
        return False
    catalog = ctx.services.catalog
    answer = (
        ReplyBuilder()
        .line(catalog.get("knowledge.answer_dm_intro", found.lang))
        .quote(found.question)
        .line(text)
    )
    try:
        room = await ctx.chat.direct_room(found.sender)
        await ctx.chat.send(room, answer.build(), key=key)
    except Exception:
        log.exception("could not send the answer to question %d to its asker", found.id)
        return False
    return True
