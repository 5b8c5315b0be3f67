"""Matching engine figures: index build, top-5 query latency, a pairing round, memory.

Run by hand (no assertions; targets from the brief in brackets):

    .venv/bin/python bench/matching_bench.py            # 10,000 and 100,000 profiles
    .venv/bin/python bench/matching_bench.py --sizes 10000 --queries 100

Profiles are synthetic but shaped like the network: eight kinds of institution, a few
hundred places in ~20 regions, the seven network topics plus free topics with typos,
resource offers and needs spelt in several ways.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commands.matching import (
    Experience,
    InstitutionKind,
    MatchIndex,
    Profile,
    pair_round,
    top_partners,
    top_peers,
)

SYNONYMS = [["ogs", "ganztag", "offene ganztagsschule"], ["raeume", "raum", "proberaum"]]
TOPICS = [
    "Läuft!",
    "Gemeinsam!",
    "Bildungspartner",
    "Von Schritt zu Schritt",
    "Gut vernetzt",
    "Schnittstelle OGS",
    "Da geht noch mehr!",
    "Digitalisierung",
    "Inklusion",
    "Kulturelle Bildung",
    "MINT",
    "Bildung für nachhaltige Entwicklung",
    "Übergang Kita Grundschule",
    "Elternarbeit",
    "Bildungsmonitoring",
    "Netzwerkmanagement",
    "Sprachförderung",
    "Chorklassen",
    "Bläserklassen",
    "Tanz",
]
RESOURCES = [
    "Gelder",
    "Fördermittel",
    "Personal",
    "Lehrkräfte",
    "Fortbildungen",
    "Räume",
    "Proberäume",
    "Zeiten",
    "Materialien",
    "Noten",
    "Instrumente",
    "Musikinstrumente",
    "Technik",
    "Medien",
    "Transport",
    "Lagerraum",
    "Bühne",
    "Beratung",
]
PREFIXES = [
    "Musik",
    "Kultur",
    "Schul",
    "Kinder",
    "Jugend",
    "Eltern",
    "Sprach",
    "Bewegungs",
    "Medien",
    "Natur",
    "Kunst",
    "Theater",
    "Lese",
    "Stadtteil",
    "Familien",
    "Integrations",
]
HEADS = [
    "projekte",
    "förderung",
    "werkstatt",
    "arbeit",
    "bildung",
    "netzwerk",
    "garten",
    "wochen",
    "tage",
    "kurse",
    "angebote",
    "konzepte",
    "räume",
    "feste",
    "reisen",
]
TARGETS = [
    "Grundschulkinder",
    "Kita-Kinder",
    "Jugendliche",
    "Eltern",
    "Lehrkräfte",
    "Senioren",
    "Geflüchtete",
    "Menschen mit Behinderung",
]


def typo(text: str, rng: random.Random) -> str:
    """In one of ten texts, drop or double one letter inside its longest word."""
    if rng.random() > 0.1:
        return text
    word = max(text.split(), key=len)
    if len(word) < 6:
        return text
    i = rng.randrange(1, len(word) - 1)
    wrong = word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + word[i] + word[i:]
    return text.replace(word, wrong, 1)


def synthetic_profiles(n: int, seed: int = 7) -> list[Profile]:
    rng = random.Random(seed)
    kinds = list(InstitutionKind)
    regions = [f"Region {r}" for r in range(20)]
    places = [(f"Ort {p}", regions[p % len(regions)]) for p in range(400)]
    free_topics = [f"{a}{b}" for a in PREFIXES for b in HEADS] + [
        f"{a.rstrip('s')} und {b.capitalize()}" for a in PREFIXES for b in HEADS[:8]
    ]
    profiles = []
    for i in range(n):
        place, region = rng.choice(places)
        topics = rng.sample(TOPICS, rng.randint(1, 3)) + rng.sample(free_topics, rng.randint(0, 1))
        profiles.append(
            Profile(
                user_id=f"@user{i}:example.org",
                kind=rng.choice(kinds),
                place=place,
                region=region,
                interests=tuple(typo(t, rng) for t in topics),
                offers=tuple(typo(t, rng) for t in rng.sample(RESOURCES, rng.randint(0, 3))),
                needs=tuple(typo(t, rng) for t in rng.sample(RESOURCES, rng.randint(0, 3))),
                target_groups=tuple(rng.sample(TARGETS, rng.randint(0, 2))),
                experience=rng.choice([*Experience, None]),
                visible=rng.random() < 0.9,
            )
        )
    return profiles


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def percentiles(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"p50 {statistics.median(ordered):7.2f} ms   p95 {p95:7.2f} ms   max {ordered[-1]:7.2f} ms"
    )


def bench_queries(n: int, queries: int) -> None:
    profiles = synthetic_profiles(n)
    gc.collect()
    seconds, built = timed(lambda: MatchIndex.build(profiles, SYNONYMS))
    index = built if isinstance(built, MatchIndex) else MatchIndex()
    print(f"\n== {n:,} profiles ==")
    print(f"index build            {seconds * 1000:9.1f} ms   ({len(index.vocabulary):,} terms)")
    del built, index
    gc.collect()
    tracemalloc.start()
    index = MatchIndex.build(profiles, SYNONYMS)
    gc.collect()
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"memory (tracemalloc)   {retained / 2**20:9.1f} MiB retained by the index,")
    print(f"                       {peak / 2**20:9.1f} MiB peak while building")
    rng = random.Random(11)
    askers = [profiles[rng.randrange(n)].user_id for _ in range(queries)]
    for name, query in (("top_partners k=5", top_partners), ("top_peers    k=5", top_peers)):
        query(index, askers[0])  # warm-up
        samples = [timed(partial(query, index, u, 5))[0] * 1000 for u in askers]
        print(f"{name}       {percentiles(samples)}   ({queries} queries)")
    edited = [
        Profile(
            p.user_id,
            p.kind,
            p.place,
            p.region,
            (*p.interests, "Neues Thema"),
            p.offers,
            p.needs,
            p.target_groups,
            p.experience,
            p.visible,
        )
        for p in profiles[:queries]
    ]
    samples = [timed(partial(index.upsert, p))[0] * 1000 for p in edited]
    print(f"upsert one profile     {percentiles(samples)}")


def bench_pairing(members: int) -> None:
    profiles = synthetic_profiles(members, seed=3)
    index = MatchIndex.build(profiles, SYNONYMS)
    ids = [p.user_id for p in profiles]
    rng = random.Random(5)
    past = {frozenset(rng.sample(ids, 2)) for _ in range(members * 3)}
    samples = []
    groups: list[tuple[str, ...]] = []
    for _ in range(5):
        seconds, result = timed(partial(pair_round, index, past, ids[:3]))
        samples.append(seconds * 1000)
        groups = result if isinstance(result, list) else []
    sizes = sorted({len(g) for g in groups})
    print(f"\n== pairing round, {members:,} members, {len(past):,} past pairs ==")
    print(
        f"pair_round             {percentiles(samples)}   (5 runs; {len(groups)} groups, sizes {sizes})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--pair-members", type=int, nargs="*", default=[2_000])
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, targets: top-5 ≤ 20 ms @10k, ≤ 200 ms @100k;")
    print("pairing 2,000 ≤ 2 s")
    for n in args.sizes:
        bench_queries(n, args.queries)
    for members in args.pair_members:
        bench_pairing(members)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS (ru_maxrss) {rss:.0f} MiB (includes the synthetic profiles)")


if __name__ == "__main__":
    main()
