"""Messages written like letters: the salutation, closing and signature are not asked."""

from __future__ import annotations

import time

import pytest

from content import ContentIndex
from content.analyze import bound_query
from content.letter import unframed
from tests.fakes import shipped_index


@pytest.fixture(scope="module")
def index() -> ContentIndex:
    return shipped_index()


# a letter and its question alone; the first three are answered by the shipped content
FRAMED = [
    (
        "Guten Tag,\n\nwie viele Phasen hat eine Kooperation?\n\nMit freundlichen Grüßen\n"
        "Dr. Heribert Quandtmeyer\nFachbereichsleiter Kultur, Stadtverwaltung Wipperfürth",
        "wie viele Phasen hat eine Kooperation?",
    ),
    (
        "Hallo liebes Team, wie lange dauern die digitalen Austauschtreffen? Danke im "
        "Voraus! LG Jana Ostermeier, Stadt Lüdenscheid",
        "wie lange dauern die digitalen Austauschtreffen?",
    ),
    (
        "Sehr geehrte Damen und Herren, was kostet die Teilnahme an einem Lerncluster? "
        "Mit freundlichen Grüßen i.A. Sabine Wolkenhauer-Pietsch, Schulverwaltungsamt Olpe",
        "was kostet die Teilnahme an einem Lerncluster?",
    ),
    (
        "Moin, wer organisiert die Lerncluster? Beste Grüße, Tom",
        "wer organisiert die Lerncluster?",
    ),
    (
        "Sehr geehrte Frau Dr. Brenner, wie lange dauern die Treffen?\nViele Grüße aus Bielefeld",
        "wie lange dauern die Treffen?",
    ),
    (
        "Guten Tag ich leite die Musikschule. Wie lange dauert das?",
        "ich leite die Musikschule. Wie lange dauert das?",
    ),
    # the thanks of a formal letter close it too
    (
        "Verehrtes Team, wie viele Phasen hat eine Kooperation? Ich danke Ihnen schon jetzt "
        "für Ihre Geduld.",
        "wie viele Phasen hat eine Kooperation?",
    ),
    (
        "Sehr geehrte Damen und Herren, wann war das Fachforum? Mit verbindlichem Dank",
        "wann war das Fachforum?",
    ),
    (
        "Guten Tag, wer leitet die Lerncluster? Ich wäre Ihnen für eine kurze Auskunft sehr "
        "verbunden.",
        "wer leitet die Lerncluster?",
    ),
    (
        "Guten Tag, wer leitet die Lerncluster? Für eine Antwort wäre ich Ihnen dankbar.",
        "wer leitet die Lerncluster?",
    ),
]


@pytest.mark.parametrize(("framed", "bare"), FRAMED)
def test_the_frame_of_a_letter_is_cut_off(framed: str, bare: str) -> None:
    assert unframed(framed) == bare
    assert unframed(unframed(framed)) == bare  # a second cut cuts nothing


@pytest.mark.parametrize(
    "text",
    [
        "Hallo!",
        "Vielen Dank im Voraus!",
        "Guten Tag",
        "LG",
        "was heißt lg in der chat sprache",  # no signature after it: no closing
        "Hallo wie lange dauern die Treffen, und wer moderiert sie?",  # no greeted name
        "Hallo die Treffen, wie lange dauern die?",  # greets no one: "die Treffen" is asked
        "wie lange? LG Jana " + "und dann noch was " * 10,  # a long text after: no closing
    ],
)
def test_what_is_no_frame_stays(text: str) -> None:
    assert unframed(text) == text.strip()


def test_a_question_after_the_closing_keeps_the_closing() -> None:
    text = "Wie lange dauern die Treffen? Danke im Voraus! PS: Und wann ist das nächste?"
    assert unframed(text) == text


@pytest.mark.parametrize(
    "text",
    ["LG X " * 800, "Hallo, " * 700 + "wie lange", "? " + "danke im voraus " * 300, "Gruß, " * 900],
)
def test_a_message_of_many_frames_is_cut_quickly(text: str) -> None:
    start = time.perf_counter()
    for _ in range(5):
        bound_query(text)
    assert time.perf_counter() - start < 2.0  # (5 calls; linear: milliseconds each)


@pytest.mark.parametrize(("framed", "bare"), FRAMED[:3])
def test_a_framed_question_is_answered_as_the_question_alone(
    index: ContentIndex, framed: str, bare: str
) -> None:
    alone = index.answer(bare)
    assert not alone.abstained
    framed_answer = index.answer(framed)
    assert framed_answer.entry_id == alone.entry_id


def test_a_framed_off_topic_question_is_not_answered(index: ContentIndex) -> None:
    answer = index.answer(
        "Guten Tag, wie ist das Wetter morgen in Bielefeld? Mit freundlichen Grüßen, Tom Berg"
    )
    assert answer.abstained


def test_a_bare_greeting_or_thanks_stays_small_talk(index: ContentIndex) -> None:
    assert index.answer("Hallo liebes Team!").small_talk == "greeting"
    assert index.answer("Sehr geehrte Damen und Herren,").small_talk == "greeting"
    assert index.answer("Vielen Dank im Voraus!").small_talk == "thanks"


@pytest.mark.parametrize(
    ("text", "talk"),
    [
        ("Hallo, wie geht es dir?", "greeting"),
        ("Hi bot, wie gehts?", "greeting"),
        ("Hello, how are you?", "greeting"),
        ("Hallo liebes Team, wer bist du?", "about"),
        ("Hallo, danke!", "thanks"),
        ("Mit freundlichen Grüßen", "thanks"),  # a closing sent alone: no question
        ("LG", "thanks"),
    ],
)
def test_small_talk_after_a_greeting_stays_small_talk(
    index: ContentIndex, text: str, talk: str
) -> None:
    # the greeting is part of the small talk: cut off, "wie geht es dir?" would read as a
    # question nobody can answer (and be forwarded to the coordinators)
    assert index.answer(text).small_talk == talk


def test_a_private_matter_in_the_closing_is_still_private(index: ContentIndex) -> None:
    # the frame is cut for scoring, never for the privacy guard
    bare = "Wie lange dauern die digitalen Austauschtreffen?"
    assert not index.answer(bare).abstained
    private = f"{bare} Danke im Voraus! Ich sehe sie nicht auf meinem Laptop. LG Jana"
    answer = index.answer(private)
    assert answer.abstained and not answer.candidates
    # who asks is no private matter
    asked_for = f"{bare} Danke im Voraus! Meine Tochter fragt für ihre Schule. LG Jana"
    assert index.answer(asked_for).entry_id == "austauschtreffen"
