"""How long members' questions wait while a coordinator's ``!antwort`` rebuilds the index
(prints, no asserts).

Run: ``.venv/bin/python bench/rebuild_bench.py [EXTRA_ENTRIES]``. One thread asks the
benchmark questions in a loop while the main thread adds a coordinator's answer
(``ContentIndex.add_entries``) three times, then flags a question and forgets it
(``add_refused``, ``remove_refused``); printed are the rebuild's duration and the
answers' latency while it ran (the longest wait is what a member notices).
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from content import ContentIndex, FaqEntry, load_content

sys.path.insert(0, str(Path(__file__).resolve().parent))
from content_bench import QUESTIONS, _synthetic


def _coordinators_answer(n: int) -> FaqEntry:
    return FaqEntry(
        id=f"netz-bench-{n}",
        titles={"de": f"Probenplan Ensemble {n}"},
        answers={"de": f"Das Ensemble {n} probt dienstags im Saal der Musikschule."},
        phrasings={"de": [f"Wann probt das Ensemble {n}?"]},
        source="koordination",
    )


def _while_asking(index: ContentIndex, label: str, change: Callable[[], object]) -> None:
    """Run ``change`` while another thread asks the benchmark questions; print its
    duration and the answers' latency meanwhile."""
    latencies: list[float] = []
    done = threading.Event()

    def ask() -> None:
        while not done.is_set():
            for q in QUESTIONS:
                start = time.perf_counter()
                index.answer(q)
                latencies.append((time.perf_counter() - start) * 1000)

    asker = threading.Thread(target=ask)
    asker.start()
    time.sleep(0.2)
    start = time.perf_counter()
    change()
    took = time.perf_counter() - start
    time.sleep(0.2)
    done.set()
    asker.join()
    latencies.sort()
    print(
        f"{label}: {took * 1000:.0f} ms; answers meanwhile {len(latencies)}, "
        f"median {statistics.median(latencies):.1f} ms, "
        f"p95 {latencies[int(0.95 * (len(latencies) - 1))]:.1f} ms, "
        f"longest {latencies[-1]:.0f} ms"
    )


def main() -> None:
    extra = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    content = load_content()
    if extra:
        content = _synthetic(content, extra)
    index = ContentIndex(content)
    for q in QUESTIONS:
        index.answer(q)
    print(f"{len(index.entries)} entries, {len(index.refused)} refused questions")
    for n in range(3):
        _while_asking(
            index, f"rebuild {n + 1}", partial(index.add_entries, [_coordinators_answer(n)])
        )
    # a member flags an answer, then asks to be forgotten: every refused question anew
    flag = ("vereinbarung-laufzeit", "Wie lange läuft der Vertrag mit dem Ensemble?")
    _while_asking(index, "flag", lambda: index.add_refused([flag]))
    _while_asking(index, "forget", lambda: index.remove_refused([flag]))


if __name__ == "__main__":
    main()
