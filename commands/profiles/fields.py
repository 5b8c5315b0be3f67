"""Profile fields as members type them, and the steps of the guided profile dialog.

Pure functions (no Matrix, no database), so the parsing and the dialog are unit-tested
without a homeserver. Field names accept German, English and small typos; values are
checked here and stored as plain ``ProfileRow`` values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from rapidfuzz import fuzz, process

from commands.errors import UserError
from commands.matching import Experience, InstitutionKind, Profile, parse_experience, parse_kind
from commands.textclean import single_line, strip_controls
from content.normalize import normalize
from storage.profiles import ProfileRow

MAX_TEXT = 80
MAX_ITEMS = 15
MAX_LIST_TEXT = 2000  # a whole list as typed: 15 items of up to 80 characters and more
_FUZZY_CUTOFF = 80.0
_LIST_SPLIT = re.compile(r"[,;\r\n\v\f\x85\u2028\u2029]")


class FieldName(StrEnum):
    """Settable fields; the value is the German name members type."""

    KIND = "einrichtung"  # the institution as written; its kind is derived from it
    ART = "art"  # the kind alone (Musikschule, Grundschule, …), when it cannot be derived
    PLACE = "ort"
    REGION = "region"
    INTERESTS = "interessen"
    OFFERS = "angebote"
    NEEDS = "bedarfe"
    TARGET_GROUPS = "zielgruppen"
    EXPERIENCE = "erfahrung"


F = FieldName
LIST_FIELDS = {
    F.INTERESTS: "interests",
    F.OFFERS: "offers",
    F.NEEDS: "needs",
    F.TARGET_GROUPS: "target_groups",
}

_ALIASES: dict[str, FieldName] = {
    "einrichtung": F.KIND,
    "institution": F.KIND,
    "schule": F.KIND,
    "einrichtungsart": F.ART,
    "art": F.ART,
    "kind": F.ART,
    "type": F.ART,
    "ort": F.PLACE,
    "stadt": F.PLACE,
    "kommune": F.PLACE,
    "gemeinde": F.PLACE,
    "place": F.PLACE,
    "city": F.PLACE,
    "town": F.PLACE,
    "municipality": F.PLACE,
    "region": F.REGION,
    "kreis": F.REGION,
    "interessen": F.INTERESTS,
    "interesse": F.INTERESTS,
    "themen": F.INTERESTS,
    "interests": F.INTERESTS,
    "interest": F.INTERESTS,
    "angebote": F.OFFERS,
    "angebot": F.OFFERS,
    "bieten": F.OFFERS,
    "offers": F.OFFERS,
    "offer": F.OFFERS,
    "bedarfe": F.NEEDS,
    "bedarf": F.NEEDS,
    "suchen": F.NEEDS,
    "needs": F.NEEDS,
    "need": F.NEEDS,
    "zielgruppen": F.TARGET_GROUPS,
    "zielgruppe": F.TARGET_GROUPS,
    "target groups": F.TARGET_GROUPS,
    "targetgroups": F.TARGET_GROUPS,
    "target group": F.TARGET_GROUPS,
    "audience": F.TARGET_GROUPS,
    "erfahrung": F.EXPERIENCE,
    "experience": F.EXPERIENCE,
}

CLEAR_WORDS = frozenset({"-", "leer", "loeschen", "keine angabe", "clear", "none"})
SKIP_WORDS = frozenset({"weiter", "ueberspringen", "skip", "next", "-"})
CANCEL_WORDS = frozenset({"abbrechen", "stop", "stopp", "cancel", "beenden", "ende"})
YES_WORDS = frozenset({"ja", "yes", "j", "y", "an", "on", "sichtbar", "visible"})
NO_WORDS = frozenset({"nein", "no", "n", "aus", "off", "unsichtbar", "hidden"})

# The dialog asks these in order; "sichtbar" last, as the opt-in question.
DIALOG_STEPS: tuple[str, ...] = (*(f.value for f in FieldName), "sichtbar")


def parse_field(word: str) -> FieldName | None:
    """A field from its German or English name ("Interessen", "target-groups", "interessn")."""
    key = normalize(word)
    if not key:
        return None
    if key in _ALIASES:
        return _ALIASES[key]
    if len(key) < 4:
        return None
    best = process.extractOne(key, list(_ALIASES), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
    return _ALIASES[best[0]] if best else None


def parse_yes_no(text: str) -> bool | None:
    key = normalize(text)
    if key in YES_WORDS:
        return True
    if key in NO_WORDS:
        return False
    return None


def parse_list(text: str) -> tuple[str, ...]:
    """Comma-, semicolon- or line-separated items; case-insensitive duplicates dropped."""
    if len(text) > MAX_LIST_TEXT:
        raise UserError("profiles.too_long", limit=MAX_LIST_TEXT)
    items: dict[str, str] = {}
    for part in _LIST_SPLIT.split(text):
        item = " ".join(strip_controls(part).split()).strip(" .")
        if item and normalize(item):
            items.setdefault(normalize(item), item[:MAX_TEXT])
            if len(items) > MAX_ITEMS:  # stop at once: 9,000 items cost nothing more
                raise UserError("profiles.too_many_items", limit=MAX_ITEMS)
    return tuple(items.values())


def _single_line(text: str) -> str:
    if len(text) > 4 * MAX_TEXT:  # far too long even with extra spaces: not read at all
        raise UserError("profiles.too_long", limit=MAX_TEXT)
    value = single_line(text)
    if len(value) > MAX_TEXT:
        raise UserError("profiles.too_long", limit=MAX_TEXT)
    if not normalize(value):
        raise UserError("profiles.empty_value")
    return value


def kind_names() -> str:
    return ", ".join(kind.value for kind in InstitutionKind)


def set_field(row: ProfileRow, field: FieldName, value: str) -> ProfileRow:
    """The profile with one field set (or cleared with "-"); UserError if the value is bad."""
    clear = normalize(value) in CLEAR_WORDS or value.strip() == "-"
    if field is F.KIND:
        if clear:
            return replace(row, institution="", kind=None)
        name = _single_line(value)
        derived = parse_kind(name)
        # the kind follows the name; a name that names none leaves it to be asked
        return replace(row, institution=name, kind=derived.value if derived else None)
    if field is F.ART:
        if clear:
            return replace(row, kind=None)
        kind = parse_kind(value)
        if kind is None:
            raise UserError(
                "profiles.unknown_kind", value=single_line(value)[:MAX_TEXT], kinds=kind_names()
            )
        return replace(row, kind=kind.value)
    if field is F.EXPERIENCE:
        if clear:
            return replace(row, experience=None)
        level = parse_experience(value)
        if level is None:
            raise UserError("profiles.unknown_experience", value=single_line(value)[:MAX_TEXT])
        return replace(row, experience=int(level))
    if field is F.PLACE:
        return replace(row, place="" if clear else _single_line(value))
    if field is F.REGION:
        return replace(row, region="" if clear else _single_line(value))
    items = () if clear else parse_list(value)
    if not clear and not items:
        raise UserError("profiles.empty_value")
    if field is F.INTERESTS:
        return replace(row, interests=items)
    if field is F.OFFERS:
        return replace(row, offers=items)
    if field is F.NEEDS:
        return replace(row, needs=items)
    return replace(row, target_groups=items)


def to_profile(row: ProfileRow) -> Profile:
    """The engine's view of a stored profile."""
    kind = None
    if row.kind:
        try:
            kind = InstitutionKind(row.kind)
        except ValueError:
            kind = parse_kind(row.kind)
    experience = None if row.experience is None else Experience(row.experience)
    return Profile(
        user_id=row.user_id,
        kind=kind,
        place=row.place,
        region=row.region,
        interests=row.interests,
        offers=row.offers,
        needs=row.needs,
        target_groups=row.target_groups,
        experience=experience,
        visible=row.visible,
    )


