"""Where right answers are lost, held out by set: for every answerable question of read
evaluation sets, asked against the content with the *other* sets filed (as
``fit_verifier.py rows`` computes its rows), what happened and where the right entry ranked.

Run::

    python bench/failure_split.py --out /tmp/split.jsonl \\
        bench/eval/calibration*.yaml bench/eval/holdout9.yaml \\
        --off-topic bench/eval/nearmiss[5-9].yaml …

It prints one line per outcome: answered right; the right entry first but the rules
refused it (under the threshold, or a kind or detail rule); first but the verifier
refused it; ranked second or third; not in the top three. ``--out`` keeps one JSON line
per question (with its text: read sets only) for a closer look. The shipped verifier is
used as it is, so its weights have seen every read set: the split is a diagnosis, not a
held-out score (that is ``fit_verifier.py fit``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harvest_asked as filing
from answer_eval import satisfies
from fit_verifier import off_topic_questions, refused_under

from content import ContentIndex, detect_lang, load_content
from content.analyze import bound_query
from content.search import _best


def outcome(row: dict[str, object]) -> str:
    """The line of the split a question's row belongs to."""
    rank = int(str(row["rank"]))
    if row["right"]:
        return "answered right"
    if rank == 1 and row["answered"] is None and not row["chosen"]:
        under = float(str(row["top_score"])) < float(str(row["threshold"]))
        return "first, refused by the rules: " + ("under the threshold" if under else "a kind rule")
    if rank == 1 and row["answered"] is None:
        return "first, refused by the verifier"
    if rank == 1:
        return "first, another one answered (fall-through)"
    if rank in (2, 3):
        return f"ranked {rank}"
    return "not in the top three"


def split(paths: list[Path], off_topic: list[Path], out: Path | None) -> Counter[str]:
    bare = filing._without_asked(load_content())
    base = ContentIndex(bare, refused=[])
    shipped = ContentIndex(load_content())
    filed = {p: filing.file_questions(base, p) for p in paths}
    refused = {p: refused_under(base, off_topic_questions(p)) for p in [*paths, *off_topic]}
    counts: Counter[str] = Counter()
    sink = out.open("w", encoding="utf-8") if out else None
    try:
        for held in paths:
            asked = [q for p in paths if p != held for q in filed[p]]
            others = [q for p, qs in refused.items() if p != held for q in qs]
            index = ContentIndex(filing._with(bare, asked), refused=others)
            index.verifier = shipped.verifier
            for item in filing._questions(held):
                if item.get("expected") == "abstain":
                    continue
                question = str(item["q"])
                lang = detect_lang(question)
                facts = item.get("facts") or []
                result, evidence = index.explain(question, lang)
                scores = index.scores(bound_query(question))
                order = [i for i in _best(scores, 10) if scores[i] > 0]
                ids = [index.entries[i].id for i in order]
                rank = next(
                    (
                        r + 1
                        for r, eid in enumerate(ids)
                        if satisfies(filing._entry_text(index, eid, lang), facts)
                    ),
                    0,
                )
                answered = None if result.abstained else result.entry_id
                row = {
                    "set": held.name,
                    "q": question,
                    "answered": answered,
                    "right": bool(answered)
                    and satisfies(filing._entry_text(index, str(answered), lang), facts),
                    "rank": rank,
                    "chosen": evidence is not None,
                    "top": ids[:3],
                    "top_score": round(scores[order[0]], 1) if order else 0.0,
                    "threshold": index.threshold,
                }
                counts[outcome(row)] += 1
                if sink:
                    sink.write(json.dumps(row, ensure_ascii=False) + "\n")
            print(f"{held.name}", file=sys.stderr, flush=True)
    finally:
        if sink:
            sink.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--off-topic", nargs="*", type=Path, default=[])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    guarded = filing.sealed_or_unread((*args.sets, *args.off_topic))
    if guarded:
        parser.error(f"a sealed or unread set is never read: {', '.join(map(str, guarded))}")
    counts = split(args.sets, args.off_topic, args.out)
    total = sum(counts.values())
    for name, n in counts.most_common():
        print(f"{n:6d}  {100 * n / total:5.1f} %  {name}")
    print(f"{total:6d}  answerable questions")


if __name__ == "__main__":
    main()
