"""Profile field parsing and the steps of the guided dialog (pure functions)."""

from __future__ import annotations

import pytest

from commands.errors import UserError
from commands.matching import Experience, InstitutionKind
from commands.profiles.fields import (
    DIALOG_STEPS,
    FieldName,
    dialog_answer,
    parse_field,
    parse_list,
    parse_yes_no,
    set_field,
    to_profile,
)
from storage.profiles import ProfileRow

ME = "@me:localhost"


@pytest.mark.parametrize(
    ("word", "field"),
    [
        ("einrichtung", FieldName.KIND),
        ("Institution", FieldName.KIND),
        ("ort", FieldName.PLACE),
        ("place", FieldName.PLACE),
        ("region", FieldName.REGION),
        ("Interessen", FieldName.INTERESTS),
        ("interessn", FieldName.INTERESTS),
        ("interests", FieldName.INTERESTS),
        ("angebote", FieldName.OFFERS),
        ("offers", FieldName.OFFERS),
        ("bedarfe", FieldName.NEEDS),
        ("needs", FieldName.NEEDS),
        ("zielgruppen", FieldName.TARGET_GROUPS),
        ("target-groups", FieldName.TARGET_GROUPS),
        ("zielgrupen", FieldName.TARGET_GROUPS),
        ("erfahrung", FieldName.EXPERIENCE),
        ("experience", FieldName.EXPERIENCE),
        ("erfarung", FieldName.EXPERIENCE),
    ],
)
def test_field_names_german_english_and_typos(word: str, field: FieldName) -> None:
    assert parse_field(word) is field


@pytest.mark.parametrize("word", ["", "x", "blabla", "sichtbarkeit123", "<script>"])
def test_unknown_field_names(word: str) -> None:
    assert parse_field(word) is None


def test_lists_split_on_commas_and_drop_duplicates() -> None:
    assert parse_list("Singen, Inklusion; singen,\nGanztag , ") == (
        "Singen",
        "Inklusion",
        "Ganztag",
    )
    with pytest.raises(UserError):
        parse_list(",".join(f"t{i}" for i in range(40)))


def test_yes_no() -> None:
    assert parse_yes_no("Ja") is True and parse_yes_no("yes") is True
    assert parse_yes_no("nein") is False and parse_yes_no("no") is False
    assert parse_yes_no("vielleicht") is None


def test_set_fields() -> None:
    row = ProfileRow(ME)
    row = set_field(row, FieldName.KIND, "ogs traeger")
    assert row.kind == InstitutionKind.OGS_TRAEGER.value
    row = set_field(row, FieldName.EXPERIENCE, "erfaren")
    assert row.experience == int(Experience.EXPERIENCED)
    row = set_field(row, FieldName.PLACE, "  Herne  ")
    assert row.place == "Herne"
    row = set_field(row, FieldName.NEEDS, "Räume, Instrumente")
    assert row.needs == ("Räume", "Instrumente")
    row = set_field(row, FieldName.NEEDS, "-")
    assert row.needs == ()
    profile = to_profile(row)
    assert profile.kind is InstitutionKind.OGS_TRAEGER and profile.place == "Herne"


def test_the_institution_keeps_its_name_and_derives_its_kind() -> None:
    row = set_field(ProfileRow(ME), FieldName.KIND, "Musikschule Am Rhein")
    assert row.institution == "Musikschule Am Rhein" and row.kind == "Musikschule"
    assert to_profile(row).kind is InstitutionKind.MUSIKSCHULE  # matching uses the kind
    other = set_field(row, FieldName.KIND, "Haus der Jugend Herne")
    assert other.institution == "Haus der Jugend Herne" and other.kind is None  # to be asked
    kind = set_field(other, FieldName.ART, "Verein")
    assert kind.institution == "Haus der Jugend Herne" and kind.kind == "Verein"
    assert parse_field("art") is FieldName.ART and parse_field("Einrichtung") is FieldName.KIND
    cleared = set_field(kind, FieldName.KIND, "-")
    assert cleared.institution == "" and cleared.kind is None


def test_unknown_kind_lists_the_kinds() -> None:
    with pytest.raises(UserError) as caught:
        set_field(ProfileRow(ME), FieldName.ART, "Raumstation")
    assert caught.value.key == "profiles.unknown_kind"
    assert "Musikschule" in str(caught.value.params["kinds"])


def test_bad_experience_and_empty_and_long_values() -> None:
    with pytest.raises(UserError):
        set_field(ProfileRow(ME), FieldName.EXPERIENCE, "hmm")
    with pytest.raises(UserError):
        set_field(ProfileRow(ME), FieldName.INTERESTS, ", ,")
    with pytest.raises(UserError):
        set_field(ProfileRow(ME), FieldName.PLACE, "x" * 200)


def test_dialog_walks_every_step_and_skips() -> None:
    row = ProfileRow(ME)
    answers = {
        "einrichtung": "Musikschule Bochum",
        "art": "Verein",
        "ort": "Bochum",
        "region": "weiter",
        "interessen": "Singen, Inklusion",
        "angebote": "Instrumente",
        "bedarfe": "Räume",
        "zielgruppen": "Grundschulkinder",
        "erfahrung": "neu",
        "sichtbar": "ja",
    }
    step: str | None = DIALOG_STEPS[0]
    seen = []
    while step is not None:
        seen.append(step)
        outcome = dialog_answer(row, step, answers[step])
        assert outcome.error is None and not outcome.cancelled
        row, step = outcome.row, outcome.next_step
    assert seen == [s for s in DIALOG_STEPS if s != "art"]  # the kind came with the name
    assert row.kind == "Musikschule" and row.institution == "Musikschule Bochum"
    assert row.place == "Bochum" and row.region == ""
    assert row.interests == ("Singen", "Inklusion") and row.visible
    assert row.experience == 0


def test_dialog_bad_answer_repeats_the_step_and_cancel_ends() -> None:
    row = ProfileRow(ME)
    named = dialog_answer(row, "einrichtung", "Raumstation")
    assert named.error is None and named.next_step == "art"  # no kind in the name: ask it
    bad = dialog_answer(named.row, "art", "Raumstation")
    assert bad.error is not None and bad.next_step == "art" and bad.row == named.row
    unclear = dialog_answer(row, "sichtbar", "vielleicht")
    assert unclear.error is not None and unclear.next_step == "sichtbar"
    for word in ("abbrechen", "Stop", "cancel"):
        assert dialog_answer(row, "ort", word).cancelled
