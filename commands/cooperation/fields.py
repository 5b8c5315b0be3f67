"""The agreement fields as people type them: names with aliases and typos, partners
in a title, and the end date hidden in a Laufzeit text.

Pure functions: no Matrix, no storage. The canonical field keys are the agreement
element keys of the curated content (``titel``, ``partner``, … ``qualitaet``).
"""

from __future__ import annotations

import calendar
import itertools
import re
from datetime import date

from rapidfuzz import fuzz, process

from content.normalize import fold, normalize

FIELD_KEYS: tuple[str, ...] = (
    "titel",
    "partner",
    "inhalte",
    "rahmen",
    "verantwortung",
    "kommunikation",
    "ansprechpartner",
    "laufzeit",
    "qualitaet",
)
# German first (the key itself), then German variants and English aliases.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "titel": ("bezeichnung", "name", "title"),
    "partner": ("partners", "kooperationspartner", "partnerinnen", "partnership"),
    "inhalte": ("inhalt", "ziele", "ziel", "inhalte und ziele", "content", "goals", "aims"),
    "rahmen": ("rahmenbedingungen", "bedingungen", "framework", "conditions", "resources"),
    "verantwortung": (
        "verantwortlichkeiten",
        "zustaendigkeiten",
        "zustaendigkeit",
        "aufgaben",
        "responsibilities",
        "responsibility",
        "roles",
    ),
    "kommunikation": (
        "kommunikationswege",
        "gremien",
        "informationsaustausch",
        "communication",
        "channels",
        "bodies",
    ),
    "ansprechpartner": (
        "ansprechpartnerin",
        "ansprechpartnerinnen",
        "ansprechpersonen",
        "ansprechperson",
        "kontakt",
        "kontakte",
        "contacts",
        "contact",
        "contact persons",
    ),
    "laufzeit": ("dauer", "zeitraum", "befristung", "term", "duration", "period"),
    "qualitaet": (
        "qualitaetssicherung",
        "qualitaetsueberpruefung",
        "ueberpruefung",
        "evaluation",
        "feedback",
        "quality",
        "quality review",
    ),
}
# The name shown to English speakers (each also an alias above).
ENGLISH_NAMES: dict[str, str] = {
    "titel": "title",
    "partner": "partners",
    "inhalte": "content",
    "rahmen": "framework",
    "verantwortung": "responsibilities",
    "kommunikation": "communication",
    "ansprechpartner": "contacts",
    "laufzeit": "term",
    "qualitaet": "quality",
}
_FIELD_CUTOFF = 80.0


def _key_form(text: str) -> str:
    return fold(normalize(text))


_CHOICES: list[str] = []
_CHOICE_KEYS: list[str] = []
for _key in FIELD_KEYS:
    for _name in (_key, *FIELD_ALIASES[_key]):
        _CHOICES.append(_key_form(_name))
        _CHOICE_KEYS.append(_key)


def resolve_field(name: str) -> str | None:
    """The field key for a typed name ("Laufzeit", "term", "ansprechpartnr"), or None."""
    norm = _key_form(name.strip().rstrip(":="))
    if not norm:
        return None
    for choice, key in zip(_CHOICES, _CHOICE_KEYS, strict=True):
        if choice == norm:
            return key
    best = process.extractOne(norm, _CHOICES, scorer=fuzz.ratio, score_cutoff=_FIELD_CUTOFF)
    return None if best is None else _CHOICE_KEYS[best[2]]


_ASSIGN = re.compile(r"^\s*(?P<name>[^\s:=]+)\s*[:=]?\s*(?P<value>.*)$", re.DOTALL)


def split_assignment(text: str) -> tuple[str, str]:
    """ "laufzeit bis 31.07.2027", "Laufzeit: …" or "laufzeit=…" -> (name, value)."""
    m = _ASSIGN.match(text)
    if m is None:
        return "", ""
    return m["name"], m["value"].strip()


# --- partners ------------------------------------------------------------------------

_PARTNER_SEPARATORS = re.compile(r"\s+(?:und|mit|and|with|&|\+|–|—|-)\s+", re.IGNORECASE)
_LIST_SEPARATORS = re.compile(r"\s*[;,\n]\s*|\s+(?:und|and|&|\+)\s+", re.IGNORECASE)