@dataclass(frozen=True)
class DialogStep:
    """What one answer in the dialog did: the new profile and the step to ask next."""

    row: ProfileRow
    next_step: str | None  # None: the dialog is over
    error: UserError | None = None  # the answer did not fit: ask the same step again
    cancelled: bool = False


def next_step_after(step: str) -> str | None:
    position = DIALOG_STEPS.index(step)
    return DIALOG_STEPS[position + 1] if position + 1 < len(DIALOG_STEPS) else None


def dialog_answer(row: ProfileRow, step: str, text: str) -> DialogStep:
    """Apply one plain answer of the dialog: set the step's field, skip, or cancel."""
    key = normalize(text)
    if key in CANCEL_WORDS:
        return DialogStep(row, None, cancelled=True)
    if key in SKIP_WORDS or text.strip() == "-":
        following = next_step_after(step)
        if step == F.KIND.value and row.kind:  # a kind is known already
            following = next_step_after(F.ART.value)
        return DialogStep(row, following)
    if step == "sichtbar":
        choice = parse_yes_no(text)
        if choice is None:
            return DialogStep(row, step, UserError("profiles.dialog_yes_no"))
        return DialogStep(replace(row, visible=choice), None)
    try:
        updated = set_field(row, FieldName(step), text)
    except UserError as exc:
        return DialogStep(row, step, exc)
    following = next_step_after(step)
    if step == F.KIND.value and updated.kind:  # the kind came with the name
        following = next_step_after(F.ART.value)
    return DialogStep(updated, following)
