"""The numpy scoring of large content gives exactly the sparse loops' scores and answers."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

import content.search
from content import ContentIndex, ContentSet, FaqEntry, load_content
from content.search import DENSE_MIN_PHRASINGS
from tests.fakes import shipped_index

QUESTIONS = [
    "Welche Elemente hat eine Kooperationsvereinbarung?",
    "wieviele kommunen sind in nem lerncluster",
    "Gibt es morgen Gewitter in Köln?",
    "What are the phases of a cooperation?",
    "Kooperatoinsvereinbarung fortschreibem",
    "Wir sind eine kleine Musikschule. Unser Partner ist unzufrieden. Was tun wir?",
    "Was kostet die Teilnahme am Onlineforum?",
    "wer ist ansprechpartner für die lerncluster",
    "Wann war der Musikschulkongress?",
    "Rezept für Apfelkuchen",
    "",
    "a" * 5000,
    # dictated, no punctuation: scored whole and by its clauses, then weighed by evidence
    "hallo ich sitz grad im bus und wollte fragen wie lange gehen eigentlich die online "
    "treffen vom landesverband weil ich das einplanen muss danke",
]


def _grown(base: ContentSet, n: int) -> ContentSet:
    """``n`` extra entries made of the shipped phrasings' words in random order."""
    rng = random.Random(7)
    words = sorted({w for e in base.faq for q in e.questions("de") for w in q.split()})
    faq = list(base.faq)
    for i in range(n):
        faq.append(
            FaqEntry(
                id=f"grown-{i}",
                titles={"de": " ".join(rng.sample(words, 4))},
                answers={"de": " ".join(rng.sample(words, 25))},
                phrasings={"de": [" ".join(rng.sample(words, 6)) + "?" for _ in range(3)]},
                keywords_by_lang={"de": rng.sample(words, 3)},
                source="synthetic",
            )
        )
    return replace(base, faq=faq)


@pytest.fixture(scope="session")
def indexes() -> tuple[ContentIndex, ContentIndex]:
    """Read only: kept for the worker's session, since xdist may hand a worker this
    module's tests in several batches, between which a module fixture is built again."""
    content = _grown(load_content(), 400)
    return ContentIndex(content, dense=False), ContentIndex(content, dense=True)


@pytest.mark.parametrize("question", QUESTIONS)
def test_dense_scores_equal_sparse_scores(
    indexes: tuple[ContentIndex, ContentIndex], question: str
) -> None:
    sparse, dense = indexes
    assert dense.scores(question) == pytest.approx(sparse.scores(question), abs=1e-9)
    assert dense.subject_coverage(question) == pytest.approx(
        sparse.subject_coverage(question), abs=1e-9
    )
    a, b = sparse.answer(question), dense.answer(question)
    assert (a.entry_id, a.candidates, a.abstained) == (b.entry_id, b.candidates, b.abstained)


@pytest.mark.parametrize("question", QUESTIONS)
def test_dense_evidence_equals_sparse_evidence(
    indexes: tuple[ContentIndex, ContentIndex], question: str
) -> None:
    """The verifier weighs the same signs either way: the refused questions nearest to a
    question are added up in numpy for large content, in loops otherwise."""
    sparse, dense = indexes
    a, b = sparse.explain(question)[1], dense.explain(question)[1]
    assert (a is None) == (b is None)
    if a is not None and b is not None:
        assert b == pytest.approx(a, abs=1e-12)


def test_refused_questions_added_live_count_in_the_dense_path() -> None:
    """A question flagged by a member (``add_refused``) is evidence against answering
    it at once, also in a large network's numpy path, and is gone again once removed."""
    content = _grown(load_content(), 30)
    sparse, dense = ContentIndex(content, dense=False), ContentIndex(content, dense=True)
    question = "Wie lange dauern die Online-Treffen des Landesverbands?"
    before = dense.explain(question)[1]
    assert before is not None and before["refused"] < 1.0
    chosen = dense.answer(question).entry_id
    assert chosen is not None
    flag = "Wie lange dauern eigentlich die Online-Treffen des Landesverbands?"
    for index in (sparse, dense):
        index.add_refused([(chosen, flag)])
    assert dense.answer(flag).abstained  # word for word: not answered again
    flagged = dense.explain(question, verify=False)[1]  # the same terms
    assert flagged is not None and flagged["refused"] == pytest.approx(1.0)
    assert flagged == pytest.approx(sparse.explain(question, verify=False)[1], abs=1e-12)
    dense.remove_refused([(chosen, flag)])
    assert dense.explain(question)[1] == pytest.approx(before, abs=1e-12)
    assert not dense.answer(flag).abstained


def test_size_decides_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped content is scored sparsely (no numpy for the idle bot); a network that
    has grown past ``DENSE_MIN_PHRASINGS`` phrasings is scored with numpy (the limit is
    lowered here to just above the shipped content, so that a few entries cross it)."""
    shipped = shipped_index()
    assert shipped._dense is None
    phrasings = len(shipped._phr_terms)
    assert phrasings < DENSE_MIN_PHRASINGS
    monkeypatch.setattr(content.search, "DENSE_MIN_PHRASINGS", phrasings + 20)
    assert ContentIndex(_grown(load_content(), 4))._dense is None  # 16 phrasings more
    assert ContentIndex(_grown(load_content(), 8))._dense is not None  # 32 more


def test_entry_without_phrasings_scores_alike() -> None:
    """An entry with no phrasing (only a title made of stop words) keeps its place."""
    base = load_content()
    bare = FaqEntry(
        id="bare",
        titles={"de": "und oder"},
        answers={"de": "Die Raumbelegung klären beide Partner gemeinsam."},
        phrasings={"de": []},
        source="synthetic",
    )
    content = replace(base, faq=[*base.faq, bare])
    question = "Wer klärt die Raumbelegung?"
    sparse = ContentIndex(content, dense=False).scores(question)
    assert ContentIndex(content, dense=True).scores(question) == pytest.approx(sparse, abs=1e-9)


def test_a_bare_number_anchors_no_entry_in_either_path(
    indexes: tuple[ContentIndex, ContentIndex],
) -> None:
    """ "a 7 year old" does not name "Phase 7": the off-topic question abstains, scored
    sparsely or densely."""
    for index in indexes:
        assert index.answer("what's a good beginner violin for a 7 year old?").abstained


def test_dense_ranking_equals_sparse_ranking() -> None:
    """The ten best of thousands of scores, ties in entry order and zeros filling up,
    come out the same from numpy's partition as from the heap (random vectors full of
    ties, as rounded scores of a large network are)."""
    from content.dense import DenseScorer
    from content.search import _best, _tied_top

    rng = random.Random(3)
    for _ in range(200):
        n = rng.choice([0, 1, 5, 12, 300, 3000])
        pool = [0.0] * 5 + [round(rng.uniform(0, 100), rng.choice([0, 1])) for _ in range(8)]
        scores = [rng.choice(pool) for _ in range(n)]
        for k in (1, 3, 10):
            assert DenseScorer.best(scores, k) == _best(scores, k)
        assert DenseScorer.tied_top(scores, 12) == _tied_top(scores, 12)
