"""`!antwort <nr> siehe <m>`: a reworded question filed under an earlier answer."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import pickle
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.offline import answer_offline
from commands.context import Context, Services
from commands.errors import UserError
from commands.knowledge import (
    answer_command,
    answer_question,
    forget_asked_questions,
    load_network_answers,
    network_entry,
)
from storage import MIGRATIONS, Database
from storage.answers import NetworkAnswer, NetworkAnswers, read_network_answers
from storage.questions import UnansweredQuestions
from tests.fakes import FakeChat, fake_chat, make_services, message_context, shipped_index

FIRST = "Bekommen wir für die Austauschtreffen eine Teilnahmebescheinigung?"
REWORDED = "Gibt es eine schriftliche Bestätigung, dass ich bei einem Treffen dabei war?"
THIRD = "Stellt jemand eine Bestätigung über meine Anwesenheit aus?"
ANSWER = "Ja, auf Nachfrage stellt der Landesverband eine aus."
UNRELATED = "Gibt es bei den Austauschtreffen einen Parkplatz?"


_EVENTS = itertools.count(1)  # each coordinator's command its own event


def _koord(services: Services) -> Context:
    """A coordinator's command in the coordinators' room."""
    return message_context(services, "@koord:localhost", "!k", f"$k{next(_EVENTS)}")


async def _asked(services: Services, sender: str, question: str) -> dict[str, object]:
    chat = fake_chat(services)
    await answer_question(
        message_context(services, sender, f"!dm-{sender}", f"$q-{sender}-{question}"), question
    )
    meta = chat.replies()[-1].extra["koopbot.answer"]
    assert isinstance(meta, dict)
    return meta


async def _answered_and_reworded(services: Services) -> None:
    """#1 answered by text, #2 (the rewording) open until filed under #1's answer."""
    assert await _asked(services, "@a:localhost", FIRST) == {"abstained": True}
    await answer_command(_koord(services), "1", ANSWER)
    assert await _asked(services, "@b:localhost", REWORDED) == {"abstained": True}
    assert (await UnansweredQuestions(services.db).get(2)) is not None


# The state after ``_answered_and_reworded``: database file, chat and index (pickled).
_REWORDED: dict[str, Any] = {}


async def _reworded_services(tmp_path: Path) -> Services:
    """Services in the state ``_answered_and_reworded`` leaves, each test its own copy.

    The coordinator's answer in it rebuilds the index (seconds of CPU) and a dozen tests
    start from that state: it is played once per test process (its checks included) and
    each test gets a copy of the database, the chat and the index, so none sees another's
    changes."""
    if not _REWORDED:
        first = tmp_path / "reworded"
        services = await make_services(first)
        try:
            await _answered_and_reworded(services)
        finally:
            await services.db.close()
        with (
            closing(sqlite3.connect(first / "k.db")) as db,
            closing(sqlite3.connect(first / "backup.db")) as backup,
        ):
            db.backup(backup)  # whatever the write-ahead log still holds included
        chat = fake_chat(services)
        _REWORDED.update(
            db=(first / "backup.db").read_bytes(),
            answers=pickle.dumps((services.content, services.answers)),
            chat={
                f.name: getattr(chat, f.name) for f in dataclasses.fields(chat) if f.name != "_ids"
            },
            next_id=next(chat._ids),  # event ids go on where the played chat stopped
        )
    (tmp_path / "k.db").write_bytes(_REWORDED["db"])
    services = await make_services(tmp_path, with_content=False)
    services.content, services.answers = pickle.loads(_REWORDED["answers"])
    services.chat = FakeChat(
        **copy.deepcopy(_REWORDED["chat"]), _ids=itertools.count(_REWORDED["next_id"])
    )
    return services


