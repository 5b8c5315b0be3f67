"""The match index: profiles as integer columns and per-term postings.

Why: a query must score every candidate at once with numpy. Free text is turned into
term ids when a profile enters (see ``Vocabulary``); a query then only adds up posting
lists and compares small-integer columns. Profiles can be added, replaced or removed
one at a time: a replaced or removed profile's row is switched off and later compacted
away, so no change needs a full rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

from content.normalize import normalize

from ._arrays import Growable, Ragged
from .profiles import InstitutionKind, Profile
from .vocabulary import Vocabulary

if TYPE_CHECKING:
    import numpy as np
else:  # numpy is imported at the first match, not when the bot starts (see _lazy)
    from ._lazy import numpy as np

KINDS: tuple[InstitutionKind, ...] = tuple(InstitutionKind)
NO_CODE = -1
_KIND_CODE: dict[InstitutionKind | None, int] = {kind: code for code, kind in enumerate(KINDS)}
_MIN_DEAD_FOR_COMPACTION = 1024


class Field(StrEnum):
    """Profile fields that hold free terms (the value is the ``Profile`` attribute)."""

    INTERESTS = "interests"
    TARGET_GROUPS = "target_groups"
    OFFERS = "offers"
    NEEDS = "needs"


# Offers and needs are resources, where a compound names a kind of its head noun.
_COMPOUND = {
    Field.INTERESTS: False,
    Field.TARGET_GROUPS: False,
    Field.OFFERS: True,
    Field.NEEDS: True,
}


class ProfileNotFound(LookupError):
    """The user has no profile in the index."""


class _Labels:
    """Places and regions: exact after normalisation (Herne and Herten are two towns)."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._by_text: dict[str, int] = {}
        self.labels: list[str] = []

    def code(self, text: str) -> int:
        code = self._by_text.get(text)
        if code is None:
            code = self._by_text[text] = self._code(text)
        return code

    def _code(self, text: str) -> int:
        key = normalize(text)
        if not key:
            return NO_CODE
        code = self._ids.get(key)
        if code is None:
            code = self._ids[key] = len(self.labels)
            self.labels.append(text.strip())
        return code