def partners_from_title(title: str) -> list[str]:
    """ "Musikschule Bonn und GS Am Park" -> both names; [] when the title names no pair.

    Text before a colon is the project name ("Singpause: A und B"), not a partner.
    """
    text = title.rsplit(":", 1)[-1].strip()
    parts = [p.strip(" .,;\"'„“”") for p in _PARTNER_SEPARATORS.split(text)]
    parts = [p for p in parts if p]
    return parts if len(parts) >= 2 else []


def partner_list(value: str) -> list[str]:
    """The partners of a stored field value, one per entry (for the draft's list)."""
    return [p.strip() for p in _LIST_SEPARATORS.split(value) if p.strip()]


# --- term end date -------------------------------------------------------------------

_MONTHS = {
    "januar": 1, "jan": 1, "january": 1, "februar": 2, "feb": 2, "february": 2,
    "maerz": 3, "marz": 3, "mrz": 3, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "mai": 5, "may": 5, "juni": 6, "jun": 6, "june": 6, "juli": 7, "jul": 7, "july": 7,
    "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10,
    "okt": 10, "october": 10, "oct": 10, "november": 11, "nov": 11, "dezember": 12,
    "dez": 12, "december": 12, "dec": 12,
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = re.compile(
    r"(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4}|\d{2})(?!\d)"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?!\d)"
    rf"|(?:(?P<nd>\d{{1,2}})\.?\s*)?(?P<mn>{_MONTH_NAMES})\.?\s+(?P<ny>\d{{4}})(?!\d)"
)
_END_MARKER = re.compile(
    r"(?:\bbis\s+(?:zum|zur|einschliesslich|ende)?|\buntil|\btill|\bthrough|\bto|\bende"
    r"|\bendet(?:\s+am)?|\bends?(?:\s+on)?|\bbefristet\s+bis|\bzum|\bthru)\s*$"
)
_RANGE_GAP = re.compile(r"^\s*(?:[-–—]|bis|to|until|till)\s*$")
_DURATION = re.compile(
    r"(?P<n>\d+|ein|eine|einen|einem|one|zwei|two|drei|three)\s*"
    r"(?P<unit>jahre?n?|years?|monate?n?|months?|schuljahre?n?|school\s+years?)\b"
)
_WORD_NUMBERS = {
    "ein": 1, "eine": 1, "einen": 1, "einem": 1, "one": 1,
    "zwei": 2, "two": 2, "drei": 3, "three": 3,
}  # fmt: skip


_UMLAUTS: dict[str, str | int | None] = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
_UMLAUT_TABLE = str.maketrans(_UMLAUTS)


def fold_umlauts(text: str) -> str:
    """Lower case with umlauts spelt out ("Größe" -> "groesse"); punctuation stays."""
    return text.casefold().translate(_UMLAUT_TABLE)


def _year(text: str) -> int:
    value = int(text)
    return 2000 + value if len(text) == 2 else value


def _to_date(m: re.Match[str]) -> date | None:
    try:
        if m["d"] is not None:
            return date(_year(m["y"]), int(m["m"]), int(m["d"]))
        if m["iy"] is not None:
            return date(int(m["iy"]), int(m["im"]), int(m["id"]))
        year, month = int(m["ny"]), _MONTHS[m["mn"]]
        day = int(m["nd"]) if m["nd"] else calendar.monthrange(year, month)[1]
        return date(year, month, day)
    except ValueError:
        return None


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def parse_term_end(text: str) -> date | None:
    """The end date in a Laufzeit text, or None when it names none.

    Reads "bis 31.07.2027", "01.08.2026–31.07.2027", "1.8.2026 bis 31.7.27",
    "endet am 2027-07-31", "bis Juli 2027" (last day of the month) and a start with a
    duration ("ab 01.08.2026 für ein Jahr" -> 31.07.2027). A lone date without "bis"
    is taken as the start, not the end.
    """
    folded = fold_umlauts(text)
    found = [(m, d) for m in _DATE.finditer(folded) if (d := _to_date(m)) is not None]
    if not found:
        return None
    for m, day in reversed(found):
        if _END_MARKER.search(folded[: m.start()]):
            return day
    for (first, _), (second, day) in itertools.pairwise(found):
        if _RANGE_GAP.match(folded[first.end() : second.start()]):
            return day
    if len(found) == 1:
        duration = _DURATION.search(folded)
        if duration is not None:
            n = _WORD_NUMBERS.get(duration["n"]) or int(duration["n"])
            months = n if duration["unit"].startswith(("monat", "month")) else 12 * n
            return date.fromordinal(_add_months(found[0][1], months).toordinal() - 1)
    return None
