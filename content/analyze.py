"""Turn text into search terms: synonyms, compound splitting, stop words, stems.

Why a separate module: the index, the eval and the member matching must all see one
and the same term form, and the analyser owns the two pieces of state that form
depends on (the synonym groups and the vocabulary used to split compounds).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

from content.letter import unframed
from content.memo import Memo
from content.normalize import STOPWORDS, normalize, stem

_KNOWS_MEMO = 50_000  # words known or not (bounded, whatever members send)
_TERMS_MEMO = 256  # texts whose terms are remembered (a question's pieces, not content)
_MIN_JOINED = 5  # a word broken apart and joined again: "neo bi", "augen höhe"
_MIN_PART = 4  # shortest compound part; shorter ones ("art", "ein") split too eagerly
_LINKS = ("", "s", "es", "n", "en")  # German linking elements (Fugen)
_FUZZY_TAIL = 85.0  # rapidfuzz ratio for a misspelt last part of a compound
_FUZZY_WHOLE = 90.0  # rapidfuzz ratio for a misspelt long word as a whole
_FUZZY_WHOLE_LEN = 12  # only long words: a short one is as likely a different word

# "die dritte Phase", "phase drei", "the third stage": the phase by its number, as the
# content names it ("Phase 3: …"); without it an ordinal is a stop word or a near word
# ("erste Schritte") and the question lands on the overview or another entry
_ORDINAL_STEMS = {
    "erst": "1",
    "allererst": "1",
    "zweit": "2",
    "dritt": "3",
    "viert": "4",
    "funft": "5",
    "fuenft": "5",
    "sechst": "6",
    "siebt": "7",
    "siebent": "7",
}
_ORDINALS = {
    **{
        f"{ordinal}{ending}": number
        for ordinal, number in _ORDINAL_STEMS.items()
        for ending in ("e", "en", "er", "es", "em")
    },
    **{"first": "1", "second": "2", "third": "3", "fourth": "4"},
    **{"fifth": "5", "sixth": "6", "seventh": "7"},
}
_NUMBER_WORDS = {
    **{"eins": "1", "zwei": "2", "drei": "3", "vier": "4", "funf": "5", "fuenf": "5"},
    **{"sechs": "6", "sieben": "7", "one": "1", "two": "2", "three": "3", "four": "4"},
    **{"five": "5", "six": "6", "seven": "7"},
}
_PHASE_WORDS = frozenset({"phase", "stage"})


def numbered_phases(tokens: list[str]) -> list[str]:
    """Normalised tokens with a phase named by an ordinal or a number word given its
    number: "dritten phase" -> "phase 3", "phase eins" -> "phase 1", "fifth stage" ->
    "phase 5"."""
    if not _PHASE_WORDS.intersection(tokens):
        return tokens
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok in _ORDINALS and nxt in _PHASE_WORDS:
            out += ["phase", _ORDINALS[tok]]
            i += 2
        elif tok in _PHASE_WORDS and nxt in _NUMBER_WORDS:
            out += ["phase", _NUMBER_WORDS[nxt]]
            i += 2
        else:
            out.append(tok)
            i += 1
    return out


# Bounded cost for any input: compound splitting is quadratic in a token's length, so
# what a member sends is cut down before analysis. The longest word of the content has
# 26 letters; a longer "word" is no word.
MAX_TOKEN_CHARS = 40
MAX_TOKENS = 200
MAX_QUERY_CHARS = 4000


def bound_query(text: str) -> str:
    """``text`` cut to what analysis looks at: at most ``MAX_TOKENS`` words of at most
    ``MAX_TOKEN_CHARS`` characters from the first ``MAX_QUERY_CHARS`` characters, without
    the letter frame around it (``content.letter``: "Guten Tag, … Mit freundlichen
    Grüßen …")."""
    return _bounded(text[:MAX_QUERY_CHARS])


@functools.lru_cache(maxsize=64)
def _bounded(text: str) -> str:
    """``bound_query`` of a text already cut to ``MAX_QUERY_CHARS``: one answer bounds the
    same message several times (scores, rules, evidence), so the last few are remembered
    (64, as the index's memos of a question's parts: members' words are not kept longer
    than answering needs)."""
    text = unframed(text)
    if len(text) <= MAX_TOKEN_CHARS:
        return text
    # counted as the analysis sees them: "sachsen-anhalt" is two words
    kept: list[str] = []
    count = 0
    for word in text[:MAX_QUERY_CHARS].split():
        word = word[:MAX_TOKEN_CHARS]
        count += len(normalize(word).split())
        if count > MAX_TOKENS:
            break
        kept.append(word)
    return " ".join(kept)


class Analyzer:
    """Maps text to canonical, stemmed terms.

    Args:
        synonym_groups: groups of equivalent words/phrases; the first is canonical.
        vocabulary: texts whose words are known; compounds split only into known parts.
        stopwords: words that are no search terms (the default: the project's own list).
    """

    def __init__(
        self,
        synonym_groups: Sequence[Sequence[str]],
        vocabulary: Iterable[str],
        stopwords: frozenset[str] = STOPWORDS,
    ) -> None:
        self._stop = stopwords
        self._phrases: dict[tuple[str, ...], str] = {}
        self._words: dict[str, str] = {}
        for group in synonym_groups:
            words = [normalize(w) for w in group if normalize(w)]
            if not words:
                continue
            canonical = "_".join(stem(t) for t in words[0].split())
            for word in words:
                parts = tuple(stem(t) for t in word.split())
                if len(parts) == 1:
                    self._words.setdefault(parts[0], canonical)
                else:
                    self._phrases.setdefault(parts, canonical)
        self._max_phrase = max((len(p) for p in self._phrases), default=1)
        # synonyms that are stop words elsewhere ("nochmal" means: offered again), and
        # phrases that start with one ("noch jemand": third parties)
        # (as written in a group: "them" is a stop word, not the stem of "Themen")
        stop_stems = {stem(w) for w in stopwords}
        self._stop_synonyms = frozenset(
            w
            for group in synonym_groups
            for w in (normalize(x) for x in group)
            if " " not in w and w in stopwords
        )
        self._stop_phrases = {p: c for p, c in self._phrases.items() if p[0] in stop_stems}
        self._stop_phrase_starts = frozenset(p[0] for p in self._stop_phrases)
        known: set[str] = set()
        long_words: set[str] = set()
        for text in vocabulary:
            for tok in normalize(text).split():
                if tok not in self._stop and len(tok) >= _MIN_PART:
                    known.add(stem(tok))
                    if len(tok) >= _FUZZY_WHOLE_LEN:
                        long_words.add(tok)
        known.update(self._words)
        for group in synonym_groups:
            long_words.update(
                w
                for w in (normalize(x) for x in group)
                if " " not in w and len(w) >= _FUZZY_WHOLE_LEN
            )
        self._known = frozenset(known)
        self._split_cache: dict[str, list[str]] = {}
        self._terms_memo = Memo(self._terms, _TERMS_MEMO)
        self._knows = Memo(self._find_known, _KNOWS_MEMO)
        self._known_list: list[str] | None = None
        self._long_words = sorted(long_words)

    def learned(self, vocabulary: Iterable[str]) -> Analyzer:
        """A copy that also knows the words of more texts; this analyser is left as it is
        (answers go on using it while the index of the copy is built), and the copy has its
        own memos."""
        clone = copy.copy(self)
        clone._split_cache = {}
        clone._terms_memo = Memo(clone._terms, _TERMS_MEMO)
        clone._knows = Memo(clone._find_known, _KNOWS_MEMO)
        clone.learn(vocabulary)
        return clone

    def learn(self, vocabulary: Iterable[str]) -> None:
        """Know the words of more texts (entries added at run time)."""
        known = set(self._known)
        for text in vocabulary:
            for tok in normalize(text).split():
                if tok not in self._stop and len(tok) >= _MIN_PART:
                    known.add(stem(tok))
        self._known = frozenset(known)
        self._known_list = None
        self._split_cache.clear()
        self._terms_memo.clear()
        self._knows.clear()

    @property
    def known_stems(self) -> frozenset[str]:
        return self._known

    def split_compound(self, token: str) -> list[str]:
        """Split e.g. "kooperationsvereinbarung" into known stems ["kooperation", "vereinbar"].

        The search grows with the square of the token's length, so a token is cut to
        ``MAX_TOKEN_CHARS`` here, for questions and entries alike (a coordinator's
        ``!antwort``, a network's own content): no text can make one token expensive."""
        token = token[:MAX_TOKEN_CHARS]
        cached = self._split_cache.get(token)
        if cached is None:
            cached = (
                self._split(token, depth=0)
                or self._fuzzy_whole(token)
                or self._fuzzy_split(token)
                or [stem(token)]
            )
            if len(self._split_cache) < 50_000:
                self._split_cache[token] = cached
        return cached

    def _fuzzy_split(self, token: str) -> list[str] | None:
        """A known head plus a misspelt tail: "kooperationsvereinbahrung"."""
        if len(token) < 12 or stem(token) in self._known:
            return None
        if self._known_list is None:
            self._known_list = sorted(self._known)
        for cut in range(len(token) - 5, _MIN_PART - 1, -1):
            head = token[:cut]
            for link in ("s", ""):
                core = head[: len(head) - len(link)] if link and head.endswith(link) else head
                if link and not head.endswith(link):
                    continue
                if stem(core) not in self._known:
                    continue
                tail = stem(token[cut:])
                best = process.extractOne(
                    tail, self._known_list, scorer=fuzz.ratio, score_cutoff=_FUZZY_TAIL
                )
                if best is not None:
                    return [stem(core), *self._resplit(str(best[0]))]
        return None

    def _fuzzy_whole(self, token: str) -> list[str] | None:
        """A misspelt long word of the content as a whole: "kooperatiosnvereinbarung"."""
        if len(token) < _FUZZY_WHOLE_LEN or stem(token) in self._known:
            return None
        best = process.extractOne(
            token, self._long_words, scorer=fuzz.ratio, score_cutoff=_FUZZY_WHOLE
        )
        if best is None:
            return None
        return self._resplit(str(best[0]))

    def _resplit(self, word: str) -> list[str]:
        """Terms of a known word found by fuzzy matching: a synonym whole, else its parts."""
        whole = stem(word)
        if whole in self._words:
            return [whole]
        return self._split(word, depth=0) or [whole]

    def _split(self, token: str, depth: int) -> list[str] | None:
        whole = stem(token)
        if depth > 0 and (whole in self._known or token in self._known):
            return [whole]
        if depth >= 3 or len(token) < 2 * _MIN_PART + 1:
            return None
        # Longest head first: "musikschulkooperation" -> "musikschul" + "kooperation".
        for cut in range(len(token) - _MIN_PART, _MIN_PART - 1, -1):
            head = token[:cut]
            for link in _LINKS:
                if link and not head.endswith(link):
                    continue
                core = head[: len(head) - len(link)] if link else head
                if len(core) < _MIN_PART:
                    continue
                core_stem = stem(core)
                if core_stem not in self._known and core not in self._known:
                    continue
                rest = self._split(token[cut:], depth + 1)
                if rest:
                    return [core_stem, *rest]
        return None

    def terms(self, text: str) -> list[str]:
        """Canonical terms of ``text`` in order, stop words dropped, compounds split.

        An answer asks for the terms of the same pieces of a question many times: the last
        few texts are remembered (a copy is returned; ``learn`` forgets them)."""
        return list(self._terms_memo(text))

    def _terms(self, text: str) -> list[str]:
        # (the number of tokens is bounded by the callers: content is long, questions
        # pass through ``bound_query``)
        tokens = self._rejoined([t[:MAX_TOKEN_CHARS] for t in normalize(text).split()])
        tokens = numbered_phases(tokens)
        stems: list[str] = []
        i = 0
        while i < len(tokens):
            # a synonym phrase made partly of stop words ("noch mal", "noch jemand") names
            # the question's point; it is found before the stop words are dropped
            found = self._stop_phrase(tokens, i)
            if found is not None:
                canonical, size = found
                stems.append(canonical)
                i += size
                continue
            tok = tokens[i]
            i += 1
            whole = stem(tok)
            if tok in self._stop and tok not in self._stop_synonyms:
                continue
            if whole in self._words or tok.isdigit():
                stems.append(whole)
            else:
                # Split even known compounds, so both spellings give the same terms.
                stems.extend(self.split_compound(tok))
        return self._canonical(stems)

    def _find_known(self, token: str) -> bool:
        """Whether ``token`` is a known word (asked for every word of every text the
        index reads: ``_knows`` remembers it, forgotten when the analyser learns words)."""
        stemmed = stem(token)
        return stemmed in self._known or stemmed in self._words

    def _rejoined(self, tokens: list[str]) -> list[str]:
        """Words dictation or a phone's keyboard broke apart, joined again when only the
        whole is a known word: letters spelt one by one ("d k b m", "o w l") and a word cut
        in two or three ("werk statt", "schulze aulen kamp", "neo bi"). A piece that is a
        known word on its own stays apart ("lern clustern" is already found)."""
        # only a piece that is neither a stop word nor known can start a join (most
        # messages have none: the loop below is skipped)
        stop, knows = self._stop, self._knows
        odd = [len(t) == 1 or (t not in stop and not knows(t)) for t in tokens]
        if not any(odd):
            return tokens
        out: list[str] = []
        i = 0
        while i < len(tokens):
            if not (odd[i] or (i + 1 < len(tokens) and odd[i + 1])) and not (
                i + 2 < len(tokens) and odd[i + 2]
            ):
                out.append(tokens[i])
                i += 1
                continue
            j = i
            while j < len(tokens) and len(tokens[j]) == 1 and tokens[j].isalpha():
                j += 1
            if j - i >= 2 and self._knows("".join(tokens[i:j])):
                out.append("".join(tokens[i:j]))
                i = j
                continue
            for size in (3, 2):
                parts = tokens[i : i + size]
                whole = "".join(parts)
                if (
                    len(parts) == size
                    and len(whole) >= _MIN_JOINED
                    and all(p.isalpha() for p in parts)
                    and any(p not in self._stop and not self._knows(p) for p in parts)
                    and self._knows(whole)
                ):
                    out.append(whole)
                    i += size
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out

    def _stop_phrase(self, tokens: list[str], i: int) -> tuple[str, int] | None:
        """A synonym phrase with a stop word in it, starting at ``tokens[i]``."""
        if tokens[i] not in self._stop or stem(tokens[i]) not in self._stop_phrase_starts:
            return None
        for size in range(min(self._max_phrase, len(tokens) - i), 1, -1):
            canonical = self._stop_phrases.get(tuple(stem(t) for t in tokens[i : i + size]))
            if canonical:
                return canonical, size
        return None

    def _canonical(self, stems: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(stems):
            for size in range(min(self._max_phrase, len(stems) - i), 1, -1):
                canonical = self._phrases.get(tuple(stems[i : i + size]))
                if canonical:
                    out.append(canonical)
                    i += size
                    break
            else:
                out.append(self._words.get(stems[i], stems[i]))
                i += 1
        return out
