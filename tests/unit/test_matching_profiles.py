"""Tolerant parsing of institution kind and experience (what members type in !profil)."""

from __future__ import annotations

import pytest

from commands.matching import Experience, InstitutionKind, parse_experience, parse_kind

K = InstitutionKind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Musikschule", K.MUSIKSCHULE),
        ("musikschuhle", K.MUSIKSCHULE),
        ("Städtische Jugendmusikschule Münster", K.MUSIKSCHULE),
        ("Grundschule", K.GRUNDSCHULE),
        ("Gemeinschaftsgrundschule am Park", K.GRUNDSCHULE),
        ("OGS-Träger", K.OGS_TRAEGER),
        ("ogs traeger", K.OGS_TRAEGER),
        ("OGS", K.OGS_TRAEGER),
        ("Offene Ganztagsschule", K.OGS_TRAEGER),
        ("Kita", K.KITA),
        ("Kindertagesstätte Sonnenschein", K.KITA),
        ("weiterführende Schule", K.WEITERFUEHRENDE_SCHULE),
        ("Gymnasium", K.WEITERFUEHRENDE_SCHULE),
        ("gymnasium", K.WEITERFUEHRENDE_SCHULE),
        ("Gesamtschule", K.WEITERFUEHRENDE_SCHULE),
        ("Kommune/Bildungsbüro", K.KOMMUNE),
        ("Bildungsbuero", K.KOMMUNE),
        ("Bildungsbüro Kreis Steinfurt", K.KOMMUNE),
        ("Verein", K.VEREIN),
        ("Musikverein e.V.", K.VEREIN),
        ("Sonstige", K.SONSTIGE),
    ],
)
def test_parse_kind_accepts_variants_and_typos(text: str, kind: InstitutionKind) -> None:
    assert parse_kind(text) is kind


@pytest.mark.parametrize("text", ["", "   ", "xyz", "Schule"])
def test_parse_kind_unclear_is_none(text: str) -> None:
    assert parse_kind(text) is None


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("neu", Experience.NEW),
        ("Neu", Experience.NEW),
        ("new", Experience.NEW),
        ("etwas", Experience.SOME),
        ("erfahren", Experience.EXPERIENCED),
        ("erfaren", Experience.EXPERIENCED),
        ("sehr erfahren", Experience.EXPERIENCED),
        ("experienced", Experience.EXPERIENCED),
    ],
)
def test_parse_experience(text: str, level: Experience) -> None:
    assert parse_experience(text) is level


def test_parse_experience_unclear_is_none() -> None:
    assert parse_experience("vielleicht morgen") is None
