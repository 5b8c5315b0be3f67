"""The merged, read-only content of one network and its look-ups.

Why: commands ask for "phase 3", "Qualitat" or item "3.4"; those look-ups belong next
to the data, not in every command handler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from content.models import AgreementElement, ChecklistItem, FaqEntry, Phase, Topic
from content.normalize import fold, normalize

_PHASE_NUMBER = re.compile(r"^(?:phase\s*)?([1-7])(?:\s*\.)?$")
_PHASE_CUTOFF = 72.0


@dataclass
class ContentSet:
    """Everything curated: phases with checklists, agreement elements, topics, FAQ."""

    phases: list[Phase] = field(default_factory=list)
    agreement_elements: list[AgreementElement] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    faq: list[FaqEntry] = field(default_factory=list)
    synonyms: list[list[str]] = field(default_factory=list)
    # source file -> {lang: title}; what users see instead of the file name
    source_titles: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._faq_by_id = {e.id: e for e in self.faq}
        self._items = {it.id: it for p in self.phases for it in p.items}
        self._phase_choices: list[str] = []
        self._phase_of_choice: list[Phase] = []
        for phase in self.phases:
            names = [*phase.titles.values(), *phase.aliases]
            for name in names:
                norm = fold(normalize(name))
                if norm:
                    self._phase_choices.append(norm)
                    self._phase_of_choice.append(phase)

    @property
    def counts(self) -> dict[str, int]:
        """Entries per kind, as ``content check`` prints them."""
        return {
            "phases": len(self.phases),
            "checklist_items": len(self._items),
            "agreement_elements": len(self.agreement_elements),
            "topics": len(self.topics),
            "faq": len(self.faq),
            "synonym_groups": len(self.synonyms),
            "asked_questions": sum(len(e.asked) for e in self.faq),
        }

    def phase(self, number: int) -> Phase | None:
        return next((p for p in self.phases if p.number == number), None)

    def find_phase(self, text: str) -> Phase | None:
        """A phase by number ("3", "Phase 3") or (misspelt, partial) name ("qualitat")."""
        norm = fold(normalize(text))
        if not norm:
            return None
        match = _PHASE_NUMBER.match(norm)
        if match:
            return self.phase(int(match.group(1)))
        for choice, phase in zip(self._phase_choices, self._phase_of_choice, strict=True):
            if choice == norm:
                return phase
        best = process.extractOne(
            norm, self._phase_choices, scorer=fuzz.WRatio, score_cutoff=_PHASE_CUTOFF
        )
        if best is None:
            return None
        return self._phase_of_choice[best[2]]

    def checklist_item(self, item_id: str) -> ChecklistItem | None:
        """Item by id such as "3.4" (also "3,4" or " 3.4 ")."""
        return self._items.get(item_id.strip().replace(",", "."))

    def source_title(self, source: str, lang: str = "de") -> str:
        """The document title of a source file (the file name when it has none).

        A coordinator's answer (``koordination:2026-11-29``) reads as the coordination
        with its date.
        """
        titles = self.source_titles.get(source)
        if titles:
            return titles.get(lang) or titles.get("de") or source
        if source.startswith("koordination:"):
            day = source.split(":", 1)[1]
            parts = day.split("-")
            if len(parts) == 3 and lang == "de":
                day = f"{int(parts[2])}.{int(parts[1])}.{parts[0]}"
            label = "Antwort der Koordination" if lang == "de" else "Answer of the coordination"
            return f"{label}, {day}"
        return source

    def faq_entry(self, entry_id: str) -> FaqEntry | None:
        return self._faq_by_id.get(entry_id)

    def topic(self, key: str) -> Topic | None:
        return next((t for t in self.topics if t.key == key), None)

    def agreement_element(self, key: str) -> AgreementElement | None:
        return next((a for a in self.agreement_elements if a.key == key), None)
