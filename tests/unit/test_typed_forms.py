"""Forms members type that the curated words do not: umlauts left out, dialect, thanks."""

from __future__ import annotations

import pytest

from content import ContentIndex
from content.normalize import STOPWORDS
from tests.fakes import shipped_index


@pytest.fixture(scope="module")
def index() -> ContentIndex:
    return shipped_index()


@pytest.mark.parametrize("word", ["fur", "uber", "konnen", "mussen", "durfen", "mochte"])
def test_stop_words_typed_without_umlauts_are_stop_words(word: str) -> None:
    assert word in STOPWORDS


@pytest.mark.parametrize(
    ("typed", "spelt"),
    [
        (
            "kostet das Lerncluster etwas fur die Teilnehmer?",
            "kostet das Lerncluster etwas für die Teilnehmer?",
        ),
        (
            "wie lange dauern die Treffen uber Kooperationen?",
            "wie lange dauern die Treffen über Kooperationen?",
        ),
    ],
)
def test_a_question_typed_without_umlauts_is_answered_as_spelt(
    index: ContentIndex, typed: str, spelt: str
) -> None:
    answer = index.answer(spelt)
    assert not answer.abstained
    assert index.answer(typed).entry_id == answer.entry_id


@pytest.mark.parametrize(
    "text",
    ["thanks so much, that helps :)", "danke, das hat mir geholfen", "Vielen Dank im Voraus!"],
)
def test_thanks_are_small_talk_not_a_question(index: ContentIndex, text: str) -> None:
    answer = index.answer(text)
    assert answer.abstained and answer.small_talk == "thanks"
