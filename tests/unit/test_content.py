"""Content package: normalisation, synonyms, loader, overrides, look-ups, threshold, check."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from content import (
    ContentError,
    ContentIndex,
    check_content,
    detect_lang,
    load_content,
    normalize,
)
from content.analyze import Analyzer
from content.normalize import stem
from tests.fakes import shipped_index

SEEDS = {
    "000_a10b21769f189de1.txt",
    "001_5dc91feac3aa1d14.txt",
    "002_fd38c46f0777cea9.txt",
    "003_787ba08bf6b623e9.txt",
    "004_d3f449c150c77208.txt",
}


@pytest.fixture(scope="module")
def cs():
    return load_content()


@pytest.fixture(scope="module")
def index() -> ContentIndex:
    """The shipped index (a copy of the test run's one build)."""
    return shipped_index()


# ---------------------------------------------------------------- normalisation


def test_normalize_folds_case_umlauts_sharp_s() -> None:
    assert normalize("Qualitätssicherung – Straße!") == "qualitaetssicherung strasse"
    assert normalize("  OGS/Ganztag ") == "ogs ganztag"


def test_normalize_remembers_only_short_texts() -> None:
    """A member's 64 KB word is normalised like any text but not kept in the memo of
    recent texts (it holds at most 4,096 texts of at most 1,000 characters)."""
    from content.normalize import _normalize_remembered

    huge = "Ä" * 65_536
    before = _normalize_remembered.cache_info().currsize
    assert normalize(huge) == "ae" * 65_536
    assert normalize("Äpfel") == normalize("Äpfel") == "aepfel"
    info = _normalize_remembered.cache_info()
    assert info.currsize <= before + 1 and info.maxsize == 4096


def test_stem_is_consistent_for_inflections_and_lost_umlauts() -> None:
    assert stem("kooperation") == stem("kooperationen")
    assert stem(normalize("Qualität")) == stem("qualitat")
    assert stem("lernclusters") == stem("lerncluster")


def test_compound_split_matches_separate_words(index: ContentIndex) -> None:
    terms = index.analyzer.terms
    assert terms("Kooperationsvereinbarung") == terms("Kooperation Vereinbarung")
    assert terms("Kooperationsvereinbahrung") == terms("Kooperation Vereinbarung")  # typo


def test_synonyms_map_to_one_term() -> None:
    an = Analyzer([["ogs", "offene ganztagsschule", "ganztag"], ["vereinbarung", "vertrag"]], [])
    assert an.terms("OGS") == an.terms("offene Ganztagsschule") == an.terms("Ganztag")
    assert an.terms("Vertrag") == an.terms("Vereinbarung")


def test_words_dictation_broke_apart_are_joined_when_only_the_whole_is_known() -> None:
    an = Analyzer([], ["Die Pädagogische Werkstatt tagt auf Augenhöhe", "DKBM und NeOBi"])
    assert an.terms("werk statt") == an.terms("Werkstatt")
    assert an.terms("augen höhe") == an.terms("Augenhöhe")
    assert an.terms("d k b m") == an.terms("DKBM")
    assert an.terms("neo bi") == an.terms("NeOBi")
    # a known word stays itself, and stop words are never glued into one
    assert an.terms("die werkstatt tagt") == an.terms("werkstatt tagt")
    assert an.terms("an der werkstatt") == an.terms("werkstatt")


def test_a_phase_named_by_an_ordinal_or_a_number_word_is_that_phase() -> None:
    an = Analyzer([["phase", "stage"]], ["Phase 4: Organisatorische Absprachen"])
    assert an.terms("die vierte Phase") == an.terms("Phase 4")
    assert an.terms("in der allerersten Phase") == an.terms("Phase 1")
    assert an.terms("Phase drei") == an.terms("Phase 3")
    assert an.terms("the fifth stage") == an.terms("phase 5")
    # an ordinal without a phase is left alone, a phase without a number too
    assert "4" not in an.terms("das vierte Treffen")
    assert an.terms("welche Phase") == an.terms("Phase")


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("Was ist laut den Folien die erste Phase?", "phase-1-interner-dialog"),
        ("was passiert in der fünften Phase", "phase-5-vereinbarung"),
        ("worum geht es in der sechsten phase einer kooperation", "phase-6-umsetzung"),
        ("Phase drei, was ist da wichtig", "phase-3-inhalte-team"),
    ],
)
def test_a_phase_asked_by_its_ordinal_is_answered_by_that_phase(
    index: ContentIndex, question: str, entry_id: str
) -> None:
    # members count the phases in words; the ordinal used to be a stop word, so "die
    # erste Phase" landed on "Die Umsetzung vorbereiten" and "der sechsten Phase" on a
    # network topic whose name holds "Schritt"
    res = index.answer(question)
    assert not res.abstained and res.entry_id == entry_id


