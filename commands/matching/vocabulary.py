"""Canonical terms for free-text profile fields: synonyms, typos, compounds.

Why: "Proberäume", "Raum" and "Räume" must be one term, and so must "Digitalisierrung"
and "Digitalisierung", or two members who need and offer the same thing never meet.
All fuzzy work happens here, once per new spelling, when a profile enters the index;
queries then compare small integers only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from content.normalize import normalize, stem

if TYPE_CHECKING:
    import numpy as np
else:  # numpy is imported at the first match, not when the bot starts (see _lazy)
    from ._lazy import numpy as np

#: Built-in resource groups (what members offer and need, from the cooperation slides).
#: The first entry is the canonical id; ``matching.term_<id>`` in the catalog labels it.
_RESOURCE_SPELLINGS = (
    "geld, gelder, finanzierung, finanzen, foerdermittel, mittel, budget, honorar, honorare,"
    " zuschuss, zuschuesse, money, funding",
    "personal, lehrkraefte, lehrkraft, fachkraefte, kraefte, mitarbeitende, lehrer,"
    " lehrerinnen, staff, teachers",
    "fortbildung, fortbildungen, weiterbildung, weiterbildungen, qualifizierung, schulung,"
    " schulungen, training, trainings",
    "raeume, raum, raeumlichkeiten, proberaum, proberaeume, saal, rooms, room",
    "zeiten, zeit, zeitfenster, zeitressourcen, zeitslots, times, time slots",
    "material, materialien, unterrichtsmaterial, noten, notenmaterial, materials",
    "instrumente, instrument, musikinstrumente, leihinstrumente, instruments",
    "medien, technik, technik medien, medientechnik, tablets, media",
    "transport, fahrdienst, lagerung, lagerungsmoeglichkeiten, lagerraum,"
    " transportmoeglichkeiten, transport lagerungsmoeglichkeiten, storage",
)
RESOURCE_GROUPS: tuple[tuple[str, ...], ...] = tuple(
    tuple(word.strip() for word in group.split(",")) for group in _RESOURCE_SPELLINGS
)

_MIN_FUZZY_LEN = 5
_MIN_HEAD_LEN = 5
_BLOCK = 2048


class Vocabulary:
    """Maps spellings to integer term ids; grows as new spellings arrive.

    Resolution order for a normalised spelling: known spelling → same stem ("raum",
    "raeume") → compound head (``compound=True``: "musikinstrumente" → instrumente) →
    closest known spelling (rapidfuzz ratio ≥ cutoff; ≥ 5 letters, no digits) → a new
    term. A synonym phrase inside a longer text adds its term too ("schnittstelle ogs"
    → also ogs). Spellings seen for the first time in one batch are merged among
    themselves too, the most frequent spelling becoming the canonical one.
    """

    def __init__(
        self,
        synonyms: Iterable[Sequence[str]] = (),
        *,
        cutoff: float = 85.0,
        builtin: Iterable[Sequence[str]] = RESOURCE_GROUPS,
    ) -> None:
        self.cutoff = cutoff
        self._alias: dict[str, int] = {}
        self._keys: list[str] = []  # canonical id (normalised) per term id
        self._labels: list[str] = []  # display text per term id
        self._fuzzy_keys: list[str] = []  # spellings eligible for fuzzy matching
        self._fuzzy_ids: list[int] = []
        self._curated: list[tuple[str, int]] = []  # synonym spellings, longest first
        self._resolved: dict[tuple[str, bool], tuple[int, ...]] = {}  # by normalised key
        self._raw: dict[tuple[str, bool], tuple[int, ...]] = {}  # by spelling as typed
        self._stem_alias: dict[str, int] = {}  # "raum", "kitas", "kindern" by stem
        for group in _merge_groups([*builtin, *synonyms]):
            term = self._new_term(group[0], group[0])
            for alias in group:
                self._add_alias(alias, term)
                self._curated.append((alias, term))
        self._curated.sort(key=lambda item: (-len(item[0]), item[0]))

    def __len__(self) -> int:
        return len(self._keys)

    def key(self, term: int) -> str:
        """The canonical (normalised) id of a term."""
        return self._keys[term]

    def label(self, term: int) -> str:
        """How the term is shown: a member's own spelling of the canonical form."""
        return self._labels[term]

    def lookup(self, text: str) -> int | None:
        """Term id of an already known spelling, without learning anything."""
        return self._alias.get(normalize(text))

    def resolve(self, texts: Iterable[str], *, compound: bool = False) -> tuple[int, ...]:
        """Term ids for one field of one profile, deduplicated, in first-seen order."""
        return self.resolve_many([list(texts)], compound=compound)[0]

    def resolve_many(
        self, fields: Sequence[Sequence[str]], *, compound: bool = False
    ) -> list[tuple[int, ...]]:
        """Term ids for the same field of many profiles; fuzzy work is batched."""
        new_raw = {raw for field in fields for raw in field if (raw, compound) not in self._raw}
        if new_raw:
            self._learn_raw(new_raw, fields, compound)
        cache = self._raw
        result: list[tuple[int, ...]] = []
        for field in fields:
            if len(field) == 1:
                result.append(cache[(field[0], compound)])
            else:
                terms: dict[int, None] = {}
                for raw in field:
                    terms.update(dict.fromkeys(cache[(raw, compound)]))
                result.append(tuple(terms))
        return result

    # -- learning -------------------------------------------------------------------

    def _learn_raw(
        self, new_raw: set[str], fields: Sequence[Sequence[str]], compound: bool
    ) -> None:
        """Resolve spellings never seen before; the most used spelling leads its typos."""
        key_of = {raw: normalize(raw) for raw in new_raw}
        used = Counter(chain.from_iterable(fields))
        counts: Counter[str] = Counter()
        raw_of: dict[str, str] = {}
        for raw in sorted(new_raw, key=lambda r: (-used[r], r)):
            key = key_of[raw]
            if key and (key, compound) not in self._resolved:
                counts[key] += used[raw]
                raw_of.setdefault(key, raw.strip())
        if counts:
            self._learn(counts, raw_of, compound)
        for raw in sorted(new_raw):
            key = key_of[raw]
            self._raw[(raw, compound)] = self._resolved[(key, compound)] if key else ()
            if key:
                self._prefer_label(key, raw)

    def _learn(self, counts: Counter[str], raw_of: dict[str, str], compound: bool) -> None:
        pending: list[str] = []
        for key in sorted(counts, key=lambda k: (-counts[k], k)):
            extra = self._curated_inside(key)
            direct = self._alias.get(key)
            if direct is None:
                direct = self._stem_alias.get(_stem_key(key))
            if direct is None and compound:
                direct = self._compound_head(key)
            if direct is not None:
                self._resolved[(key, compound)] = _unique((direct, *extra))
            else:
                pending.append(key)
        for start in range(0, len(pending), _BLOCK):
            self._learn_block(pending[start : start + _BLOCK], raw_of, compound)

    def _learn_block(self, block: list[str], raw_of: dict[str, str], compound: bool) -> None:
        """Fuzzy-match a block of new spellings to known ones, then among themselves."""
        matched = self._closest_known(block)
        fresh = [key for key, term in zip(block, matched, strict=True) if term < 0]
        leader_of = _leaders(fresh, self.cutoff)
        for key, term in zip(block, matched, strict=True):
            if term < 0:
                leader = leader_of[key]
                known = self._alias.get(leader)
                term = known if known is not None else self._new_term(leader, raw_of[leader])
            self._add_alias(key, term)
            self._resolved[(key, compound)] = _unique((term, *self._curated_inside(key)))

    def _closest_known(self, block: list[str]) -> list[int]:
        if not self._fuzzy_keys:
            return [-1] * len(block)
        scores = process.cdist(
            block,
            self._fuzzy_keys,
            scorer=fuzz.ratio,
            score_cutoff=self.cutoff,
            dtype=np.uint8,
            workers=-1,
        )
        scores[~_fuzzy_mask(block)] = 0
        best = scores.argmax(axis=1)
        hit = scores[np.arange(len(block)), best] > 0
        ids = np.asarray(self._fuzzy_ids)[best]
        return [
            int(ids[i]) if hit[i] and _same_short_words(key, self._fuzzy_keys[best[i]]) else -1
            for i, key in enumerate(block)
        ]

    def _curated_inside(self, key: str) -> tuple[int, ...]:
        """Synonym phrases named inside a longer text: "schnittstelle ogs" → also ogs."""
        if " " not in key:
            return ()
        padded = f" {key} "
        return _unique(
            term for alias, term in self._curated if alias != key and f" {alias} " in padded
        )

    def _compound_head(self, key: str) -> int | None:
        """German compounds put the head last: "musikinstrumente" is a kind of instrumente."""
        word = key.rsplit(" ", 1)[-1]
        for alias, term in self._curated:
            if " " not in alias and len(alias) >= _MIN_HEAD_LEN and word.endswith(alias):
                return term
        return None

    def _new_term(self, key: str, label: str) -> int:
        term = len(self._keys)
        self._keys.append(key)
        self._labels.append(label)
        return term

    def _add_alias(self, alias: str, term: int) -> None:
        key = normalize(alias)
        if key and key not in self._alias:
            self._alias[key] = term
            self._stem_alias.setdefault(_stem_key(key), term)
            if _fuzzy_ok(key):
                self._fuzzy_keys.append(key)
                self._fuzzy_ids.append(term)

    def _prefer_label(self, key: str, raw: str) -> None:
        """A member's spelling of the canonical form ("OGS") beats the lower-case id."""
        term = self._alias.get(key)
        if term is not None and key == self._keys[term] and self._labels[term] == key:
            self._labels[term] = raw.strip() or key


