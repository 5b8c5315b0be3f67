"""The last check before an answer: how likely is the chosen entry the right one?

The matcher picks the entry that explains the question best and the answerability rules
drop entries that lack the asked kind of fact. What is left still answers some
near-misses: "Wann trifft sich die Pädagogische Werkstatt bei uns im Quartier?" shares
every topic word with an entry that only *proposes* such a workshop. A near-miss and a
right answer differ in many small signs at once (a rare word of the question the entry
lacks, an entry chosen from a crowd of close ones, a fit that comes only from one
member's question, a kind the entry barely holds), none of which decides alone.

So the signs are weighed together by a logistic model fitted on questions strangers
wrote blind (``bench/fit_verifier.py``, leave-sets-out). The weights and the cut-off
live in ``data/verifier.yaml``; below the cut-off the bot does not answer but offers
the entries as "Meinst du …?" — one tap away for the member who meant it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from content.loader import read_yaml_file

VERIFIER_FILE = Path(__file__).parent / "data" / "verifier.yaml"
REFUSED_FILE = Path(__file__).parent / "data" / "refused.yaml"
LEXICAL = "w:"  # prefix of a lexical sign: a word of the question the entry lacks

# The evidence about one (question, chosen entry) pair, each 0-1 (see
# ``ContentIndex._evidence``); the model's weights are keyed by these names.
FEATURES = (
    "score",  # the chosen entry's score / 100
    "margin",  # its lead over the next entry / 100
    "crowd",  # share of the next nine entries scoring within 80 % of it
    "coverage",  # share of the asking part's weight the entry explains (weighted)
    "curated",  # … explained by its curated texts alone (not answers, not members' questions)
    "unknown",  # share of the asking part's weight in words the content never uses
    "missing",  # share in content words this entry lacks
    "missing_max",  # the rarest content word of the question the entry lacks (idf / max)
    "fit",  # best F1 of one of the entry's phrasings against the asking part
    "fit_asked",  # 1: that best phrasing is a member's question (asked.yaml), not curated
    "subject",  # share of the question's subject (without kind words) the entry explains
    "kind_none",  # the question asks for no hard kind of fact
    "kind_held",  # the entry holds the asked hard kind
    "kind_time",  # a date, an end, a next date, a frequency
    "kind_person",  # a person or who holds an office
    "kind_number",  # a number or a share
    "kind_money",  # an amount or who pays
    "kind_other",  # a place, a ranking, a status now
    "terms",  # number of terms of the asking part / 20 (at most 1)
    "long",  # the question has a story before its asking sentence
    "english",  # asked in English
    "yes_no",  # a yes/no question ("gibt es", "kann man", "is there")
    "exact",  # the question is word for word one of the entry's phrasings
    "unknown_noun",  # a capitalised word the content never uses is in the asking part
    "refused",  # best F1 of a question the content cannot answer (data/refused.yaml)
    "refused_lead",  # … by how much it reads closer than the entry's best phrasing
    "refused_entry",  # best F1 of a refused question this very entry ranks first for
    "refused_vote",  # share of the 5 nearest known questions (F1-weighted) that were refused
)


@dataclass(frozen=True)
class Verifier:
    """Weights of the logistic model and the probability below which the bot abstains."""

    weights: dict[str, float]
    bias: float
    cutoff: float
    fitted_on: list[str] = field(default_factory=list)
    # the lowest score at which the rules put an entry before the verifier (None: the
    # matcher's threshold): the verifier was fitted on the entries the rules chose from
    # this floor up, so it decides there, and the threshold alone decides without it
    floor: float | None = None

    def probability(self, evidence: dict[str, float]) -> float:
        """Probability that the chosen entry answers the question right."""
        weights = self.weights
        z = self.bias + sum(weights.get(name, 0.0) * v for name, v in evidence.items())
        if z < -30:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def accepts(self, evidence: dict[str, float]) -> bool:
        return self.probability(evidence) >= self.cutoff


def load_verifier(path: Path = VERIFIER_FILE) -> Verifier | None:
    """The fitted verifier, or None (no file, or one that does not fit ``FEATURES``):
    then the bot answers on the matcher's threshold and rules alone."""
    data = read_yaml_file(path)
    if not isinstance(data, dict):
        return None
    weights = data.get("weights")
    if not isinstance(weights, dict) or not all(
        k in FEATURES or str(k).startswith(LEXICAL) for k in weights
    ):
        return None
    floor = data.get("floor")
    if floor is not None and not (
        isinstance(floor, int | float) and not isinstance(floor, bool) and 0 <= floor <= 100
    ):
        return None  # a floor that is no score (0-100) would let anything through or nothing
    try:
        return Verifier(
            weights={str(k): float(v) for k, v in weights.items()},
            bias=float(data["bias"]),
            cutoff=float(data["cutoff"]),
            fitted_on=[str(s) for s in data.get("fitted_on") or []],
            floor=None if floor is None else float(floor),
        )
    except (KeyError, TypeError, ValueError):
        return None


NO_ENTRY = "-"  # a refused question no entry ranks first for


def load_refused(path: Path = REFUSED_FILE) -> list[tuple[str, str]]:
    """Questions strangers asked that the content cannot answer, as (id of the entry
    that ranks first for it, question), from ``refused: {entry-id: [question, …]}``;
    none when the file is missing or broken."""
    data = read_yaml_file(path)
    found = data.get("refused") if isinstance(data, dict) else None
    if not isinstance(found, dict):
        return []
    return [
        (str(entry_id), question)
        for entry_id, questions in found.items()
        if isinstance(questions, list)
        for question in questions
        if isinstance(question, str) and question.strip()
    ]
