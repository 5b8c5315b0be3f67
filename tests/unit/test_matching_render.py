"""Reason texts in German and English, from commands/locales/matching.yaml only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import commands
from commands.i18n import LANGUAGES, Catalog
from commands.matching import (
    RESOURCE_GROUPS,
    InstitutionKind,
    Match,
    MatchIndex,
    Profile,
    Reason,
    ReasonKind,
    kind_label,
    render_reason,
    render_reasons,
    visibility_hint,
)

LOCALE = Path(commands.__file__).parent / "locales" / "matching.yaml"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    directory = tmp_path_factory.mktemp("locales")
    shutil.copy(LOCALE, directory / "matching.yaml")
    return Catalog.load(directory)


def test_every_reason_kind_resource_and_kind_has_texts_in_both_languages(
    catalog: Catalog,
) -> None:
    keys = [f"matching.reason_{kind.value}" for kind in ReasonKind]
    keys += [f"matching.reason_{k}_free" for k in ("offers_needed", "needs_offered")]
    keys += [f"matching.term_{group[0]}" for group in RESOURCE_GROUPS]
    keys += [f"matching.kind_{kind.name.lower()}" for kind in InstitutionKind]
    keys += ["matching.and", "matching.more", "matching.hint_hidden", "matching.hint_no_kind"]
    for key in keys:
        assert catalog.languages_of(key) == set(LANGUAGES), key


@pytest.mark.parametrize(
    ("reason", "german", "english"),
    [
        (
            Reason(ReasonKind.OFFERS_WHAT_YOU_NEED, ("raeume",), ("raeume",)),
            "bietet Räume, die du suchst",
            "offers rooms you are looking for",
        ),
        (
            Reason(ReasonKind.NEEDS_WHAT_YOU_OFFER, ("Instrumente",), ("instrumente",)),
            "sucht Instrumente, die du anbietest",
            "is looking for instruments you offer",
        ),
        (
            Reason(ReasonKind.NEEDS_WHAT_YOU_OFFER, ("Bühne",), ("buehne",)),
            "sucht, was du anbietest: Bühne",
            "is looking for Bühne you offer",
        ),
        (
            Reason(ReasonKind.SHARED_INTERESTS, ("Schnittstelle OGS",), ("schnittstelle ogs",)),
            "beide: Schnittstelle OGS",
            "both: Schnittstelle OGS",
        ),
        (
            Reason(ReasonKind.SAME_REGION, ("Münsterland",)),
            "gleiche Region: Münsterland",
            "same region: Münsterland",
        ),
        (
            Reason(ReasonKind.EXPERIENCED),
            "erfahren – kann bei den ersten Schritten helfen",
            "experienced – can help with the first steps",
        ),
        (
            Reason(ReasonKind.OFFERS_WHAT_YOU_NEED, ("Räume", "Zeiten"), ("raeume", "zeiten")),
            "bietet Räume und Zeiten, die du suchst",
            "offers rooms and time slots you are looking for",
        ),
        (
            Reason(
                ReasonKind.SHARED_INTERESTS, ("A", "B", "C", "D", "E"), ("a", "b", "c", "d", "e")
            ),
            "beide: A, B, C und 2 weitere",
            "both: A, B, C and 2 more",
        ),
    ],
)
def test_render_reason(catalog: Catalog, reason: Reason, german: str, english: str) -> None:
    assert render_reason(reason, catalog, "de") == german
    assert render_reason(reason, catalog, "en") == english


def test_render_reasons_of_a_real_match(catalog: Catalog) -> None:
    index = MatchIndex.build(
        [
            Profile("@ms", InstitutionKind.MUSIKSCHULE, offers=("Instrumente",), visible=True),
            Profile("@ogs", InstitutionKind.OGS_TRAEGER, needs=("Leihinstrumente",), visible=True),
        ]
    )
    match = Match("@ogs", 20, (Reason(ReasonKind.NEEDS_WHAT_YOU_OFFER, ("x",), ("instrumente",)),))
    assert render_reasons(match, catalog, "de") == ["sucht Instrumente, die du anbietest"]
    assert visibility_hint(index, "@ms", catalog, "de") is None


def test_hidden_asker_gets_a_hint(catalog: Catalog) -> None:
    index = MatchIndex.build([Profile("@me", InstitutionKind.KITA, visible=False)])
    hint = visibility_hint(index, "@me", catalog, "de")
    assert hint is not None and "!profil sichtbar ja" in hint
    assert "!profile visible yes" in (visibility_hint(index, "@me", catalog, "en") or "")


def test_kind_label(catalog: Catalog) -> None:
    assert kind_label(InstitutionKind.OGS_TRAEGER, catalog, "de") == "OGS-Träger"
    assert kind_label(InstitutionKind.KITA, catalog, "en") == "day-care centre"