async def test_see_answers_the_asker_files_the_wording_and_answers_it_later(
    tmp_path: Path,
) -> None:
    services = await _reworded_services(tmp_path)
    chat = fake_chat(services)
    try:
        await answer_command(_koord(services), "2", "siehe 1")
        assert "Antwort auf Frage Nr. 1" in chat.texts("!k")[-1]
        dm = [s for s in chat.sent if s.room_id == "!dm-@b:localhost"]
        assert dm and ANSWER in dm[-1].reply.text and REWORDED in dm[-1].reply.text
        # resolved and linked to the one answer; no second entry, no second answer text
        assert await services.db.scalar("SELECT COUNT(*) FROM network_answers") == 1
        row = await services.db.fetchone(
            "SELECT resolved, answer_id FROM unanswered_questions WHERE id = 2"
        )
        assert row is not None and tuple(row) == (1, 1)
        (stored,) = await NetworkAnswers(services.db).all()
        assert stored.question == FIRST and stored.rewordings == (REWORDED,)
        # a third member asking like #2 gets the answer directly, and so does the first
        meta = await _asked(services, "@c:localhost", REWORDED)
        assert meta["id"] == "koordination-1"
        assert ANSWER in chat.replies()[-1].text
        assert (await _asked(services, "@d:localhost", FIRST))["id"] == "koordination-1"

        # the chain: #3 filed under #2 gets #1's answer and stays on the same entry
        assert await _asked(services, "@e:localhost", THIRD) == {"abstained": True}
        await answer_command(_koord(services), "#3", "Wie Nr. 2")
        (stored,) = await NetworkAnswers(services.db).all()
        assert stored.rewordings == (REWORDED, THIRD)
        assert (await _asked(services, "@f:localhost", THIRD))["id"] == "koordination-1"

        # after a restart and in `koopbot ask`, the rewordings count too
        assert services.content is not None
        services.answers = shipped_index()  # a new index of the same content
        assert await load_network_answers(services) == 1
        assert services.answers.answer(REWORDED).entry_id == "koordination-1"
        assert "id=koordination-1" in answer_offline(REWORDED, "de", [], services.db.path)
        (offline,) = read_network_answers(services.db.path)
        assert offline.rewordings == (REWORDED, THIRD)
    finally:
        await services.db.close()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("siehe 99", "knowledge.see_unknown"),
        ("siehe 99999999999999999999999", "knowledge.see_unknown"),  # no row can have it
        ("see #2", "knowledge.see_same"),
        ("like 3", "knowledge.see_unanswered"),  # open, not answered
    ],
)
async def test_see_errors_leave_everything_as_it_was(tmp_path: Path, text: str, key: str) -> None:
    services = await _reworded_services(tmp_path)
    chat = fake_chat(services)
    try:
        assert await _asked(services, "@e:localhost", THIRD) == {"abstained": True}
        sent = len(chat.sent)
        with pytest.raises(UserError) as refused:
            await answer_command(_koord(services), "2", text)
        assert refused.value.key == key
        rendered = services.catalog.get(key, "de", **refused.value.params)
        assert "{" not in rendered and "Frage Nr." in rendered
        assert (await UnansweredQuestions(services.db).count_open()) == 2
        assert await services.db.scalar("SELECT COUNT(*) FROM answer_rewordings") == 0
        assert await services.db.scalar("SELECT COUNT(*) FROM network_answers") == 1
        assert len(chat.sent) == sent
        assert await _asked(services, "@g:localhost", REWORDED) == {"abstained": True}
    finally:
        await services.db.close()


async def test_other_text_is_still_a_typed_answer(tmp_path: Path) -> None:
    """Only "siehe <nr>" (and its variants) reuse an answer; any other text is the answer."""
    services = await _reworded_services(tmp_path)
    try:
        await answer_command(_koord(services), "2", "siehe Merkblatt 1 auf der Website")
        answers = await NetworkAnswers(services.db).all()
        assert [a.answer for a in answers] == [ANSWER, "siehe Merkblatt 1 auf der Website"]
        assert all(a.rewordings == () for a in answers)
    finally:
        await services.db.close()


async def test_forget_me_removes_the_members_rewordings_live(tmp_path: Path) -> None:
    services = await _reworded_services(tmp_path)
    try:
        await answer_command(_koord(services), "2", "SIEHE 1")
        await forget_asked_questions(services, user_id="@b:localhost")
        (stored,) = await NetworkAnswers(services.db).all()
        assert stored.question == FIRST and stored.rewordings == ()
        assert await services.db.scalar("SELECT COUNT(*) FROM answer_rewordings") == 0
        assert services.answers is not None
        entry = services.answers.entry("koordination-1")
        assert entry is not None and REWORDED not in entry.all_phrasings()
        assert await _asked(services, "@c:localhost", REWORDED) == {"abstained": True}
        # the first asker's wording keeps answering
        assert (await _asked(services, "@d:localhost", FIRST))["id"] == "koordination-1"
    finally:
        await services.db.close()


