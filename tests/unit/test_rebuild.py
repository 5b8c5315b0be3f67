"""A rebuild after a coordinator's answer reuses the analysis of members' filed questions.

Why it matters: the shipped content holds ~11,000 questions members asked; analysing them
all again on every `!antwort` took seconds of CPU while the coordinator waited (and made
the live tests time out on a busy machine).
"""

from __future__ import annotations

from dataclasses import replace

from tests.fakes import shipped_index


def test_a_rebuild_reuses_the_filed_analysis_and_keeps_no_question_no_longer_filed() -> None:
    index = shipped_index()
    entry = next(e for e in index.entries if e.asked)
    before = dict(index._filed)
    assert set(entry.asked) <= before.keys()
    extra = "Wie viele Kommunen bilden ein Lerncluster, fragt mein Nachbar aus Lippe?"
    index.add_entries([replace(entry, asked=[*entry.asked, extra])])
    assert extra in index._filed
    # the questions analysed before are the very same objects: not analysed again
    assert all(index._filed[q] is before[q] for q in entry.asked)
    # filed no more (e.g. forgotten): no longer held
    index.add_entries([replace(entry, asked=list(entry.asked))])
    assert extra not in index._filed
    assert index.answer("Was gehört in eine Kooperationsvereinbarung?").entry_id is not None


def test_a_rebuild_answers_as_a_fresh_index_and_forgets_a_replaced_entrys_words() -> None:
    """What the rebuild keeps (each curated entry's terms, the look-up keys of phrasings
    and refused questions) changes no answer: after a coordinator's answer the live index
    answers as an index built from scratch with that answer; an entry replaced is
    analysed anew, and a member's question no longer filed leaves no look-up key."""
    from content import ContentIndex, FaqEntry

    index = shipped_index()
    curated_before = dict(index._curated)
    asked = "Wer hat beim Online-Fachforum eigentlich den Vortrag über Kooperationen gehalten?"
    network = FaqEntry(
        id="netz-1",
        titles={"de": asked},
        answers={"de": "Den Vortrag hielt Prof. Beispiel von der Hochschule Musterstadt."},
        phrasings={"de": [asked]},
        source="koordination:2026-11-30",
    )
    index.add_entries([network])
    fresh = ContentIndex(index.content, extra=[network])
    questions = [
        asked,
        "Wer hielt den Vortrag beim Online-Fachforum über Kooperationen?",
        "Was gehört in eine Kooperationsvereinbarung?",
        "wie viele leute sind in nem lercluster",
        "Wie lange dauern die Austauschtreffen?",
        "Was kostet die Teilnahme am Lerncluster?",
        "Wie wird das Wetter morgen?",
    ]
    for question in questions:
        live, built = index.answer(question), fresh.answer(question)
        assert (live.entry_id, live.candidates) == (built.entry_id, built.candidates), question
    assert index.answer(asked).entry_id == "netz-1"
    # unchanged entries were not analysed again; the new one was
    assert all(index._curated[k][1] is v[1] for k, v in curated_before.items())
    assert "netz-1" in index._curated
    # the coordinator's answer reworded: the old question is no phrasing and no key any more
    reworded = {"de": ["Wer sprach beim Fachforum?"]}
    index.add_entries([replace(network, titles={"de": "Vortrag"}, phrasings=reworded)])
    assert index._curated["netz-1"][0].questions("de") == ["Wer sprach beim Fachforum?"]
    assert asked not in index._phrasing_keys
