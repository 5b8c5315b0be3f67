"""👎 on an answer: storage, the live refused memory, and the flag's effects (fakes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commands.context import Context, Services
from commands.feedback import flag_by_reaction, flag_command, forget_flags, load_refused_questions
from commands.knowledge import answer_question
from storage import Database
from storage.feedback import AnsweredQuestions, RefusedQuestions
from storage.privacy import export_user, forget_user, mentions
from storage.questions import UnansweredQuestions
from tests.fakes import fake_chat, make_services, message_context, must, unrefused_index

KOORD_ROOM = "!koordination:localhost"
ASKER = "@a:localhost"
OTHER = "@b:localhost"
ROOM = "!room:localhost"
COSTS = "Was kostet die Teilnahme am Lerncluster?"
COSTS_ENTRY = "lerncluster-kosten"


async def _db(tmp_path: Path) -> Database:
    db = Database(tmp_path / "k.db")
    await db.open()
    return db


async def test_answered_questions_store_flag_once_and_prune(tmp_path: Path) -> None:
    db = await _db(tmp_path)
    try:
        repo = AnsweredQuestions(db)
        now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
        old = now - timedelta(days=31)
        await repo.add(
            "$old", room_id=ROOM, user_id=ASKER, question="alt?", entry_id="x", lang="de", now=old
        )
        await repo.add(
            "$r1",
            room_id=ROOM,
            user_id=ASKER,
            question=COSTS,
            entry_id=COSTS_ENTRY,
            lang="de",
            score=80,
            now=now - timedelta(days=29),
        )
        assert await repo.by_reply("$old") is not None  # 31 days before the 29th: kept
        await repo.add(
            "$r2", room_id=ROOM, user_id=ASKER, question="Wer?", entry_id="y", lang="en", now=now
        )
        assert await repo.by_reply("$old") is None  # older than 30 days: pruned on write
        assert await repo.count() == 2
        first = must(await repo.by_reply("$r1"))
        assert (first.user_id, first.question, first.entry_id, first.score) == (
            ASKER,
            COSTS,
            COSTS_ENTRY,
            80,
        )
        assert not first.flagged
        assert must(await repo.last(ROOM, ASKER)).reply_event == "$r2"
        assert await repo.last(ROOM, OTHER) is None
        assert await repo.last("!elsewhere", ASKER) is None

        assert await repo.flag("$r1") is True
        assert await repo.flag("$r1") is False  # the second 👎 changes nothing
        assert await repo.flag("$unknown") is False
        assert must(await repo.by_reply("$r1")).flagged

        await repo.add(
            "$b", room_id=ROOM, user_id=OTHER, question="?", entry_id="z", lang="de", now=now
        )
        assert await repo.forget(ASKER) == 2
        assert await repo.by_reply("$r1") is None and await repo.by_reply("$b") is not None
    finally:
        await db.close()


async def test_refused_questions_are_kept_and_forgotten_per_member(tmp_path: Path) -> None:
    db = await _db(tmp_path)
    try:
        repo = RefusedQuestions(db)
        await repo.add(COSTS_ENTRY, COSTS, ASKER)
        await repo.add("umfrage", "Wie lange läuft die Umfrage?", OTHER)
        assert await repo.all() == [
            (COSTS_ENTRY, COSTS),
            ("umfrage", "Wie lange läuft die Umfrage?"),
        ]
        assert await repo.forget(ASKER) == [(COSTS_ENTRY, COSTS)]
        assert await repo.all() == [("umfrage", "Wie lange läuft die Umfrage?")]
    finally:
        await db.close()


def test_add_refused_makes_a_similar_question_read_as_refused() -> None:
    index = unrefused_index()
    similar = "Was kostet uns die Teilnahme am Lerncluster eigentlich?"
    _, before = index.explain(similar, verify=False)
    assert before is not None and before["refused"] == 0.0
    index.add_refused([(COSTS_ENTRY, COSTS)])
    assert index.refused == [(COSTS_ENTRY, COSTS)]
    _, after = index.explain(similar, verify=False)
    assert after is not None
    assert after["refused"] > 0.5 and after["refused_entry"] > 0.5
    # more pairs later: only those are analysed, the earlier ones stay
    index.add_refused([("umfrage", "Wie lange läuft die Umfrage?")])
    _, again = index.explain(similar, verify=False)
    assert again is not None and again["refused"] == after["refused"]
    # the member who flagged it is forgotten: the evidence is gone again, the rest stays
    index.remove_refused([(COSTS_ENTRY, COSTS), ("no-such-entry", "nie gefragt")])
    assert index.refused == [("umfrage", "Wie lange läuft die Umfrage?")]
    _, gone = index.explain(similar, verify=False)
    assert gone is not None and gone["refused"] == 0.0


def _ctx(services: Services, sender: str, event: str) -> Context:
    return message_context(services, sender, ROOM, event, direct=False)


async def _services(tmp_path: Path, *, coordinators_room: bool = True) -> Services:
    services = await make_services(tmp_path)
    if coordinators_room:
        services.network.room_ids["koord"] = KOORD_ROOM
        services.network.room_kinds["koord"] = "coordinators"
    must(services.answers).refused = []  # the shipped memory aside: only what is flagged
    must(services.answers).add_refused([])
    return services


async def _react(services: Services, sender: str, target: str, key: str, n: int) -> None:
    await flag_by_reaction(
        services, room_id=ROOM, event_id=f"$react{n}", sender=sender, target=target, key=key
    )


async def test_the_askers_thumbs_down_forwards_once_and_is_remembered(tmp_path: Path) -> None:
    services = await _services(tmp_path)
    chat = fake_chat(services)
    try:
        await answer_question(_ctx(services, ASKER, "$q1"), COSTS)
        answer = chat.sent[-1]
        assert answer.reply.extra["koopbot.answer"]["id"] == COSTS_ENTRY
        sent = len(chat.sent)

        # someone else's 👎, a 👍 of the asker: nothing at all
        await _react(services, OTHER, answer.event_id, "👎", 1)
        await _react(services, ASKER, answer.event_id, "👍", 2)
        assert len(chat.sent) == sent
        assert await UnansweredQuestions(services.db).count_open() == 0

        await _react(services, ASKER, answer.event_id, "👎🏽", 3)
        forward, thanks = chat.sent[sent:]
        assert thanks.room_id == ROOM and thanks.reply_to == answer.event_id
        assert "an die Koordination weitergegeben" in thanks.reply.text
        assert forward.room_id == KOORD_ROOM and COSTS in forward.reply.text
        title = must(must(services.answers).entry(COSTS_ENTRY)).title("de")
        assert f"„{title}“ hat nicht gepasst" in forward.reply.text
        assert "!antwort 1" in forward.reply.text
        (opened,) = await UnansweredQuestions(services.db).open_questions()
        assert (opened.question, opened.sender) == (COSTS, ASKER)
        suggestions = await services.db.scalar("SELECT suggestions FROM unanswered_questions")
        assert COSTS_ENTRY in suggestions

        # live: the same question is not answered again, and a reworded one reads as a
        # near-miss of the flagged entry
        assert must(services.answers).answer(COSTS).abstained
        _, evidence = must(services.answers).explain(f"Kurze Frage: {COSTS}", verify=False)
        assert evidence is not None and evidence["refused_entry"] > 0.9

        # a second 👎 (another tone) and the command change nothing more
        await _react(services, ASKER, answer.event_id, "👎", 4)
        assert len(chat.sent) == sent + 2
        await flag_command(_ctx(services, ASKER, "$cmd"))
        assert "schon gesagt" in chat.sent[-1].reply.text
        assert await UnansweredQuestions(services.db).count_open() == 1
        assert await RefusedQuestions(services.db).all() == [(COSTS_ENTRY, COSTS)]

        # after a restart the flagged pair is loaded into the new index
        fresh = unrefused_index()  # a restart: a new index of the same content
        services.answers = fresh
        assert await load_refused_questions(services) == 1
        assert fresh.refused == [(COSTS_ENTRY, COSTS)]
    finally:
        await services.db.close()


async def test_not_helpful_command_flags_the_last_answer_without_coordinators_room(
    tmp_path: Path,
) -> None:
    services = await _services(tmp_path, coordinators_room=False)
    chat = fake_chat(services)
    try:
        await flag_command(_ctx(services, ASKER, "$c0"))
        assert "keine Antwort aus den Inhalten" in chat.sent[-1].reply.text
        await answer_question(_ctx(services, ASKER, "$q1"), COSTS)
        await flag_command(_ctx(services, OTHER, "$c1"))  # not B's answer
        assert "keine Antwort aus den Inhalten" in chat.sent[-1].reply.text
        await flag_command(_ctx(services, ASKER, "$c2"))
        assert "notiert" in chat.sent[-1].reply.text
        assert all(s.room_id == ROOM for s in chat.sent)  # nothing forwarded anywhere
        assert await UnansweredQuestions(services.db).count_open() == 1
    finally:
        await services.db.close()


async def test_english_question_is_thanked_in_english(tmp_path: Path) -> None:
    services = await _services(tmp_path)
    chat = fake_chat(services)
    try:
        await answer_question(_ctx(services, ASKER, "$q1"), "What are the phases of a cooperation?")
        answer = chat.sent[-1]
        assert "koopbot.answer" in answer.reply.extra
        await _react(services, ASKER, answer.event_id, "👎🏿", 1)
        assert "passed your question on to the coordinators" in chat.sent[-1].reply.text
    finally:
        await services.db.close()


async def test_coordinators_answers_are_forwarded_but_not_refused(tmp_path: Path) -> None:
    services = await _services(tmp_path)
    chat = fake_chat(services)
    try:
        repo = AnsweredQuestions(services.db)
        await repo.add(
            "$ans",
            room_id=ROOM,
            user_id=ASKER,
            question=COSTS,
            entry_id="koordination-3",
            lang="de",
        )
        await _react(services, ASKER, "$ans", "👎", 1)
        assert any(s.room_id == KOORD_ROOM and COSTS in s.reply.text for s in chat.sent)
        assert await RefusedQuestions(services.db).all() == []
        assert must(services.answers).refused == []
    finally:
        await services.db.close()


async def test_forget_me_removes_answers_flags_and_refused_questions(tmp_path: Path) -> None:
    services = await _services(tmp_path)
    chat = fake_chat(services)
    try:
        await answer_question(_ctx(services, ASKER, "$q1"), COSTS)
        await _react(services, ASKER, chat.sent[-1].event_id, "👎", 1)
        exported = await export_user(services.db, ASKER)
        assert exported["answered_questions"][0]["question"] == COSTS
        assert exported["answered_questions"][0]["flagged_at"]
        assert exported["refused_questions"][0]["entry_id"] == COSTS_ENTRY

        await forget_flags(services, user_id=ASKER)
        await forget_user(services.db, ASKER)
        assert await mentions(services.db, ASKER) == 0
        assert must(services.answers).refused == []
        _, evidence = must(services.answers).explain(COSTS, verify=False)
        assert evidence is not None and evidence["refused"] == 0.0
    finally:
        await services.db.close()


async def test_an_answer_picked_by_one_tap_can_be_flagged_too(tmp_path: Path) -> None:
    """The member picks "1" from a "Meinst du …?" and finds it does not fit either: their
    👎 on that answer forwards the question they first asked, once, naming the entry."""
    from content.verify import Verifier

    services = await _services(tmp_path)
    chat = fake_chat(services)
    try:
        # a verifier that refuses everything: the question is offered one tap away
        must(services.answers).verifier = Verifier(weights={}, bias=-100.0, cutoff=0.5)
        await answer_question(_ctx(services, ASKER, "$q1"), COSTS)
        assert chat.sent[-1].reply.extra["koopbot.answer"] == {"abstained": True}
        await answer_question(_ctx(services, ASKER, "$q2"), "1")
        picked = chat.sent[-1]
        entry_id = picked.reply.extra["koopbot.answer"]["id"]
        assert await UnansweredQuestions(services.db).count_open() == 0  # found by the tap
        sent = len(chat.sent)

        await _react(services, OTHER, picked.event_id, "👎", 1)  # not the asker: nothing
        assert len(chat.sent) == sent
        await _react(services, ASKER, picked.event_id, "👎", 2)
        forward = next(s for s in chat.sent[sent:] if s.room_id == KOORD_ROOM)
        assert COSTS in forward.reply.text
        (opened,) = await UnansweredQuestions(services.db).open_questions()
        assert (opened.question, opened.sender) == (COSTS, ASKER)
        assert await RefusedQuestions(services.db).all() == [(entry_id, COSTS)]
    finally:
        await services.db.close()


async def test_one_member_cannot_make_many_entries_suspect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond the cap a member's 👎 still reaches the coordinators, but no longer teaches
    the verifier: a hostile member flagging every answer cannot switch the FAQ off."""
    import commands.feedback

    monkeypatch.setattr(commands.feedback, "MAX_REFUSED_PER_MEMBER", 1)
    services = await _services(tmp_path)
    chat = fake_chat(services)
    try:
        for n, question in enumerate((COSTS, "Wie viele Kommunen sind in einem Lerncluster?")):
            await answer_question(_ctx(services, ASKER, f"$q{n}"), question)
            answer = chat.sent[-1]
            assert "id" in answer.reply.extra["koopbot.answer"]
            await _react(services, ASKER, answer.event_id, "👎", n)
            assert any(question in s.reply.text for s in chat.sent if s.room_id == KOORD_ROOM)
        assert await UnansweredQuestions(services.db).count_open() == 2
        assert await RefusedQuestions(services.db).all() == [(COSTS_ENTRY, COSTS)]
        assert must(services.answers).refused == [(COSTS_ENTRY, COSTS)]
    finally:
        await services.db.close()


async def test_housekeeping_drops_answers_older_than_30_days_without_a_new_answer(
    tmp_path: Path,
) -> None:
    """A bot nobody asks anything for a month still keeps answered questions only 30
    days: the daily housekeeping prunes them, not only the next answer."""
    from bot.app import App
    from bot.config import load_settings

    config = tmp_path / "koopbot.toml"
    config.write_text(
        '[matrix]\nuser_id = "@koopbot:localhost"\npassword = "pw"\n'
        f'[storage]\ndir = "{tmp_path / "data"}"\n',
        encoding="utf-8",
    )
    app = App(load_settings(config))
    await app.db.open()
    try:
        repo = AnsweredQuestions(app.db)
        now = datetime.now(UTC)
        for event, days in (("$old", 31), ("$recent", 29)):
            await repo.add(
                event,
                room_id=ROOM,
                user_id=ASKER,
                question=COSTS,
                entry_id=COSTS_ENTRY,
                lang="de",
                now=now - timedelta(days=days),
            )
        await app._housekeep()
        assert await repo.by_reply("$old") is None
        assert await repo.by_reply("$recent") is not None
    finally:
        await app.db.close()
