"""A message that asks several things is answered by the one part the evidence backs."""

from __future__ import annotations

from pathlib import Path

import pytest

from commands.knowledge import answer_question
from content import ContentIndex
from content.verify import Verifier
from tests.fakes import FakeChat, make_services, message_context, shipped_index


@pytest.fixture(scope="module")
def index() -> ContentIndex:
    return shipped_index()


# dictated: a side question ("ob wir mitmachen wollen") before the real one
TWO_ASKED = (
    "also wir haben seit letztem herbst die trommel ag an der grundschule in pirna und die "
    "hortleiterin fragt ob wir mal bei so nem austausch mitmachen wollen wie lang geht denn "
    "so ein digitales treffen eigentlich weil nachmittags hab ich ja selber unterricht"
)


# accepts only an answer from one part, the better scored part first: what a part alone
# gets is tested, not the fit
PARTS_ONLY = Verifier(weights={"one_part": 200.0, "score": 1.0}, bias=-200.0, cutoff=0.5)


def test_the_part_that_can_be_answered_is_answered(index: ContentIndex) -> None:
    parts = index._asking_parts(TWO_ASKED)
    assert parts is not None and len(parts[2]) >= 2  # it asks two things
    shipped = index.verifier
    index.verifier = PARTS_ONLY
    try:
        answer, evidence = index.explain(TWO_ASKED)
        alone, _ = index.explain("wie lang geht denn so ein digitales treffen eigentlich")
    finally:
        index.verifier = shipped
    assert answer.entry_id == "austauschtreffen"
    assert answer.answered_part == "wie lang geht denn so ein digitales treffen eigentlich"
    assert evidence is not None and evidence["one_part"] == 1.0
    # asked alone, the part is the whole: no part to try, so this verifier refuses it
    assert alone.abstained


def test_two_questions_each_with_a_question_mark_are_answered_whole_or_not(
    index: ContentIndex,
) -> None:
    # the first is answerable alone, the second asks a detail no entry holds
    answer = index.answer("hat die massnahme 0203 schon was gebracht? gibts eine auswertung?")
    assert answer.abstained


def test_a_private_matter_is_not_answered_part_by_part(index: ContentIndex) -> None:
    private = TWO_ASKED.replace("also wir haben", "mein kind hat")
    assert index.answer(private).abstained


def test_the_verifier_judges_each_part(index: ContentIndex) -> None:
    # with a verifier that refuses everything no part answers: parts are no way around it
    index.verifier = Verifier(weights={}, bias=-100.0, cutoff=0.5)
    try:
        refused = index.answer(TWO_ASKED)
    finally:
        index.verifier = shipped_index().verifier
    assert refused.abstained
    assert refused.candidates  # still one tap away


async def test_the_reply_says_which_part_it_answers(tmp_path: Path) -> None:
    services = await make_services(tmp_path)
    chat = services.chat
    assert isinstance(chat, FakeChat)
    assert services.answers is not None
    services.answers.verifier = PARTS_ONLY
    try:
        await answer_question(message_context(services, "@m:localhost", "!dm", "$1"), TWO_ASKED)
        text = chat.replies()[-1].text
        assert "Ich antworte auf: „wie lang geht denn so ein digitales treffen eigentlich“" in text
        assert "zum Rest habe ich keine kuratierte Antwort" in text
        assert "Quelle:" in text
        # a question answered whole gets no such line
        services.answers.verifier = Verifier(weights={}, bias=100.0, cutoff=0.5)
        await answer_question(
            message_context(services, "@m:localhost", "!dm", "$2"),
            "wie lange dauern die digitalen Austauschtreffen?",
        )
        assert "Ich antworte auf" not in chat.replies()[-1].text
    finally:
        await services.db.close()


def test_a_message_of_many_questions_tries_only_a_few_parts(index: ContentIndex) -> None:
    # a stranger's message asking forty things at once: bounded work, an answer or none
    message = " ".join(f"und wie lange dauert das treffen nummer {n} denn so" for n in range(40))
    parts = index._asking_parts(message)
    assert parts is not None and len(parts[2]) > 4
    assert len(index._one_asked(parts)) == 4
    answer = index.answer(message)
    assert answer.abstained or answer.entry_id is not None