class MatchIndex:
    """All profiles of a network, ready for vectorised partner and peer scoring."""

    def __init__(self, synonyms: Iterable[Sequence[str]] = (), *, cutoff: float = 85.0) -> None:
        self.vocabulary = Vocabulary(synonyms, cutoff=cutoff)
        self._places = _Labels()
        self._regions = _Labels()
        self._user_ids: list[str] = []
        self._row_of: dict[str, int] = {}
        self._dead = 0
        self._reset_columns()

    @classmethod
    def build(
        cls,
        profiles: Iterable[Profile],
        synonyms: Iterable[Sequence[str]] = (),
        *,
        cutoff: float = 85.0,
    ) -> MatchIndex:
        """Index many profiles at once (fuzzy canonicalisation is batched)."""
        index = cls(synonyms, cutoff=cutoff)
        index.upsert_many(profiles)
        return index

    # -- changes --------------------------------------------------------------------

    def upsert(self, profile: Profile) -> None:
        """Add a profile or replace the user's previous one."""
        self.upsert_many([profile])

    def upsert_many(self, profiles: Iterable[Profile]) -> None:
        """Add or replace many profiles; the last one per user wins."""
        latest = {p.user_id: p for p in profiles}
        batch = list(latest.values())
        if not batch:
            return
        resolved = {
            field: self.vocabulary.resolve_many(
                [getattr(p, field.value) for p in batch], compound=_COMPOUND[field]
            )
            for field in Field
        }
        first_row = len(self._user_ids)
        for profile in batch:
            old = self._row_of.get(profile.user_id)
            if old is not None:
                self._switch_off(old)
        self._row_of.update((profile.user_id, first_row + i) for i, profile in enumerate(batch))
        self._user_ids.extend(profile.user_id for profile in batch)
        self._kind.extend([_KIND_CODE.get(p.kind, NO_CODE) for p in batch])
        self._experience.extend(
            [NO_CODE if p.experience is None else int(p.experience) for p in batch]
        )
        self._place.extend([self._places.code(p.place) for p in batch])
        self._region.extend([self._regions.code(p.region) for p in batch])
        self._visible.extend([p.visible for p in batch])
        self._active.extend(np.ones(len(batch), dtype=bool))
        for field in Field:
            self._terms[field].extend(resolved[field])
        self._post(np.arange(first_row, len(self._user_ids)))
        self._maybe_compact()

    def remove(self, user_id: str) -> bool:
        """Drop a user's profile (e.g. on ``!vergiss-mich``); False if there was none."""
        row = self._row_of.pop(user_id, None)
        if row is None:
            return False
        self._active.set(row, False)
        self._dead += 1
        self._maybe_compact()
        return True

    # -- reading --------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, user_id: object) -> bool:
        return user_id in self._row_of

    def user_ids(self) -> list[str]:
        """Users with a profile, in index order."""
        return [self._user_ids[row] for row in sorted(self._row_of.values())]

    def is_visible(self, user_id: str) -> bool:
        return bool(self._visible.view()[self.row(user_id)])

    def row(self, user_id: str) -> int:
        try:
            return self._row_of[user_id]
        except KeyError:
            raise ProfileNotFound(user_id) from None

    def user_at(self, row: int) -> str:
        return self._user_ids[row]

    @property
    def size(self) -> int:
        """Number of rows, including switched-off ones (length of every column)."""
        return len(self._user_ids)

    def kind_codes(self) -> np.ndarray:
        return self._kind.view()

    def experience_codes(self) -> np.ndarray:
        return self._experience.view()

    def place_codes(self) -> np.ndarray:
        return self._place.view()

    def region_codes(self) -> np.ndarray:
        return self._region.view()

    def visible_mask(self) -> np.ndarray:
        return self._visible.view() & self._active.view()

    def terms(self, field: Field, row: int) -> tuple[int, ...]:
        return self._terms[field].get(row)

    def term_pairs(self, field: Field, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in ``rows``, term id) pairs, for dense matrices of a member subset."""
        return self._terms[field].rows_and_values(rows)

    def overlap(self, field: Field, terms: Iterable[int]) -> np.ndarray:
        """Per row: how many of ``terms`` the row has in ``field`` (vectorised per term)."""
        counts = np.zeros(self.size, dtype=np.int16)
        postings = self._postings[field]
        for term in terms:
            rows = postings.get(term)
            if rows is not None:
                counts[rows.view()] += 1
        return counts

    def term_label(self, term: int) -> str:
        return self.vocabulary.label(term)

    def term_key(self, term: int) -> str:
        return self.vocabulary.key(term)

    def place_label(self, code: int) -> str:
        return self._places.labels[code]

    def region_label(self, code: int) -> str:
        return self._regions.labels[code]

    # -- internals ------------------------------------------------------------------

    def _reset_columns(self) -> None:
        self._kind = Growable(np.int8, 1024)
        self._experience = Growable(np.int8, 1024)
        self._place = Growable(np.int32, 1024)
        self._region = Growable(np.int32, 1024)
        self._visible = Growable(np.bool_, 1024)
        self._active = Growable(np.bool_, 1024)
        self._terms: dict[Field, Ragged] = {field: Ragged() for field in Field}
        self._postings: dict[Field, dict[int, Growable]] = {field: {} for field in Field}

    def _switch_off(self, row: int) -> None:
        self._active.set(row, False)
        self._dead += 1

    def _post(self, rows: np.ndarray) -> None:
        """Append ``rows`` to the posting list of every term they hold (grouped by term)."""
        for field in Field:
            owner, terms = self._terms[field].rows_and_values(rows)
            if not len(terms):
                continue
            order = np.argsort(terms, kind="stable")
            sorted_terms = terms[order]
            sorted_rows = rows[owner[order]].astype(np.int32)
            bounds = np.flatnonzero(np.diff(sorted_terms)) + 1
            postings = self._postings[field]
            for chunk_terms, chunk_rows in zip(
                np.split(sorted_terms, bounds), np.split(sorted_rows, bounds), strict=True
            ):
                term = int(chunk_terms[0])
                target = postings.get(term)
                if target is None:
                    target = postings[term] = Growable(np.int32, len(chunk_rows))
                target.extend(chunk_rows)

    def _maybe_compact(self) -> None:
        """Drop switched-off rows once they outnumber the live ones (amortised O(1))."""
        if self._dead < max(_MIN_DEAD_FOR_COMPACTION, len(self._row_of)):
            return
        live = np.flatnonzero(self._active.view())
        kept = [
            column.view()[live]
            for column in (self._kind, self._experience, self._place, self._region, self._visible)
        ]
        old_terms = self._terms
        old_users = self._user_ids
        self._reset_columns()
        for column, values in zip(
            (self._kind, self._experience, self._place, self._region, self._visible),
            kept,
            strict=True,
        ):
            column.extend(values)
        self._active.extend(np.ones(len(live), dtype=bool))
        for field in Field:
            for row in live:
                self._terms[field].append(old_terms[field].get(int(row)))
        self._user_ids = [old_users[row] for row in live]
        self._row_of = {user: row for row, user in enumerate(self._user_ids)}
        self._dead = 0
        self._post(np.arange(len(live)))