def test_remembered_terms_follow_what_the_analyser_learns() -> None:
    # an answer asks for the same pieces' terms many times, so they are remembered; a
    # coordinator's new entry teaches words, and the old terms must not outlive that
    an = Analyzer([], ["Musik"])
    assert an.terms("Tubawerkstatt") == ["tubawerkstatt"]
    an.learn(["Tuba Werkstatt"])
    assert an.terms("Tubawerkstatt") == ["tuba", "werkstatt"]
    an.terms("Tuba").append("changed by a caller")
    assert an.terms("Tuba") == ["tuba"]


def test_shipped_synonyms_are_normalised(cs) -> None:
    assert cs.synonyms
    for group in cs.synonyms:
        assert all(word == normalize(word) for word in group)


# ---------------------------------------------------------------- shipped content


def test_counts_and_sources(cs) -> None:
    assert [p.number for p in cs.phases] == [1, 2, 3, 4, 5, 6, 7]
    assert len(cs.faq) >= 80
    assert {t.key for t in cs.topics} == {
        "laeuft", "gemeinsam", "bildungspartner", "schritt-zu-schritt",
        "gut-vernetzt", "schnittstelle-ogs", "mehr",
    }  # fmt: skip
    assert [a.key for a in cs.agreement_elements] == [
        "titel", "partner", "inhalte", "rahmen", "verantwortung",
        "kommunikation", "ansprechpartner", "laufzeit", "qualitaet",
    ]  # fmt: skip
    every = [*cs.phases, *cs.agreement_elements, *cs.topics, *cs.faq]
    every += [it for p in cs.phases for it in p.items]
    assert all(x.source in SEEDS for x in every)


def test_every_entry_is_translated(cs) -> None:
    for e in cs.faq:
        assert e.title("en") != e.title("de") or e.id.startswith("thema-")
        assert e.questions("en")
    for p in cs.phases:
        assert p.title("en") and all(it.text("en") != it.text("de") for it in p.items)


def test_checklist_items_and_phase_lookup(cs) -> None:
    item = cs.checklist_item("3.4")
    assert item is not None and "Sinn" in item.text() and item.hint()
    assert cs.checklist_item("9.9") is None
    cases = {
        "3": 3, "Phase 5": 5, "kontakt": 2, "Erstkontakt": 2, "qualitat": 7,
        "vereinbarung": 5, "Teambildung": 3, "Umsetzung": 6, "interner dialog": 1,
        "Qualitätssicherung": 7, "organisatorisch": 4, "Kooperationsvereinbarung": 5,
    }  # fmt: skip
    for text, number in cases.items():
        phase = cs.find_phase(text)
        assert phase is not None and phase.number == number, text
    assert cs.find_phase("Apfelkuchen") is None


def test_check_report_of_shipped_content_is_clean() -> None:
    report = check_content()
    assert report.errors == []
    assert report.warnings == []
    assert report.counts["faq"] >= 80
    assert "faq" in report.render()


# ---------------------------------------------------------------- answering


def test_answer_has_title_text_source_related(index: ContentIndex) -> None:
    res = index.answer("Was gehört in eine Kooperationsvereinbarung?")
    assert not res.abstained and res.entry_id == "vereinbarung-inhalt"
    assert res.title and res.text and res.source in SEEDS
    assert 0 <= res.score <= 100 and 1 <= len(res.related) <= 2
    assert res.metadata() == {"id": res.entry_id, "score": res.score, "source": res.source}