def test_network_entry_is_one_entry_with_every_phrasing() -> None:
    answer = NetworkAnswer(
        7,
        1,
        FIRST,
        ANSWER,
        "de",
        "@koord:localhost",
        "2026-11-30T08:00:00+00:00",
        rewordings=(
            REWORDED,
            "  Gibt es eine schriftliche Bestätigung,\n dass ich bei einem Treffen dabei war?",
            THIRD,
        ),
    )
    entry = network_entry(answer)
    assert entry.id == "koordination-7" and entry.answer("de") == ANSWER
    assert entry.all_phrasings() == [FIRST, REWORDED, THIRD]
    assert entry.title("de") == FIRST
    # the first asker forgotten: a rewording names the entry
    forgotten = network_entry(replace(answer, question="", rewordings=(THIRD,)))
    assert forgotten.all_phrasings() == [THIRD] and forgotten.title("de") == THIRD


async def test_read_only_path_on_a_schema_without_rewordings(tmp_path: Path) -> None:
    """`koopbot ask` beside a bot not yet migrated to the rewordings: answers alone."""
    older = [m for m in MIGRATIONS if m.version < 13]
    db = Database(tmp_path / "k.db", older)
    await db.open()
    try:
        await NetworkAnswers(db).add(None, FIRST, ANSWER, "de", "@koord:localhost")
    finally:
        await db.close()
    with sqlite3.connect(tmp_path / "k.db") as conn:
        assert not conn.execute(
            "SELECT name FROM sqlite_master WHERE name = 'answer_rewordings'"
        ).fetchall()
    (answer,) = read_network_answers(tmp_path / "k.db")
    assert answer.answer == ANSWER and answer.rewordings == ()
    assert "id=koordination-1" in answer_offline(FIRST, "de", [], tmp_path / "k.db")


@pytest.mark.parametrize("number", ["99999999999999999999", "²", "#0", "zwei"])
async def test_a_question_number_no_question_can_have_is_unknown(
    tmp_path: Path, number: str
) -> None:
    """A coordinator's typo in the number: the plain "unknown question" error, no crash."""
    services = await _reworded_services(tmp_path)
    try:
        with pytest.raises(UserError) as refused:
            await answer_command(_koord(services), number, ANSWER)
        assert refused.value.key == "knowledge.unknown_question"
        assert (await UnansweredQuestions(services.db).count_open()) == 1
    finally:
        await services.db.close()


async def test_see_still_finds_the_answer_after_the_first_asker_forgot(tmp_path: Path) -> None:
    """The answer outlives its question: after the first asker's !vergiss-mich deleted
    question #1, "siehe 1" still reaches the answer it received (the coordination's
    text), and the member's words are nowhere."""
    services = await _reworded_services(tmp_path)
    chat = fake_chat(services)
    try:
        await forget_asked_questions(services, user_id="@a:localhost")
        gone = await UnansweredQuestions(services.db).get(1)
        assert gone is not None and (gone.question, gone.sender, gone.resolved) == ("", None, True)
        await answer_command(_koord(services), "2", "siehe 1")
        assert "Antwort auf Frage Nr. 1" in chat.texts("!k")[-1]
        dm = [s for s in chat.sent if s.room_id == "!dm-@b:localhost"]
        assert dm and ANSWER in dm[-1].reply.text
        (stored,) = await NetworkAnswers(services.db).all()
        assert stored.question == "" and stored.rewordings == (REWORDED,)
        assert (await _asked(services, "@c:localhost", REWORDED))["id"] == "koordination-1"
        # a number no question ever had is still unknown (#3: a question of its own)
        assert await _asked(services, "@e:localhost", UNRELATED) == {"abstained": True}
        with pytest.raises(UserError) as refused:
            await answer_command(_koord(services), "3", "siehe 7")
        assert refused.value.key == "knowledge.see_unknown"
    finally:
        await services.db.close()


async def test_a_forgotten_questions_number_is_never_given_again(tmp_path: Path) -> None:
    """The coordinators know an open question by its number. When the newest one's asker
    says !vergiss-mich, the next question gets a new number, not the forgotten one's (which
    SQLite would reuse for a deleted row), so `!antwort <nr>` never reaches the wrong
    member."""
    services = await make_services(tmp_path)
    try:
        assert await _asked(services, "@a:localhost", FIRST) == {"abstained": True}
        await forget_asked_questions(services, user_id="@a:localhost")
        assert await UnansweredQuestions(services.db).count_open() == 0
        assert await _asked(services, "@b:localhost", REWORDED) == {"abstained": True}
        (open_question,) = await UnansweredQuestions(services.db).open_questions()
        assert open_question.id == 2 and open_question.sender == "@b:localhost"
        with pytest.raises(UserError) as refused:
            await answer_command(_koord(services), "1", ANSWER)
        assert refused.value.key == "knowledge.unknown_question"
        assert await services.db.scalar("SELECT COUNT(*) FROM network_answers") == 0
    finally:
        await services.db.close()