def _leaders(keys: list[str], cutoff: float) -> dict[str, str]:
    """Leader clustering of new spellings, in the given (frequency) order."""
    leader_of: dict[str, str] = {}
    if not keys:
        return leader_of
    scores = process.cdist(
        keys, keys, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8, workers=-1
    )
    long_enough = _fuzzy_mask(keys)
    unassigned = np.ones(len(keys), dtype=bool)
    for i, key in enumerate(keys):
        if not unassigned[i]:
            continue
        candidates = unassigned & (scores[i] > 0) & long_enough & long_enough[i]
        candidates[i] = True
        for j in np.flatnonzero(candidates):
            if j == i or _same_short_words(key, keys[j]):
                leader_of[keys[j]] = key
                unassigned[j] = False
    return leader_of


def _fuzzy_ok(key: str) -> bool:
    """Short words and anything with digits ("Klasse 3", "U3") only match exactly."""
    return len(key) >= _MIN_FUZZY_LEN and not any(c.isdigit() for c in key)


def _fuzzy_mask(keys: list[str]) -> np.ndarray:
    return np.fromiter((_fuzzy_ok(k) for k in keys), bool, len(keys))


def _same_short_words(a: str, b: str) -> bool:
    """A typo lives in a long word: "a thema"/"b thema" or "sek i"/"sek ii" stay apart."""
    return {w for w in a.split() if len(w) < _MIN_FUZZY_LEN} == {
        w for w in b.split() if len(w) < _MIN_FUZZY_LEN
    }


def _stem_key(key: str) -> str:
    """Singular/plural and lost umlaut dots: "raeume", "raum" and "raume" share a stem."""
    return " ".join(stem(word) for word in key.split())


def _merge_groups(groups: Iterable[Sequence[str]]) -> list[list[str]]:
    """Union synonym groups that share a spelling; the earliest group names the result."""
    merged: list[list[str]] = []
    owner: dict[str, int] = {}
    for group in groups:
        keys = [k for k in (normalize(s) for s in group) if k]
        if not keys:
            continue
        hits = sorted({owner[k] for k in keys if k in owner})
        if not hits:
            target = len(merged)
            merged.append([])
        else:
            target = hits[0]
            for other in hits[1:]:
                for k in merged[other]:
                    owner[k] = target
                merged[target].extend(merged[other])
                merged[other] = []
        for k in keys:
            if owner.get(k) != target:
                owner[k] = target
                merged[target].append(k)
    return [group for group in merged if group]


def _unique(terms: Iterable[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(terms))
