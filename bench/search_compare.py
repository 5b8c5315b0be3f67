"""Compare this tree's answer index with another checkout's ``content/search.py``.

Run: .venv/bin/python bench/search_compare.py --baseline DIR [--synthetic 5000]

Only ``content/search.py`` is taken from DIR (the rest of ``content`` from this tree), so
this measures a change of the index itself, e.g. numpy arrays → posting lists. For the
shipped content and for it plus N synthetic entries (as ``bench/content_bench.py``) it
asks the content bench's questions, the calibration questions and every entry's first two
phrasings (as written and with one letter doubled) and prints: how many answers
(``AnswerResult``, every field) and top-10 rankings differ, the largest score and subject
coverage difference, and p50/p95 of the CPU time per answer of both (``time.process_time``:
less disturbed by other processes on a busy machine than wall time).
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from content_bench import QUESTIONS, _synthetic

import content.search as current
from content import ContentSet, load_content

CALIBRATION = [ROOT / "bench/eval/calibration.yaml", ROOT / "bench/eval/calibration2.yaml"]


def _baseline(checkout: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "content.search_baseline", checkout / "content" / "search.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _questions(content: ContentSet) -> list[str]:
    questions = list(QUESTIONS)
    for path in CALIBRATION:
        questions += [str(i["q"]) for i in yaml.safe_load(path.read_text("utf-8"))["questions"]]
    rng = random.Random(1)
    for entry in content.faq:
        for q in entry.questions("de")[:2]:
            at = rng.randrange(len(q))
            questions += [q, q[:at] + q[at] + q[at:]]
    return questions


def _ranked(scores: Any) -> list[int]:
    values = [float(s) for s in scores]
    return sorted(range(len(values)), key=values.__getitem__, reverse=True)[:10]


def _cpu_ms(index: Any, questions: list[str], rounds: int = 3) -> tuple[float, float]:
    """p50 and p95 of the CPU time of one answer (ms)."""
    times = []
    for _ in range(rounds):
        for q in questions:
            start = time.process_time()
            index.answer(q)
            times.append((time.process_time() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * len(times))]


def compare(label: str, content: ContentSet, baseline: ModuleType, questions: list[str]) -> None:
    old, new = baseline.ContentIndex(content), current.ContentIndex(content)
    answers = rankings = 0
    score_diff = coverage_diff = 0.0
    for q in questions:
        old_scores, new_scores = old.scores(q), new.scores(q)
        score_diff = max(
            [score_diff] + [abs(float(a) - b) for a, b in zip(old_scores, new_scores, strict=True)]
        )
        pairs = zip(old.subject_coverage(q), new.subject_coverage(q), strict=True)
        coverage_diff = max([coverage_diff] + [abs(float(a) - b) for a, b in pairs])
        rankings += _ranked(old_scores) != _ranked(new_scores)
        answers += old.answer(q).__dict__ != new.answer(q).__dict__
    print(
        f"{label}: {len(new.entries)} entries, {len(questions)} questions: answers differing "
        f"{answers}, top-10 rankings differing {rankings}, largest score difference "
        f"{score_diff:.1e} (of 100), largest coverage difference {coverage_diff:.1e}"
    )
    for name, index in (("baseline", old), ("this tree", new)):
        for mix, asked in (("all questions", questions), ("content bench questions", QUESTIONS)):
            p50, p95 = _cpu_ms(index, asked, 3 if asked is questions else 50)
            print(f"  CPU per answer, {name}, {mix}: p50 {p50:.2f} ms, p95 {p95:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout")
    parser.add_argument("--synthetic", type=int, default=5000, help="extra FAQ entries")
    args = parser.parse_args()
    baseline = _baseline(args.baseline.resolve())
    content = load_content()
    questions = _questions(content)
    compare("shipped", content, baseline, questions)
    if args.synthetic:
        compare(
            f"+{args.synthetic:,} synthetic",
            _synthetic(content, args.synthetic),
            baseline,
            questions,
        )


if __name__ == "__main__":
    main()
