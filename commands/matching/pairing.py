"""Introduction rounds: pair opted-in members by best mutual score, never twice.

Why: ``!vernetzen ja`` promises regular introductions to someone worth meeting. A
round must be fair (nobody skipped twice), new (no repeats) and reproducible.

Algorithm (deterministic; members are ordered by user id):

1. ``carry_first`` members, in the given order, each take their best allowed partner.
2. The rest: greedy maximum-weight matching, computed as rounds of mutually-best
   pairs on the score matrix (the same result as sorting all pairs, but vectorised).
3. Free members who may only meet as repeats split an existing pair, so that as
   many members as possible are introduced.
4. A few rounds of 2-opt: two pairs swap partners when that raises the total score.
5. Leftovers: with an odd count, the odd one out joins the pair where it adds the most
   score, as a group of three (everybody gets an introduction). A member with no
   allowed partner left (all would be repeats) comes back as a 1-tuple: pass it in
   ``carry_first`` next round so that it is served first.

``past_pairs`` holds earlier groups as frozensets; a group of three forbids its three
pairs. Members without a profile can still be introduced (their score is 0).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from itertools import combinations
from typing import TYPE_CHECKING

from .index import MatchIndex
from .profiles import Profile
from .scoring import mutual_scores

if TYPE_CHECKING:
    import numpy as np
else:  # numpy is imported at the first match, not when the bot starts (see _lazy)
    from ._lazy import numpy as np

_EPSILON = 1e-3


def pair_round(
    source: MatchIndex | Iterable[Profile],
    past_pairs: Collection[frozenset[str]] = frozenset(),
    carry_first: Sequence[str] = (),
    *,
    members: Iterable[str] | None = None,
    synonyms: Iterable[Sequence[str]] = (),
    improve_rounds: int = 10,
) -> list[tuple[str, ...]]:
    """Groups for one introduction round: pairs, at most one trio, 1-tuples if stuck.

    Args:
        source: the network's index, or the opted-in members' profiles.
        past_pairs: earlier introductions (pairs or trios) that must not repeat.
        carry_first: members left without partner last round; they are served first.
        members: who opted in (default: everyone in ``source``).
        synonyms: synonym groups, used only when ``source`` is a list of profiles.
        improve_rounds: 2-opt passes after the greedy matching.
    """
    index = source if isinstance(source, MatchIndex) else MatchIndex.build(source, synonyms)
    ids = sorted(set(members) if members is not None else set(index.user_ids()))
    if not ids:
        return []
    scores = _scores(index, ids)
    allowed = _allowed(ids, past_pairs)
    partner = np.full(len(ids), -1, dtype=np.int64)
    weights = _weights(scores, allowed)
    position = {user: i for i, user in enumerate(ids)}
    for user in dict.fromkeys(carry_first):
        i = position.get(user)
        if i is not None and partner[i] < 0:
            _take_best(i, weights, partner)
    _greedy(weights, partner)
    carried = [position[u] for u in dict.fromkeys(carry_first) if u in position]
    free = sorted(
        (int(i) for i in np.flatnonzero(partner < 0)), key=lambda i: (i not in carried, i)
    )
    pairs, leftovers = _rescue(_pairs(partner), free, scores, allowed)
    pairs = _two_opt(pairs, scores, allowed, improve_rounds)
    groups: list[list[int]] = [list(pair) for pair in pairs]
    for leftover in leftovers:
        _join_trio(leftover, groups, scores, allowed)
    return sorted(tuple(sorted(ids[i] for i in group)) for group in groups)


def _scores(index: MatchIndex, ids: list[str]) -> np.ndarray:
    """Integer scores ×100 (exact ties); members without a profile score 0."""
    known = [i for i, user in enumerate(ids) if user in index]
    rows = np.array([index.row(ids[i]) for i in known], dtype=np.int64)
    scores = np.zeros((len(ids), len(ids)), dtype=np.int64)
    if len(rows) > 1:
        sub = np.rint(mutual_scores(index, rows) * 100).astype(np.int64)
        scores[np.ix_(known, known)] = sub
    return scores


def _allowed(ids: list[str], past: Collection[frozenset[str]]) -> np.ndarray:
    allowed = np.ones((len(ids), len(ids)), dtype=bool)
    np.fill_diagonal(allowed, False)
    position = {user: i for i, user in enumerate(ids)}
    for group in past:
        inside = sorted(position[u] for u in group if u in position)
        for a, b in combinations(inside, 2):
            allowed[a, b] = allowed[b, a] = False
    return allowed


def _weights(scores: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Distinct edge weights: score first, then lower member indices; -1 = forbidden."""
    n = len(scores)
    i, j = np.indices((n, n))
    low, high = np.minimum(i, j), np.maximum(i, j)
    tiebreak = n * n - 1 - (low * n + high)
    return np.where(allowed, scores * (n * n) + tiebreak, -1)


