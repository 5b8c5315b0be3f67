"""Learning clusters: group members' topic interests and tell when a cluster can start.

Why: a learning cluster (Transferagentur NRW) is a working group of 5–20 people from
at least three municipalities. Members name topics freely ("Digitalisierung",
"digitalisierung in der schule", "Digitalisierrung"), so topics are grouped fuzzily
before counting people and places.

Grouping: words are folded (``normalize``), stop words dropped, each word mapped to its
most frequent close spelling (typos); then topics are grouped around the most popular
ones: a topic joins the first leader whose word set contains it, is contained in it,
or is similar enough (rapidfuzz token_set_ratio ≥ threshold). Places count exactly
after normalisation (Herne and Herten are different towns).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from content.normalize import normalize

if TYPE_CHECKING:
    import numpy as np
else:  # numpy is imported at the first match, not when the bot starts (see _lazy)
    from ._lazy import numpy as np

MIN_MEMBERS = 5
MIN_PLACES = 3
MAX_MEMBERS = 20
_MIN_FUZZY_LEN = 5
_STOP_WORDS = frozenset(
    "der die das den dem des ein eine einer eines im in an am auf aus bei mit von vom zu zum"
    " zur fuer und oder als ueber unter nach vor the a an of for and in on to with".split()
)


@dataclass(frozen=True, slots=True)
class ClusterInterest:
    """One ``!cluster interesse <thema>`` of a member (place = their municipality)."""

    user_id: str
    topic: str
    place: str


@dataclass(frozen=True, slots=True)
class FormingCluster:
    """A topic group; ``members`` in order of interest, one interest kept per member."""

    topic: str
    members: tuple[str, ...]
    places: tuple[str, ...]
    ready: bool
    interests: tuple[ClusterInterest, ...] = ()


ForminCluster = FormingCluster  # the name used in the first design notes


class ClusterNotReady(ValueError):
    """A cluster can only be founded with ≥ 5 members from ≥ 3 municipalities."""


def forming_clusters(
    interests: Iterable[ClusterInterest], threshold_ratio: float = 0.85
) -> list[FormingCluster]:
    """Clusters forming from all interests: ready ones first, then by size, then topic.

    Args:
        interests: all recorded interests, oldest first (order decides who is first in).
        threshold_ratio: similarity (0–1) for grouping words and topics; 0.85 by default.
    """
    items = [i for i in interests if normalize(i.topic)]
    if not items:
        return []
    cutoff = 100 * threshold_ratio
    words = [_content_words(normalize(i.topic)) for i in items]
    canon = _canonical_words(words, cutoff)
    keys = [" ".join(sorted({canon[w] for w in ws})) for ws in words]
    group_of = _group_topics(keys, items, cutoff)
    by_group: dict[str, list[int]] = {}
    for position, key in enumerate(keys):
        by_group.setdefault(group_of[key], []).append(position)
    clusters = [
        _cluster(
            _label([items[p] for p in positions if keys[p] == leader]),
            [items[p] for p in positions],
        )
        for leader, positions in by_group.items()
    ]
    return sorted(clusters, key=lambda c: (not c.ready, -len(c.members), c.topic.casefold()))


def found_cluster(
    cluster: FormingCluster, max_size: int = MAX_MEMBERS
) -> tuple[FormingCluster, FormingCluster]:
    """Split a ready cluster into the founded group (≤ ``max_size``) and the overflow.

    The earliest member of each municipality is taken first (so every place, at least
    three, stays represented), then the rest in order of interest; the overflow keeps
    its order and may grow into a second cluster.
    """
    if max_size < MIN_MEMBERS:
        raise ValueError(f"max_size must be at least {MIN_MEMBERS}")
    if not cluster.ready:
        raise ClusterNotReady(cluster.topic)
    chosen: list[int] = []
    seen_places: set[str] = set()
    for position, interest in enumerate(cluster.interests):
        place = normalize(interest.place)
        if place and place not in seen_places and len(chosen) < max_size:
            seen_places.add(place)
            chosen.append(position)
    taken = set(chosen)
    for position in range(len(cluster.interests)):
        if len(chosen) >= max_size:
            break
        if position not in taken:
            chosen.append(position)
            taken.add(position)
    founded = [cluster.interests[p] for p in sorted(chosen)]
    overflow = [i for p, i in enumerate(cluster.interests) if p not in taken]
    return _cluster(cluster.topic, founded), _cluster(cluster.topic, overflow)


# -- helpers -------------------------------------------------------------------------


def _content_words(text: str) -> list[str]:
    words = text.split()
    content = [w for w in words if w not in _STOP_WORDS]
    return content or words


def _canonical_words(words: list[list[str]], cutoff: float) -> dict[str, str]:
    """Map each word to its most frequent close spelling ("digitalisierrung" → …ung)."""
    counts = Counter(w for ws in words for w in set(ws))
    ordered = sorted(counts, key=lambda w: (-counts[w], w))
    scores = process.cdist(
        ordered, ordered, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8, workers=-1
    )
    long_enough = np.fromiter((len(w) >= _MIN_FUZZY_LEN for w in ordered), bool, len(ordered))
    canon: dict[str, str] = {}
    free = np.ones(len(ordered), dtype=bool)
    for i, word in enumerate(ordered):
        if free[i]:
            group = free & (scores[i] > 0) & long_enough & long_enough[i]
            group[i] = True
            for j in np.flatnonzero(group):
                canon[ordered[j]] = word
            free &= ~group
    return canon


def _group_topics(keys: list[str], items: list[ClusterInterest], cutoff: float) -> dict[str, str]:
    """Leader clustering of topic keys, most people first (then shorter, then a–z)."""
    people: dict[str, set[str]] = {}
    for key, item in zip(keys, items, strict=True):
        people.setdefault(key, set()).add(item.user_id)
    ordered = sorted(people, key=lambda k: (-len(people[k]), len(k.split()), k))
    scores = process.cdist(
        ordered,
        ordered,
        scorer=fuzz.token_set_ratio,
        score_cutoff=cutoff,
        dtype=np.uint8,
        workers=-1,
    )
    group_of: dict[str, str] = {}
    free = np.ones(len(ordered), dtype=bool)
    for i, key in enumerate(ordered):
        if free[i]:
            group = free & (scores[i] > 0)
            group[i] = True
            for j in np.flatnonzero(group):
                group_of[ordered[j]] = key
            free &= ~group
    return group_of


def _label(items: list[ClusterInterest]) -> str:
    """The most common spelling of the leading topic; ties: the earliest."""
    spellings = Counter(i.topic.strip() for i in items)
    best = max(spellings.values())
    return next(i.topic.strip() for i in items if spellings[i.topic.strip()] == best)


def _cluster(topic: str, items: list[ClusterInterest]) -> FormingCluster:
    """One interest per member (their first); distinct places; readiness."""
    firsts: dict[str, ClusterInterest] = {}
    for item in items:
        firsts.setdefault(item.user_id, item)
    kept = tuple(firsts.values())
    places: dict[str, str] = {}
    for item in kept:
        key = normalize(item.place)
        if key:
            places.setdefault(key, item.place.strip())
    ready = len(kept) >= MIN_MEMBERS and len(places) >= MIN_PLACES
    return FormingCluster(
        topic=topic,
        members=tuple(firsts),
        places=tuple(places.values()),
        ready=ready,
        interests=kept,
    )
