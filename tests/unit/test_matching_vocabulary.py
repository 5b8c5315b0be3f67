"""Canonical terms: synonyms, typos, plural/singular, compounds, phrases."""

from __future__ import annotations

from commands.matching import Vocabulary

SYNONYMS = [["ogs", "ganztag", "offene ganztagsschule"], ["raeume", "raum", "proberaum"]]


def keys(vocab: Vocabulary, texts: list[str], *, compound: bool = False) -> list[str]:
    return [vocab.key(t) for t in vocab.resolve(texts, compound=compound)]


def test_synonym_group_maps_to_its_first_entry() -> None:
    vocab = Vocabulary(SYNONYMS)
    assert keys(vocab, ["Ganztag"]) == ["ogs"]
    assert keys(vocab, ["Offene Ganztagsschule"]) == ["ogs"]
    assert keys(vocab, ["Proberaum"]) == ["raeume"]


def test_typos_plural_and_umlauts_fold_together() -> None:
    vocab = Vocabulary(SYNONYMS)
    assert keys(vocab, ["Räume", "Raeume", "Raum", "Rääume"]) == ["raeume"]
    assert keys(vocab, ["Instrumnte", "Instrument"]) == ["instrumente"]


def test_compounds_fold_to_their_head_only_for_resources() -> None:
    vocab = Vocabulary(SYNONYMS)
    assert keys(vocab, ["Proberäume", "Fördergelder"], compound=True) == ["raeume", "geld"]
    assert keys(vocab, ["Honorarkräfte"], compound=True) == ["personal"]
    # Interests are not resources: "Elternarbeit" must not become "arbeit"-anything.
    assert keys(vocab, ["Schulgelder"]) == ["schulgelder"]


def test_new_spellings_merge_with_the_most_frequent_one() -> None:
    vocab = Vocabulary()
    fields = [["Digitalisierung"], ["Digitalisierung"], ["Digitalisierrung"], ["digitalisierung"]]
    resolved = vocab.resolve_many(fields)
    assert len({t for field in resolved for t in field}) == 1
    assert vocab.label(resolved[0][0]) == "Digitalisierung"


def test_short_words_and_numbers_only_match_exactly() -> None:
    vocab = Vocabulary()
    assert len(set(vocab.resolve(["MINT", "MIND"]))) == 2
    assert len(set(vocab.resolve(["Klasse 3", "Klasse 4"]))) == 2
    assert len(set(vocab.resolve(["A-Thema", "B-Thema", "Sek I", "Sek II"]))) == 4


def test_synonym_inside_a_phrase_adds_its_term() -> None:
    vocab = Vocabulary(SYNONYMS)
    assert keys(vocab, ["Schnittstelle OGS"]) == ["schnittstelle ogs", "ogs"]


def test_label_prefers_a_members_spelling_of_the_canonical_form() -> None:
    vocab = Vocabulary(SYNONYMS)
    (term,) = vocab.resolve(["OGS"])
    assert vocab.label(term) == "OGS"


def test_same_spelling_resolves_to_the_same_id_later() -> None:
    vocab = Vocabulary(SYNONYMS)
    first = vocab.resolve(["Chorklassen", "Inklusion"])
    assert vocab.resolve(["Inklusion", "chorklassen"]) == (first[1], first[0])
    assert vocab.lookup("inklusion") == first[1]
    assert vocab.lookup("unbekannt") is None


def test_content_synonyms_overlapping_builtin_groups_merge() -> None:
    vocab = Vocabulary([["geld", "kohle"]])
    assert keys(vocab, ["Kohle", "Finanzierung"], compound=True) == ["geld"]
