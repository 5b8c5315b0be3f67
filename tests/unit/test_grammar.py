"""Findings of issue 16 in the real catalog: address, plurals, punctuation, dates."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from commands.i18n import default_catalog

CATALOG = default_catalog()
BERLIN = ZoneInfo("Europe/Berlin")
WHEN = datetime(2026, 12, 15, 16, 0, tzinfo=BERLIN)
PLURAL_ADDRESS = re.compile(r"\b(ihr|euch|euer|eure|euren|eurem|eures)\b", re.IGNORECASE)
# texts for two or more people (an introduction's room, a cluster's room)
TO_A_GROUP = {
    "profiles.met_summary",
    "profiles.intro_text",
    "profiles.intro_outro",
    "profiles.checkin_text",
    "clusters.welcome",
}
TO_ONE_PERSON = ("profiles.", "matching.", "privacy.", "settings.", "clusters.", "core.")


@pytest.mark.parametrize(
    "key",
    [k for k in CATALOG.keys() if k.startswith(TO_ONE_PERSON) and k not in TO_A_GROUP],
)
def test_one_person_is_addressed_with_du(key: str) -> None:
    text = CATALOG.raw(key, "de") or ""
    assert not PLURAL_ADDRESS.search(text), f"{key}: {text}"


def test_the_profile_dialog_says_du() -> None:
    intro = CATALOG.get("profiles.dialog_intro", "de")
    assert "Ich stelle dir" in intro and "Dein Profil" in intro
    assert "Dein Profil habe ich dir" in CATALOG.get("profiles.show_sent_direct", "de")


@pytest.mark.parametrize(
    ("people", "places", "de", "en"),
    [
        (1, 1, "1 Person aus 1 Kommune", "1 person from 1 municipality"),
        (2, 3, "2 Personen aus 3 Kommunen", "2 people from 3 municipalities"),
    ],
)
def test_cluster_counts_agree(people: int, places: int, de: str, en: str) -> None:
    params = {"topic": "Singen", "people": people, "places": places}
    assert de in CATALOG.get(
        "clusters.status_forming", "de", **params, more_people=1, more_places=2
    )
    assert en in CATALOG.get(
        "clusters.status_forming", "en", **params, more_people=1, more_places=2
    )
    forming = CATALOG.get("clusters.status_forming", "de", **params, more_people=1, more_places=2)
    assert "noch 1 Person bzw. 2 Kommunen" in forming


def test_announcement_counts_rooms() -> None:
    assert CATALOG.get("meetings.announce_posted", "de", count=1) == (
        "📣 Die Ankündigung ist in 1 Raum erschienen."
    )
    assert CATALOG.get("meetings.announce_posted", "de", count=9) == (
        "📣 Die Ankündigung ist in 9 Räumen erschienen."
    )
    assert "to 1 room." in CATALOG.get("meetings.announce_posted", "en", count=1)


def test_a_room_name_ending_in_punctuation_gets_no_second_mark() -> None:
    text = CATALOG.get("knowledge.topic_room", "de", room="Läuft!")
    assert text == "Raum „Läuft!“." and "!." not in text.replace("“.", "")


@pytest.mark.parametrize(
    "key", ["dates.in_past", "dates.weekday_mismatch", "dates.recurrence_mismatch"]
)
def test_date_errors_use_the_readers_date_format(key: str) -> None:
    params = {"text": "x", "when": WHEN, "date": WHEN, "first": WHEN}
    english = CATALOG.get(key, "en", **params)
    assert not re.search(r"\d{2}\.\d{2}\.\d{4}", english), english
    german = CATALOG.get(key, "de", **params)
    assert "15.12.2026" in german or "Dienstag" in german, german
    if key == "dates.weekday_mismatch":
        assert "Tuesday" in english and "Dienstag" in german
