"""Answer free-text questions from the FAQ: vectorised term matching plus rapidfuzz.

Why this design: members paraphrase, misspell and mix German and English, and an
off-topic question must never get a curated answer. Each question is turned into
canonical terms (``Analyzer``); unknown words are mapped onto the content vocabulary
with ``rapidfuzz.process.cdist`` (typos); every term is weighted by IDF so that
words that appear everywhere ("Kooperation") count little and unknown words (
"Wetter", "Apfelkuchen") count a lot against an answer. Two scores are combined:

* coverage – how much of the question's weight an entry explains (titles, phrasings,
  keywords fully; answer text half), and
* phrasing fit – the best F1 between the question and a single curated phrasing.

All per-entry work is numpy over flat, precomputed arrays, so 5,000 entries answer in
about a millisecond.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from content.analyze import Analyzer, bound_query
from content.contentset import ContentSet
from content.models import FaqEntry
from content.normalize import STOPWORDS_DE, STOPWORDS_EN, fold, normalize, stem

THRESHOLD = 40  # below this score (0-100) the bot abstains
MIN_COVERAGE = 0.5  # share of the question's weight an answer must explain
_UNKNOWN_FACTOR = 1.0  # an unknown word weighs as much as the rarest known word
_ANSWER_WEIGHT = 0.5  # a term only in the answer text counts half
_TYPO_CUTOFF = 80.0  # rapidfuzz ratio for mapping an unknown word onto the vocabulary
_TYPO_MIN_LEN = 5
_MINOR_FACTOR = 0.5  # weight of an unknown word written in lower case in a cased question
_MAJOR_FACTOR = 1.5  # weight of an unknown capitalised word (a noun) in a cased question
_CASED_WORD = re.compile(r"[^\W\d_]+")
_ANCHOR_SIM = 0.9  # a typo match must be this close to count as a title word or keyword
_MAX_RELATED = 2
_MAX_SUGGESTIONS = 3

HELP_ENTRY = "bot-hilfe"
# "Was kannst du?", "Hilfe", "what can you do": a question about the bot itself, made
# only of words the analyser drops; answered with the bot's help entry. A bare greeting
# or thanks ("Hallo", "Danke!") is no question and abstains.
_HELP_REQUEST = re.compile(
    r"^(?:(?:hallo|hi|hey|moin|servus|hello|lieber bot|bot)\s+)*"
    r"(?:(?:was|wobei|womit|wie)\s+(?:kannst|koennen|kann|machst|tust|hilfst)\s+"
    r"(?:du|ihr|der bot|man hier|man mit dir)"
    r"(?:\s+(?:eigentlich|alles|so|denn|hier|mal|genau|fuer mich|mir|uns|helfen|machen|tun))*"
    r"|hilfe|help|befehle|commands|what can you do(?: for me)?|what do you do"
    r"|how can you help(?: me| us)?)(?:\s+(?:bitte|please))?$"
)

# A private matter of the asker ("mein Kind", "meine Wohnung", "my son"): the bot answers
# institutions about cooperations, never parents or tenants, even when the rest of the
# question ("anmelden", "Kündigungsfrist", "OGS") sounds like one of its topics.
_PRIVATE = re.compile(
    r"\b(?:mein|meine|meinem|meinen|meiner|meines|my)\s+(?:kind|kinder|kindes|kids?|children|child"
    r"|sohn|sohnes|soehne|son|sons|tochter|toechter|daughters?|enkel\w*|grandchild\w*"
    r"|wohnung|flat|apartment|handy\w*|phone|auto|car|computer|laptop|pc|passwort|password"
    r"|konto|account|frau|mann|freundin|freund|wife|husband|girlfriend|boyfriend)\b"
)

_EN_ONLY = STOPWORDS_EN - STOPWORDS_DE
_DE_ONLY = STOPWORDS_DE - STOPWORDS_EN


@dataclass
class AnswerResult:
    """What ``ContentIndex.answer`` found; ``abstained`` means: no curated answer."""

    abstained: bool
    entry_id: str | None
    title: str
    text: str
    source: str
    score: int
    lang: str
    related: list[tuple[str, str]] = field(default_factory=list)
    suggestions: list[tuple[str, str]] = field(default_factory=list)

    def metadata(self) -> dict[str, object]:
        """The ``koopbot.answer`` event content of the product spec."""
        if self.abstained:
            return {"abstained": True}
        return {"id": self.entry_id, "score": self.score, "source": self.source}


def _cased_words(question: str) -> tuple[frozenset[str], frozenset[str]]:
    """Stems of the words a German writer spelt in lower case (not nouns) and capitalised.

    German capitalises nouns, and an unknown noun ("Klavierunterricht", "Wohnung") is what
    makes a question off-topic; an unknown adjective or adverb ("sauber", "ländlich") is
    mostly filler. Only when the question does capitalise some later word (the writer
    uses case at all) and does not read English; otherwise both sets are empty.
    """
    words = _CASED_WORD.findall(question)
    if len(words) < 3 or detect_lang(question) == "en":
        return frozenset(), frozenset()
    later = words[1:]
    if not any(w[0].isupper() for w in later) or all(w.isupper() for w in later if w[0].isupper()):
        return frozenset(), frozenset()
    lower = frozenset(stem(fold(normalize(w))) for w in later if w.islower())
    upper = frozenset(stem(fold(normalize(w))) for w in later if w[0].isupper() and not w.isupper())
    return lower, upper


def detect_lang(text: str, default: str = "de") -> str:
    """ "en" when the question reads English (function words, no umlauts), else ``default``."""
    if any(ch in text for ch in "äöüÄÖÜß"):
        return "de"
    words = normalize(text).split()
    en = sum(w in _EN_ONLY for w in words)
    de = sum(w in _DE_ONLY for w in words)
    if en > de:
        return "en"
    if de > en:
        return "de"
    return default


class ContentIndex:
    """Search index over the FAQ of a ``ContentSet``; build once at start.

    Args:
        content: the loaded content.
        threshold: minimum score (0-100) to answer instead of abstaining.
    """

    def __init__(self, content: ContentSet, threshold: int = THRESHOLD) -> None:
        self.content = content
        self.threshold = threshold
        self.entries: list[FaqEntry] = list(content.faq)
        vocabulary = [
            text
            for e in self.entries
            for lang in e.langs
            for text in (e.title(lang), *e.questions(lang), e.answer(lang))
        ] + [k for e in self.entries for k in e.keywords]
        self.analyzer = Analyzer(content.synonyms, vocabulary)
        self._build()

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        term_ids: dict[str, int] = {}

        def tid(term: str) -> int:
            return term_ids.setdefault(term, len(term_ids))

        phr_terms: list[list[int]] = []
        phr_entry: list[int] = []
        starts: list[int] = []
        bags: list[dict[int, float]] = []
        anchors: list[set[int]] = []
        for i, entry in enumerate(self.entries):
            starts.append(len(phr_terms))
            bag: dict[int, float] = {}
            texts = [entry.title(lang) for lang in entry.langs]
            texts += [q for lang in entry.langs for q in entry.questions(lang)]
            for text in texts:
                ids = sorted({tid(term) for term in self.analyzer.terms(text)})
                if ids:
                    phr_terms.append(ids)
                    phr_entry.append(i)
                    bag.update(dict.fromkeys(ids, 1.0))
            anchor: set[int] = set()
            for text in [*entry.keywords, *(entry.title(lang) for lang in entry.langs)]:
                ids = [tid(term) for term in self.analyzer.terms(text)]
                bag.update(dict.fromkeys(ids, 1.0))
                anchor.update(ids)
            anchors.append(anchor)
            for lang in entry.langs:
                for term in self.analyzer.terms(entry.answer(lang)):
                    bag.setdefault(tid(term), _ANSWER_WEIGHT)
            bags.append(bag)
            if len(phr_terms) == starts[-1]:  # entry without any phrasing: keep it addressable
                phr_terms.append([])
                phr_entry.append(i)

        n_terms = len(term_ids)
        n_entries = len(self.entries)
        df = np.zeros(n_terms, dtype=np.float64)
        ent_post: list[list[int]] = [[] for _ in range(n_terms)]
        ent_w: list[list[float]] = [[] for _ in range(n_terms)]
        for i, bag in enumerate(bags):
            for t, w in bag.items():
                df[t] += 1
                ent_post[t].append(i)
                ent_w[t].append(w)
        self._idf = np.log1p(n_entries / np.maximum(df, 1.0))
        self._unknown_idf = _UNKNOWN_FACTOR * float(math.log1p(n_entries)) if n_entries else 1.0
        anc_post: list[list[int]] = [[] for _ in range(n_terms)]
        for i, anchor in enumerate(anchors):
            for t in anchor:
                anc_post[t].append(i)
        self._anc_post = [np.asarray(p, dtype=np.int32) for p in anc_post]
        phr_post: list[list[int]] = [[] for _ in range(n_terms)]
        for p, ids in enumerate(phr_terms):
            for t in ids:
                phr_post[t].append(p)
        self._term_ids = term_ids
        self._vocab = list(term_ids)
        self._phr_post = [np.asarray(p, dtype=np.int32) for p in phr_post]
        self._ent_post = [np.asarray(p, dtype=np.int32) for p in ent_post]
        self._ent_w = [np.asarray(w, dtype=np.float64) for w in ent_w]
        self._phr_mass = np.array(
            [float(self._idf[ids].sum()) if ids else 1.0 for ids in phr_terms], dtype=np.float64
        )
        self._phr_entry = np.asarray(phr_entry, dtype=np.int32)
        self._starts = np.asarray(starts, dtype=np.int64)
        self._n_phr = len(phr_terms)

    # ------------------------------------------------------------------ scoring

    def _match_terms(
        self,
        terms: list[str],
        minor: frozenset[str] = frozenset(),
        major: frozenset[str] = frozenset(),
    ) -> tuple[list[tuple[int, float]], float]:
        """Known term ids with similarity, and the question's total weight.

        Unknown terms in ``minor`` (German words written in lower case) weigh less, those
        in ``major`` (capitalised: nouns) more.
        """
        matched: list[tuple[int, float]] = []
        total = 0.0
        unknown: list[str] = []
        for term in dict.fromkeys(terms):
            t = self._term_ids.get(term)
            if t is not None:
                matched.append((t, 1.0))
                total += float(self._idf[t])
            elif len(term) >= _TYPO_MIN_LEN and not term.isdigit():
                unknown.append(term)
            elif not term.isdigit():
                total += self._unknown_weight(term, minor, major)
        if unknown and self._vocab:
            scores = process.cdist(
                unknown, self._vocab, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF, dtype=np.uint8
            )
            for row, term in enumerate(unknown):
                best = int(np.argmax(scores[row]))
                sim = float(scores[row, best]) / 100.0
                if sim > 0:
                    matched.append((best, sim))
                    total += float(self._idf[best])
                else:
                    total += self._unknown_weight(term, minor, major)
        return matched, total

    def _unknown_weight(self, term: str, minor: frozenset[str], major: frozenset[str]) -> float:
        if term in minor:
            return self._unknown_idf * _MINOR_FACTOR
        if term in major:
            return self._unknown_idf * _MAJOR_FACTOR
        return self._unknown_idf

    def scores(self, question: str) -> np.ndarray:
        """Score 0-100 of every entry for ``question`` (vectorised)."""
        n = len(self.entries)
        if n == 0:
            return np.zeros(0)
        question = bound_query(question)
        matched, total = self._match_terms(self.analyzer.terms(question), *_cased_words(question))
        if not matched or total <= 0:
            return np.zeros(n)
        coverage = np.zeros(n)
        phr_hit = np.zeros(self._n_phr)
        anchored = np.zeros(n, dtype=bool)
        for t, sim in matched:
            w = float(self._idf[t]) * sim
            coverage[self._ent_post[t]] += self._ent_w[t] * w
            phr_hit[self._phr_post[t]] += w
            if sim >= _ANCHOR_SIM:  # a loose typo match ("gedicht"~"gedacht") anchors nothing
                anchored[self._anc_post[t]] = True
        coverage /= total
        precision = phr_hit / self._phr_mass  # how much of the phrasing the question uses
        recall = phr_hit / total  # how much of the question the phrasing explains
        denom = precision + recall
        f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(denom), where=denom > 0)
        fit = np.maximum.reduceat(f1, self._starts)
        score = 100.0 * (0.5 * np.minimum(coverage, 1.0) + 0.5 * fit)
        score[coverage < MIN_COVERAGE] *= 0.5  # explains too little of the question
        score[~anchored] *= 0.5  # no title word or keyword of the entry: a chance hit
        return score

    # ------------------------------------------------------------------ answering

    def answer(self, question: str, lang: str = "de") -> AnswerResult:
        """Best curated answer, or an abstention listing the closest topics."""
        # An English question is answered in English; otherwise the user's language.
        lang = lang if lang in ("de", "en") else "de"
        question = bound_query(question)
        if detect_lang(question, default=lang) == "en":
            lang = "en"
        scores = self.scores(question)
        if scores.size == 0:
            return AnswerResult(True, None, "", "", "", 0, lang)
        if _HELP_REQUEST.match(normalize(question)):
            helper = self.content.faq_entry(HELP_ENTRY)
            if helper is not None:
                return self._result(helper, 100, lang)
        order = np.argsort(-scores, kind="stable")[: max(_MAX_SUGGESTIONS, 1)]
        best = int(order[0])
        score = round(float(scores[best]))
        if score < self.threshold or _PRIVATE.search(normalize(question)):
            suggestions = [
                (self.entries[i].id, self.entries[i].title(lang)) for i in order if scores[i] > 0
            ]
            if not suggestions:
                suggestions = self._default_suggestions(lang)
            return AnswerResult(True, None, "", "", "", score, lang, suggestions=suggestions)
        return self._result(self.entries[best], score, lang)

    def _result(self, entry: FaqEntry, score: int, lang: str) -> AnswerResult:
        related = []
        for rel in entry.related[:_MAX_RELATED]:
            other = self.content.faq_entry(rel)
            if other is not None:
                related.append((other.id, other.title(lang)))
        return AnswerResult(
            abstained=False,
            entry_id=entry.id,
            title=entry.title(lang),
            text=entry.answer(lang),
            source=entry.source,
            score=min(score, 100),
            lang=lang,
            related=related,
        )

    def _default_suggestions(self, lang: str) -> list[tuple[str, str]]:
        """General entry points when nothing is even close."""
        picks = ("phasen-ueberblick", "vereinbarung-inhalt", "themen-ueberblick")
        found = [self.content.faq_entry(i) for i in picks]
        return [(e.id, e.title(lang)) for e in found if e is not None]
