"""Partner and peer scores: every candidate at once, reasons only for the top k.

Why: cooperation joins different systems (a music school and an OGS), exchange joins
equals (two music schools, one experienced, one new). A score is a weighted sum of
capped overlaps, 0–100, so members can read it; the same formula, as a matrix, drives
the introduction rounds.

Partner score (different kind of institution; "Sonstige" or unknown kinds match any):
  offers↔needs both directions 40 (2 matches fill it), shared interests 25 (3 fill it),
  shared target groups 20 (2 fill it), same place 15 or same region 9.
Peer score (same kind): shared interests 45 (3), target groups 20 (2), experience
  distance 20 (new↔experienced 20, one step 10), same place 15 or same region 9.
A candidate needs at least one reason besides location. Ties: more raw overlap first,
then index order (stable: insertion order of profiles).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from .index import KINDS, NO_CODE, Field, MatchIndex
from .profiles import InstitutionKind

if TYPE_CHECKING:
    import numpy as np
else:  # numpy is imported at the first match, not when the bot starts (see _lazy)
    from ._lazy import numpy as np

EXCHANGE_WEIGHT, EXCHANGE_CAP = 40.0, 2
PARTNER_INTEREST_WEIGHT, INTEREST_CAP = 25.0, 3
PEER_INTEREST_WEIGHT = 45.0
TARGET_WEIGHT, TARGET_CAP = 20.0, 2
EXPERIENCE_WEIGHT = 20.0
PLACE_WEIGHT, REGION_WEIGHT = 15.0, 9.0

_SONSTIGE = KINDS.index(InstitutionKind.SONSTIGE)


class ReasonKind(StrEnum):
    """Why a candidate was suggested; each has a text ``matching.reason_<value>``."""

    OFFERS_WHAT_YOU_NEED = "offers_needed"
    NEEDS_WHAT_YOU_OFFER = "needs_offered"
    SHARED_INTERESTS = "shared_interests"
    SHARED_TARGET_GROUPS = "shared_target_groups"
    EXPERIENCED = "experienced"
    NEWCOMER = "newcomer"
    SAME_PLACE = "same_place"
    SAME_REGION = "same_region"


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason; ``terms`` as members spelt them, ``keys`` their canonical ids."""

    kind: ReasonKind
    terms: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    user_id: str
    score: int
    reasons: tuple[Reason, ...]


def top_partners(index: MatchIndex, user_id: str, k: int = 5) -> list[Match]:
    """The ``k`` best cooperation partners for ``user_id`` (a different kind of institution).

    Raises ``ProfileNotFound`` if the asker has no profile. Hidden profiles and the
    asker never appear; an asker with a hidden profile may still search.
    """
    row = index.row(user_id)
    kinds = index.kind_codes()
    own_kind = int(kinds[row])
    terms = {field: index.terms(field, row) for field in Field}
    offered = index.overlap(Field.OFFERS, terms[Field.NEEDS])  # they offer what I need
    wanted = index.overlap(Field.NEEDS, terms[Field.OFFERS])  # they need what I offer
    interests = index.overlap(Field.INTERESTS, terms[Field.INTERESTS])
    targets = index.overlap(Field.TARGET_GROUPS, terms[Field.TARGET_GROUPS])
    exchange = offered + wanted
    score = (
        _capped(exchange, EXCHANGE_CAP, EXCHANGE_WEIGHT)
        + _capped(interests, INTEREST_CAP, PARTNER_INTEREST_WEIGHT)
        + _capped(targets, TARGET_CAP, TARGET_WEIGHT)
        + _location(index, row)
    )
    mask = _candidates(index, row) & ((exchange + interests + targets) > 0)
    if own_kind not in (NO_CODE, _SONSTIGE):
        mask &= kinds != own_kind
    rows = _top(score, exchange + interests + targets, mask, k)
    return [_match(index, row, int(other), float(score[other]), True) for other in rows]


