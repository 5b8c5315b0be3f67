"""Benchmark of the content package: load time and answer latency (prints, no asserts).

Run: ``.venv/bin/python bench/content_bench.py``. Targets: load ≤ 300 ms, answer
p95 ≤ 5 ms per question, also with 5,000 synthetic FAQ entries.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

# this tree's code, not the installed one: comparing two checkouts side by side runs each
# checkout's own ``content`` (an editable install would otherwise answer for both)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from content import ContentIndex, ContentSet, FaqEntry, load_content

QUESTIONS = [
    "Was gehört in eine Kooperationsvereinbarung?",
    "wie viele leute sind in nem lercluster",
    "Wie wird das Wetter morgen?",
    "How long should a cooperation agreement run?",
    "Kooperationsvereinbahrung aktualisiern",
    "Wir haben Streit mit unserem Partner wegen der Raumbelegung. Was tun?",
    "Wie arbeiten wir mit dem offenen Ganztag zusammen?",
    "Rezept für Apfelkuchen",
    "Wer moderiert die Lerncluster-Sitzungen?",
    "Who won the football world cup?",
    # dictated, no punctuation: cut into clauses (content/clauses.py)
    "hallo ich sitz grad im auto vor der musikschule und wollte kurz fragen wie lange dauern "
    "eigentlich die online treffen vom landesverband weil ich muss das einplanen danke",
    # a letter with salutation and signature (content/letter.py)
    "Guten Tag,\n\nwie lange dauern die digitalen Austauschtreffen?\n\nMit freundlichen "
    "Grüßen\nDr. Heribert Quandtmeyer\nFachbereichsleiter Kultur, Stadtverwaltung Wipperfürth",
    # dictated, two asking clauses: each part is tried alone when the whole is not answered
    "also wir haben seit letztem herbst die trommel ag an der grundschule in pirna und die "
    "hortleiterin fragt ob wir mal bei so nem austausch mitmachen wollen wie lang geht denn "
    "so ein digitales treffen eigentlich weil nachmittags hab ich ja selber unterricht",
]


def _timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _bench_answers(label: str, index: ContentIndex, rounds: int = 50) -> None:
    times: list[float] = []
    for _ in range(rounds):
        for q in QUESTIONS:
            times += _timed(partial(index.answer, q), 1)
    print(
        f"{label}: {len(index.entries)} entries, {len(times)} answers: "
        f"p50 {statistics.median(times):.2f} ms, p95 {_pct(times, 0.95):.2f} ms, "
        f"max {max(times):.2f} ms"
    )


def _synthetic(base: ContentSet, n: int) -> ContentSet:
    """``n`` extra entries built from the shipped words in random order (realistic vocab)."""
    rng = random.Random(42)
    words = sorted(
        {w for e in base.faq for q in e.questions("de") for w in q.rstrip("?").split()}
        | {f"wort{i}" for i in range(3000)}
    )
    faq = list(base.faq)
    for i in range(n):
        qs = [" ".join(rng.sample(words, rng.randint(4, 9))) + "?" for _ in range(4)]
        faq.append(
            FaqEntry(
                id=f"syn-{i}",
                titles={"de": " ".join(rng.sample(words, 4))},
                answers={"de": " ".join(rng.sample(words, 30))},
                phrasings={"de": qs},
                keywords_by_lang={"de": rng.sample(words, 4)},
                source="synthetic",
            )
        )
    return replace(base, faq=faq)


def main() -> None:
    load = _timed(load_content, 5)
    print(f"load_content: median {statistics.median(load):.1f} ms, max {max(load):.1f} ms")
    cs = load_content()
    build = _timed(lambda: ContentIndex(cs), 3)
    print(f"ContentIndex build (shipped): median {statistics.median(build):.1f} ms")
    _bench_answers("answer, shipped", ContentIndex(cs))
    big = _synthetic(cs, 5000)
    start = time.perf_counter()
    big_index = ContentIndex(big)
    print(f"ContentIndex build (5,000 synthetic): {(time.perf_counter() - start) * 1000:.0f} ms")
    _bench_answers("answer, +5,000 synthetic", big_index)


if __name__ == "__main__":
    main()
