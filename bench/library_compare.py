"""Hand-written text analysis against well-kept libraries, on the evaluation sets.

Run: ``.venv/bin/python bench/library_compare.py SETFILE [SETFILE ...]`` (prints a
Markdown table; no asserts). Needs the optional packages of the ``compare`` extra
(``pip install -e '.[compare]'``).

Variants of the term form (the index, thresholds and gating stay the same):

* ``hand``      – the project's suffix stripper (content/normalize.py ``stem``) with
  simplemma's word list as typo guard: what ships
* ``hand, no guard`` – the same without the typo guard (every unknown word may be a typo)
* ``snowball``  – snowballstemmer's German stemmer (pure Python), with the guard
* ``pystemmer`` – PyStemmer, the same Snowball algorithm in C, with the guard
* ``simplemma`` – simplemma's German lemmatiser, then the hand stemmer, with the guard

and one ranker: ``bm25s`` (BM25 over the same terms) for ranking only (top-1 / top-3 of
the right entry among answerable questions), since its scores have no calibrated
abstention.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.answer_eval import _ranked, ask, satisfies
from content import ContentIndex, load_content

# ``content`` re-exports the function ``normalize``, which hides the module attribute.
analyze_mod = importlib.import_module("content.analyze")
normalize_mod = importlib.import_module("content.normalize")
search_mod = importlib.import_module("content.search")

_HAND = normalize_mod.stem


def _variant_stem(name: str) -> Callable[[str], str]:
    if name == "snowball":
        import snowballstemmer

        sb = snowballstemmer.stemmer("german")
        return lambda tok: normalize_mod.fold(sb.stemWord(tok))
    if name == "pystemmer":
        import Stemmer

        ps = Stemmer.Stemmer("german")
        return lambda tok: normalize_mod.fold(ps.stemWord(tok))
    if name == "simplemma":
        import simplemma

        cache: dict[str, str] = {}

        def lemma(tok: str) -> str:
            if tok not in cache:
                if tok.isdigit():
                    cache[tok] = tok
                else:
                    cache[tok] = _HAND(normalize_mod.normalize(simplemma.lemmatize(tok, lang="de")))
            return cache[tok]

        return lemma
    return _HAND


def _install(name: str) -> None:
    fn = _variant_stem(name)
    for mod in (normalize_mod, analyze_mod, search_mod):
        mod.stem = fn  # type: ignore[attr-defined]


def _right(item: dict[str, Any], entry_id: str | None, text: str) -> bool:
    if entry_id is None:
        return False
    exp = item.get("expected")
    if exp is not None and exp != "abstain":
        return entry_id in ([exp] if isinstance(exp, str) else list(exp))
    return satisfies(text, item.get("facts") or [])


def _text(index: ContentIndex, i: int) -> str:
    e = index.entries[i]
    return f"{e.title('de')}\n{e.answer('de')}\n{e.title('en')}\n{e.answer('en')}"


def run_variant(name: str, sets: list[Path]) -> dict[str, Any]:
    _install(name.split(",")[0])
    index = ContentIndex(load_content())
    if "no guard" in name:
        index.typo_guard = None
    right = n = off = n_off = top1 = top3 = 0
    times: list[float] = []
    for path in sets:
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            q = str(item["q"])
            start = time.perf_counter()
            out = ask(index, q, "de")
            times.append((time.perf_counter() - start) * 1000)
            if item.get("expected") == "abstain":
                n_off += 1
                off += out.answered is not None
                continue
            n += 1
            if out.answered and _right(item, out.answered.entry_id, out.answered.text):
                right += 1
            scores = index.scores(q)
            order = _ranked(scores)[:3]
            hits = [_right(item, index.entries[i].id, _text(index, i)) for i in order]
            top1 += bool(hits[:1] and hits[0])
            top3 += any(hits)
    return {
        "name": name,
        "right": right,
        "n": n,
        "off": off,
        "n_off": n_off,
        "top1": top1,
        "top3": top3,
        "p95": sorted(times)[int(0.95 * len(times))],
        "p50": statistics.median(times),
    }


def run_bm25(sets: list[Path]) -> dict[str, Any]:
    import bm25s

    _install("hand")
    index = ContentIndex(load_content())
    corpus = []
    for e in index.entries:
        texts = [t for lang in e.langs for t in (e.title(lang), *e.questions(lang), e.answer(lang))]
        corpus.append([t for text in [*texts, *e.keywords] for t in index.analyzer.terms(text)])
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    n = top1 = top3 = 0
    times: list[float] = []
    for path in sets:
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            if item.get("expected") == "abstain":
                continue
            n += 1
            terms = [t for t in index.analyzer.terms(str(item["q"])) if t]
            start = time.perf_counter()
            if terms:
                docs, _scores = retriever.retrieve([terms], k=3, show_progress=False)
                order = [int(i) for i in docs[0]]
            else:
                order = []
            times.append((time.perf_counter() - start) * 1000)
            hits = [_right(item, index.entries[i].id, _text(index, i)) for i in order]
            top1 += bool(hits[:1] and hits[0])
            top3 += any(hits)
    return {
        "name": "bm25s (ranking only)",
        "right": None,
        "n": n,
        "off": None,
        "n_off": None,
        "top1": top1,
        "top3": top3,
        "p95": sorted(times)[int(0.95 * len(times))] if times else 0.0,
        "p50": statistics.median(times) if times else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="+", type=Path)
    args = parser.parse_args()
    rows = [
        run_variant(v, args.sets)
        for v in ("hand", "hand, no guard", "snowball", "pystemmer", "simplemma")
    ]
    rows.append(run_bm25(args.sets))
    _install("hand")
    print(f"sets: {', '.join(p.name for p in args.sets)}")
    print(
        "| variant | answerable right | off-topic answered | right entry top-1 | top-3 | p50 ms | p95 ms |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        right = f"{r['right']}/{r['n']}" if r["right"] is not None else "–"
        off = f"{r['off']}/{r['n_off']}" if r["off"] is not None else "–"
        print(
            f"| {r['name']} | {right} | {off} | {r['top1']}/{r['n']} | {r['top3']}/{r['n']} "
            f"| {r['p50']:.2f} | {r['p95']:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
