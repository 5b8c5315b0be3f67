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
