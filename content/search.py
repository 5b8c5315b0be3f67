"""Answer free-text questions from the FAQ: vectorised term matching plus rapidfuzz.

Why this design: members paraphrase, misspell and mix German and English, and an
off-topic question must never get a curated answer. Each question is turned into
canonical terms (``Analyzer``); unknown words are mapped onto the content vocabulary
with ``rapidfuzz.process.extract`` (typos); every term is weighted by IDF so that
words that appear everywhere ("Kooperation") count little and unknown words (
"Wetter", "Apfelkuchen") count a lot against an answer. Two scores are combined:

* coverage – how much of the question's weight an entry explains (titles, phrasings,
  keywords fully; answer text half), and
* phrasing fit – the best F1 between the question and a single curated phrasing.

Scoring is sparse: per question term, precomputed posting lists (``array``) name the
entries and phrasings that hold it, and only those are touched, so 5,000 entries answer
in a few milliseconds without numpy (which would cost the idle bot ~15 MB).
"""

from __future__ import annotations

import copy
import functools
import heapq
import math
import re
import threading
from array import array
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import compress, filterfalse, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import yaml
from rapidfuzz import fuzz, process

from content.analyze import MAX_QUERY_CHARS, MAX_TOKEN_CHARS, Analyzer, bound_query
from content.answerability import (
    ABSOLUTE,
    HARD_KINDS,
    KIND_WORDS,
    asked_details,
    asks_for_names,
    counted_aliases,
    counted_word,
    counts_near,
    entry_kinds,
    is_count_token,
    question_kind,
    small_talk,
    stated,
)
from content.claims import is_check, without_frame
from content.clauses import clauses, tells
from content.contentset import ContentSet
from content.letter import unframed
from content.memo import Memo
from content.models import FaqEntry
from content.normalize import (
    STOPWORDS,
    STOPWORDS_DE,
    STOPWORDS_EN,
    fold,
    library_stopwords,
    normalize,
    stem,
)
from content.verify import LEXICAL, Verifier, load_refused, load_verifier

if TYPE_CHECKING:
    from content.dense import DenseScorer
    from content.wordlist import WordList

_T = TypeVar("_T")

CALIBRATION_FILE = Path(__file__).parent / "data" / "calibration.yaml"


