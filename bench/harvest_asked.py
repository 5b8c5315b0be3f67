"""Write ``content/data/asked.yaml``: the answerable questions of read evaluation sets, each
filed under the entry whose answer holds what it asks.

Why: questions written blind from the source documents by people who never saw the content
ask the same facts in the words strangers use. Filed as phrasings they teach the matcher
those words; measured leave-one-set-out (``--loso``), questions of the other sets lift a set
nobody filed from. A sealed set must never be harvested: the tool refuses ``sealed*`` files,
and ``tests/unit/test_content_asked.py`` checks that no sealed or unread set leaked in.

Which entry: the one the bot answers with when that answer holds the question's facts,
else the best-ranked of the top ten whose answer holds them; a question no top-ten entry
answers is left out (the content lacks its fact). Mapping ignores the existing file, so a
re-run gives the same result.

Usage::

    python bench/harvest_asked.py bench/eval/calibration*.yaml bench/eval/holdout9.yaml
    python bench/harvest_asked.py --loso bench/eval/calibration*.yaml bench/eval/holdout9.yaml
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from answer_eval import _entry_text, satisfies

from content import ContentIndex, detect_lang, load_content
from content.contentset import ContentSet
from content.normalize import fold, normalize
from content.search import _best, bound_query

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "content" / "data" / "asked.yaml"
TOP = 10
# sets kept unread to measure generalisation: never filed, never refused, never fitted on
UNREAD = (
    "holdout10.yaml",
    "holdout11.yaml",
    "holdout12.yaml",
    "holdout13.yaml",
    "holdout14.yaml",
    "holdout15.yaml",
    "holdout16.yaml",
    "holdout17.yaml",
    "holdout18.yaml",
    "holdout19.yaml",
    "holdout20.yaml",
    "holdout21.yaml",
    "holdout22.yaml",
    "holdout23.yaml",
    "holdout24.yaml",
    "holdout25.yaml",
    "holdout26.yaml",
    "holdout27.yaml",
    "holdout28.yaml",
    "holdout29.yaml",
    "holdout30.yaml",
    "holdout31.yaml",
    "nearmiss10.yaml",
    "nearmiss11.yaml",
    "nearmiss20.yaml",
    "nearmiss29.yaml",
    "nearmiss30.yaml",
    "nearmiss45.yaml",
    "nearmiss46.yaml",
    "nearmiss47.yaml",
    "nearmiss48.yaml",
    "nearmiss53.yaml",
    "nearmiss57.yaml",
    "nearmiss59.yaml",
)


def sealed_or_unread(paths: list[Path] | tuple[Path, ...]) -> list[Path]:
    """Those of ``paths`` no data tool may read: sealed sets and the sets kept unread."""
    return [p for p in paths if p.name.startswith("sealed") or p.name in UNREAD]


def guarded_sets() -> list[Path]:
    """Sets whose questions are never filed, even when a read set holds the same words:
    the sealed sets, the sets kept unread, and the test suite's own sets. Blind authors
    do write the same short question now and then; filing it would score it as known."""
    found = sorted((ROOT / "bench" / "eval").glob("sealed*.yaml"))
    found += [ROOT / "bench" / "eval" / n for n in UNREAD]
    found += sorted((ROOT / "tests" / "unit").glob("content_eval*.yaml"))
    return [p for p in found if p.exists()]


def _without_asked(content: ContentSet) -> ContentSet:
    bare = copy.deepcopy(content)
    for entry in bare.faq:
        entry.asked = []
    return bare


def _questions(path: Path) -> list[dict[str, object]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["questions"])


def file_questions(index: ContentIndex, path: Path) -> list[tuple[str, str]]:
    """(entry id, question) for each answerable question of ``path`` some entry answers."""
    out: list[tuple[str, str]] = []
    for item in _questions(path):
        if item.get("expected") == "abstain":
            continue
        question = str(item["q"])
        facts = item.get("facts") or []
        lang = detect_lang(question)
        result = index.answer(question, lang)
        if not result.abstained and result.entry_id is not None:
            if satisfies(_entry_text(index, result.entry_id, lang), facts):
                out.append((result.entry_id, question))
                continue
        scores = index.scores(bound_query(question))
        for i in _best(scores, TOP):
            entry_id = index.entries[i].id
            if scores[i] > 0 and satisfies(_entry_text(index, entry_id, lang), facts):
                out.append((entry_id, question))
                break
    return out


def _score(index: ContentIndex, path: Path) -> tuple[int, int, int, int]:
    right = answerable = off = off_topic = 0
    for item in _questions(path):
        question = str(item["q"])
        lang = detect_lang(question)
        result = index.answer(question, lang)
        if item.get("expected") == "abstain":
            off_topic += 1
            off += not result.abstained
            continue
        answerable += 1
        if not result.abstained and result.entry_id is not None:
            right += satisfies(_entry_text(index, result.entry_id, lang), item.get("facts") or [])
    return right, answerable, off, off_topic


def _with(content: ContentSet, filed: list[tuple[str, str]]) -> ContentSet:
    grown = copy.deepcopy(content)
    by_id = {e.id: e for e in grown.faq}
    for entry_id, question in filed:
        by_id[entry_id].asked.append(question)
    return grown


def _index(content: ContentSet, threshold: int | None) -> ContentIndex:
    index = ContentIndex(content)
    if threshold is not None:
        index.threshold = threshold
    return index


def loso(
    paths: list[Path], bare: ContentSet, off_topic: list[Path], threshold: int | None = None
) -> None:
    """Leave one set out: file the others' questions, score the one left out. Sets of
    only off-topic questions (never harvested) are scored with every set filed."""
    base = _index(bare, threshold)
    filed = {p: file_questions(base, p) for p in paths}
    if off_topic:
        grown = _index(_with(bare, [q for p in paths for q in filed[p]]), threshold)
        was = now = count = 0
        for path in off_topic:
            b, a = _score(base, path), _score(grown, path)
            print(f"{path.name:24s} off-topic answered {b[2]}/{b[3]} -> {a[2]}/{a[3]}", flush=True)
            was, now, count = was + b[2], now + a[2], count + b[3]
        print(f"{'OFF-TOPIC SETS':24s} off-topic answered {was}/{count} -> {now}/{count}")
    total = [0] * 8
    for held in paths:
        others = [q for p in paths if p != held for q in filed[p]]
        grown = _index(_with(bare, others), threshold)
        before, after = _score(base, held), _score(grown, held)
        print(
            f"{held.name:24s} +{len(others):5d} asked  right {before[0]}/{before[1]} -> "
            f"{after[0]}/{after[1]}   off-topic answered {before[2]}/{before[3]} -> "
            f"{after[2]}/{after[3]}",
            flush=True,
        )
        total = [t + v for t, v in zip(total, (*before, *after), strict=True)]
    print(
        f"{'TOTAL':24s} right {total[0]}/{total[1]} -> {total[4]}/{total[5]}   "
        f"off-topic answered {total[2]}/{total[3]} -> {total[6]}/{total[7]}"
    )


def write(paths: list[Path], bare: ContentSet, out: Path) -> None:
    index = ContentIndex(bare)
    own = {
        fold(normalize(text))
        for e in bare.faq
        for text in (*(e.title(lang) for lang in e.langs), *e.all_phrasings())
    }
    guarded = {fold(normalize(str(q["q"]))) for p in guarded_sets() for q in _questions(p)}
    by_entry: dict[str, list[str]] = {e.id: [] for e in bare.faq}
    seen: set[str] = set()
    skipped = kept_out = 0
    for path in paths:
        for entry_id, question in file_questions(index, path):
            key = fold(normalize(question))
            if key in guarded:
                kept_out += 1
                continue
            if key in own or key in seen:
                skipped += 1
                continue
            seen.add(key)
            by_entry[entry_id].append(" ".join(question.split()))
    asked = {k: v for k, v in by_entry.items() if v}
    header = (
        "# Questions as members put them, each filed under the entry whose answer holds what\n"
        "# it asks; the search matches them like an entry's own phrasings. Written blind from\n"
        "# ../shared/seeds by evaluation authors who never saw content/ (read evaluation sets:\n"
        + "".join(f"#   bench/eval/{p.name}\n" for p in paths)
        + "# ). Made by bench/harvest_asked.py; never from a sealed set. Edit by re-running it.\n"
    )
    body = yaml.safe_dump(
        {"asked": asked}, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False
    )
    out.write_text(header + body, encoding="utf-8")
    print(f"{sum(len(v) for v in asked.values())} questions under {len(asked)} entries -> {out}")
    print(f"{skipped} left out: already a phrasing or asked twice")
    print(f"{kept_out} left out: the same words are in a sealed, unread or test set")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--loso", action="store_true", help="leave-one-set-out figures only")
    parser.add_argument(
        "--off-topic",
        nargs="*",
        type=Path,
        default=[],
        help="with --loso: near-miss sets to score with every set filed",
    )
    parser.add_argument(
        "--threshold", type=int, default=None, help="with --loso: answer from this score on"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    sealed = sealed_or_unread((*args.sets, *args.off_topic))
    if sealed:
        parser.error(f"a sealed or unread set is never harvested: {', '.join(map(str, sealed))}")
    bare = _without_asked(load_content())
    if args.loso:
        loso(args.sets, bare, args.off_topic, args.threshold)
    else:
        write(args.sets, bare, args.out)


if __name__ == "__main__":
    main()