def top_peers(index: MatchIndex, user_id: str, k: int = 5) -> list[Match]:
    """The ``k`` best exchange peers: same kind, shared interests, experienced ↔ new.

    Empty while the asker's kind of institution is unknown.
    """
    row = index.row(user_id)
    kinds = index.kind_codes()
    own_kind = int(kinds[row])
    if own_kind == NO_CODE:
        return []
    interests = index.overlap(Field.INTERESTS, index.terms(Field.INTERESTS, row))
    targets = index.overlap(Field.TARGET_GROUPS, index.terms(Field.TARGET_GROUPS, row))
    distance = _experience_distance(index.experience_codes(), int(index.experience_codes()[row]))
    score = (
        _capped(interests, INTEREST_CAP, PEER_INTEREST_WEIGHT)
        + _capped(targets, TARGET_CAP, TARGET_WEIGHT)
        + distance * (EXPERIENCE_WEIGHT / 2)
        + _location(index, row)
    )
    overlap = interests + targets
    mask = _candidates(index, row) & (kinds == own_kind) & ((overlap > 0) | (distance > 0))
    rows = _top(score, overlap, mask, k)
    return [_match(index, row, int(other), float(score[other]), False) for other in rows]


def mutual_scores(index: MatchIndex, rows: np.ndarray) -> np.ndarray:
    """Symmetric score matrix for a member subset: the partner score across kinds, the
    peer score within a kind. Dense products over the terms at least two members hold."""
    interests = _dense(index, Field.INTERESTS, rows)
    targets = _dense(index, Field.TARGET_GROUPS, rows)
    offers, needs = _dense_pair(index, rows)
    shared_interests = interests @ interests.T
    shared_targets = targets @ targets.T
    exchange = offers @ needs.T
    exchange += exchange.T
    kinds = index.kind_codes()[rows].astype(np.int16)
    experience = index.experience_codes()[rows].astype(np.int16)
    places = index.place_codes()[rows]
    regions = index.region_codes()[rows]
    location = np.where(
        (places[:, None] == places[None, :]) & (places[:, None] != NO_CODE), PLACE_WEIGHT, 0.0
    )
    location = np.where(
        (location == 0) & (regions[:, None] == regions[None, :]) & (regions[:, None] != NO_CODE),
        REGION_WEIGHT,
        location,
    ).astype(np.float32)
    targets_part = _capped(shared_targets, TARGET_CAP, TARGET_WEIGHT)
    partner = (
        _capped(exchange, EXCHANGE_CAP, EXCHANGE_WEIGHT)
        + _capped(shared_interests, INTEREST_CAP, PARTNER_INTEREST_WEIGHT)
        + targets_part
        + location
    )
    known = experience != NO_CODE
    distance = np.abs(experience[:, None] - experience[None, :]) * (known[:, None] & known[None, :])
    peer = (
        _capped(shared_interests, INTEREST_CAP, PEER_INTEREST_WEIGHT)
        + targets_part
        + distance * np.float32(EXPERIENCE_WEIGHT / 2)
        + location
    )
    open_kind = (kinds == NO_CODE) | (kinds == _SONSTIGE)
    same = kinds[:, None] == kinds[None, :]
    partner_ok = ~same | open_kind[:, None] | open_kind[None, :]
    peer_ok = same & (kinds[:, None] != NO_CODE)
    result = np.maximum(np.where(partner_ok, partner, 0), np.where(peer_ok, peer, 0))
    result = result.astype(np.float32)
    np.fill_diagonal(result, 0)
    return result


# -- helpers -------------------------------------------------------------------------


def _capped(counts: np.ndarray, cap: int, weight: float) -> np.ndarray:
    return np.minimum(counts, cap).astype(np.float32) * np.float32(weight / cap)


def _location(index: MatchIndex, row: int) -> np.ndarray:
    places, regions = index.place_codes(), index.region_codes()
    place, region = int(places[row]), int(regions[row])
    result = np.zeros(index.size, dtype=np.float32)
    if region != NO_CODE:
        result[regions == region] = REGION_WEIGHT
    if place != NO_CODE:
        result[places == place] = PLACE_WEIGHT
    return result


def _experience_distance(codes: np.ndarray, own: int) -> np.ndarray:
    if own == NO_CODE:
        return np.zeros(len(codes), dtype=np.int16)
    return np.where(codes == NO_CODE, 0, np.abs(codes.astype(np.int16) - own)).astype(np.int16)