def _calibrated() -> dict[str, float]:
    """Thresholds fitted by ``bench/calibrate.py`` on the calibration set (then fixed)."""
    defaults = {
        "threshold": 40.0,  # below this score (0-100) the bot does not answer
        "candidate_min": 20.0,  # from here up, an entry is offered as "Meinst du …?"
        "subject_min": 0.5,  # share of a hard question's subject an entry must explain
        "background": 0.35,  # weight of narrative sentences around the actual question
        "answer_weight": 0.5,  # a term only in an entry's answer text counts this much
        "asked_weight": 0.5,  # … and one only in a question members asked (asked.yaml)
        "unknown_factor": 1.0,  # an unknown word weighs this times the rarest known word
        "fit_weight": 0.5,  # share of the phrasing fit in the score (the rest: coverage)
        "typo_guard": 0.0,  # 1: a word of the German dictionary (simplemma) is no typo
    }
    try:
        data = yaml.safe_load(CALIBRATION_FILE.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return defaults
    for key in defaults:
        if isinstance(data.get(key), int | float):
            defaults[key] = float(data[key])
    return defaults


CALIBRATION = _calibrated()
THRESHOLD = round(CALIBRATION["threshold"])
MIN_COVERAGE = 0.5  # share of the question's weight an answer must explain
_TYPO_CUTOFF = 80.0  # rapidfuzz ratio for mapping an unknown word onto the vocabulary
_TYPO_MIN_LEN = 5
_MINOR_FACTOR = 0.5  # weight of an unknown word written in lower case in a cased question
_MAJOR_FACTOR = 1.5  # weight of an unknown capitalised word (a noun) in a cased question
# a past participle or "zu" infinitive ("festzuhalten", "abgehalten", "zusammengesetzt"):
# how a formal question is put; its verb counts where the content has it ("festhalten"),
# and it is no typo of a near word ("abgehalten" is not "abgehakt")
_VERB_FORM = re.compile(
    r"^((?:ab|an|auf|aus|bei|dar|durch|ein|fest|fort|frei|her|hin|mit|nach|sicher|statt"
    r"|teil|um|vor|voran|weg|weiter|wieder|zu|zurueck|zusammen|bereit|bekannt|klar"
    r"|heraus|herein|hinaus|hinein|ueber|unter)*)(?:ge|zu)([a-z]{3,})$"
)
_VERB_FORM_MAX = 40  # longer terms are no verb form (and the pattern stays cheap)


def _verb_form(term: str) -> re.Match[str] | None:
    """A past participle or "zu" infinitive: separable prefixes, "ge"/"zu", the verb."""
    return _VERB_FORM.match(term) if len(term) <= _VERB_FORM_MAX else None


def _verb_bases(match: re.Match[str]) -> list[str]:
    """The stems the verb of a participle or "zu" infinitive may have in the content:
    "festzuhalt" -> "festhalt", "zusammengesetzt" -> "zusammensetz", "gegliedert" ->
    "glieder"."""
    prefix, verb = match.group(1), match.group(2)
    bases = [prefix + verb]
    if verb.endswith("t"):
        bases.append(prefix + verb[:-1])
    return [*bases, *(stem(b + "en") for b in bases), *(stem(b + "n") for b in bases)]


_CASED_WORD = re.compile(r"[^\W\d_]+")
_ANCHOR_SIM = 0.9  # a typo match must be this close to count as a title word or keyword
_MAX_RELATED = 2
_PLACE = re.compile(r"\b(?:in|nach|aus|fuer)\s+(\w+)\s*$")  # "… in düsseldorf" at the end
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# an answer offers the runner-ups scoring at least this share of its own score: close
# enough that the member may have meant one of them (measured in docs/ANSWERING.md §2);
# also the floor for an entry further down to answer when the best ones lack the fact
ALTERNATIVE_SHARE = 0.8
_MAX_SUGGESTIONS = 3
_TIME_KINDS = ("date", "end", "next", "frequency", "frequency_count")
_VOTERS = 5  # nearest known questions whose fate is the verifier's "refused_vote"
_MAX_TIED = 20  # at most this many entries tied at the top are ordered by closeness
# members' questions of one kind filed under an entry that show the entry holds that kind
LEARNED_KIND_MIN = 2
_NEVER_LEARNED = frozenset({"status_now", "person_now", "next"})
# the kinds of the filed questions, computed once per process, not on every index build
_kind_of_filed = functools.lru_cache(maxsize=65536)(question_kind)
_counted_of_filed = functools.lru_cache(maxsize=65536)(counted_word)
_FALL_THROUGH = 2  # only the best two entries may answer: a fifth that happens to hold the fact
# answers another question (measured: 2 keeps every right answer of the calibration sets)
# from this many phrasings on, scores are added up in numpy (``content.dense``): the
# sparse loops cost ~1 µs per posting, numpy a fixed ~0.1 ms (bench/content_bench.py).
# The shipped content with its asked questions (about 12,700 phrasings) stays sparse, so
# the idle bot imports no numpy (~15 MB); measured side by side at 10,542 phrasings: p95
# 1.82 ms sparse against 1.30 ms dense; at +5,000 entries (35,542 phrasings) dense 2.64 ms
# against 5.71 ms sparse
DENSE_MIN_PHRASINGS = 20_000
# Optional "is this a real word?" check: a real word is never corrected as a typo (set by
# bench/library_compare.py to measure simplemma's dictionary; None in production).
_TYPO_GUARD: Callable[[str], bool] | None = None


def _word_list() -> WordList | None:
    """The German word list (simplemma's, as a sorted file read by mmap; None: no list)."""
    from content.wordlist import open_wordlist

    return open_wordlist()


def _dictionary_guard() -> Callable[[str], bool] | None:
    """simplemma's German word list: a real word is not corrected as a typo."""
    return _guard_of(_word_list())


def _guard_of(words: WordList | None) -> Callable[[str], bool] | None:
    """The typo guard from an opened word list, else simplemma's own look-up."""
    # a sorted word file looked up by mmap (cold, file-backed pages) instead of the
    # list in the heap (~15 MB resident even in simplemma's low-memory mode)
    if words is not None:
        return words.is_known
    try:
        import simplemma
    except ImportError:  # optional: without it, every unknown word may be a typo
        return None
    # no writable cache directory: simplemma's frugal backend, ~35 µs a look-up
    simplemma.is_known("kooperation", lang="de", low_memory=True)  # load now, not at a question
    return lambda word: bool(simplemma.is_known(word, lang="de", low_memory=True))


def _search_stopwords(entries: list[FaqEntry]) -> frozenset[str]:
    """Our stop words plus the library's German list, except the words that name an
    entry (its title words and keywords): "Ende", "Jahr" or "Zeit" stay search terms
    where the content is about them."""
    naming: set[str] = set()
    for entry in entries:
        for lang in entry.langs:
            naming.update(normalize(entry.title(lang)).split())
        for keyword in entry.keywords:
            naming.update(normalize(keyword).split())
    return STOPWORDS | (library_stopwords("de") - naming)


# a name the member quotes: 'Gemeinsam!', "Läuft!", „Lernweg“, »Von Schritt zu Schritt«
_QUOTED = re.compile(r"['\"„“”‚‘’»«]([^'\"„“”‚‘’»«]{3,60})['\"„“”‚‘’»«]")
_QUOTE_BONUS = 25.0  # points for an entry named by a quoted phrase …
_QUOTE_MAX = 3  # … when the phrase names only a few (a common word names many)

_SENTENCE = re.compile(r"(?<=[.?;:])\s+|(?<=!)\s+(?=[^a-zäöü])|\n+")
# words of an asking sentence that point back to the sentence before it
_POINTS_BACK = re.compile(
    r"\b(?:dazu|dafuer|darueber|davon|damit|dagegen|darauf|daran|darin|dadurch|hierzu"
    r"|hierfuer|dies|diese|dieser|dieses|so etwas|sowas|so was"
    # "Es wird von einer Steuerungsgruppe gesprochen. Wer sitzt in so einer Gruppe?"
    r"|so (?:ein|eine|einer|einem|einen|nem|nen|ner|ne)|solche|solcher|solchen|solches"
    # "… eigene Lerncluster. Wie viele werden da parallel angeboten?"
    r"|da|dort)\b"
)
_PARTS_MEMO = 64  # questions whose asking parts (and cased words) are remembered
# a full stop that ends no sentence: an ordinal or a date's day ("am 16. Juni"), an
# abbreviation ("Prof.", "z.B.", "bzw."), an initial
_NO_END = re.compile(
    r"(?:\b\d{1,2}|\b(?:prof|dr|bzw|ca|usw|evtl|ggf|vgl|inkl|ggü|nr|str|st|abs|bspw|sog|etc"
    r"|min|max|std|mio|tel|e\.v|z\.b|d\.h|u\.a|o\.ä|u\.ä|i\.d\.r|s\.o|s\.u"
    # the shortened words of notes typed in a hurry ("Päd. Werkstatt", "Fr. Müller", "zw.
    # Abholung u. Sitzung", "lt. Folien"): a capital after them starts no sentence
    r"|päd|paed|hr|fr|zw|lt|bzgl|zzgl|insb|mind|ehem|allg|gem|verw|org|dt|engl"
    r"|jan|feb|mär|apr|aug|sept?|okt|nov|dez|mo|di|mi|do)|\b\w)\.$",
    re.IGNORECASE,
)


def _sentences(text: str) -> list[str]:
    """``text`` cut into sentences, not after "16." or "Prof." (so that "am 16. Juni 2022
    dabei?" stays one asking sentence)."""
    parts: list[str] = []
    for piece in _SENTENCE.split(text.strip()):
        piece = piece.strip()
        if not piece:
            continue
        if parts and _NO_END.search(parts[-1]):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return parts


# a count of members ("wie viele Musikschulen sind Mitglied …")
_MEMBERS = re.compile(r"\bmitglied\w*|\bmembers?\b|\bmembership\b")
# a year or an identifier ("2025", "0204"): a question naming one is answered only by an
# entry that names it too
_YEAR = re.compile(r"\b(?:(?:19|20)\d\d|0\d{2,})\b")

HELP_ENTRY = "bot-hilfe"
# "Was kannst du?", "Hilfe", "what can you do": a question about the bot itself, made
# only of words the analyser drops; answered with the bot's help entry. A bare greeting
# or thanks ("Hallo", "Danke!") is no question and abstains.
_HELP_REQUEST = re.compile(
    r"^(?:(?:hallo|hi|hey|moin|servus|hello|lieber bot|bot)\s+)*"
    r"(?:(?:was|wobei|womit|wie)\s+(?:kannst|koennen|kann|machst|tust|hilfst)\s+"
    r"(?:du|ihr|der bot|man hier|man mit dir)"
    r"(?:\s+(?:eigentlich|alles|so|denn|hier|mal|genau|fuer mich|mir|uns|helfen|machen|tun))*"
    # "was kann der Bot alles?", "what can this bot do?": the bot named, not addressed
    r"|was\s+(?:kann|macht|tut)\s+(?:der|dieser|ein|euer)\s+(?:bot|koopbot)"
    r"(?:\s+(?:eigentlich|alles|so|denn|hier|genau))*"
    r"|hilfe|help|befehle|commands|what do you do"
    r"|what\s+(?:can|does)\s+(?:you|this bot|the bot|koopbot)\s+do(?: for me| for us)?"
    r"|how can you help(?: me| us)?"
    # "wie kann ich den Bot nutzen?", "wie benutze ich dich?": how to use the bot itself
    # ("nutzen" is also the benefit of a cooperation, which this is not about)
    r"|wie\s+(?:kann|koennen|soll|sollen)\s+(?:ich|man|wir)\s+(?:den bot|dich|diesen bot|koopbot)"
    r"\s+(?:\w+\s+){0,2}(?:nutzen|benutzen|verwenden|bedienen)"
    r"|wie\s+(?:benutze|nutze|bediene|verwende)\s+(?:ich|man)\s+(?:den bot|dich|diesen bot|koopbot)"
    r")(?:\s+(?:bitte|please))?$"
)

# A private matter of the asker's own things ("meine Wohnung", "mein Passwort", "my
# laptop"): the bot answers institutions about cooperations, never tenants or a device's
# owner, even when the rest of the question ("Kündigungsfrist", "anmelden") sounds like one
# of its topics. Family members are not among them: in the read blind sets a son, a wife or
# the kids are who asks or an aside ("meine Frau fragt, weil …", "mein Sohn hat mich
# ausgelacht") in 23 answerable questions, and the rules and the verifier refuse the 32
# off-topic ones that name family without such a guard (docs/ANSWERING.md §21).
_PRIVATE = re.compile(
    r"\b(?:mein|meine|meinem|meinen|meiner|meines|my)\s+(?:wohnung|flat|apartment|handy\w*|phone"
    r"|auto|car|computer|laptop|pc|passwort|password|konto|account)\b"
)

# the first word of a yes/no question ("Gibt es …?", "Kann man …?", "Is there …?")
_YES_NO = frozenset(
    "gibt gibts kann koennen konnte muss muessen darf duerfen ist sind war waren hat haben "
    "hatte wird werden soll sollen sollte sollten braucht brauchen lohnt stimmt laeuft "
    "is are was were can could do does did will would should must has have".split()
)

_EN_ONLY = STOPWORDS_EN - STOPWORDS_DE
_DE_ONLY = STOPWORDS_DE - STOPWORDS_EN


# a question's sentences (an unpunctuated one cut into clauses), where asking begins, the
# asking ones, and the clauses of a cut sentence that tell rather than ask
_Parts = tuple[list[str], int, list[int], frozenset[int]]


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
    # one tap away: "Meinst du …?" (up to three (id, title) entries) when abstained; beside
    # an answer, up to two runner-ups scoring close to it
    candidates: list[tuple[str, str]] = field(default_factory=list)
    # "greeting" / "thanks" / "about" / "emoji": no question, answered with a friendly line.
    small_talk: str | None = None
    kind: str | None = None  # the hard kind of fact the question asked for, if any
    source_title: str = ""  # the document's title, what users see

    def metadata(self) -> dict[str, object]:
        """The ``koopbot.answer`` event content of the product spec."""
        if self.abstained:
            return {"abstained": True}
        return {"id": self.entry_id, "score": self.score, "source": self.source}


def _classified_words(
    question: str, word_class: Callable[[str], str | None]
) -> tuple[frozenset[str], frozenset[str]]:
    """For a question typed without capitals: the stems of its words the German word list
    knows only in lower case (verbs, adjectives: "gliedert", "echt") and only capitalised
    (nouns: "Inflation", "Senioren"), as ``_cased_words`` finds them from the writer's case."""
    words = [w for w in _CASED_WORD.findall(question.lower()) if len(w) >= 4]
    words = [w for w in words if fold(normalize(w)) not in STOPWORDS]
    if not words or detect_lang(question) == "en":
        return frozenset(), frozenset()
    minor: set[str] = set()
    major: set[str] = set()
    for word in words:
        found = word_class(word)
        if found == "noun":
            major.add(stem(fold(normalize(word))))
        elif found == "other":
            minor.add(stem(fold(normalize(word))))
    return frozenset(minor), frozenset(major)


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


def _lookup_key(text: str) -> str:
    """How a text is looked up word for word: without a letter frame, normalised, folded
    (a member's "Guten Tag, … Grüße" message finds the phrasing it repeats)."""
    return fold(normalize(unframed(text)))


def _tied_top(score: list[float], most: int) -> list[int]:
    """Positions of the best score (above 0) when 2 to ``most`` entries share it."""
    top = max(score, default=0.0)
    if top <= 0:
        return []
    n_tied = score.count(top)  # (count and index run in C)
    if not 2 <= n_tied <= most:
        return []  # (a tie of hundreds says nothing; it is left in entry order)
    tied = [score.index(top)]
    while len(tied) < n_tied:
        tied.append(score.index(top, tied[-1] + 1))
    return tied


def _best(scores: list[float], k: int) -> list[int]:
    """Positions of the ``k`` best scores (all >= 0), equal scores in entry order.

    Most entries score 0: the others are picked out in C (``compress``) and ranked, and
    zeros fill up in entry order when fewer than ``k`` entries scored at all.
    """
    order = heapq.nlargest(k, compress(range(len(scores)), scores), key=scores.__getitem__)
    if len(order) < k:
        zeros = filterfalse(scores.__getitem__, range(len(scores)))
        order += islice(zeros, k - len(order))
    return order


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


class _CuratedTerms(NamedTuple):
    """An entry's curated texts as terms: what its phrasing fit is scored against (titles
    and phrasings), what anchors it (keywords and titles), what it states (answers)."""

    phrasings: list[list[str]]
    anchors: list[list[str]]
    answers: list[list[str]]


_LOCKS = ("_lock", "_write_lock")  # an index's own, never taken from a copy


def _locked(method: Callable[..., _T]) -> Callable[..., _T]:
    """Run ``method`` holding the index's lock (see ``ContentIndex._lock``)."""

    @functools.wraps(method)
    def locked(self: ContentIndex, *args: Any, **kwargs: Any) -> _T:
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


class ContentIndex:
    """Search index over the FAQ of a ``ContentSet``; build once at start.

    Args:
        content: the loaded content.
        threshold: minimum score (0-100) to answer instead of abstaining.
        extra: entries added at run time (the coordinators' answers).
        dense: score with numpy (True), with the sparse loops (False), or decide by the
            content's size (None).
    """

    def __init__(
        self,
        content: ContentSet,
        threshold: int = THRESHOLD,
        extra: list[FaqEntry] | None = None,
        dense: bool | None = None,
        refused: list[tuple[str, str]] | None = None,
    ) -> None:
        self.content = content
        # answers run in worker threads while a coordinator's ``!antwort`` rebuilds the
        # arrays: every reader and the rebuild hold this lock, so no answer ever sees half
        # an old and half a new index
        self._lock = threading.RLock()
        # changes take turns: each builds a new index beside the live one (``add_entries``)
        self._write_lock = threading.Lock()
        # numpy scoring for large content (None: from its size, see ``DENSE_MIN_PHRASINGS``)
        self.dense = dense
        self._dense: DenseScorer | None = None
        self.threshold = threshold
        self.candidate_min = CALIBRATION["candidate_min"]
        self.subject_min = CALIBRATION["subject_min"]
        self.background = CALIBRATION["background"]
        self.answer_weight = CALIBRATION["answer_weight"]
        self.asked_weight = CALIBRATION["asked_weight"]
        self.unknown_factor = CALIBRATION["unknown_factor"]
        self.fit_weight = CALIBRATION["fit_weight"]
        # the last check before answering (None: threshold and rules alone)
        self.verifier: Verifier | None = load_verifier()
        # questions strangers asked that the content cannot answer (near-misses): a
        # question reading like one of them is evidence against answering it
        self.refused: list[tuple[str, str]] = load_refused() if refused is None else refused
        self._refused_terms: list[list[str]] | None = None
        # per question members asked (asked.yaml, rewordings): the terms of its asking part
        # and its asking sentences, kept across rebuilds (``_filed_analysis``)
        self._filed: dict[str, tuple[list[str], str]] = {}
        # kept across rebuilds too, for the entries and texts still present: the curated
        # texts' terms per entry (by identity: an edited entry is a new object), and the
        # look-up key of every phrasing and refused question (``_lookup_key``)
        self._curated: dict[str, tuple[FaqEntry, _CuratedTerms]] = {}
        self._phrasing_keys: dict[str, str] = {}
        self._refused_keys: dict[str, str] = {}
        self._open_word_list()
        self._known_cache: dict[str, bool] = {}
        self.entries: list[FaqEntry] = list(content.faq)
        # Entries added at run time (the coordinators' answers): override by id.
        self._extra: dict[str, FaqEntry] = {}
        for entry in extra or []:
            self._put_extra(entry)
        # the extra entries' words are known too (compound splitting)
        vocabulary = [
            text
            for e in self.entries
            for lang in e.langs
            for text in (e.title(lang), *e.questions(lang), e.answer(lang))
        ] + [k for e in self.entries for k in e.keywords]
        self.analyzer = Analyzer(content.synonyms, vocabulary, _search_stopwords(self.entries))
        # the term of "Kosten" (a network's synonyms may map it elsewhere)
        self._cost_term = next(iter(self.analyzer.terms("Kosten")), "")
        self._build()

    # made anew on unpickling: a lock, the memos of the answer path, the mmap'ed word list
    _NOT_PICKLED = (
        "_lock",
        "_write_lock",
        "typo_guard",
        "_word_class",
        "_known_word",
        "_parts_memo",
        "_cased_memo",
    )

    def __getstate__(self) -> dict[str, Any]:
        """A built index as plain data: a copy costs a fraction of a build (about 0.1 s
        against 3 s), e.g. for the many bots one test process starts."""
        with self._lock:
            return {k: v for k, v in self.__dict__.items() if k not in self._NOT_PICKLED}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._open_word_list()
        self._new_memos()

    def _open_word_list(self) -> None:
        """The word list, opened once per index (and per copy): typo guard, noun or not,
        a real word or not."""
        words = _word_list()
        self.typo_guard = _guard_of(words) if CALIBRATION["typo_guard"] else None
        self._word_class = words.word_class if words is not None else None
        self._known_word = words.is_known if words is not None else None

    def _new_memos(self) -> None:
        """Empty memos of the answer path (each build's vocabulary decides what is thin)."""
        self._parts_memo = Memo(self._find_asking_parts, _PARTS_MEMO)
        self._cased_memo = Memo(self._find_cased, _PARTS_MEMO)

    def _cased(self, question: str) -> tuple[frozenset[str], frozenset[str]]:
        """Stems of the question's words that are no nouns, and of its nouns: from the
        writer's capitals, or, typed all in lower case, from the German word list.
        Asked for several times per answer: the last few are remembered."""
        return self._cased_memo(question)

    def _find_cased(self, question: str) -> tuple[frozenset[str], frozenset[str]]:
        cased = _cased_words(question)
        if cased[0] or cased[1] or self._word_class is None:
            return cased
        if any(w[0].isupper() for w in _CASED_WORD.findall(question)[1:]):
            return cased  # capitals used, but not German case (all caps, English …)
        return _classified_words(question, self._word_class)

    def _real_words(self, question: str) -> frozenset[str]:
        """Stems of the question's words that are German words as written (the word list):
        one the content never uses and that is no noun weighs as filler (``_match_terms``)."""
        if self._known_word is None:
            return frozenset()
        real: set[str] = set()
        for word in _CASED_WORD.findall(question):
            if len(word) < _TYPO_MIN_LEN:
                continue
            known = self._known_cache.get(word)
            if known is None:
                known = self._known_word(word)
                if len(self._known_cache) < 20_000:  # bounded, whatever members send
                    self._known_cache[word] = known
            if known:
                real.add(stem(fold(normalize(word))))
        return frozenset(real)

    def _put_extra(self, entry: FaqEntry) -> None:
        self._extra[entry.id] = entry
        self.entries = [e for e in self.entries if e.id != entry.id] + [entry]

    def rebuild(self) -> None:
        """Build the arrays again (after changing ``answer_weight``/``unknown_factor``),
        beside the live index as every change."""
        self._change_beside(lambda shadow: shadow._build())

    def add_entries(self, entries: list[FaqEntry]) -> None:
        """Add (or replace by id) entries live, e.g. the coordinators' answers, without
        analysing members' filed questions again (``_filed_analysis``).

        The new index is built beside the live one and swapped in whole: members' questions
        are answered from the old index meanwhile, never from half of each, and do not wait
        for the build (seconds at thousands of entries). Changes take turns."""
        vocabulary = [
            text
            for e in entries
            for lang in e.langs
            for text in (e.title(lang), *e.questions(lang), e.answer(lang))
        ]

        def build(shadow: ContentIndex) -> None:
            for entry in entries:
                shadow._put_extra(entry)
            shadow.analyzer = self.analyzer.learned(vocabulary)
            shadow._build()

        self._change_beside(build)

    def _change_beside(self, change: Callable[[ContentIndex], None]) -> None:
        """Apply ``change`` to a copy of this index and swap the result in whole: answers
        go on from this index meanwhile, never from half of each. Changes take turns.

        The copy is shallow: what a change replaces is the copy's own, what it only reads
        is shared; the containers a change would alter in place are copied first."""
        with self._write_lock:
            shadow = object.__new__(type(self))
            with self._lock:  # (a snapshot no answer changes while it is taken)
                shadow.__dict__.update(self.__dict__)
            shadow._extra = dict(self._extra)
            shadow._dense = copy.copy(self._dense)  # (``set_refused`` replaces its arrays)
            change(shadow)
            built = {k: v for k, v in shadow.__dict__.items() if k not in _LOCKS}
            with self._lock:
                self.__dict__.update(built)
                self._new_memos()  # (the copy's memos call the copy's methods)

    def add_refused(self, pairs: list[tuple[str, str]]) -> None:
        """Add (entry id, question) pairs to the refused questions live (a member flagged
        the entry's answer to the question); a similar question then reads as a near-miss.

        Only the new questions are analysed; when ``refused`` was replaced from outside
        (pairs taken out), all are analysed again. ``add_refused([])`` just re-syncs. The
        list is copied, not changed in place (a caller's list may be shared). Built beside
        the live index (``_change_beside``)."""
        self._change_beside(lambda shadow: shadow._add_refused(pairs))

    def _add_refused(self, pairs: list[tuple[str, str]]) -> None:
        terms = self._refused_terms
        if terms is not None and len(terms) == len(self.refused):
            new = [self.analyzer.terms(self._asking(bound_query(q))) for _, q in pairs]
            self._refused_terms = [*terms, *new]
        else:
            self._refused_terms = None
        self.refused = [*self.refused, *pairs]
        self._build_refused()

    def remove_refused(self, pairs: list[tuple[str, str]]) -> None:
        """Take (entry id, question) pairs out of the refused questions live (the member
        who flagged them asked to be forgotten): the last occurrence of each, since a
        network's pairs follow the shipped ones; the rest are indexed again, beside the
        live index (``_change_beside``: all of them, a second or more)."""
        self._change_beside(lambda shadow: shadow._remove_refused(pairs))

    def _remove_refused(self, pairs: list[tuple[str, str]]) -> None:
        kept = list(self.refused)
        for pair in pairs:
            for at in range(len(kept) - 1, -1, -1):
                if kept[at] == pair:
                    del kept[at]
                    break
        if len(kept) != len(self.refused):
            self.refused = kept
            self._refused_terms = None
            self._build_refused()

    def entry(self, entry_id: str) -> FaqEntry | None:
        """A shipped or added entry by id."""
        return self._extra.get(entry_id) or self.content.faq_entry(entry_id)

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        term_ids: dict[str, int] = {}

        def tid(term: str) -> int:
            return term_ids.setdefault(term, len(term_ids))

        # unknown word -> (nearest vocabulary term, similarity); rebuilt with the index
        self._typos: dict[str, tuple[int, float]] = {}
        self._new_memos()
        self._typo_overflow: dict[str, tuple[int, float]] = {}
        self._kinds: list[frozenset[str]] = []
        # … and those its own words show, without what members' questions taught
        self._stated_kinds: list[frozenset[str]] = []
        self._texts: list[str] = []
        # the years and numbers an entry names, its document's title included: an entry of
        # "Maßnahme 0203 …" or of the "Online-Fachforum …, 16. Juni 2022" speaks of that
        # measure or that year even when its own text leaves the number out
        self._named_years: list[frozenset[str]] = []
        # what members' "wie viele …" questions filed under an entry counted
        self._counted_asked: list[frozenset[str]] = []
        self._norm_texts: dict[int, str] = {}
        self._phrasing_texts: dict[int, list[str]] = {}
        self._tokens: dict[int, list[tuple[frozenset[str], bool]]] = {}
        self._names: list[tuple[list[str], list[str], list[str]]] | None = None
        # a question that *is* a curated phrasing (or title) wins a tie for its entry
        self._exact: dict[str, int] = {}
        phr_terms: list[list[int]] = []
        phr_entry: list[int] = []
        phr_asked: list[bool] = []  # a member's question (asked.yaml), not a curated phrasing
        starts: list[int] = []
        bags: list[dict[int, float]] = []
        anchors: list[set[int]] = []
        analysed = self._curated_analysis()
        known_keys, self._phrasing_keys = self._phrasing_keys, {}
        curated = {t for one in analysed for part in one for terms in part for t in terms}
        self._filed = self._filed_analysis()
        asked_terms = self._asked_terms(curated)
        for i, entry in enumerate(self.entries):
            starts.append(len(phr_terms))
            bag: dict[int, float] = {}
            for text in (*(entry.title(lang) for lang in entry.langs), *entry.all_phrasings()):
                # (keyed as a member's message is looked up: without a letter frame)
                key = self._phrasing_keys.get(text) or known_keys.get(text) or _lookup_key(text)
                self._phrasing_keys[text] = key
                self._exact.setdefault(key, i)
            for terms in analysed[i].phrasings:
                ids = sorted({tid(term) for term in terms})
                if ids:
                    phr_terms.append(ids)
                    phr_entry.append(i)
                    phr_asked.append(False)
                    bag.update(dict.fromkeys(ids, 1.0))
            for terms in asked_terms[i]:
                ids = sorted({tid(term) for term in terms})
                if ids:
                    phr_terms.append(ids)
                    phr_entry.append(i)
                    phr_asked.append(True)
                    # a member's question is matched as a phrasing, but its other words
                    # (the story, a near-miss's detail) explain a question only as much
                    # as the answer's words do
                    for t in ids:
                        bag.setdefault(t, self.asked_weight)
            anchor: set[int] = set()
            for terms in analysed[i].anchors:
                ids = [tid(term) for term in terms]
                bag.update(dict.fromkeys(ids, 1.0))
                anchor.update(ids)
            for terms in analysed[i].answers:
                for term in terms:
                    bag.setdefault(tid(term), self.answer_weight)
            anchors.append(anchor)
            bags.append(bag)
            kinds = entry_kinds([entry.answer(lang) for lang in entry.langs], entry.facts)
            if entry.id in self._extra:
                # a coordinator answered this very question: the answer holds the kind of
                # fact it asked ("Wer hat den Vortrag gehalten?" – "Frau Beispiel …"),
                # whether or not the rules can see it in the words
                asked_kinds = {question_kind(q) for q in entry.all_phrasings()}
                kinds = kinds | frozenset(k for k in asked_kinds if k is not None)
            self._stated_kinds.append(kinds)
            learned_kinds, learned_counted = self._learned_from_asked(entry)
            self._kinds.append(kinds | learned_kinds)
            self._counted_asked.append(learned_counted)
            # what the entry states: titles and answers (its phrasings are questions,
            # they state nothing)
            self._texts.append(
                " ".join(
                    [
                        *(entry.title(lang) for lang in entry.langs),
                        *(entry.answer(lang) for lang in entry.langs),
                    ]
                )
            )
            document = " ".join(self.content.source_titles.get(entry.source, {}).values())
            self._named_years.append(frozenset(_YEAR.findall(f"{self._texts[-1]} {document}")))
            if len(phr_terms) == starts[-1]:  # entry without any phrasing: keep it addressable
                phr_terms.append([])
                phr_entry.append(i)
                phr_asked.append(False)

        n_terms = len(term_ids)
        n_entries = len(self.entries)
        # posting lists per term: the entries holding it (with the term's weight there),
        # the entries it anchors, the phrasings using it
        self._ent_post = [array("i") for _ in range(n_terms)]
        self._ent_w = [array("d") for _ in range(n_terms)]
        for i, bag in enumerate(bags):
            for t, w in bag.items():
                self._ent_post[t].append(i)
                self._ent_w[t].append(w)
        self._idf = [math.log1p(n_entries / max(len(p), 1)) for p in self._ent_post]
        self._unknown_idf = self.unknown_factor * float(math.log1p(n_entries)) if n_entries else 1.0
        self._anc_post = [array("i") for _ in range(n_terms)]
        for i, anchor in enumerate(anchors):
            for t in anchor:
                self._anc_post[t].append(i)
        self._phr_post = [array("i") for _ in range(n_terms)]
        for p, ids in enumerate(phr_terms):
            for t in ids:
                self._phr_post[t].append(p)
        self._term_ids = term_ids
        self._digit_terms = frozenset(t for term, t in term_ids.items() if term.isdigit())
        self._vocab = list(term_ids)
        self._phr_mass = array(
            "d", [sum([self._idf[t] for t in ids]) if ids else 1.0 for ids in phr_terms]
        )
        self._phr_entry = array("i", phr_entry)
        self._phr_asked = phr_asked
        self._phr_terms = phr_terms  # per phrasing its term ids; entry i's are
        self._phr_start = [*starts, len(phr_terms)]  # phr_start[i] .. phr_start[i + 1]
        self._dense = None  # (the old scorer's refused data need not be converted again)
        self._build_refused()
        self._bags = bags  # per entry: term id -> its weight there (the verifier's evidence)
        if self.dense or (self.dense is None and len(phr_terms) >= DENSE_MIN_PHRASINGS):
            from content.dense import DenseScorer  # numpy: only for large content

            self._dense = DenseScorer(
                self._ent_post,
                self._ent_w,
                self._phr_post,
                self._anc_post,
                self._phr_mass,
                starts,
                n_entries,
            )
            self._dense.set_refused(self._ref_post, self._ref_mass, self._ref_entry)

    def _build_refused(self) -> None:
        """Posting lists of the refused questions' content terms (their asking part).

        The questions are analysed once per index (about 0.5 s for 3,000), not again on
        each rebuild after a coordinator's answer: only their term ids are looked up anew.
        """
        if self._refused_terms is None:
            self._refused_terms = [
                self.analyzer.terms(self._asking(bound_query(question)))
                for _, question in self.refused
            ]
        position = {entry.id: i for i, entry in enumerate(self.entries)}
        self._ref_entry = [position.get(entry_id, -1) for entry_id, _ in self.refused]
        self._ref_post: dict[int, list[int]] = {}
        masses: list[float] = []
        idf = self._idf
        for r, terms in enumerate(self._refused_terms):
            ids = {self._term_ids.get(t, -1) for t in terms}
            ids.discard(-1)
            for t in ids:
                self._ref_post.setdefault(t, []).append(r)
            # its words the content never uses weigh as in a question: "Lerncluster in
            # Bayern?" is refused for Bayern, and "was ist ein Lerncluster" is not like it
            unknown = len({t for t in terms if t not in self._term_ids and not t.isdigit()})
            masses.append(sum(idf[t] for t in ids) + unknown * self._unknown_idf or 1.0)
        self._ref_mass = masses
        # a question asked word for word before and known to be unanswerable (a blind
        # set's off-topic question, a member's flag): never answered again
        known_keys = self._refused_keys
        self._refused_keys = {q: known_keys.get(q) or _lookup_key(q) for _, q in self.refused}
        self._refused_exact = frozenset(filter(None, self._refused_keys.values()))
        if self._dense is not None:  # (a live change; a new build sets them itself)
            self._dense.set_refused(self._ref_post, masses, self._ref_entry)

    # ------------------------------------------------------------------ scoring

    def _filed_analysis(self) -> dict[str, tuple[list[str], str]]:
        """Of every question members asked that is filed under an entry: the terms of its
        asking part and its asking sentences. Analysed once, not again on each rebuild after
        a coordinator's answer (11,000 questions: seconds of CPU each time, while the
        coordinator waits), as the refused questions are; a question no longer filed (a
        member who asked to be forgotten) is not kept."""
        old = self._filed
        filed: dict[str, tuple[list[str], str]] = {}
        for entry in self.entries:
            for question in entry.asked:
                if question in filed:
                    continue
                known = old.get(question)
                filed[question] = known or (
                    self.analyzer.terms(self._asking(question)),
                    self._asked(bound_query(question)),
                )
        return filed

    def _learned_from_asked(self, entry: FaqEntry) -> tuple[frozenset[str], frozenset[str]]:
        """The kinds of fact that members' questions filed under a curated entry asked, and
        the things their "wie viele …" counted, each asked at least ``LEARNED_KIND_MIN``
        times.

        A question is filed under an entry (``asked.yaml``) only when the entry's answer
        holds what it asks, so its kind is one the answer holds, even where the words do
        not show it: "welche Kommunen gehören zum Lerncluster Lernen vor Ort?" is answered
        by the programme those Kommunen took part in, "ab wann Feedbackgespräche?" by a
        point in the process, "wie viele Themenschwerpunkte?" by "sieben Themen". Kinds
        about *now* (who holds an office, whether something still runs, the next date)
        are never learned: the content is a snapshot."""
        kinds: dict[str, int] = {}
        counted: dict[str, int] = {}
        for question in entry.asked:
            asked = self._filed[question][1]
            kind = _kind_of_filed(asked)
            if kind is None or kind in _NEVER_LEARNED:
                continue
            kinds[kind] = kinds.get(kind, 0) + 1
            word = _counted_of_filed(asked) if kind == "number" else None
            if word:
                counted[word] = counted.get(word, 0) + 1
        return (
            frozenset(k for k, n in kinds.items() if n >= LEARNED_KIND_MIN),
            frozenset(w for w, n in counted.items() if n >= LEARNED_KIND_MIN),
        )

    def _curated_analysis(self) -> list[_CuratedTerms]:
        """``_curated_terms`` of every entry, analysed once and not again on each rebuild
        after a coordinator's answer (a second of CPU while the coordinator waits); an
        entry replaced or gone is not kept. (A word a coordinator's answer teaches the
        compound splitter reaches the shipped texts' terms at the next start, as it
        reaches the filed questions'.)"""
        known, self._curated = self._curated, {}
        analysed = []
        for entry in self.entries:
            cached = known.get(entry.id)
            terms = cached[1] if cached is not None and cached[0] is entry else None
            if terms is None:
                terms = self._curated_terms(entry)
            self._curated[entry.id] = (entry, terms)
            analysed.append(terms)
        return analysed

    def _curated_terms(self, entry: FaqEntry) -> _CuratedTerms:
        """The terms of an entry's curated texts, each text analysed once."""
        titles = [self.analyzer.terms(entry.title(lang)) for lang in entry.langs]
        questions = [self.analyzer.terms(q) for lang in entry.langs for q in entry.questions(lang)]
        return _CuratedTerms(
            phrasings=[*titles, *questions],
            anchors=[*(self.analyzer.terms(k) for k in entry.keywords), *titles],
            answers=[self.analyzer.terms(entry.answer(lang)) for lang in entry.langs],
        )

    def _asked_terms(self, curated: set[str]) -> list[list[list[str]]]:
        """The terms of the questions members asked, per entry. A word the curated content
        lacks is read as a question's is: a typo of a content word ("lercluster") becomes
        that word, so a later question's typo is corrected as before instead of matching
        one member's spelling; a word of its own ("Session") stays. Only the asking part
        of a long question counts: the member's story is no word of the entry's."""
        vocabulary = sorted(curated)
        mapped: dict[str, str] = {}
        out: list[list[list[str]]] = []
        for entry in self.entries:
            lists: list[list[str]] = []
            for question in entry.asked:
                terms = []
                for term in self._filed[question][0]:
                    if term not in curated and len(term) >= _TYPO_MIN_LEN and not term.isdigit():
                        if term not in mapped:
                            best = process.extractOne(
                                term, vocabulary, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF
                            )
                            mapped[term] = str(best[0]) if best is not None else term
                        term = mapped[term]
                    terms.append(term)
                lists.append(terms)
            out.append(lists)
        return out

    def _match_terms(
        self,
        terms: dict[str, float],
        minor: frozenset[str] = frozenset(),
        major: frozenset[str] = frozenset(),
        real: frozenset[str] = frozenset(),
    ) -> tuple[list[tuple[int, float]], float]:
        """Known term ids with similarity (times the term's weight), and the question's
        total weight. ``terms`` maps each term to its weight (1, or less for background).

        Unknown terms in ``minor`` (German words written in lower case) weigh less, those
        in ``major`` (capitalised: nouns) more.
        """
        matched: list[tuple[int, float]] = []
        total = 0.0
        unknown: list[str] = []
        for term, factor in terms.items():
            t = self._term_ids.get(term)
            if t is not None:
                matched.append((t, factor))
                total += float(self._idf[t]) * factor
            elif len(term) >= _TYPO_MIN_LEN and not term.isdigit():
                unknown.append(term)
            elif not term.isdigit():
                total += self._unknown_weight(term, minor, major) * factor
        # a participle or "zu" infinitive as written ("abgehalten", "festzuhalten"): its
        # verb, if the content has it, and no typo of a near word ("abgehakt")
        verbs = {
            term: self._verb_of(form)
            for term in unknown
            if term in real and (form := _verb_form(term)) is not None
        }
        todo = [term for term in unknown if term not in self._typos and term not in verbs]
        if todo and self._vocab:
            guard = self.typo_guard or _TYPO_GUARD
            for term in todo:
                best, sim = self._nearest(term)
                if sim > 0 and guard is not None and guard(term):
                    sim = 0.0  # a real word ("Gedicht") is no typo of a near one ("gedacht")
                if len(self._typos) < 20_000:
                    self._typos[term] = (best, sim)
                else:
                    unknown_now = (best, sim)
                    self._typo_overflow[term] = unknown_now
        for term in unknown:
            if term in verbs:
                verb = verbs[term]
                best, sim = (verb, 1.0) if verb is not None else (0, 0.0)
            else:
                best, sim = self._typos.get(term) or self._typo_overflow.get(term, (0, 0.0))
            if sim > 0:
                matched.append((best, sim * terms[term]))
                total += float(self._idf[best]) * terms[term]
            elif term in real and term not in major:
                # a real word that is no noun ("allererste", "drankommen"): filler, not
                # the topic of another question
                total += self._unknown_idf * _MINOR_FACTOR * terms[term]
            else:
                total += self._unknown_weight(term, minor, major) * terms[term]
        self._typo_overflow.clear()
        return matched, total

    def _verb_of(self, form: re.Match[str]) -> int | None:
        """The content's term for the verb of a participle or "zu" infinitive
        ("festzuhalt" -> "festhalt"), None when the content has not that verb."""
        return next((self._term_ids[b] for b in _verb_bases(form) if b in self._term_ids), None)

    def _nearest(self, term: str) -> tuple[int, float]:
        """The vocabulary term closest to an unknown word and its similarity 0-1 (0: none
        reaches the cutoff). Similarities are whole percent (rounded half up) and the
        first of equally close terms wins, so a near tie does not depend on float noise."""
        hits = process.extract(
            term, self._vocab, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF, limit=None
        )
        if not hits:
            return 0, 0.0
        percent, best = max((math.floor(score + 0.5), -t) for _, score, t in hits)
        return -best, percent / 100.0

    def _focus(self, question: str) -> str | None:
        """The asking sentence of a long, situational question ("Wir sind eine kleine
        Musikschule … Was gehört in …?"), or None for a one-sentence question."""
        found = self._asking_parts(question)
        if found is None:
            return None
        parts, first, at, _ = found
        asked = [p for i, p in enumerate(parts) if i in at or first <= i < at[0]]
        if len(asked) == len(parts) and first == at[0]:
            return None
        return " ".join(asked)

    def _pointed_focus(self, question: str) -> str | None:
        """The asking sentence with the sentence before it, when a word of the asking
        sentence points back to it ("dazu", "dafür", "damit"); else None."""
        found = self._asking_parts(question)
        if found is None:
            return None
        parts, first, at, _ = found
        if first != at[0] or first == 0 or not _POINTS_BACK.search(normalize(parts[first])):
            return None
        return " ".join(parts[first - 1 : at[-1] + 1])

    def _asked(self, question: str) -> str:
        """The question from its first asking sentence on, without the sentence a thin one
        takes along ("… geht nächstes Jahr in Rente. Was sagt der Plan dazu?")."""
        found = self._asking_parts(question)
        if found is None:
            return question
        parts, _, at, told = found
        return " ".join(p for i, p in enumerate(parts) if i >= at[0] and i not in told)

    def _asking(self, question: str) -> str:
        """What a question asks, without the member's story before it: from its first
        asking sentence to the end ("… Was gehört da rein? Also auch die Laufzeit"); of a
        message typed without punctuation, the story, reasons and thanks after its
        question are left out too ("… wie viele phasen gibt es bin grad ausgestiegen")."""
        found = self._asking_parts(question)
        if found is None:
            return question
        parts, first, at, told = found
        return " ".join(
            p for i, p in enumerate(parts) if i >= first and (i < at[0] or i not in told)
        )

    def _asking_parts(self, question: str) -> _Parts | None:
        """The sentences, where asking begins, the asking sentences and the clauses of an
        unpunctuated sentence that tell rather than ask (None: one sentence).

        Asked for several times per answer: the last few are remembered (cleared when the
        index is rebuilt, whose vocabulary decides what is thin)."""
        return self._parts_memo(question)

    def _find_asking_parts(self, question: str) -> _Parts | None:
        sentences = _sentences(question)
        asking = [i for i, p in enumerate(sentences) if "?" in p] or [len(sentences) - 1]
        parts: list[str] = []
        at: list[int] = []
        told: set[int] = set()
        for i, sentence in enumerate(sentences):
            # an asking sentence typed without punctuation ("… und wollte fragen wie lange
            # dauern die treffen weil …"): its asking clauses, not the story around them
            cut = clauses(sentence) if i in asking else ()
            if len(cut) < 2:
                cut = ((sentence, i in asking),)
            for clause, asks in cut:
                if asks:
                    at.append(len(parts))
                elif len(cut) > 1 or (i > asking[-1] and tells(clause)):
                    # "…? unser kreis ist echt klein": the writer's story after the
                    # question is not asked, as the story before it is not
                    told.add(len(parts))
                parts.append(clause)
        if len(parts) < 2:
            return None
        # "… Kämmerer fragt, ob Teilnahmegebühren auf uns zukommen. Muss man da was
        # zahlen?": an asking sentence too thin to name its topic ("da", "das", "dazu")
        # takes the sentence before it along
        first = at[0]
        if first > 0 and all(is_check(parts[i]) for i in at):
            # "Jemand meinte, … Schulen zu benoten. Habe ich das richtig verstanden?": the
            # check asks about the claim before it, told without the speaker's frame
            first -= 1
            parts[first] = without_frame(parts[first])
            for i in at:  # its words ("richtig verstanden") name no topic
                parts[i] = ""
        while first > 0 and len(self.analyzer.terms(" ".join(parts[first : at[-1] + 1]))) < 2:
            first -= 1
        return parts, first, at, frozenset(told)

    def _weighted_terms(self, question: str) -> dict[str, float]:
        """Terms of the question with their weights: narrative sentences around the actual
        question count less (``background``), so the topic is not drowned."""
        focus = self._focus(question)
        if focus is None:
            return dict.fromkeys(self.analyzer.terms(question), 1.0)
        weights = dict.fromkeys(self.analyzer.terms(question), self.background)
        for term in self.analyzer.terms(focus):
            weights[term] = 1.0
        return weights

    def _unknown_weight(self, term: str, minor: frozenset[str], major: frozenset[str]) -> float:
        if term in minor:
            return self._unknown_idf * _MINOR_FACTOR
        if term in major:
            return self._unknown_idf * _MAJOR_FACTOR
        return self._unknown_idf

    @_locked
    def scores(self, question: str) -> list[float]:
        """Score 0-100 of every entry for ``question`` (in entry order)."""
        score = self._score_vector(question)
        return score if isinstance(score, list) else score.tolist()

    def _score_vector(self, question: str) -> Any:
        """``scores`` as a list, or for large content (``self._dense``) possibly a numpy
        array: an answer ranks thousands of entries and reads only the best ten, so the
        vector is not turned into a list and back.

        A long question scores as the better of the whole (background down-weighted) and
        its asking sentence alone: "… Was muss in die Vereinbarung?" keeps its topic,
        "… Was tun?" lives from its background.
        """
        question = bound_query(question)  # bounded cost, whatever a member sends
        cased = self._cased(question)
        real = self._real_words(question)
        score = self._scores(self._weighted_terms(question), *cased, real=real, arrays=True)[0]
        # "… ob wir uns als Bildungspartner beurkunden lassen. Gibts dazu ein Treffen?":
        # "dazu" points back, so the sentence it points to is part of what is asked
        focus = self._pointed_focus(question) or self._focus(question)
        if focus is not None:
            focus_terms = dict.fromkeys(self.analyzer.terms(focus), 1.0)
            if len(focus_terms) >= 2:  # "Was sagen die Folien dazu?" is too thin alone
                scored = self._scores(focus_terms, *cased, real=real, arrays=True)[0]
                if self._dense is not None:  # large content: in numpy
                    score = self._dense.maximum(score, scored)
                else:
                    score = list(map(max, score, scored))
        named = self._quoted_names(question)
        if 0 < len(named) <= _QUOTE_MAX:  # "was ist mit 'Lernweg' gemeint": that entry
            for i in named:
                score[i] += _QUOTE_BONUS
        exact = self._exact.get(fold(normalize(question)))
        if exact is not None:
            score[exact] += 0.5  # breaks a tie, never lifts an entry over another
        else:
            self._break_top_tie(question, score)
        return score

    def _break_top_tie(self, question: str, score: Any) -> None:
        """Entries tied at the top ("Welche Lerncluster gibt es?": every cluster entry
        explains "Lerncluster" fully) are ordered by how close one of their phrasings
        reads to the question, words the terms drop ("welche", "gibt es") included. The
        bonus stays below any real score difference: it only orders a tie."""
        if self._dense is not None:  # large content: numpy finds the tie
            tied = self._dense.tied_top(score, _MAX_TIED)
        else:
            tied = _tied_top(score, _MAX_TIED)
        if not tied:
            return
        asked = fold(normalize(question))
        for i in tied:
            score[i] += 0.4 * self._closeness(asked, i)

    def _closeness(self, asked: str, i: int) -> float:
        """0-1: the best character similarity of ``asked`` to one of the entry's titles
        and phrasings (each normalised once, on first use)."""
        texts = self._phrasing_texts.get(i)
        if texts is None:
            entry = self.entries[i]
            texts = [
                fold(normalize(text))
                for text in (*(entry.title(lang) for lang in entry.langs), *entry.all_phrasings())
            ]
            self._phrasing_texts[i] = texts
        found = process.extractOne(asked, texts, scorer=fuzz.ratio)
        return found[1] / 100.0 if found else 0.0

    def _quoted_names(self, question: str) -> list[int]:
        """Entries a phrase the question quotes names: first those whose title quotes it
        too (Thema „Gemeinsam!“), then those whose title or else a keyword contains it."""
        phrases = [normalize(p) for p in _QUOTED.findall(question)]
        phrases = [f" {p} " for p in phrases if len(p) >= 3]
        if not phrases:
            return []
        if self._names is None:
            self._names = [
                (
                    [
                        f" {normalize(q)} "
                        for lang in e.langs
                        for q in _QUOTED.findall(e.title(lang))
                    ],
                    [f" {normalize(e.title(lang))} " for lang in e.langs],
                    [f" {normalize(k)} " for k in e.keywords],
                )
                for e in self.entries
            ]
        for part in (0, 1, 2):
            found = [
                i
                for i, names in enumerate(self._names)
                if any(p in name for p in phrases for name in names[part])
            ]
            if found:
                return found
        return []

    @_locked
    def subject_coverage(self, question: str, kind: str | None = None) -> list[float]:
        """Share of the question's subject (its words without the kind words "kostet",
        "wann", "wer" …) each entry explains, 0-1 (the asking sentence of a long one)."""
        question = bound_query(question)
        cased = self._cased(question)
        real = self._real_words(question)
        parts = self._subject_parts(question, kind)
        coverage = self._scores(parts[0], *cased, real=real, coverage_only=True)[1]
        for whole in parts[1:]:  # or the whole, its background down-weighted
            coverage = list(
                map(max, coverage, self._scores(whole, *cased, real=real, coverage_only=True)[1])
            )
        return coverage

    def _subject_coverage_of(self, question: str, kind: str | None, i: int) -> float:
        """``subject_coverage`` of entry ``i`` alone (the verifier needs one entry's)."""
        question = bound_query(question)
        minor, major = self._cased(question)
        real = self._real_words(question)
        bag = self._bags[i]
        best = 0.0
        for terms in self._subject_parts(question, kind):
            matched, total = self._match_terms(terms, minor, major, real)
            if matched and total > 0:
                hit = sum(self._idf[t] * sim * bag.get(t, 0.0) for t, sim in matched)
                best = max(best, min(hit / total, 1.0))
        return best

    def _subject_parts(self, question: str, kind: str | None) -> list[dict[str, float]]:
        """The weighted terms whose coverage is a question's subject coverage: its asking
        sentence without the kind words, and for a long question also the whole."""
        focus = self._focus(question)
        terms = dict.fromkeys(self._subject_terms(focus or question), 1.0)
        # a fee asked in a compound ("Tagungsgebühr") is the kind, not the subject
        kind_term = self._cost_term if kind == "cost" else None
        terms.pop(kind_term or "", None)
        if focus is None:
            return [terms]
        whole = self._weighted_terms(question)
        for word in KIND_WORDS & set(normalize(question).split()):
            for term in self.analyzer.terms(word):
                whole.pop(term, None)
        whole.pop(kind_term or "", None)
        return [terms, whole]

    def _scores(
        self,
        terms: dict[str, float],
        minor: frozenset[str],
        major: frozenset[str],
        *,
        real: frozenset[str] = frozenset(),
        coverage_only: bool = False,
        arrays: bool = False,
    ) -> tuple[list[float], list[float]]:
        """Scores 0-100 and coverage 0-1 of every entry, in entry order; with
        ``coverage_only`` the scores are left zero (half the work); with ``arrays`` the
        dense path may leave them numpy arrays (for a caller that combines them).

        Sparse: only the entries and phrasings on the posting lists of the question's
        terms are touched; every other entry keeps 0.
        """
        n = len(self.entries)
        matched, total = self._match_terms(terms, minor, major, real) if n else ([], 0.0)
        if not matched or total <= 0:
            return [0.0] * n, [0.0] * n
        if self._dense is not None:
            return self._dense.scores(
                matched,
                self._idf,
                total,
                fit_weight=self.fit_weight,
                min_coverage=MIN_COVERAGE,
                anchor_sim=_ANCHOR_SIM,
                no_anchor=self._digit_terms,
                coverage_only=coverage_only,
                arrays=arrays,
            )
        coverage = [0.0] * n
        touched: set[int] = set()  # the entries holding a term of the question
        phr_hit = [0.0] * len(self._phr_mass)
        phr_touched: set[int] = set()
        anchored: set[int] = set()
        for t, sim in matched:
            w = self._idf[t] * sim
            touched.update(self._ent_post[t])
            for i, weight in zip(self._ent_post[t], self._ent_w[t], strict=True):
                coverage[i] += weight * w
            if coverage_only:
                continue
            phr_touched.update(self._phr_post[t])
            for p in self._phr_post[t]:
                phr_hit[p] += w
            # a loose typo match ("gedicht"~"gedacht") anchors nothing, nor does a bare
            # number ("a 7 year old" does not name "Phase 7")
            if sim >= _ANCHOR_SIM and t not in self._digit_terms:
                anchored.update(self._anc_post[t])
        if coverage_only:
            for i in touched:
                c = coverage[i] / total
                coverage[i] = c if c < 1.0 else 1.0
            return [0.0] * n, coverage
        fit = [0.0] * n  # per entry: the best F1 of one of its phrasings
        mass = self._phr_mass
        for p in phr_touched:
            # F1 of precision hit/mass (how much of the phrasing the question uses) and
            # recall hit/total (how much of the question the phrasing explains)
            f1 = 2.0 * phr_hit[p] / (mass[p] + total)
            i = self._phr_entry[p]
            if f1 > fit[i]:
                fit[i] = f1
        w = self.fit_weight
        rest = 1.0 - w
        scores = [0.0] * n
        for i in touched:
            c = coverage[i] / total
            covered = coverage[i] = c if c < 1.0 else 1.0
            score = 100.0 * (rest * covered + w * fit[i])
            if c < MIN_COVERAGE:  # explains too little of the question
                score *= 0.5
            if i not in anchored:  # no title word or keyword of the entry: a chance hit
                score *= 0.5
            scores[i] = score
        return scores, coverage

    # ------------------------------------------------------------------ answering

    @_locked
    def answer(self, question: str, lang: str = "de") -> AnswerResult:
        """Best curated answer, or an abstention with one-tap candidates and the closest
        topics.

        An entry answers when it scores at least the threshold *and* holds the kind of
        fact the question asks for (an amount, a date, a person, a number …) about the
        question's subject *and* the verifier (``content.verify``) finds the evidence
        for it strong enough; otherwise the bot abstains and offers the plausible entries
        as "Meinst du …?".
        """
        return self.explain(question, lang)[0]

    @_locked
    def explain(
        self, question: str, lang: str = "de", *, verify: bool = True
    ) -> tuple[AnswerResult, dict[str, float] | None]:
        """``answer`` with the verifier's evidence about the entry the rules chose (None
        when they chose none); ``verify=False`` answers without the verifier (to fit it)."""
        # An English question is answered in English; otherwise the user's language.
        lang = lang if lang in ("de", "en") else "de"
        # small talk and a private matter are judged on the whole message, its letter frame
        # included: "Hallo, wie geht es dir?" is a greeting; "… ? Es geht um meine
        # Wohnung" is private
        whole = question[:MAX_QUERY_CHARS]
        talk = small_talk(whole)
        question = bound_query(question)
        if detect_lang(question, default=lang) == "en":
            lang = "en"
        talk = talk or small_talk(question)
        if talk is not None:
            return AnswerResult(True, None, "", "", "", 0, lang, small_talk=talk), None
        scores = self._score_vector(question)
        if len(scores) == 0:
            return AnswerResult(True, None, "", "", "", 0, lang), None
        if _HELP_REQUEST.match(normalize(question)):
            helper = self.entry(HELP_ENTRY)
            if helper is not None:
                return self._result(helper, 100, lang), None
        order = _best(scores, 10) if self._dense is None else self._dense.best(scores, 10)
        # what is asked comes from the asking sentence: "… Kooperationen kosten nur Zeit
        # und Nerven. Welche Vorteile hat so eine Kooperation?" asks for no amount, and
        # "Ich soll nächste Woche das erste Gespräch führen. Worauf …?" for no date
        asking = self._asking(question)
        # the kind of fact from the asking sentences themselves: a thin "Was sagt der Plan
        # dazu?" takes its topic from the sentence before, not that sentence's "nächstes Jahr"
        asked = self._asked(question)
        kind = question_kind(asked)
        private = self._private(whole)
        verifier = self.verifier if verify else None
        chosen = (
            None
            if private or self._refused_word_for_word(question)
            else self._choose(question, asking, asked, scores, order, kind, verifier)
        )
        evidence = None
        if chosen is not None:
            evidence = self._evidence(question, asking, kind, scores, order, chosen, lang)
            if self.entries[chosen].id in self._extra:
                # a coordinator's answer (added at run time) was written for such
                # questions; the verifier was fitted on the shipped entries and judges
                # only those, so the threshold alone decides for it
                if scores[chosen] < self.threshold:
                    chosen = None
            elif verifier is not None and not verifier.accepts(evidence):
                chosen = None  # too weak: offered one tap away instead
        if chosen is None:
            best_score = round(float(scores[order[0]]))
            suggestions = [
                (self.entries[i].id, self.entries[i].title(lang))
                for i in order[:_MAX_SUGGESTIONS]
                if scores[i] > 0
            ]
            if not suggestions:
                suggestions = self._default_suggestions(lang)
            candidates = [] if private else self._candidates(scores, order, lang)
            result = AnswerResult(
                True,
                None,
                "",
                "",
                "",
                best_score,
                lang,
                suggestions=suggestions,
                candidates=candidates,
                kind=kind,
            )
            return result, evidence
        result = self._result(self.entries[chosen], round(float(scores[chosen])), lang)
        result.kind = kind
        result.candidates = self._alternatives(scores, order, chosen, lang)
        return result, evidence

    @staticmethod
    def _private(question: str) -> bool:
        """A private matter of the asker ("meine Wohnung", "mein Passwort"): never answered."""
        return bool(_PRIVATE.search(normalize(question)))

    def _refused_word_for_word(self, question: str) -> bool:
        """A question refused as it stands (a blind set's near-miss, a member's 👎) that is
        no curated phrasing: not answered again."""
        known = fold(normalize(question))
        return known in self._refused_exact and known not in self._exact

    def _evidence(
        self,
        question: str,
        asking: str,
        kind: str | None,
        scores: list[float],
        order: list[int],
        i: int,
        lang: str,
    ) -> dict[str, float]:
        """What speaks for and against entry ``i`` answering ``question``, each sign 0-1
        (``content.verify.FEATURES``): the verifier weighs them."""
        top = scores[i]
        rest = [scores[j] for j in order if j != i]
        second = rest[0] if rest else 0.0
        crowd = sum(1 for v in rest[:9] if top > 0 and v >= 0.8 * top)
        minor, major = self._cased(question)
        terms = dict.fromkeys(self.analyzer.terms(asking), 1.0)
        matched, total = self._match_terms(terms, minor, major, self._real_words(question))
        total = total or 1.0
        bag = self._bags[i]
        idf = self._idf
        known = covered = curated = missing = 0.0
        missing_max = 0.0
        for t, sim in matched:
            w = idf[t] * sim
            known += w
            weight = bag.get(t, 0.0)
            covered += w * weight
            if weight >= 1.0:
                curated += w
            elif weight == 0.0:
                missing += w
                missing_max = max(missing_max, idf[t])
        # the entry's best phrasing against the asking part (as ``_scores`` fits it)
        weight_of = {t: idf[t] * sim for t, sim in matched}
        fit, best_p = 0.0, -1
        # the nearest questions whose fate is known: this entry's phrasings (answered by
        # it) and the refused ones (answered by none), as (F1, refused?); a phrasing
        # sharing no term has F1 0 and can neither fit nor vote
        known_questions: list[tuple[float, bool]] = []
        if self._dense is not None:  # hundreds of phrasings per entry: in numpy
            sharing, f1s = self._dense.entry_fits(weight_of, total, *self._phr_start[i : i + 2])
            if len(f1s):
                at = int(f1s.argmax())  # the first best, as the loop below
                fit, best_p = float(f1s[at]), int(sharing[at])
                known_questions = [(f1, False) for f1 in heapq.nlargest(_VOTERS, f1s.tolist())]
        else:
            for p in self._phrasings_sharing(i, weight_of):
                hit = sum(weight_of.get(t, 0.0) for t in self._phr_terms[p])
                f1 = 2.0 * hit / (self._phr_mass[p] + total)
                known_questions.append((f1, False))
                if f1 > fit:
                    fit, best_p = f1, p
        nearest_refused, refused_fit, refused_entry = self._near_refused(matched, total, i)
        known_questions += [(f1, True) for f1 in nearest_refused]
        # how the nearest known questions fared, each by its closeness: a near-miss sits
        # among refused ones even when one member's question of the entry is close too
        nearest = heapq.nlargest(_VOTERS, known_questions)
        weight_sum = sum(f1 for f1, _ in nearest)
        refused_vote = (
            sum(f1 for f1, was_refused in nearest if was_refused) / weight_sum
            if weight_sum > 0
            else 0.0
        )
        subject = self._subject_coverage_of(question, kind, i) if terms else 0.0
        known_terms = self._term_ids
        unknown_noun = any(t not in known_terms and t in major for t in terms if not t.isdigit())
        norm = normalize(self._asked(question))
        first = norm.split()[0] if norm.split() else ""
        n_max = math.log1p(len(self.entries)) or 1.0
        evidence = dict.fromkeys(self._missing_words(asking, i), 1.0)
        evidence.update(
            {
                "score": min(top, 100.0) / 100.0,
                "margin": max(0.0, min(top - second, 100.0)) / 100.0,
                "crowd": crowd / 9.0,
                "coverage": min(covered / total, 1.0),
                "curated": min(curated / total, 1.0),
                "unknown": max(0.0, 1.0 - known / total),
                "missing": min(missing / total, 1.0),
                "missing_max": missing_max / n_max,
                "fit": min(fit, 1.0),
                "fit_asked": 1.0 if best_p >= 0 and self._phr_asked[best_p] else 0.0,
                "subject": subject,
                "kind_none": 1.0 if kind is None else 0.0,
                "kind_held": 1.0 if kind is not None and kind in self._kinds[i] else 0.0,
                "kind_time": 1.0 if kind in _TIME_KINDS else 0.0,
                "kind_person": 1.0 if kind in ("person", "person_now") else 0.0,
                "kind_number": 1.0 if kind == "number" else 0.0,
                "kind_money": 1.0 if kind in ("cost", "payer") else 0.0,
                "kind_other": 1.0 if kind in ("place", "ranking", "status_now") else 0.0,
                "terms": min(len(terms), 20) / 20.0,
                "long": 1.0 if asking != question else 0.0,
                "english": 1.0 if lang == "en" else 0.0,
                "yes_no": 1.0 if first in _YES_NO else 0.0,
                "exact": 1.0 if self._exact.get(fold(normalize(question))) == i else 0.0,
                "unknown_noun": 1.0 if unknown_noun else 0.0,
                "refused": min(refused_fit, 1.0),
                "refused_lead": max(0.0, min(refused_fit, 1.0) - min(fit, 1.0)),
                "refused_entry": min(refused_entry, 1.0),
                "refused_vote": refused_vote,
            }
        )
        return evidence

    def _phrasings_sharing(self, i: int, weight_of: dict[int, float]) -> list[int]:
        """Entry ``i``'s phrasings holding at least one of the terms, in order: a slice
        of each term's posting list (sorted) instead of every phrasing of an entry that
        members asked hundreds of ways."""
        start, end = self._phr_start[i], self._phr_start[i + 1]
        found: set[int] = set()
        for t in weight_of:
            post = self._phr_post[t]
            found.update(post[bisect_left(post, start) : bisect_left(post, end)])
        return sorted(found)

    def _near_refused(
        self, matched: list[tuple[int, float]], total: float, i: int
    ) -> tuple[list[float], float, float]:
        """The refused questions nearest to the asking part: the ``_VOTERS`` best F1
        (best first), the best F1 of all, and the best of those refused for entry ``i``."""
        if self._dense is not None:  # thousands of postings: added up in numpy
            return self._dense.near_refused(matched, self._idf, total, i, _VOTERS)
        idf = self._idf
        refused: dict[int, float] = {}
        for t, sim in matched:
            for r in self._ref_post.get(t, ()):
                refused[r] = refused.get(r, 0.0) + idf[t] * sim
        f1s: list[float] = []
        best = of_entry = 0.0
        for r, hit in refused.items():
            f1 = 2.0 * hit / (self._ref_mass[r] + total)
            f1s.append(f1)
            if f1 > best:
                best = f1
            if self._ref_entry[r] == i and f1 > of_entry:
                of_entry = f1
        return heapq.nlargest(_VOTERS, f1s), best, of_entry

    def _missing_words(self, asking: str, i: int) -> list[str]:
        """``LEXICAL`` signs: the asking part's words entry ``i`` does not hold, as
        "w:<word>" — the question words ("wo", "wer") and the details ("Moderator",
        "Stadt", "Link") a near-miss asks for and a right answer's entry states."""
        bag = self._bags[i]
        out: list[str] = []
        for word in dict.fromkeys(fold(normalize(asking)).split()):
            if len(word) > 24 or word.isdigit():
                continue
            terms = self.analyzer.terms(word)
            if any(self._term_ids.get(t, -1) in bag for t in terms):
                continue
            out.append(LEXICAL + word)
        return out

    def _names_unknown_place(self, question: str) -> bool:
        """A place the content never names, asked after "in"/"nach"/"aus" ("… statt, in
        Düsseldorf?", "auch in Bayern?"): a noun of the German word list that is no term
        of the content. No entry can confirm it, so none answers."""
        if self._word_class is None:
            return False
        for word in _PLACE.findall(normalize(question)):
            if len(word) < 4 or any(t in self._term_ids for t in self.analyzer.terms(word)):
                continue
            if self._word_class(word) == "noun":
                return True
        return False

    def _norm_text(self, i: int) -> str:
        """An entry's text ``normalize``d (for the detail check), computed once."""
        text = self._norm_texts.get(i)
        if text is None:
            # normalising would drop the "@": an address given becomes the word the e-mail
            # detail looks for; words are cut as a question's are, so that no text (a
            # coordinator's answer of one 4,000-letter "word") makes a detail check slow
            raw = _EMAIL.sub(" emailadresse ", stated(self._texts[i]))
            text = " ".join(w[:MAX_TOKEN_CHARS] for w in normalize(raw).split())
            self._norm_texts[i] = text
        return text

    def _choose(
        self,
        question: str,
        asking: str,
        asked: str,
        scores: list[float],
        order: list[int],
        kind: str | None,
        verifier: Verifier | None = None,
    ) -> int | None:
        """The entry that answers: above the threshold (the verifier's floor when it
        judges next), holding the asked kind of fact.

        ``asking`` is the question from its asking sentence on (the whole question when it
        is one sentence): the specific things it names must be in the entry, not those of
        the member's story before it. ``asked`` is the asking sentences alone: what a
        number question counts and its subject.

        When the best entries lack the asked fact, one further down answers only if it
        scores close to the best (``ALTERNATIVE_SHARE``): the question is about the best
        entry's subject, and a distant entry that happens to hold a count or a limit
        answers another question."""
        least = self.threshold if verifier is None or verifier.floor is None else verifier.floor
        floor = max(float(least), ALTERNATIVE_SHARE * scores[order[0]]) if order else 0.0
        above = [i for i in order[:_FALL_THROUGH] if scores[i] >= floor]
        if not above:
            return None
        if self._names_unknown_place(asking):
            return None
        years = set(_YEAR.findall(asking))
        if years:  # a question about a given year: only an entry that names that year
            above = [i for i in above if years <= self._named_years[i]]
        # a question naming a specific thing (an insurance, a phone number, a budget …)
        # only from an entry that names it too
        details = asked_details(asking)
        if details:
            above = [i for i in above if all(p.search(self._norm_text(i)) for p in details)]
        if kind not in HARD_KINDS:
            return above[0] if above else None
        word = counted_word(asked) if kind == "number" else None
        # "Wie viele Teilnehmer …": the entry must state a count of what is counted
        counted = self._counted_terms(word) if word else frozenset()
        # "wie viele Musikschulen sind Mitglied im LVdM?" counts the members: "50 Prozent
        # der Musikschulen" (who answered a survey) is no count of them
        members = (
            self._counted_terms("mitglieder")
            if word and _MEMBERS.search(normalize(asked))
            else frozenset()
        )
        # "also die absolute Zahl, nicht Prozent": a share answers no such question
        shares = not (kind == "number" and ABSOLUTE.search(normalize(asked)))
        needed = self._subject_term_ids(asked) if kind == "number" else frozenset()
        # names asked outright must be in the entry's words: members who asked "wer sind
        # die erfahrenen Mitglieder?" were content with a description, which names no one
        held = self._stated_kinds if kind == "person" and asks_for_names(asked) else self._kinds
        for i in above:
            if (
                counted
                and word not in self._counted_asked[i]
                and not counts_near(self._count_tokens(i), counted, shares=shares)
            ):
                continue
            if members and not counts_near(self._count_tokens(i), members):
                continue
            if not needed <= self._bags[i].keys():
                continue
            # the subject coverage of the few entries in question, not of every entry
            # (the same sums: ``_subject_coverage_of``)
            if kind in held[i] and self._subject_coverage_of(question, kind, i) >= self.subject_min:
                return i
        return None

    def _subject_term_ids(self, question: str) -> frozenset[int]:
        """The known terms of a question's subject (its words without the kind words). A
        number question is answered only by an entry holding all of them: a count is a
        promise about exactly that subject. "Wie viel Prozent der Musikschulen kooperieren
        mit der OGS?" is not answered by the survey's "50 Prozent der Musikschulen" (who
        answered the survey) in an entry that never mentions the OGS."""
        terms = self._subject_terms(question)
        return frozenset(self._term_ids[t] for t in terms if t in self._term_ids)

    def _subject_terms(self, text: str) -> list[str]:
        """The terms of what ``text`` asks about: its words without the kind words
        ("kostet", "wann", "wie viele" …)."""
        words = [w for w in normalize(text).split() if w not in KIND_WORDS]
        return self.analyzer.terms(" ".join(words))

    def _counted_terms(self, word: str) -> frozenset[str]:
        """The forms of what a "wie viele X" question counts: each alias whole, stemmed
        and as its term, but no compound part ("Teilnehmende" must not match "gelingende"
        through "ende")."""
        forms: set[str] = set()
        for alias in counted_aliases(word):
            forms.update((alias, stem(alias)))
            terms = self.analyzer.terms(alias)
            if len(terms) == 1:
                forms.add(terms[0])
        return frozenset(forms)

    def _count_tokens(self, i: int) -> list[tuple[frozenset[str], bool]]:
        """An entry's answer words as (terms, states a count), computed once."""
        tokens = self._tokens.get(i)
        if tokens is None:
            entry = self.entries[i]
            words = normalize(" ".join(entry.answer(lang) for lang in entry.langs)).split()
            tokens = [(frozenset([*self.analyzer.terms(w), w]), is_count_token(w)) for w in words]
            self._tokens[i] = tokens
        return tokens

    def _alternatives(
        self, scores: list[float], order: list[int], chosen: int, lang: str
    ) -> list[tuple[str, str]]:
        """Beside an answer: the runner-ups that score close to it, one tap away ("Nicht
        das, was du gesucht hast?"); none when the answer leads clearly."""
        floor = max(self.candidate_min, ALTERNATIVE_SHARE * scores[chosen])
        return [
            (self.entries[i].id, self.entries[i].title(lang))
            for i in order[:_MAX_SUGGESTIONS]
            if i != chosen and scores[i] >= floor
        ][: _MAX_SUGGESTIONS - 1]

    def _candidates(
        self, scores: list[float], order: list[int], lang: str
    ) -> list[tuple[str, str]]:
        return [
            (self.entries[i].id, self.entries[i].title(lang))
            for i in order[:_MAX_SUGGESTIONS]
            if scores[i] >= self.candidate_min
        ]

    @_locked
    def result_for(self, entry_id: str, lang: str = "de") -> AnswerResult | None:
        """The answer of one entry (a one-tap choice), or None when it is gone."""
        entry = self.entry(entry_id)
        if entry is None:
            return None
        return self._result(entry, 100, lang)

    def _result(self, entry: FaqEntry, score: int, lang: str) -> AnswerResult:
        related = []
        for rel in entry.related[:_MAX_RELATED]:
            other = self.entry(rel)
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
            source_title=self.content.source_title(entry.source, lang),
        )

    def _default_suggestions(self, lang: str) -> list[tuple[str, str]]:
        """General entry points when nothing is even close."""
        picks = ("phasen-ueberblick", "vereinbarung-inhalt", "themen-ueberblick")
        found = [self.entry(i) for i in picks]
        return [(e.id, e.title(lang)) for e in found if e is not None]
