"""Vectorised scoring for large content: the same sums as the sparse loops, in numpy.

Why two paths: the sparse loops in ``content.search`` touch only the entries and
phrasings on a question's posting lists and need no numpy, which keeps the idle bot
~15 MB smaller for the content a network ships (about a hundred entries, a few
thousand phrasings). A network that grows to thousands of entries has posting lists of
thousands of items, where Python's per-item loop becomes most of an answer's time;
there numpy adds them up in C. Both paths compute the same formulas (checked by
``tests/unit/test_search_dense.py``).
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any

import numpy as np


class DenseScorer:
    """numpy views of an index's posting lists and its per-phrasing and per-entry data.

    Posting lists stay the ``array`` objects of the sparse index; ``np.frombuffer`` reads
    them without a copy, so the dense path costs only the per-entry work vectors.
    """

    def __init__(
        self,
        ent_post: Sequence[array],
        ent_w: Sequence[array],
        phr_post: Sequence[array],
        anc_post: Sequence[array],
        phr_mass: array,
        phr_starts: Sequence[int],
        n_entries: int,
    ) -> None:
        self._ent_post = [np.frombuffer(a, dtype=np.intc) for a in ent_post]
        self._ent_w = [np.frombuffer(a, dtype=np.float64) for a in ent_w]
        self._phr_post = [np.frombuffer(a, dtype=np.intc) for a in phr_post]
        self._anc_post = [np.frombuffer(a, dtype=np.intc) for a in anc_post]
        self._phr_mass = np.frombuffer(phr_mass, dtype=np.float64)
        # an entry's phrasings are contiguous: phrasing p belongs to entry phr_entry[p]
        starts = np.asarray(phr_starts, dtype=np.intp)
        counts = np.diff(np.append(starts, len(self._phr_mass)))
        self._phr_entry = np.repeat(np.arange(n_entries, dtype=np.intp), counts)
        self._n = n_entries
        self.set_refused({}, [], [])

    def set_refused(
        self, ref_post: dict[int, list[int]], ref_mass: Sequence[float], ref_entry: Sequence[int]
    ) -> None:
        """The refused questions (they change live): per term the ones holding it, their
        masses and the entries they were refused for."""
        self._ref_post = {t: np.asarray(rs, dtype=np.intp) for t, rs in ref_post.items()}
        self._ref_mass = np.asarray(ref_mass, dtype=np.float64)
        self._ref_entry = np.asarray(ref_entry, dtype=np.intp)

    def scores(
        self,
        matched: list[tuple[int, float]],
        idf: Sequence[float],
        total: float,
        *,
        fit_weight: float,
        min_coverage: float,
        anchor_sim: float,
        no_anchor: frozenset[int],
        coverage_only: bool,
        arrays: bool = False,
    ) -> tuple[Any, Any]:
        """Scores 0-100 and coverage 0-1 per entry, as ``ContentIndex._scores``: lists,
        or with ``arrays`` the numpy arrays (a caller combining several saves the lists)."""
        n = self._n
        coverage = np.zeros(n)
        phr_hit = np.zeros(len(self._phr_mass))
        anchored = np.zeros(n, dtype=bool)
        for t, sim in matched:
            w = idf[t] * sim
            # one term's entries (and phrasings) are distinct: fancy += adds each once
            coverage[self._ent_post[t]] += self._ent_w[t] * w
            if coverage_only:
                continue
            phr_hit[self._phr_post[t]] += w
            if sim >= anchor_sim and t not in no_anchor:
                anchored[self._anc_post[t]] = True
        ratio = coverage / total
        covered = np.minimum(ratio, 1.0)
        if coverage_only:
            return [0.0] * n, covered if arrays else covered.tolist()
        # F1 of precision hit/mass and recall hit/total is 2·hit/(mass + total)
        # only the phrasings holding a term have a fit above 0: the best per entry is
        # one reduceat over those (an entry's phrasings are contiguous)
        touched = np.flatnonzero(phr_hit)
        best_fit = np.zeros(n)
        if len(touched):
            fit = 2.0 * phr_hit[touched] / (self._phr_mass[touched] + total)
            entry = self._phr_entry[touched]
            firsts = np.flatnonzero(np.concatenate(([True], entry[1:] != entry[:-1])))
            best_fit[entry[firsts]] = np.maximum.reduceat(fit, firsts)
        scores = 100.0 * ((1.0 - fit_weight) * covered + fit_weight * best_fit)
        scores[ratio < min_coverage] *= 0.5
        scores[~anchored] *= 0.5
        scores[coverage == 0.0] = 0.0  # no term of the question: untouched, as sparse
        if arrays:
            return scores, covered
        return scores.tolist(), covered.tolist()

    def entry_fits(
        self, weight_of: dict[int, float], total: float, start: int, end: int
    ) -> tuple[Any, Any]:
        """As the loop in ``ContentIndex._evidence``: the phrasings ``start`` .. ``end`` (one
        entry's) that share a term, in order, and the F1 of each against the question.
        An entry members asked hundreds of ways has hundreds of phrasings to add up."""
        hits = np.zeros(end - start)
        for t, w in weight_of.items():
            post = self._phr_post[t]
            lo, hi = np.searchsorted(post, (start, end))
            if lo < hi:
                hits[post[lo:hi] - start] += w
        shared = np.flatnonzero(hits)
        f1 = 2.0 * hits[shared] / (self._phr_mass[shared + start] + total)
        return shared + start, f1

    @staticmethod
    def tied_top(scores: Any, most: int) -> list[int]:
        """As ``content.search._tied_top``: where 2 to ``most`` entries share the best
        score (above 0), their positions; otherwise none."""
        values = np.asarray(scores, dtype=np.float64)
        top = values.max() if len(values) else 0.0
        if top <= 0:
            return []
        tied = np.flatnonzero(values == top)
        return tied.tolist() if 2 <= len(tied) <= most else []

    @staticmethod
    def best(scores: Sequence[float], k: int) -> list[int]:
        """As ``content.search._best`` (the ``k`` best positions, equal scores in entry
        order, zeros filling up in entry order), for thousands of entries: a partition in
        C instead of a heap of Python calls."""
        values = np.asarray(scores, dtype=np.float64)
        scored = np.flatnonzero(values)
        if len(scored) > k:
            kth = np.partition(values[scored], len(scored) - k)[len(scored) - k]
            scored = scored[values[scored] >= kth]
        order = scored[np.lexsort((scored, -values[scored]))][:k].tolist()
        if len(order) < k:
            zeros = np.flatnonzero(values == 0.0)[: k - len(order)]
            order += zeros.tolist()
        return order

    @staticmethod
    def maximum(a: Any, b: Any) -> Any:
        """Element-wise maximum of two score vectors (lists or arrays), as an array."""
        return np.maximum(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))

    def near_refused(
        self,
        matched: list[tuple[int, float]],
        idf: Sequence[float],
        total: float,
        entry: int,
        voters: int,
    ) -> tuple[list[float], float, float]:
        """As ``ContentIndex._near_refused``: the ``voters`` best F1 of the refused
        questions (best first), the best of all, the best of those refused for ``entry``."""
        hits = np.zeros(len(self._ref_mass))
        for t, sim in matched:
            post = self._ref_post.get(t)
            if post is not None:
                hits[post] += idf[t] * sim
        touched = np.flatnonzero(hits)
        if not len(touched):
            return [], 0.0, 0.0
        f1 = 2.0 * hits[touched] / (self._ref_mass[touched] + total)
        of_entry = f1[self._ref_entry[touched] == entry]
        nearest = np.sort(f1)[::-1][:voters]
        return (
            nearest.tolist(),
            float(f1.max()),
            float(of_entry.max()) if len(of_entry) else 0.0,
        )
