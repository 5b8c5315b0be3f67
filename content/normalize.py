"""German-aware text normalisation shared by content search and member matching.

Why: members type "Qualitat", "Kooperationsvereinbarung", "Strasse" or "OGS"; every
comparison must see the same canonical form.
"""

from __future__ import annotations

import re

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalize(text: str) -> str:
    """Lower-case, fold umlauts and ß, drop punctuation, collapse white space."""
    folded = text.casefold().translate(_UMLAUTS)
    return _NON_WORD.sub(" ", folded).strip()
