"""The answer index under concurrency: answers in worker threads, rebuilds by !antwort."""

from __future__ import annotations

import threading

from content import ContentIndex, load_content


def test_an_answer_waits_for_a_rebuild_in_progress() -> None:
    """A coordinator's ``!antwort`` rebuilds the index while members' questions are
    answered in worker threads. While a rebuild is under way (the entries already
    reordered, the arrays not yet), an answer waits for it instead of reading half an old
    and half a new index, which would name the wrong entry."""

    class HeldIndex(ContentIndex):
        gate: threading.Event | None = None

        def _build(self) -> None:
            if self.gate is not None:
                self.gate.wait(10)
            super()._build()

    index = HeldIndex(load_content())
    question = "Was gehört in eine Kooperationsvereinbarung?"
    assert index.answer(question).entry_id == "vereinbarung-inhalt"
    first = index.entries[0]  # replaced by id: every later entry moves one place up
    index.gate = threading.Event()
    rebuild = threading.Thread(target=index.add_entries, args=([first],))
    rebuild.start()
    results: list[str | None] = []
    asker = threading.Thread(target=lambda: results.append(index.answer(question).entry_id))
    asker.start()
    asker.join(0.5)
    assert asker.is_alive(), "the answer did not wait for the rebuild"
    index.gate.set()
    rebuild.join()
    asker.join()
    assert results == ["vereinbarung-inhalt"]
