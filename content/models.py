"""Pydantic models of the curated content.

Why two layers: the YAML files hold one language each (``de/``, ``en/``) and are
validated strictly as *raw* models; the loader then merges the languages by id into
the multilingual objects (``Phase``, ``FaqEntry``, …) the bot works with. Every text
accessor takes a language and falls back to German, so a missing translation never
breaks a reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

PRIMARY_LANG = "de"
LANGS: tuple[str, ...] = ("de", "en")


class _Strict(BaseModel):
    """Reject unknown keys: a typo in a curator's YAML must be an error, not a silent loss."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class RawChecklistItem(_Strict):
    id: str = Field(pattern=r"^[1-7]\.[0-9]{1,2}$")
    text: str = Field(min_length=3)
    hint: str = ""


class RawPhase(_Strict):
    number: int = Field(ge=1, le=7)
    title: str = Field(min_length=3)
    aliases: list[str] = []
    summary: str = ""
    items: list[RawChecklistItem] = []
    source: str | None = None

    @field_validator("items")
    @classmethod
    def _items_belong_to_phase(
        cls, items: list[RawChecklistItem], info: ValidationInfo
    ) -> list[RawChecklistItem]:
        number = info.data.get("number")
        for item in items:
            if number is not None and not item.id.startswith(f"{number}."):
                raise ValueError(f"item {item.id} does not belong to phase {number}")
        return items


class RawAgreementElement(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str = Field(min_length=2)
    guidance: str = ""
    source: str | None = None


class RawTopic(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str = Field(min_length=2)
    description: str = ""
    source: str | None = None


class RawFaq(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str = Field(min_length=3)
    questions: list[str] = Field(default_factory=list)
    answer: str = Field(min_length=3)
    keywords: list[str] = []
    related: list[str] = []
    phase: int | None = Field(default=None, ge=1, le=7)
    source: str | None = None
    # Kinds of fact the answer holds beyond what rules find in its text (see
    # content/answerability.py), e.g. ``[next]`` for the entry that shows coming dates.
    facts: list[
        Literal["cost", "next", "date", "place", "person", "ranking", "frequency", "number"]
    ] = []


class RawFile(_Strict):
    """One YAML file: any subset of the kinds, so curators can split files freely."""

    phases: list[RawPhase] = []
    agreement: list[RawAgreementElement] = []
    topics: list[RawTopic] = []
    faq: list[RawFaq] = []


class RawSynonyms(_Strict):
    groups: list[list[str]] = []


class RawAsked(_Strict):
    """``asked.yaml``: questions as members put them, filed under the entry that answers
    them (``{entry-id: [question, ...]}``)."""

    asked: dict[str, list[str]] = {}


class RawSources(_Strict):
    """``sources.yaml``: the title of each source file per language."""

    sources: dict[str, dict[str, str]] = {}


# ---------------------------------------------------------------- merged, multilingual


def _pick(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get(PRIMARY_LANG) or next(iter(texts.values()), "")


@dataclass
class ChecklistItem:
    """A guiding question of a phase, addressed as ``<phase>.<nr>`` (e.g. ``3.4``)."""

    id: str
    texts: dict[str, str] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    source: str = ""

    @property
    def phase(self) -> int:
        return int(self.id.split(".", 1)[0])

    def text(self, lang: str = PRIMARY_LANG) -> str:
        return _pick(self.texts, lang)

    def hint(self, lang: str = PRIMARY_LANG) -> str:
        return _pick(self.hints, lang)


@dataclass
class Phase:
    """One of the seven phases of a cooperation with its checklist."""

    number: int
    titles: dict[str, str] = field(default_factory=dict)
    summaries: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    items: list[ChecklistItem] = field(default_factory=list)
    source: str = ""

    @property
    def id(self) -> str:
        return str(self.number)

    def title(self, lang: str = PRIMARY_LANG) -> str:
        return _pick(self.titles, lang)

    def summary(self, lang: str = PRIMARY_LANG) -> str:
        return _pick(self.summaries, lang)


@dataclass
class AgreementElement:
    """An element of a cooperation agreement; ``key`` is the tracker's field name."""

    key: str
    titles: dict[str, str] = field(default_factory=dict)
    guidances: dict[str, str] = field(default_factory=dict)
    source: str = ""

    @property
    def id(self) -> str:
        return self.key

    def title(self, lang: str = PRIMARY_LANG) -> str:
        return _pick(self.titles, lang)

    def guidance(self, lang: str = PRIMARY_LANG) -> str:
        return _pick(self.guidances, lang)


@dataclass
class Topic:
    """An exchange topic of the network (a topic room and its recurring meetings)."""

    key: str
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    source: str = ""

    @property
    def id(self) -> str:
        return self.key

    @property
    def title(self) -> str:
        """The topic's proper name (the same in every language, e.g. "Läuft!")."""
        return _pick(self.titles, PRIMARY_LANG)

    def title_in(self, lang: str = PRIMARY_LANG) -> str:
        return _pick(self.titles, lang)

    def description(self, lang: str = PRIMARY_LANG) -> str:
        return _pick(self.descriptions, lang)


@dataclass
class FaqEntry:
    """A curated question/answer with its phrasings, keywords and source."""

    id: str
    titles: dict[str, str] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    phrasings: dict[str, list[str]] = field(default_factory=dict)
    keywords_by_lang: dict[str, list[str]] = field(default_factory=dict)
    related: list[str] = field(default_factory=list)
    phase: int | None = None
    source: str = ""
    facts: list[str] = field(default_factory=list)
    # questions as members asked them (any language; ``asked.yaml``), matched like the
    # entry's own phrasings
    asked: list[str] = field(default_factory=list)

    def title(self, lang: str = PRIMARY_LANG) -> str:
        return _pick(self.titles, lang)

    def answer(self, lang: str = PRIMARY_LANG) -> str:
        return _pick(self.answers, lang)

    def questions(self, lang: str = PRIMARY_LANG) -> list[str]:
        return list(self.phrasings.get(lang) or self.phrasings.get(PRIMARY_LANG, []))

    def all_phrasings(self) -> list[str]:
        """Every phrasing the search matches: each language's own, then the asked ones."""
        return [q for lang in self.langs for q in self.questions(lang)] + self.asked

    @property
    def keywords(self) -> list[str]:
        """Keywords of all languages: a search term is a search term."""
        seen: dict[str, None] = {}
        for words in self.keywords_by_lang.values():
            for word in words:
                seen.setdefault(word, None)
        return list(seen)

    @property
    def langs(self) -> list[str]:
        return [lang for lang in LANGS if lang in self.answers]
