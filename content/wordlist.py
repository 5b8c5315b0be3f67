"""simplemma's German word list as a sorted file, looked up by mmap and bisection.

Why: simplemma's memory-frugal backend still holds the decompressed list (~15 MB) in
the process for as long as it lives, and ``import simplemma`` adds ~4 MB more. The typo
guard only asks "is this a word?", a few times per question. A sorted file of the keys,
built once per simplemma version in a cache directory, answers that with ~20 page reads
per look-up; the pages stay file-backed (the kernel may drop them), simplemma is never
imported by the running bot.

The answers are simplemma's: ``is_known(word)`` follows ``simplemma.is_known(word,
lang="de")`` step by step (NFC, the word as written, then with its first letter's case
swapped); a word with an apostrophe (rare; simplemma tries glyph variants) is handed to
simplemma itself. tests/unit/test_wordlist.py compares both on a sample.

Build: ``python -P content/wordlist.py OUT`` (run by :func:`open_wordlist` in a child
process, so the ~200 MB the build needs is never part of the bot's heap).
"""

from __future__ import annotations

import contextlib
import logging
import mmap
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from importlib import metadata
from pathlib import Path

log = logging.getLogger(__name__)

LANG = "de"
_APOSTROPHES = ("'", "\u2019", "\u02bc")  # the glyphs simplemma folds into variants


def cache_dir() -> Path:
    """Where the word file lives: systemd's CacheDirectory=, the XDG cache, else /tmp."""
    systemd = os.environ.get("CACHE_DIRECTORY", "").split(":")[0]
    if systemd:
        return Path(systemd)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg:
        return Path(xdg) / "koopbot"
    try:
        return Path.home() / ".cache" / "koopbot"
    except RuntimeError:  # no home directory
        return Path(tempfile.gettempdir()) / "koopbot"


_UMLAUT_OF = {"ae": "ä", "oe": "ö", "ue": "ü"}
_UMLAUTS = re.compile(r"(?<![aeiou])(?:ae|oe|ue)")


class WordList:
    """Membership in a file of sorted, newline-terminated UTF-8 words (read-only mmap)."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as handle:
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        with contextlib.suppress(AttributeError, OSError):  # look-ups jump around
            self._map.madvise(mmap.MADV_RANDOM)
        self._size = len(self._map)

    def __contains__(self, word: str) -> bool:
        key = word.encode()
        data = self._map
        lo, hi = 0, self._size
        while lo < hi:
            mid = (lo + hi) // 2
            start = data.rfind(b"\n", 0, mid) + 1  # the line that holds byte ``mid``
            end = data.find(b"\n", start)
            line = data[start:end]
            if line == key:
                return True
            if line < key:
                lo = end + 1
            else:
                hi = start
        return False

    def is_known(self, word: str) -> bool:
        """``simplemma.is_known(word, lang="de")``, answered from the file."""
        token = unicodedata.normalize("NFC", word)
        if token in self:
            return True
        cased = token.lower() if token[:1].isupper() else token.capitalize()
        if cased in self:
            return True
        if not any(glyph in token for glyph in _APOSTROPHES):
            return False
        import simplemma  # apostrophe variants: simplemma's own rules

        return bool(simplemma.is_known(word, lang=LANG, low_memory=True))

    __call__ = is_known

    def word_class(self, word: str) -> str | None:
        """ "noun" when only the capitalised form is a German word ("inflation" ->
        "Inflation"), "other" when only the lower-case one is ("gliedert"), else None
        (both: "band"/"Band"; neither: unknown). Members type in lower case and
        ae/oe/ue: the umlauts are tried too."""
        token = unicodedata.normalize("NFC", word.lower())
        variants = {token, _UMLAUTS.sub(lambda m: _UMLAUT_OF[m.group()], token)}
        noun = other = False
        for variant in variants:
            lower_known = variant in self
            upper_known = variant.capitalize() in self
            noun = noun or (upper_known and not lower_known)
            other = other or (lower_known and not upper_known)
        if noun == other:
            return None
        return "noun" if noun else "other"


def _version() -> str:
    return metadata.version("simplemma")


def build(out: Path) -> None:
    """Write simplemma's German keys to ``out``, sorted by their UTF-8 bytes."""
    from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamMap

    words = sorted(key.encode() for key in StreamMap(LANG))
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=out.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            for word in words:
                if b"\n" not in word:
                    handle.write(word + b"\n")
        os.replace(tmp, out)  # atomic: bots starting together never read half a file
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def open_wordlist(directory: Path | None = None) -> WordList | None:
    """The word list, built first (a child process, a few seconds, once per simplemma
    version) when missing; None when simplemma is not installed or nothing is writable."""
    try:
        version = _version()
    except metadata.PackageNotFoundError:
        return None
    candidates = (
        [directory]
        if directory is not None
        else [cache_dir(), Path(tempfile.gettempdir()) / "koopbot"]
    )
    for folder in candidates:
        path = folder / f"simplemma-{version}-{LANG}.words"
        if not path.exists():
            try:
                subprocess.run(
                    [sys.executable, "-P", os.path.abspath(__file__), str(path)],
                    check=True,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    timeout=300,
                )
            except (OSError, subprocess.SubprocessError) as exc:
                log.warning("word list not built in %s: %s", folder, exc)
                continue
        try:
            return WordList(path)
        except (OSError, ValueError) as exc:
            log.warning("word list %s not readable: %s", path, exc)
    return None


if __name__ == "__main__":
    build(Path(sys.argv[1]))