def _candidates(index: MatchIndex, row: int) -> np.ndarray:
    mask = index.visible_mask().copy()
    mask[row] = False
    return mask


def _top(score: np.ndarray, overlap: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k best candidates, deterministic: score, raw overlap, then row order."""
    rows = np.flatnonzero(mask)
    if k <= 0 or not len(rows):
        return rows[:0]
    size = len(score) + 1
    key = np.rint(score[rows] * 100).astype(np.int64) * 4096 + np.minimum(overlap[rows], 4095)
    key = key * size + (size - 1 - rows)
    if len(rows) > k:
        keep = np.argpartition(-key, k - 1)[:k]
        rows, key = rows[keep], key[keep]
    return rows[np.argsort(-key)]


def _match(index: MatchIndex, row: int, other: int, score: float, partner: bool) -> Match:
    return Match(
        user_id=index.user_at(other),
        score=min(100, round(score)),
        reasons=tuple(_reasons(index, row, other, partner)),
    )


def _reasons(index: MatchIndex, row: int, other: int, partner: bool) -> list[Reason]:
    """The reasons that made up the score, in the order of their weight."""
    reasons: list[Reason] = []

    def shared(kind: ReasonKind, mine: Field, theirs: Field) -> None:
        their_terms = set(index.terms(theirs, other))
        common = [t for t in index.terms(mine, row) if t in their_terms]
        if common:
            reasons.append(
                Reason(
                    kind,
                    tuple(index.term_label(t) for t in common),
                    tuple(index.term_key(t) for t in common),
                )
            )

    if partner:
        shared(ReasonKind.OFFERS_WHAT_YOU_NEED, Field.NEEDS, Field.OFFERS)
        shared(ReasonKind.NEEDS_WHAT_YOU_OFFER, Field.OFFERS, Field.NEEDS)
    shared(ReasonKind.SHARED_INTERESTS, Field.INTERESTS, Field.INTERESTS)
    shared(ReasonKind.SHARED_TARGET_GROUPS, Field.TARGET_GROUPS, Field.TARGET_GROUPS)
    if not partner:
        mine, theirs = (int(index.experience_codes()[r]) for r in (row, other))
        if NO_CODE not in (mine, theirs) and mine != theirs:
            reasons.append(Reason(ReasonKind.EXPERIENCED if theirs > mine else ReasonKind.NEWCOMER))
    place, region = index.place_codes(), index.region_codes()
    if place[row] != NO_CODE and place[row] == place[other]:
        label = index.place_label(int(place[row]))
        reasons.append(Reason(ReasonKind.SAME_PLACE, (label,)))
    elif region[row] != NO_CODE and region[row] == region[other]:
        label = index.region_label(int(region[row]))
        reasons.append(Reason(ReasonKind.SAME_REGION, (label,)))
    return reasons


def _dense(index: MatchIndex, field: Field, rows: np.ndarray) -> np.ndarray:
    """Member × term 0/1 matrix, keeping only terms held by at least two members."""
    owner, terms = index.term_pairs(field, rows)
    _, inverse, counts = np.unique(terms, return_inverse=True, return_counts=True)
    shared = counts >= 2
    keep = shared[inverse]
    matrix = np.zeros((len(rows), int(shared.sum())), dtype=np.float32)
    matrix[owner[keep], (np.cumsum(shared) - 1)[inverse[keep]]] = 1.0
    return matrix


def _dense_pair(index: MatchIndex, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offers and needs matrices over the terms somebody offers and somebody needs."""
    offer_owner, offer_terms = index.term_pairs(Field.OFFERS, rows)
    need_owner, need_terms = index.term_pairs(Field.NEEDS, rows)
    both = np.intersect1d(offer_terms, need_terms)
    offers = np.zeros((len(rows), len(both)), dtype=np.float32)
    needs = np.zeros((len(rows), len(both)), dtype=np.float32)
    for matrix, owner, terms in (
        (offers, offer_owner, offer_terms),
        (needs, need_owner, need_terms),
    ):
        keep = np.isin(terms, both)
        matrix[owner[keep], np.searchsorted(both, terms[keep])] = 1.0
    return offers, needs
