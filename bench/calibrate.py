"""Fit the matcher's thresholds on calibration sets and write content/data/calibration.yaml.

Run: ``.venv/bin/python bench/calibrate.py SETFILE [SETFILE ...] [--write]``.

Sets are in the blind format of bench/answer_eval.py (``facts`` groups) or the project's
own (``expected`` ids). The fit, in order of priority:

1. no off-topic question answered (hard constraint), also at ``threshold - margin``
   (``--margin``, default 4 points): the fitted threshold keeps a gap to the highest
   off-topic score that passes the answerability gates,
2. as many answerable questions answered right as possible,
3. then as few wrong answers as possible,
4. then the highest threshold (the widest margin to off-topic questions).

``candidate_min`` (from which score an entry is offered as "Meinst du …?") is the highest
value that keeps the best answered-or-one-tap count. The fitted values are then fixed:
the matcher reads the file at start; nobody edits them by hand.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.answer_eval import _is_right, ask
from content import ContentIndex, load_content
from content.contentset import ContentSet
from content.normalize import fold, normalize
from content.search import CALIBRATION, CALIBRATION_FILE, _dictionary_guard

_CONTENT = load_content()


def _unfiled(content: ContentSet, items: list[dict[str, Any]]) -> ContentSet:
    """The content without the asked questions (``asked.yaml``) that are questions of the
    sets being fitted on: a set whose questions are filed as phrasings would score itself."""
    fitted = {fold(normalize(str(item["q"]))) for item in items}
    bare = copy.deepcopy(content)
    for entry in bare.faq:
        entry.asked = [q for q in entry.asked if fold(normalize(q)) not in fitted]
    return bare


THRESHOLDS = [float(t) for t in range(20, 72, 2)]
SUBJECT_MINS = [0.3, 0.4, 0.5, 0.6, 0.7]
BACKGROUNDS = [0.2, 0.35]
ANSWER_WEIGHTS = [0.75]
UNKNOWN_FACTORS = [0.6, 0.8]
FIT_WEIGHTS = [0.2, 0.35, 0.5]
TYPO_GUARDS = [0.0, 1.0]
CANDIDATE_MINS = [float(c) for c in range(8, 42, 2)]


def _memoise(index: ContentIndex) -> None:
    """Scores and subject coverage do not depend on the thresholds: compute them once per
    question while only the thresholds change."""
    for name in ("scores", "subject_coverage"):
        method = getattr(ContentIndex, name)
        cache: dict[str, Any] = {}

        def cached(question: str, _m: Any = method, _c: dict[str, Any] = cache) -> Any:
            if question not in _c:
                _c[question] = _m(index, question)
            return _c[question]

        setattr(index, name, cached)


def _items(paths: list[Path]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in paths:
        out += list(yaml.safe_load(path.read_text(encoding="utf-8"))["questions"])
    return out


def _evaluate(index: ContentIndex, items: list[dict[str, Any]]) -> dict[str, int]:
    right = wrong = off = tap = 0
    for item in items:
        out = ask(index, str(item["q"]), "de")
        if item.get("expected") == "abstain":
            off += out.answered is not None
            continue
        ok = _is_right(item, out.answered)
        right += ok
        wrong += out.answered is not None and not ok
        tap += ok or any(_is_right(item, c) for c in out.candidates)
    return {"right": right, "wrong": wrong, "off": off, "tap": tap}


MARGIN = 4.0


def _answered(index: ContentIndex, off_items: list[dict[str, Any]]) -> list[int]:
    """Positions (in ``off_items``) of the off-topic questions ``index`` answers."""
    return [i for i, item in enumerate(off_items) if ask(index, str(item["q"]), "de").answered]


def fit(paths: list[Path], margin: float = MARGIN, thresholds_only: bool = False) -> dict[str, Any]:
    """The best setting on ``paths``; with ``thresholds_only`` the index's weights stay as
    calibrated and only the thresholds are fitted again (minutes instead of an hour)."""
    items = _items(paths)
    off_items = [item for item in items if item.get("expected") == "abstain"]
    best: tuple[Any, ...] | None = None
    chosen: dict[str, Any] = {}
    grid = list(
        itertools.product(ANSWER_WEIGHTS, UNKNOWN_FACTORS, BACKGROUNDS, FIT_WEIGHTS, TYPO_GUARDS)
    )
    if thresholds_only:
        now = CALIBRATION
        grid = [
            (
                now["answer_weight"],
                now["unknown_factor"],
                now["background"],
                now["fit_weight"],
                now["typo_guard"],
            )
        ]
    for answer_weight, unknown_factor, background, fit_weight, typo_guard in grid:
        index = _index(answer_weight, unknown_factor, background, fit_weight, typo_guard)
        gate_misses: dict[float, list[int]] = {}
        for subject_min, threshold in itertools.product(SUBJECT_MINS, THRESHOLDS):
            index.subject_min = subject_min
            if subject_min not in gate_misses:
                # off-topic questions the gates let through even at the highest threshold
                # are gate misses: no threshold stops them short of answering nothing, so
                # they are reported (``gate_misses``) for the rules to fix, not fitted
                index.threshold = int(THRESHOLDS[-1])
                gate_misses[subject_min] = _answered(index, off_items)
            misses = gate_misses[subject_min]
            index.threshold = int(threshold)
            r = _evaluate(index, items)
            if r["off"] > len(misses):
                continue
            key = (r["right"], -r["wrong"], threshold)
            if best is not None and key <= best:
                continue
            if margin > 0:  # the gap: no off-topic answered a margin below, either
                index.threshold = int(threshold - margin)
                if _evaluate(index, off_items)["off"] > len(misses):
                    continue
                index.threshold = int(threshold)
            if best is None or key > best:
                best = key
                chosen = {
                    "answer_weight": answer_weight,
                    "unknown_factor": unknown_factor,
                    "background": background,
                    "fit_weight": fit_weight,
                    "typo_guard": typo_guard,
                    "subject_min": subject_min,
                    "threshold": threshold,
                    "margin": margin,
                    "gate_misses": misses,
                    **r,
                }
    if not chosen:
        _print_trade_off(items)
        raise SystemExit(
            "no setting answers no more off-topic questions than its gate misses (also at "
            "the margin): off-topic questions score like right ones. The trade-off above "
            "shows what each threshold costs; fix the answerability rules or choose by hand"
        )
    index = _index(
        chosen["answer_weight"],
        chosen["unknown_factor"],
        chosen["background"],
        chosen["fit_weight"],
        chosen["typo_guard"],
    )
    index.subject_min = chosen["subject_min"]
    index.threshold = int(chosen["threshold"])
    best_tap = -1
    for candidate_min in CANDIDATE_MINS:
        index.candidate_min = candidate_min
        tap = _evaluate(index, items)["tap"]
        if tap >= best_tap:  # ascending: the highest value with the best count wins
            best_tap, chosen["candidate_min"] = tap, candidate_min
    chosen["tap"] = best_tap
    chosen["answerable"] = sum(1 for i in items if i.get("expected") != "abstain")
    chosen["off_topic"] = sum(1 for i in items if i.get("expected") == "abstain")
    return chosen


def _print_trade_off(items: list[dict[str, Any]]) -> None:
    """Right, wrong and off-topic answered per threshold, at the calibrated weights."""
    now = CALIBRATION
    index = _index(
        now["answer_weight"],
        now["unknown_factor"],
        now["background"],
        now["fit_weight"],
        now["typo_guard"],
    )
    index.subject_min = now["subject_min"]
    print("threshold  right  wrong  off-topic answered")
    for threshold in THRESHOLDS:
        index.threshold = int(threshold)
        r = _evaluate(index, items)
        print(f"{threshold:9.0f}  {r['right']:5d}  {r['wrong']:5d}  {r['off']:5d}")


def _index(
    answer_weight: float,
    unknown_factor: float,
    background: float,
    fit_weight: float,
    typo_guard: float,
) -> ContentIndex:
    index = ContentIndex(_CONTENT)
    index.answer_weight, index.unknown_factor = answer_weight, unknown_factor
    index.background, index.fit_weight = background, fit_weight
    index.typo_guard = _dictionary_guard() if typo_guard else None
    index.rebuild()
    _memoise(index)
    return index


def write(chosen: dict[str, Any], paths: list[Path]) -> None:
    lines = [
        "# Thresholds of the FAQ matcher, fitted by bench/calibrate.py (do not edit by hand).",
        f"# sets: {', '.join(p.name for p in paths)}; fitted {datetime.now(UTC):%Y-%m-%d}",
        f"# on them: {chosen['right']}/{chosen['answerable']} answerable right, "
        f"{chosen['wrong']} wrong, {chosen['tap']}/{chosen['answerable']} answered-or-one-tap, "
        f"{chosen['off']}/{chosen['off_topic']} off-topic answered, of them "
        f"{len(chosen['gate_misses'])} gate misses (answered at every threshold: for the "
        f"answerability rules to fix) and no other (none either at threshold - "
        f"{chosen['margin']:g})",
        f"threshold: {chosen['threshold']:g}",
        f"subject_min: {chosen['subject_min']:g}",
        f"background: {chosen['background']:g}",
        f"answer_weight: {chosen['answer_weight']:g}",
        f"unknown_factor: {chosen['unknown_factor']:g}",
        f"fit_weight: {chosen['fit_weight']:g}",
        f"typo_guard: {chosen['typo_guard']:g}",
        f"candidate_min: {chosen['candidate_min']:g}",
    ]
    CALIBRATION_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--write", action="store_true", help="write content/data/calibration.yaml")
    parser.add_argument(
        "--margin", type=float, default=MARGIN, help="no off-topic answered this far below"
    )
    parser.add_argument(
        "--thresholds-only",
        action="store_true",
        help="keep the calibrated weights, fit only the thresholds",
    )
    args = parser.parse_args()
    global _CONTENT
    _CONTENT = _unfiled(_CONTENT, _items(args.sets))
    chosen = fit(args.sets, args.margin, args.thresholds_only)
    print(yaml.safe_dump(chosen, sort_keys=False).strip())
    if args.write:
        write(chosen, args.sets)
        print(f"written: {CALIBRATION_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
