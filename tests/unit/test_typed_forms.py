"""Forms members type that the curated words do not: umlauts left out, dialect, thanks."""

from __future__ import annotations

import pytest

from content import ContentIndex
from content import search as search_module
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


@pytest.mark.parametrize(
    ("bare", "told"),
    [
        (
            "Wie viele Kommunen braucht es mindestens für ein Lerncluster?",
            "Wie viele Kommunen braucht es mindestens für ein Lerncluster? Unser Landkreis ist "
            "winzig, bei uns kennt jeder jeden",
        ),
        (
            "Wie lange dauert ein Austauschtreffen?",
            "unsere ogs-leiterin hat nachmittags nur ein kleines zeitfenster vor der abholzeit, "
            "wie lange dauert so ein austauschtreffen vom verband? sie hat echt viel um die ohren",
        ),
    ],
)
def test_the_writers_story_around_a_question_is_not_asked(
    index: ContentIndex, bare: str, told: str
) -> None:
    """A story before the question, set off by a comma, and a side remark after it
    ("…? unser kreis ist klein") name nothing the member asks for: the question is
    answered as it would be alone (both abstained before session 13)."""
    answer = index.answer(bare)
    assert not answer.abstained
    assert index.answer(told).entry_id == answer.entry_id


def test_a_near_miss_with_a_side_remark_still_abstains(index: ContentIndex) -> None:
    text = (
        "Was kostet die Teilnahme an einem Austauschtreffen im nächsten Jahr? Wir müssen "
        "nämlich bis Freitag unseren Haushalt planen"
    )
    assert index.answer(text).abstained


@pytest.mark.parametrize(
    ("formal", "entry"),
    [
        ("Was ist in einer Kooperationsvereinbarung alles festzuhalten?", "vereinbarung-inhalt"),
        ("Wie ist die Steuerungsgruppe zusammengesetzt?", "steuerungsgruppe"),
    ],
)
def test_a_participle_counts_as_its_verb(index: ContentIndex, formal: str, entry: str) -> None:
    """A formal question's participle or "zu" infinitive ("festzuhalten",
    "zusammengesetzt") is the content's verb ("festhalten", "zusammensetzen"), not an
    unknown word drowning the topic (both abstained before session 13)."""
    assert index.answer(formal).entry_id == entry


def test_a_participle_is_no_typo_of_a_near_word(index: ContentIndex) -> None:
    """ "abgehalten" is a German word: not a misspelt "abgehakt" (the checklist's word)."""
    real = index._real_words("Wo wurde das Treffen abgehalten?")
    matched, _ = index._match_terms({"abgehalt": 1.0}, real=real)
    assert matched == []


def test_a_huge_word_that_looks_like_a_participle_is_not_parsed(index: ContentIndex) -> None:
    """The prefixes of the participle pattern can split a word many ways; a word longer
    than any verb is not tried, so a member's huge word cannot make the pattern crawl."""
    huge = "herausherein" * 400 + "gemacht"
    assert search_module._verb_form(huge) is None
    assert search_module._verb_form("herausgemacht") is not None
    assert index.answer(f"Wurde das {huge}?").abstained
