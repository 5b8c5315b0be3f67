"""Pure parts of the cooperation tracker: progress maths, field names, partners, the
term's end date, the review planning and the draft (golden files)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from commands.cooperation.agreement import build_draft
from commands.cooperation.draft import draft_filename, slug
from commands.cooperation.fields import (
    FIELD_KEYS,
    parse_term_end,
    partner_list,
    partners_from_title,
    resolve_field,
    split_assignment,
)
from commands.cooperation.progress import bar, progress
from commands.cooperation.schedule import (
    REVIEW_LEAD,
    next_review,
    plan_review,
    plan_term_end,
    reminder_due,
)
from commands.i18n import Catalog
from content import load_content
from storage.cooperations import Review

GOLDEN = Path(__file__).parent / "golden"
BERLIN = ZoneInfo("Europe/Berlin")
CHECKLIST = [(1, ["1.1", "1.2", "1.3"]), (2, ["2.1", "2.2"]), (3, ["3.1"])]


# --- progress ---------------------------------------------------------------------------


def test_current_phase_is_the_first_incomplete_one() -> None:
    state = progress(CHECKLIST, ["1.1", "1.2", "1.3", "2.2", "3.1"])
    assert [(p.number, p.done, p.total) for p in state.phases] == [(1, 3, 3), (2, 1, 2), (3, 1, 1)]
    assert state.current is not None and state.current.number == 2
    assert state.current.open_items == ("2.1",)
    assert (state.done, state.total) == (5, 6)


def test_no_ticks_means_phase_one_and_all_ticks_mean_done() -> None:
    assert progress(CHECKLIST, []).current.number == 1  # type: ignore[union-attr]
    everything = [i for _n, items in CHECKLIST for i in items]
    assert progress(CHECKLIST, everything).current is None


def test_ticks_outside_the_checklist_are_ignored() -> None:
    state = progress(CHECKLIST, ["1.1", "9.9", "1.99"])
    assert state.done == 1


@pytest.mark.parametrize(
    ("done", "total", "expected"),
    [
        (3, 5, "▓▓▓░░ 3/5"),
        (0, 5, "░░░░░ 0/5"),
        (5, 5, "▓▓▓▓▓ 5/5"),
        (1, 17, "▓░░░░░░░░░ 1/17"),
        (16, 17, "▓▓▓▓▓▓▓▓▓░ 16/17"),
        (17, 17, "▓▓▓▓▓▓▓▓▓▓ 17/17"),
        (8, 16, "▓▓▓▓▓░░░░░ 8/16"),
        (0, 0, "0/0"),
    ],
)
def test_bar(done: int, total: int, expected: str) -> None:
    assert bar(done, total) == expected


# --- field names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("laufzeit", "laufzeit"),
        ("Laufzeit:", "laufzeit"),
        ("term", "laufzeit"),
        ("ansprechpartnr", "ansprechpartner"),
        ("Ansprechpartnerin", "ansprechpartner"),
        ("contacts", "ansprechpartner"),
        ("Qualität", "qualitaet"),
        ("qualitat", "qualitaet"),
        ("quality", "qualitaet"),
        ("ziele", "inhalte"),
        ("content", "inhalte"),
        ("Rahmenbedingungen", "rahmen"),
        ("framework", "rahmen"),
        ("Zuständigkeiten", "verantwortung"),
        ("responsibilities", "verantwortung"),
        ("kommunikaton", "kommunikation"),
        ("partners", "partner"),
        ("Titel", "titel"),
        ("title", "titel"),
    ],
)
def test_field_names_aliases_and_typos(name: str, key: str) -> None:
    assert resolve_field(name) == key


@pytest.mark.parametrize("name", ["xyz", "farbe", "", "budgetplanung2"])
def test_unknown_field_names(name: str) -> None:
    assert resolve_field(name) is None


def test_every_content_element_is_a_field() -> None:
    content = load_content()
    assert [e.key for e in content.agreement_elements] == list(FIELD_KEYS)


def test_split_assignment() -> None:
    assert split_assignment("Laufzeit: bis 31.07.2027") == ("Laufzeit", "bis 31.07.2027")
    assert split_assignment("laufzeit=ein Jahr") == ("laufzeit", "ein Jahr")
    assert split_assignment("ansprechpartner  Frau A\nHerr B") == (
        "ansprechpartner",
        "Frau A\nHerr B",
    )
    assert split_assignment("laufzeit") == ("laufzeit", "")


# --- partners ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "partners"),
    [
        ("Musikschule Bonn und GS Am Park", ["Musikschule Bonn", "GS Am Park"]),
        (
            "Musikschule Bonn & GS Am Park + OGS Träger",
            ["Musikschule Bonn", "GS Am Park", "OGS Träger"],
        ),
        ("Musikschule Bonn – GS Am Park", ["Musikschule Bonn", "GS Am Park"]),
        ("Musikschule Bonn mit GS Am Park", ["Musikschule Bonn", "GS Am Park"]),
        (
            "Singpause: Musikschule Nord und Grundschule Süd",
            ["Musikschule Nord", "Grundschule Süd"],
        ),
        ("Singpause", []),
        ("Musikschule Rhein-Sieg", []),
    ],
)
def test_partners_from_title(title: str, partners: list[str]) -> None:
    assert partners_from_title(title) == partners


def test_partner_list_of_a_field_value() -> None:
    assert partner_list("Musikschule Bonn, GS Am Park; OGS") == [
        "Musikschule Bonn",
        "GS Am Park",
        "OGS",
    ]


# --- term end date ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("bis 31.07.2027", date(2027, 7, 31)),
        ("01.08.2026–31.07.2027", date(2027, 7, 31)),
        ("01.08.2026 - 31.07.2027, verlängert sich um ein Jahr", date(2027, 7, 31)),
        ("1.8.2026 bis 31.7.27", date(2027, 7, 31)),
        ("Beginn 1.8.2026, Ende 31. Juli 2028", date(2028, 7, 31)),
        ("endet am 2027-07-31", date(2027, 7, 31)),
        ("bis Juli 2027", date(2027, 7, 31)),
        ("until 30.06.2027", date(2027, 6, 30)),
        ("ab 01.08.2026 für ein Jahr", date(2027, 7, 31)),
        ("2 Jahre ab 01.08.2026", date(2028, 7, 31)),
        ("ab 01.08.2026", None),
        ("unbefristet, Kündigung mit 3 Monaten Frist", None),
        ("Schuljahr 2026/27", None),
        ("bis 31.02.2027", None),
    ],
)
def test_term_end(text: str, end: date | None) -> None:
    assert parse_term_end(text) == end


# --- review planning ---------------------------------------------------------------------------


def test_review_series_reminds_the_working_day_before_each_meeting() -> None:
    now = datetime(2026, 11, 20, 9, 0, tzinfo=BERLIN)
    first = datetime(2027, 2, 18, 10, 0, tzinfo=BERLIN)  # a Thursday
    review = Review(first, "FREQ=MONTHLY;INTERVAL=3", "Europe/Berlin", "$s")
    job = plan_review(7, review, now, now)
    assert job is not None
    assert job.ref == "7:2027-02-18T09:00:00+00:00"
    assert job.due == first - REVIEW_LEAD
    assert job.payload == {"cooperation": 7, "at": "2027-02-18T09:00:00+00:00", "stamp": "$s"}
    following = next_review(review, first)
    assert following == datetime(2027, 5, 18, 10, 0, tzinfo=BERLIN)


def test_short_series_and_close_dates_remind_at_the_meeting() -> None:
    now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    soon = now + timedelta(seconds=5)
    assert reminder_due(soon, None, now) == soon
    assert reminder_due(soon, "FREQ=MINUTELY;INTERVAL=5", now) == soon
    once = Review(soon, None, "Europe/Berlin", "$s")
    assert next_review(once, now) == soon and next_review(once, soon) is None


def test_term_end_reminder_eight_weeks_before() -> None:
    now = datetime(2026, 11, 20, 9, 0, tzinfo=BERLIN)
    job = plan_term_end(3, date(2027, 7, 31), BERLIN, now)
    assert job is not None and job.ref == "3:end"
    assert job.due == datetime(2027, 6, 5, 10, 0, tzinfo=BERLIN)
    assert plan_term_end(3, date(2026, 11, 19), BERLIN, now) is None
    late = plan_term_end(3, date(2026, 12, 1), BERLIN, now)
    assert late is not None and late.due < now < late.not_after  # type: ignore[operator]


# --- draft -------------------------------------------------------------------------------------------


def test_slug_and_filename() -> None:
    assert (
        slug("Singpause: Musikschule Bonn & GS „Am Park“")
        == "singpause-musikschule-bonn-gs-am-park"
    )
    assert slug("Größe") == "groesse"
    assert slug("!!!") == "entwurf"
    assert draft_filename("Musikschule Bonn und GS Am Park") == (
        "kooperationsvereinbarung-musikschule-bonn-und-gs-am-park.md"
    )


FIELDS = {
    "titel": "Singpause: Musikschule Bonn und GS Am Park",
    "partner": "Musikschule Bonn, GS Am Park",
    "inhalte": "Wöchentliche Singpause in allen Klassen 1–4.\nZiel: jedes Kind singt täglich.",
    "laufzeit": "01.08.2026–31.07.2027",
    "ansprechpartner": "Frau Beispiel <beispiel@musikschule.example>",
}


@pytest.mark.parametrize("lang", ["de", "en"])
def test_draft_matches_golden_file(lang: str) -> None:
    content = load_content()
    draft = build_draft(content, FIELDS["titel"], FIELDS, Catalog.load(), lang, as_of="01.12.2026")
    path = GOLDEN / f"agreement_draft_{lang}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(draft.markdown, encoding="utf-8")
    assert draft.markdown == path.read_text(encoding="utf-8")
    assert len(draft.missing) == 4


def test_draft_marks_missing_fields_with_guidance_and_escapes_html() -> None:
    content = load_content()
    draft = build_draft(content, "<b>X</b>", {"titel": "<b>X</b>"}, Catalog.load(), "de")
    assert "⚠ noch offen: Laufzeit" in draft.markdown
    element = content.agreement_element("laufzeit")
    assert element is not None
    laufzeit = element.guidance("de")
    assert f"Hinweis: {laufzeit}" in draft.markdown
    assert "Stand:" not in draft.markdown  # no date unless passed in
    assert "<b>" not in draft.html and "&lt;b&gt;X&lt;/b&gt;" in draft.html
    assert "| Partner 1 |" in draft.markdown
    assert len(draft.missing) == 8


# --- messages ------------------------------------------------------------------------------------------


def test_every_message_key_exists_in_german_and_english() -> None:
    import re

    catalog = Catalog.load()
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (Path(__file__).parents[2] / "commands" / "cooperation").glob("*.py")
    )
    used = set(re.findall(r'"(cooperation\.[a-z_]+)"', source))
    used |= {f"cooperation.{k}" for k in re.findall(r't\("(draft_[a-z_]+)"', source)}
    assert len(used) > 60
    for key in sorted(used):
        assert catalog.languages_of(key) == {"de", "en"}, key
    for key in catalog.keys():
        if key.startswith("cooperation."):
            assert catalog.languages_of(key) == {"de", "en"}, key
