"""A built index copied by pickling answers as the original and shares nothing with it.

Why it matters: the test suite's bots each get such a copy instead of building the index
anew (tests/integration/conftest.py); a coordinator's answer added to one bot must not
reach another, and the copy must answer, lock and remember as a freshly built one does.
"""

from __future__ import annotations

import pickle
import threading

import pytest

from content import ContentIndex, FaqEntry, load_content

QUESTIONS = [
    "Was gehört in eine Kooperationsvereinbarung?",
    "wie viele leute sind in nem lercluster",
    "Wie wird das Wetter morgen?",
    "hallo ich sitz grad im bus und wollte fragen wie lange gehen eigentlich die online "
    "treffen vom landesverband weil ich das einplanen muss danke",
]


@pytest.fixture(scope="session")
def original() -> ContentIndex:
    """Freshly built, not a copy; read only (session: see test_search_dense.indexes)."""
    return ContentIndex(load_content())


def test_a_copy_answers_as_the_original(original: ContentIndex) -> None:
    copy = pickle.loads(pickle.dumps(original))
    for question in QUESTIONS:
        a, b = original.explain(question), copy.explain(question)
        assert (a[0].entry_id, a[0].abstained, a[0].candidates) == (
            b[0].entry_id,
            b[0].abstained,
            b[0].candidates,
        )
        assert a[1] == b[1]
    assert copy.verifier is not None
    assert copy.typo_guard is not None  # the word list is opened again, not copied


def test_a_copy_shares_no_state(original: ContentIndex) -> None:
    copy = pickle.loads(pickle.dumps(original))
    assert copy._lock is not original._lock
    assert isinstance(copy._lock, type(threading.RLock()))
    answer = FaqEntry(
        id="netzwerk-antwort-test",
        titles={"de": "Parkplätze am Tagungshaus"},
        answers={"de": "Am Tagungshaus gibt es zwanzig Parkplätze für Gäste."},
        phrasings={"de": ["Gibt es Parkplätze am Tagungshaus?"]},
        source="coordination",
    )
    copy.add_entries([answer])
    question = "Gibt es Parkplätze am Tagungshaus?"
    assert copy.answer(question).entry_id == "netzwerk-antwort-test"
    assert original.answer(question).entry_id != "netzwerk-antwort-test"
    assert original.entry("netzwerk-antwort-test") is None
