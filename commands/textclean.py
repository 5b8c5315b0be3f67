"""Member text made safe to store and show again: no fake lines, no hidden reordering.

Why: the bot echoes what members typed (a contact person, a title, a profile field)
inside its own messages. A line break in a single-line field would show up as a line
of the bot's own message ("✅ Koordination: Vereinbarung genehmigt"), and bidi or other
invisible format characters (Unicode categories Cc and Cf, e.g. U+202E RIGHT-TO-LEFT
OVERRIDE) can make text read differently from what is stored.

Kept: the zero-width joiner and non-joiner (emoji sequences, some scripts) and the tag
characters of subdivision flags. Everything else of Cc/Cf is removed; in single-line
text every line break becomes ", " and white space is collapsed.
"""

from __future__ import annotations

import re
import unicodedata

_KEEP_FORMAT = frozenset({"\u200c", "\u200d"})
_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def _visible(char: str) -> bool:
    if char in _KEEP_FORMAT or "\U000e0020" <= char <= "\U000e007f":
        return True
    return unicodedata.category(char) not in ("Cc", "Cf")


def strip_controls(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` without control and format characters; tabs (and line breaks, unless
    kept) become spaces."""
    lines = _LINE_BREAK.split(text.replace("\t", " "))
    cleaned = ("".join(c for c in line if _visible(c)) for line in lines)
    return ("\n" if keep_newlines else " ").join(cleaned)


def single_line(text: str) -> str:
    """One line: line breaks become ", ", controls go, white space is collapsed."""
    parts = [" ".join(strip_controls(p).split()) for p in _LINE_BREAK.split(text)]
    return ", ".join(p for p in parts if p)


def multi_line(text: str) -> str:
    """Several lines allowed (notes, agreement contents); controls go, lines stay."""
    return strip_controls(text, keep_newlines=True).strip()
