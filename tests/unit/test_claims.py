"""A retold claim with a check after it ("… Stimmt das?") asks about the claim."""

from __future__ import annotations

import time

import pytest

from content import ContentIndex, load_content
from content.claims import is_check, without_frame


@pytest.fixture(scope="module")
def index() -> ContentIndex:
    return ContentIndex(load_content())


@pytest.mark.parametrize(
    "sentence",
    [
        "Stimmt das?",
        "stimmt des so",
        "Ist das so richtig?",
        "Ist das richtig so?",
        "Habe ich das richtig verstanden?",
        "Trifft das zu?",
        "Kann das sein?",
        "Steht das wirklich so in den Folien?",
        "Is that true?",
        "Did I get that right?",
    ],
)
def test_a_check_is_recognised(sentence: str) -> None:
    assert is_check(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Was kostet das?",
        "Stimmt es, dass die Laufzeit in die Vereinbarung gehört?",  # names its topic
        "Stimmt das so oder waren es mehr als sieben Themen?",
        "Wer ist das?",
        "",
        "Ist das Lerncluster kostenlos?",
    ],
)
def test_a_question_with_its_own_topic_is_no_check(sentence: str) -> None:
    assert not is_check(sentence)


@pytest.mark.parametrize(
    ("sentence", "claim"),
    [
        ("Jemand meinte, die Workshops seien online.", "die Workshops seien online."),
        (
            "Bei der Sitzung meinte einer aus dem Stadtrat, das koste Geld.",
            "das koste Geld.",
        ),
        ("Eine Lehrerin hat erzählt, man dürfe nicht scheitern.", "man dürfe nicht scheitern."),
        ("Bei uns hieß es, das Netzwerk sei neu.", "das Netzwerk sei neu."),
        ("Someone told me, the clusters are paid.", "the clusters are paid."),
        # no frame: unchanged
        ("Wir haben eine Frage zur Vereinbarung.", "Wir haben eine Frage zur Vereinbarung."),
        ("Die Workshops sind ganztägig, oder?", "Die Workshops sind ganztägig, oder?"),
    ],
)
def test_the_speakers_frame_is_cut_off(sentence: str, claim: str) -> None:
    assert without_frame(sentence) == claim


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        # the check names no topic: the claim before it is what is asked, and the entry
        # that holds the true fact answers (here: it refutes the claim)
        (
            "Eine Kollegin hat erzählt, bei einer neuen Kooperation dürfe man sich kein "
            "Scheitern erlauben. Steht das so in den Folien?",
            "scheitern-zulassen",
        ),
        (
            "Beim Elternabend meinte jemand, eine Kooperation habe fünf Phasen. "
            "Ist das so richtig?",
            "phasen-ueberblick",
        ),
    ],
)
def test_a_checked_claim_is_answered_from_its_topic(
    index: ContentIndex, question: str, entry: str
) -> None:
    assert index.answer(question).entry_id == entry


@pytest.mark.parametrize(
    "question",
    [
        # the claim's topic is in the content, its fact is not: no answer
        "Jemand meinte, das nächste Austauschtreffen sei am 5. Mai 2027. Stimmt das?",
        "Bei uns hieß es, die Musikschule bekomme für jede Kooperation 500 Euro vom Land. "
        "Ist das so?",
    ],
)
def test_a_checked_claim_about_a_fact_nobody_holds_is_not_answered(
    index: ContentIndex, question: str
) -> None:
    assert index.answer(question).abstained


@pytest.mark.parametrize(
    "text",
    [
        "x" * 65_536,  # one 64 KB word
        "ist das " + "so " * 30 + "x",  # the filler words over and over, no check at its end
        "stimmt das " + "denn so wirklich " * 2_000,
        ", " * 20_000,
        "Jemand meinte, " * 3_000,
        "\x00\ufeff\u202e",
    ],
)
def test_a_strangers_input_is_judged_bounded(text: str) -> None:
    """Raw or huge text from a member: no error, and a verdict in bounded time."""
    start = time.perf_counter()
    is_check(text)
    without_frame(text)
    assert time.perf_counter() - start < 1.0


def test_a_huge_checked_claim_gets_an_answer_or_an_abstention(index: ContentIndex) -> None:
    question = "Jemand meinte, " + "blablabla " * 6_000 + "Stimmt das?"
    result = index.answer(question)
    assert result.abstained or result.entry_id is not None
