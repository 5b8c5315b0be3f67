"""Score a blind evaluation set through the real offline answer path (``koopbot ask``).

Run: ``.venv/bin/python bench/answer_eval.py SETFILE [--lang de] [--verbose]``.

SETFILE (YAML)::

    questions:
      - {q: "...", kind: cost, source: 001_x.txt, facts: [["alt", "alt"], ["alt"]]}
      - {q: "...", kind: date, expected: abstain, near_miss: true}

An answerable item is *right* when the bot answers and the answered entry's text (title
and answer) contains, case-insensitively with umlauts/ß folded, at least one alternative
of every fact group. *Answered-or-one-tap*: right, or one of the ≤3 "Meinst du …?"
candidates (the top-3 ranked entries for code without one-tap) satisfies the facts.
Items in the project's own format (``expected: <entry id> | [ids] | abstain``) are
scored by entry id instead of facts.

Off-topic answers are reported by index only (never the question text), so the set can
be scored without anyone reading it. ``--verbose`` prints the misses of answerable
items with their question text: use it on calibration sets only.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from content import ContentIndex, detect_lang, load_content

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "–": "-", "—": "-"})
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, umlauts and ß spelt out, dashes unified, white space collapsed."""
    return _SPACE.sub(" ", text.casefold().translate(_FOLD)).strip()


def satisfies(text: str, facts: list[list[str]]) -> bool:
    """Every fact group has at least one alternative in ``text``."""
    hay = fold(text)
    return all(any(fold(str(alt)) in hay for alt in group) for group in facts)


@dataclass
class Candidate:
    entry_id: str
    text: str


@dataclass
class Outcome:
    """What the bot did with one question, independent of the matcher's version."""

    answered: Candidate | None
    candidates: list[Candidate] = field(default_factory=list)
    one_tap: bool = False  # the reply offered the candidates ("Meinst du …?")


def _entry_text(index: ContentIndex, entry_id: str, lang: str) -> str:
    entry = index.content.faq_entry(entry_id)
    if entry is None:
        entry = next((e for e in index.entries if e.id == entry_id), None)
    if entry is None:
        return ""
    return f"{entry.title(lang)}\n{entry.answer(lang)}"


def _ranked(scores: Sequence[float]) -> list[int]:
    """Entry positions, best score first."""
    return sorted(range(len(scores)), key=scores.__getitem__)[::-1]


def ask(index: ContentIndex, question: str, lang: str) -> Outcome:
    """The adapter: one question through ``ContentIndex.answer`` (as ``koopbot ask``)."""
    asked_lang = detect_lang(question, default=lang)
    result = index.answer(question, asked_lang)
    answered = None
    if not result.abstained and result.entry_id is not None:
        answered = Candidate(result.entry_id, f"{result.title}\n{result.text}")
    cands = getattr(result, "candidates", None)
    one_tap = cands is not None
    if cands is None:  # pre-redesign code: the top-3 ranked entries stand in
        scores = index.scores(question)
        order = [i for i in _ranked(scores)[:3] if scores[i] > 0]
        cands = [index.entries[i].id for i in order]
    else:
        cands = [c if isinstance(c, str) else c[0] for c in cands]
    candidates = [Candidate(c, _entry_text(index, c, result.lang)) for c in cands[:3]]
    return Outcome(answered, candidates, one_tap and bool(candidates))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _accepted(item: dict[str, Any]) -> list[str] | None:
    exp = item.get("expected")
    if exp is None or exp == "abstain":
        return None
    return [exp] if isinstance(exp, str) else [str(e) for e in exp]


def _is_right(item: dict[str, Any], cand: Candidate | None) -> bool:
    if cand is None:
        return False
    ids = _accepted(item)
    if ids is not None:
        return cand.entry_id in ids
    return satisfies(cand.text, item.get("facts") or [])


def evaluate(path: Path, lang: str = "de", verbose: bool = False) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items: list[dict[str, Any]] = list(data["questions"])
    index = ContentIndex(load_content())
    for item in items[:5]:  # warm caches, as a running bot has them
        ask(index, str(item["q"]), lang)
    right = abstained = wrong = tap = 0
    n_answerable = 0
    off_answered: list[int] = []
    off_tap: list[int] = []
    n_off = 0
    times: list[float] = []
    misses: list[str] = []
    for i, item in enumerate(items):
        question = str(item["q"])
        start = time.perf_counter()
        out = ask(index, question, lang)
        times.append((time.perf_counter() - start) * 1000)
        if item.get("expected") == "abstain":
            n_off += 1
            if out.answered is not None:
                off_answered.append(i)
            elif out.one_tap:
                off_tap.append(i)
            continue
        n_answerable += 1
        ok = _is_right(item, out.answered)
        if ok:
            right += 1
        elif out.answered is None:
            abstained += 1
        else:
            wrong += 1
        if ok or any(_is_right(item, c) for c in out.candidates):
            tap += 1
        if verbose and not ok:
            got = out.answered.entry_id if out.answered else "ABSTAIN"
            cands = ",".join(c.entry_id for c in out.candidates)
            hit = [c.entry_id for c in out.candidates if _is_right(item, c)]
            misses.append(f"  [{i}] {question!r} -> {got}; cands {cands}; right in {hit}")
    return {
        "answerable": n_answerable,
        "right": right,
        "abstained": abstained,
        "wrong": wrong,
        "tap": tap,
        "off_topic": n_off,
        "off_answered": off_answered,
        "off_tap": off_tap,
        "p50": statistics.median(times) if times else 0.0,
        "p95": _pct(times, 0.95),
        "misses": misses,
        "entries": len(index.entries),
    }


def _share(n: int, total: int) -> str:
    return f"{n}/{total} ({100 * n / total:.1f} %)" if total else f"{n}/0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("setfile", type=Path)
    parser.add_argument("--lang", choices=("de", "en"), default="de")
    parser.add_argument("--verbose", action="store_true", help="list misses (calibration only)")
    args = parser.parse_args(argv)
    r = evaluate(args.setfile, args.lang, args.verbose)
    n = r["answerable"]
    print(f"set: {args.setfile.name}, {r['entries']} entries")
    print(f"answerable right:        {_share(r['right'], n)}")
    print(f"wrongly abstained:       {_share(r['abstained'], n)}")
    print(f"wrong answer:            {_share(r['wrong'], n)}")
    print(f"answered-or-one-tap:     {_share(r['tap'], n)}")
    print(f"off-topic answered:      {len(r['off_answered'])}/{r['off_topic']} {r['off_answered']}")
    print(f"off-topic with one-tap:  {len(r['off_tap'])}/{r['off_topic']}")
    print(f"answer latency:          p50 {r['p50']:.2f} ms, p95 {r['p95']:.2f} ms")
    if r["misses"]:
        print("misses:")
        print("\n".join(r["misses"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
