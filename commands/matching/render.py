"""Words for matching results, from the message catalog (``commands/locales/matching.yaml``).

Why: the engine returns structured reasons; the language is chosen per user at the
moment of replying, so rendering takes the catalog and the language.
"""

from __future__ import annotations

from commands.i18n import Catalog

from .index import MatchIndex
from .profiles import InstitutionKind
from .scoring import Match, Reason, ReasonKind

MAX_TERMS_SHOWN = 3
_EXCHANGE = (ReasonKind.OFFERS_WHAT_YOU_NEED, ReasonKind.NEEDS_WHAT_YOU_OFFER)


def render_reason(reason: Reason, catalog: Catalog, lang: str) -> str:
    """One reason as a phrase: "bietet Räume, die ihr sucht", "gleiche Region: Münsterland"."""
    key = f"matching.reason_{reason.kind.value}"
    if reason.kind in _EXCHANGE and not _all_curated(reason, catalog):
        key += "_free"  # a free term's gender is unknown: "bietet, was ihr sucht: …"
    if not reason.terms:
        return catalog.get(key, lang)
    return catalog.get(key, lang, terms=_join(_term_labels(reason, catalog, lang), catalog, lang))


def render_reasons(match: Match, catalog: Catalog, lang: str) -> list[str]:
    return [render_reason(reason, catalog, lang) for reason in match.reasons]


def visibility_hint(index: MatchIndex, user_id: str, catalog: Catalog, lang: str) -> str | None:
    """A hint for askers whose own profile is hidden (they may search, but are not found)."""
    return None if index.is_visible(user_id) else catalog.get("matching.hint_hidden", lang)


def kind_label(kind: InstitutionKind, catalog: Catalog, lang: str) -> str:
    return catalog.get(f"matching.kind_{kind.name.lower()}", lang)


def _term_key(key: str) -> str:
    return "matching.term_" + key.replace(" ", "_")


def _all_curated(reason: Reason, catalog: Catalog) -> bool:
    return bool(reason.keys) and all(catalog.has(_term_key(key)) for key in reason.keys)


def _term_labels(reason: Reason, catalog: Catalog, lang: str) -> list[str]:
    if not reason.keys:
        return list(reason.terms)
    return [
        catalog.get(_term_key(key), lang) if catalog.has(_term_key(key)) else label
        for key, label in zip(reason.keys, reason.terms, strict=True)
    ]


def _join(labels: list[str], catalog: Catalog, lang: str) -> str:
    """ "Räume", "Räume und Zeiten", "Räume, Zeiten und Instrumente", "…, 2 weitere"."""
    shown = labels[:MAX_TERMS_SHOWN]
    if len(labels) > MAX_TERMS_SHOWN:
        shown.append(catalog.get("matching.more", lang, count=len(labels) - MAX_TERMS_SHOWN))
    if len(shown) == 1:
        return shown[0]
    return f"{', '.join(shown[:-1])} {catalog.get('matching.and', lang)} {shown[-1]}"