def _take_best(i: int, weights: np.ndarray, partner: np.ndarray) -> None:
    row = np.where(partner < 0, weights[i], -1)
    row[i] = -1
    j = int(row.argmax())
    if row[j] >= 0:
        partner[i], partner[j] = j, i


def _greedy(weights: np.ndarray, partner: np.ndarray) -> None:
    """Match mutually-best free pairs until no allowed pair of free members remains."""
    while True:
        free = np.flatnonzero(partner < 0)
        if len(free) < 2:
            return
        sub = weights[np.ix_(free, free)]
        best = sub.argmax(axis=1)
        valid = sub[np.arange(len(free)), best] >= 0
        mutual = valid & (best[best] == np.arange(len(free))) & (np.arange(len(free)) < best)
        if not mutual.any():
            return
        a, b = free[mutual], free[best[mutual]]
        partner[a], partner[b] = b, a


def _pairs(partner: np.ndarray) -> list[tuple[int, int]]:
    return [(int(i), int(j)) for i, j in enumerate(partner) if i < j]


def _rescue(
    pairs: list[tuple[int, int]], free: list[int], scores: np.ndarray, allowed: np.ndarray
) -> tuple[list[tuple[int, int]], list[int]]:
    """Two free members who may not meet each other split up an existing pair instead.

    Greedy stops when every free pair is a repeat; then (u, v) + pair (a, b) becomes
    (u, a) + (v, b) or (u, b) + (v, a), the best allowed option, so more members meet.
    """
    free = list(free)
    changed = True
    while changed and len(free) >= 2 and pairs:
        changed = False
        a = np.array([pair[0] for pair in pairs])
        b = np.array([pair[1] for pair in pairs])
        for u, v in combinations(free, 2):
            straight = np.where(allowed[u, a] & allowed[v, b], scores[u, a] + scores[v, b], -1)
            crossed = np.where(allowed[u, b] & allowed[v, a], scores[u, b] + scores[v, a], -1)
            best = int(np.maximum(straight, crossed).argmax())
            if max(straight[best], crossed[best]) < 0:
                continue
            first, second = (
                (a[best], b[best]) if straight[best] >= crossed[best] else (b[best], a[best])
            )
            pairs[best] = (u, int(first))
            pairs.append((v, int(second)))
            free = [x for x in free if x not in (u, v)]
            changed = True
            break
    return pairs, free


def _two_opt(
    pairs: list[tuple[int, int]], scores: np.ndarray, allowed: np.ndarray, rounds: int
) -> list[tuple[int, int]]:
    """Swap partners between two pairs while that raises the total (disjoint swaps per pass)."""
    if len(pairs) < 2:
        return pairs
    for _ in range(rounds):
        a = np.array([p[0] for p in pairs])
        b = np.array([p[1] for p in pairs])
        current = scores[a, b]
        base = current[:, None] + current[None, :]
        upper = np.triu(np.ones((len(pairs), len(pairs)), dtype=bool), 1)
        options = []
        for x, y in ((a, b), (b, a)):  # pair i keeps a_i and takes x_j; b_i takes y_j
            valid = allowed[np.ix_(a, x)] & allowed[np.ix_(b, y)] & upper
            gain = np.where(valid, scores[np.ix_(a, x)] + scores[np.ix_(b, y)] - base, 0)
            options.append(gain)
        swap_x = options[0] >= options[1]
        gain = np.maximum(options[0], options[1])
        flat = np.flatnonzero(gain > _EPSILON)
        if not len(flat):
            break
        order = flat[np.argsort(-gain.ravel()[flat], kind="stable")]
        touched: set[int] = set()
        new_pairs = list(pairs)
        for cell in order:
            i, j = divmod(int(cell), len(pairs))
            if i in touched or j in touched:
                continue
            touched.update((i, j))
            (ai, bi), (aj, bj) = pairs[i], pairs[j]
            if swap_x[i, j]:
                new_pairs[i], new_pairs[j] = (ai, aj), (bi, bj)
            else:
                new_pairs[i], new_pairs[j] = (ai, bj), (bi, aj)
        pairs = new_pairs
    return pairs


def _join_trio(i: int, groups: list[list[int]], scores: np.ndarray, allowed: np.ndarray) -> None:
    """Add a leftover to the best pair it may meet both members of; else alone."""
    pairs = [g for g, group in enumerate(groups) if len(group) == 2]
    if pairs:
        a = np.array([groups[g][0] for g in pairs])
        b = np.array([groups[g][1] for g in pairs])
        total = np.where(allowed[i, a] & allowed[i, b], scores[i, a] + scores[i, b], -1)
        best = int(total.argmax())
        if total[best] >= 0:
            groups[pairs[best]].append(i)
            return
    groups.append([i])
