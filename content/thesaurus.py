"""Everyday German synonyms from OpenThesaurus, narrowed to the content's vocabulary.

Why: members ask with words no entry holds ("Pluspunkt", "Kids", "reinschnuppern") for
things an entry states in other words ("Vorteil", "Kinder", "ausprobieren"). Curated
synonyms (``synonyms.yaml``) cover the network's own terms; a general thesaurus covers
the rest of the language. Only an unknown word of a question is looked up, and it maps
onto one word the content does hold, with less weight than a word of its own (the
thesaurus groups senses loosely).

The data: OpenThesaurus (openthesaurus.de, LGPL 2.1; Debian's ``openthesaurus-de-text``),
shipped gzipped in ``content/data/thesaurus/``.
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from content.normalize import normalize, stem

THESAURUS_FILE = Path(__file__).parent / "data" / "thesaurus" / "openthesaurus-de.txt.gz"
_ANNOTATION = re.compile(r"\([^)]*\)")
_MIN_LEN = 4  # shorter words are mostly particles or abbreviations of many senses


def synsets(path: Path = THESAURUS_FILE) -> Iterator[frozenset[str]]:
    """Each synonym group as a set of stems; phrases of several words are left out
    (after the grammatical notes "(sich)", "(ugs.)" are dropped)."""
    try:
        handle = gzip.open(path, "rt", encoding="utf-8")
    except OSError:
        return
    with handle:
        for line in handle:
            if line.startswith("#"):
                continue
            group: set[str] = set()
            for member in line.rstrip("\n").split(";"):
                words = normalize(_ANNOTATION.sub(" ", member)).split()
                if len(words) == 1 and len(words[0]) >= _MIN_LEN and not words[0].isdigit():
                    group.add(stem(words[0]))
            if len(group) > 1:
                yield frozenset(group)


def related_terms(
    known: Callable[[str], str | None],
    stopwords: frozenset[str],
    path: Path = THESAURUS_FILE,
) -> dict[str, str]:
    """Unknown stem -> the content term it is a synonym of.

    ``known`` maps a stem to the content's term for it (or None): the canonical form after
    the curated synonyms. A stem linked to several content terms takes the one it shares
    most groups with (ties: the alphabetically first, so the map is deterministic).
    """
    links: dict[str, Counter[str]] = {}
    for group in synsets(path):
        inside = {t for t in (known(s) for s in group) if t is not None}
        if not inside:
            continue
        for s in group:
            if s in stopwords or known(s) is not None:
                continue
            counter = links.setdefault(s, Counter())
            counter.update(inside)
    return {
        s: min(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0] for s, counter in links.items()
    }
