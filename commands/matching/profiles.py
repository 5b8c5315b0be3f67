"""Member profiles as the matching engine sees them, and tolerant parsers for their fields.

Why: members type their institution kind and experience freely ("ogs traeger",
"Bildungsbuero", "Gymnasium", "erfaren"); matching needs one closed set of values.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import TypeVar

from rapidfuzz import fuzz, process

from content.normalize import normalize

_T = TypeVar("_T")
_FUZZY_CUTOFF = 85.0
_MIN_FUZZY_LEN = 5


class InstitutionKind(StrEnum):
    """The kinds of institution in the network; the value is the German display name."""

    MUSIKSCHULE = "Musikschule"
    GRUNDSCHULE = "Grundschule"
    OGS_TRAEGER = "OGS-Träger"
    KITA = "Kita"
    WEITERFUEHRENDE_SCHULE = "weiterführende Schule"
    KOMMUNE = "Kommune/Bildungsbüro"
    VEREIN = "Verein"
    SONSTIGE = "Sonstige"


class Experience(IntEnum):
    """Cooperation experience; the integer is the distance used for newcomer matching."""

    NEW = 0
    SOME = 1
    EXPERIENCED = 2


@dataclass(frozen=True, slots=True)
class Profile:
    """One member's matching profile (free terms are kept as typed; the index folds them)."""

    user_id: str
    kind: InstitutionKind | None = None
    place: str = ""
    region: str = ""
    interests: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    experience: Experience | None = None
    visible: bool = False


_K = InstitutionKind
_KIND_ALIASES: dict[str, InstitutionKind] = {
    "musikschule": _K.MUSIKSCHULE,
    "musikschulen": _K.MUSIKSCHULE,
    "jugendmusikschule": _K.MUSIKSCHULE,
    "kunstschule": _K.MUSIKSCHULE,
    "music school": _K.MUSIKSCHULE,
    "ms": _K.MUSIKSCHULE,
    "grundschule": _K.GRUNDSCHULE,
    "primarschule": _K.GRUNDSCHULE,
    "primary school": _K.GRUNDSCHULE,
    "gs": _K.GRUNDSCHULE,
    "ogs": _K.OGS_TRAEGER,
    "ogs traeger": _K.OGS_TRAEGER,
    "traeger ogs": _K.OGS_TRAEGER,
    "traeger": _K.OGS_TRAEGER,
    "ganztag": _K.OGS_TRAEGER,
    "ganztagstraeger": _K.OGS_TRAEGER,
    "offene ganztagsschule": _K.OGS_TRAEGER,
    "ganztagsschule": _K.OGS_TRAEGER,
    "kita": _K.KITA,
    "kitas": _K.KITA,
    "kindergarten": _K.KITA,
    "kindertagesstaette": _K.KITA,
    "familienzentrum": _K.KITA,
    "weiterfuehrende schule": _K.WEITERFUEHRENDE_SCHULE,
    "gymnasium": _K.WEITERFUEHRENDE_SCHULE,
    "realschule": _K.WEITERFUEHRENDE_SCHULE,
    "hauptschule": _K.WEITERFUEHRENDE_SCHULE,
    "gesamtschule": _K.WEITERFUEHRENDE_SCHULE,
    "sekundarschule": _K.WEITERFUEHRENDE_SCHULE,
    "berufskolleg": _K.WEITERFUEHRENDE_SCHULE,
    "secondary school": _K.WEITERFUEHRENDE_SCHULE,
    "kommune": _K.KOMMUNE,
    "kommune bildungsbuero": _K.KOMMUNE,
    "bildungsbuero": _K.KOMMUNE,
    "bildungsbueros": _K.KOMMUNE,
    "bildungsmanagement": _K.KOMMUNE,
    "kommunales bildungsmanagement": _K.KOMMUNE,
    "schulamt": _K.KOMMUNE,
    "stadt": _K.KOMMUNE,
    "gemeinde": _K.KOMMUNE,
    "kreis": _K.KOMMUNE,
    "stadtverwaltung": _K.KOMMUNE,
    "municipality": _K.KOMMUNE,
    "verein": _K.VEREIN,
    "ev": _K.VEREIN,
    "e v": _K.VEREIN,
    "association": _K.VEREIN,
    "sonstige": _K.SONSTIGE,
    "sonstiges": _K.SONSTIGE,
    "andere": _K.SONSTIGE,
    "other": _K.SONSTIGE,
}
# German compounds put the head last: "Jugendmusikschule", "Musikverein", "Abendgymnasium".
_KIND_HEADS: tuple[tuple[str, InstitutionKind], ...] = tuple(
    sorted(
        (
            (alias, kind)
            for alias, kind in _KIND_ALIASES.items()
            if " " not in alias and len(alias) >= 4
        ),
        key=lambda item: -len(item[0]),
    )
)

_EXPERIENCE_ALIASES: dict[str, Experience] = {
    "neu": Experience.NEW,
    "new": Experience.NEW,
    "keine": Experience.NEW,
    "noch keine": Experience.NEW,
    "none": Experience.NEW,
    "anfaenger": Experience.NEW,
    "einsteiger": Experience.NEW,
    "beginner": Experience.NEW,
    "etwas": Experience.SOME,
    "some": Experience.SOME,
    "wenig": Experience.SOME,
    "mittel": Experience.SOME,
    "bisschen": Experience.SOME,
    "ein bisschen": Experience.SOME,
    "erste erfahrungen": Experience.SOME,
    "erfahren": Experience.EXPERIENCED,
    "sehr erfahren": Experience.EXPERIENCED,
    "experienced": Experience.EXPERIENCED,
    "viel": Experience.EXPERIENCED,
    "viele": Experience.EXPERIENCED,
    "langjaehrig": Experience.EXPERIENCED,
    "profi": Experience.EXPERIENCED,
    "experte": Experience.EXPERIENCED,
    "expert": Experience.EXPERIENCED,
}


def _lookup(text: str, aliases: dict[str, _T]) -> _T | None:
    """Exact alias, else the closest alias if the typo is small (short words: exact only)."""
    key = normalize(text)
    if not key:
        return None
    if key in aliases:
        return aliases[key]
    if len(key) < _MIN_FUZZY_LEN:
        return None
    best = process.extractOne(
        key,
        [alias for alias in aliases if len(alias) >= _MIN_FUZZY_LEN],
        scorer=fuzz.ratio,
        score_cutoff=_FUZZY_CUTOFF,
    )
    return aliases[best[0]] if best else None


def parse_kind(text: str) -> InstitutionKind | None:
    """Institution kind from free text ("ogs traeger", "Städt. Gymnasium"); None if unclear.

    Tries the whole text, then each word in order, so the first named kind wins.
    """
    whole = _lookup(text, _KIND_ALIASES)
    if whole is not None:
        return whole
    for word in normalize(text).split():
        found = _lookup(word, _KIND_ALIASES)
        if found is not None:
            return found
        for head, kind in _KIND_HEADS:
            if len(word) > len(head) and word.endswith(head):
                return kind
    return None


def parse_experience(text: str) -> Experience | None:
    """Experience level from "neu", "etwas", "erfahren" (and English, typos); None if unclear."""
    found = _lookup(text, _EXPERIENCE_ALIASES)
    if found is not None:
        return found
    for word in normalize(text).split():
        found = _lookup(word, _EXPERIENCE_ALIASES)
        if found is not None:
            return found
    return None
