"""Whether the best entry answers the question: a logistic model fitted on blind sets.

Why: one score threshold cannot tell a colloquial question whose right entry ranks first
with a modest score from a near-miss that shares the entry's key words but asks what it
does not hold. Several signals can: how much of the question the entry explains, how far
it leads the next entry, whether the question's weightiest word is one the entry lacks,
how much of the question is unknown to the content at all. ``bench/calibrate.py
--decision`` fits the weights on the calibration sets (answerable: was the entry right;
off-topic: never) and sets the cut so that no off-topic question of those sets is
answered, with a margin; the fitted values live in ``calibration.yaml`` and are not
edited by hand. Plain Python at run time: a dot product and a comparison.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Order matters: the fitted weights in calibration.yaml follow it.
FEATURES = (
    "score",  # the entry's score 0-100, / 100
    "coverage",  # share of the question's weight the entry explains
    "fit",  # best F1 of the question against one of the entry's phrasings
    "margin",  # lead over the best other entry, / 100
    "anchored",  # a title word or keyword of the entry is in the question
    "lost_share",  # share of the question's weight in words no entry holds
    "lost_max",  # the weightiest such word, as a share of the question
    "missing_max",  # the weightiest known word of the question this entry lacks, as a share
    "top",  # the entry ranks first (not second or third after the gates)
    "hard",  # the question asks a hard kind of fact (cost, date, person, number …)
    "terms",  # log(1 + number of the question's terms)
)


@dataclass(frozen=True)
class AnswerModel:
    """Logistic weights over ``FEATURES`` and the cut (in log-odds) to answer."""

    weights: tuple[float, ...]
    bias: float
    cut: float

    @classmethod
    def from_mapping(cls, data: Mapping[str, object] | None) -> AnswerModel | None:
        """The model of ``calibration.yaml``'s ``decision`` block; None when absent or
        not for these features (then the plain threshold decides)."""
        if not isinstance(data, Mapping):
            return None
        weights = data.get("weights")
        bias, cut = data.get("bias"), data.get("cut")
        if not isinstance(weights, Mapping) or set(weights) != set(FEATURES):
            return None
        if not isinstance(bias, int | float) or not isinstance(cut, int | float):
            return None
        values = [weights[name] for name in FEATURES]
        if not all(isinstance(v, int | float) for v in values):
            return None
        return cls(tuple(float(v) for v in values), float(bias), float(cut))  # type: ignore[arg-type]

    def logit(self, features: Sequence[float]) -> float:
        return self.bias + math.fsum(w * x for w, x in zip(self.weights, features, strict=True))

    def answers(self, features: Sequence[float]) -> bool:
        return self.logit(features) >= self.cut