@pytest.mark.parametrize(
    ("message", "entry_id"),
    [
        (
            "bin grad im zug zurück von der fortbildung was gehört laut den folien in eine "
            "kooperationsvereinbarung rein ich muss das morgen der schulleitung vorlegen danke",
            "vereinbarung-inhalt",
        ),
        (
            "bin grad im zug zurück von der fortbildung und frag mich in wie viele phasen "
            "teilt der vortrag eine kooperation ein danke und tschüss",
            "phasen-ueberblick",
        ),
        # dialect: "isch", "des", "net", "gell" and "heut" are filler, not the topic
        (
            "was isch des eigentlich so a lerncluster i hab des net verstanden gell",
            "lerncluster-was",
        ),
        (
            "wie lang gehen die online austauschtreffen vom lvdm eigentlich i hab heut koan "
            "plan mehr",
            "austauschtreffen",
        ),
    ],
)
def test_a_message_without_punctuation_is_answered_from_its_asking_clause(
    index: ContentIndex, message: str, entry_id: str
) -> None:
    # dictated on the way home: story, question, reason and thanks in one run; the story's
    # words used to drown the question (both abstained before clauses were cut)
    res = index.answer(message)
    assert not res.abstained
    assert res.entry_id == entry_id


def test_a_dialect_message_asking_genau_finds_its_topic_one_tap_away(index: ContentIndex) -> None:
    """ "genau" often marks a near-miss asking a detail the content lacks ("was genau kam
    bei der Umfrage raus?"); with it the verifier (refitted in session 14 on 95 read sets)
    no longer answers this dialect message outright, but its topic is found: the right
    entry is the first "Meinst du …?" choice, one tap away."""
    res = index.answer(
        "was isch des eigentlich genau so a lerncluster i hab des net verstanden gell"
    )
    first = res.entry_id if not res.abstained else res.candidates[0][0]
    assert first == "lerncluster-was"


@pytest.mark.parametrize(
    "message",
    [
        "wie lange dauern die treffen " * 2_500,  # 70 KB without a full stop
        "ich hab " + "x" * 65_536 + " wie lange dauern die online treffen",  # a 64 KB word
        "d k b m " * 8_000 + "was heisst das",  # letters spelt out, far too many
        " ".join(["werk", "statt"] * 5_000),
        "damit ich " * 3_000 + "wat kostet dat",  # spoken forms over and over
        "bin grad " * 4_000 + "wie lange dauern die treffen",
        "die erste phase die zweite phase phase eins " * 3_000,  # every phase, counted out
    ],
)
def test_a_strangers_huge_run_on_message_gets_an_answer_or_abstains(
    index: ContentIndex, message: str
) -> None:
    res = index.answer(message)
    assert res.abstained or res.entry_id


def test_english_question_gets_english_answer(index: ContentIndex) -> None:
    res = index.answer("How long should a cooperation agreement run?")
    assert res.lang == "en" and not res.abstained
    assert res.text == index.content.faq_entry(res.entry_id or "").answer("en")  # type: ignore[union-attr]
    assert index.answer("Was kostet ein Lerncluster?", lang="en").lang == "en"
    assert detect_lang("Wie lange läuft der Vertrag?", default="en") == "de"


@pytest.mark.parametrize(
    "question",
    [
        "Wie wird das Wetter morgen?",
        "Wer hat die Fußball-WM gewonnen?",
        "Rezept für Apfelkuchen",
        "What's the weather like tomorrow?",
        "",
        "???",
    ],
)
def test_off_topic_abstains_with_suggestions(index: ContentIndex, question: str) -> None:
    res = index.answer(question)
    assert res.abstained and res.entry_id is None
    assert res.metadata() == {"abstained": True}
    if question.strip("?"):
        assert res.suggestions and all(title for _id, title in res.suggestions)


def test_threshold_controls_abstention(cs, index: ContentIndex) -> None:
    """Without a verifier the threshold is the lowest score answered; the verifier
    brings its own floor (fitted with it), which then takes the threshold's place."""
    question = "Was kostet ein Lerncluster?"
    assert not index.answer(question).abstained  # (the index of ``cs``, built once)
    strict = ContentIndex(cs, threshold=101)
    strict.verifier = None
    res = strict.answer(question)
    assert res.abstained and res.suggestions[0][0] == "lerncluster-kosten"
    assert index.verifier is not None and index.verifier.floor is not None
    strict.verifier = dataclasses.replace(index.verifier, floor=101)
    assert strict.answer(question).abstained
    strict.verifier = index.verifier
    assert strict.answer(question).entry_id == "lerncluster-kosten"


# ---------------------------------------------------------------- overrides and check


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_extra_dir_overrides_and_extends_by_id(tmp_path: Path) -> None:
    _write(
        tmp_path / "de" / "eigen.yaml",
        """
faq:
  - id: lerncluster-kosten
    title: Kosten bei uns
    questions: ["Was kostet ein Lerncluster?"]
    answer: Bei unserem Netzwerk zahlt die Kommune die Fahrtkosten.
    source: netzwerk-intern
  - id: probenraum
    title: Probenraum im Rathaus
    questions: ["Wo ist der Probenraum?", "Gibt es einen Proberaum?"]
    answer: Im Rathaus, Raum 12.
    keywords: [Probenraum, Rathaus]
    related: [lerncluster-kosten]
    source: netzwerk-intern
""",
    )
    _write(tmp_path / "synonyms.yaml", "groups:\n  - [probenraum, proberaum, uebungsraum]\n")
    cs = load_content([tmp_path])
    entry = cs.faq_entry("lerncluster-kosten")
    assert entry is not None and entry.title() == "Kosten bei uns"
    assert entry.title("en") == "Cost of a learning cluster"  # shipped translation kept
    index = ContentIndex(cs)
    assert index.answer("Wo finde ich den Übungsraum?").entry_id == "probenraum"
    report = check_content([tmp_path])
    assert report.errors == []
    assert any("probenraum" in str(w) and "missing translation" in str(w) for w in report.warnings)


def test_check_reports_broken_references_and_duplicates(tmp_path: Path) -> None:
    body = """
faq:
  - id: doppelt
    title: Erster Eintrag
    questions: [Frage eins]
    answer: Antwort eins.
    related: [gibt-es-nicht]
    phase: 7
    source: x.txt
  - id: doppelt
    title: Zweiter Eintrag
    questions: [Frage zwei]
    answer: Antwort zwei.
    source: x.txt
"""
    _write(tmp_path / "de" / "a.yaml", body)
    _write(
        tmp_path / "en" / "b.yaml",
        "faq:\n  - {id: nur-englisch, title: Only, answer: Only English.}\n",
    )
    report = check_content([tmp_path])
    text = "\n".join(str(e) for e in report.errors)
    assert "duplicate faq id" in text
    assert "gibt-es-nicht" in text
    assert "nur-englisch" in text
    assert "FEHLER" in report.render()
    with pytest.raises(ContentError):
        load_content([tmp_path])


def test_invalid_yaml_names_file_and_entry(tmp_path: Path) -> None:
    _write(tmp_path / "de" / "kaputt.yaml", "faq:\n  - id: ohne-antwort\n    title: Titel da\n")
    with pytest.raises(ContentError) as exc:
        load_content([tmp_path])
    assert "kaputt.yaml: ohne-antwort:" in str(exc.value)
    _write(tmp_path / "de" / "kaputt.yaml", "faq: [\n")
    assert check_content([tmp_path]).errors


def test_missing_directory_is_an_error(tmp_path: Path) -> None:
    assert check_content([tmp_path / "fehlt"]).errors


def test_a_synonym_that_is_a_stop_word_elsewhere_keeps_the_questions_point() -> None:
    """ "nochmal" and "noch jemand" are stop words in most questions, but in "kommt das
    nochmal?" and "profitiert noch jemand?" they are the point: the synonym groups name
    them, so they become terms. "them" stays a stop word (only the stem of "Themen")."""

    index = shipped_index()
    assert "wiederholung" in index.analyzer.terms("kommt das thema nochmal?")
    assert "dritt" in index.analyzer.terms("profitiert ausser musikschule und schule noch jemand?")
    assert index.analyzer.terms("what do we need from them") == []
    answer = index.answer("werden die themen nur einmal angeboten oder kommt das nochmal?")
    assert answer.entry_id == "netzwerk-fortsetzungen"


def test_participants_are_not_taking_part() -> None:
    """ "Teilnehmer" (people) and "teilnehmen" (joining) have different stems, so "wie viele
    Teilnehmer" is not a question about registering."""
    assert stem("teilnehmerinnen") == stem("teilnehmer") != stem("teilnehmen")
