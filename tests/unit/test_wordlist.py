"""The typo guard's word file answers exactly as simplemma.is_known does."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

simplemma = pytest.importorskip("simplemma")

from content import load_content  # noqa: E402
from content.normalize import normalize  # noqa: E402
from content.wordlist import WordList, open_wordlist  # noqa: E402
from tests.fakes import shipped_index  # noqa: E402


@pytest.fixture(scope="module")
def words() -> WordList:
    built = open_wordlist()
    assert built is not None
    return built


def _sample() -> list[str]:
    from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamMap

    keys = list(StreamMap("de"))
    rng = random.Random(15)
    picked = [*rng.sample(keys, 3000), keys[0], keys[-1]]
    variants: list[str] = []
    for word in picked:
        variants += [word, word.lower(), word.capitalize(), word.upper(), word[:-1], word + "x"]
        variants.append(normalize(word))  # what the guard is asked: folded umlauts, ß
    content = load_content([])
    for entry in content.faq:
        for lang in entry.langs:
            variants += normalize(entry.answer(lang)).split()
    variants += [
        "Gedicht",
        "gedicht",
        "gedacht",
        "xqzt",
        "geht's",
        "Geht’s",
        "gibtʼs",
        "ä",
        "Ärger",
    ]
    variants += ["aerger", "strasse", "Straße", "STRASSE", "e\u0301cole", "école"]  # NFC
    return variants


def test_same_answers_as_simplemma(words: WordList) -> None:
    sample = _sample()
    mismatches = [
        w for w in sample if words.is_known(w) != simplemma.is_known(w, lang="de", low_memory=True)
    ]
    assert mismatches == []
    known = sum(words.is_known(w) for w in sample)
    assert 0 < known < len(sample)  # the sample has both kinds


def test_first_and_last_and_neighbours(tmp_path: Path) -> None:
    path = tmp_path / "small.words"
    path.write_bytes(b"".join(w.encode() + b"\n" for w in sorted(["a", "ab", "b", "zz", "ö"])))
    small = WordList(path)
    for word in ("a", "ab", "b", "zz", "ö"):
        assert word in small
    for word in ("", "aa", "abc", "c", "z", "zzz", "o", "öö"):
        assert word not in small


def test_build_writes_sorted_unique_lines(words: WordList) -> None:
    # the file the bot uses is the one build() wrote: sorted byte-wise, one word a line
    lines = words._map[:].split(b"\n")
    assert lines[-1] == b""
    assert lines[:-1] == sorted(set(lines[:-1]))


@pytest.mark.parametrize(
    ("word", "found"),
    [
        ("inflation", "noun"),  # only "Inflation" is a word
        ("kuendigungsfrist", "noun"),  # typed with ae/oe/ue
        ("gliedert", "other"),  # a verb form
        ("unterteilt", "other"),
        ("band", None),  # "band" (binden) and "Band": either
        ("xqzvw", None),  # no word at all
    ],
)
def test_a_lower_case_word_is_told_noun_or_not(
    words: WordList, word: str, found: str | None
) -> None:
    assert words.word_class(word) == found


def test_unknown_nouns_of_a_lower_case_question_weigh_more_than_its_verbs() -> None:
    """Members type in lower case: the German word list tells the nouns (what the question
    is about) from the verbs and adjectives (how it is said), as capitals would."""

    index = shipped_index()
    minor, major = index._cased("in wieviele phasen gliedert man eine kooperation")
    assert "gliedert" in minor and not major & {"gliedert"}
    minor, major = index._cased("wie hoch ist die inflation gerade")
    assert "inflation" in major
    # a writer who uses capitals decides by them, not by the list
    assert index._cased("Wie hoch ist die Inflation gerade?")[1] == frozenset({"inflation"})


def test_a_real_word_that_is_no_noun_weighs_as_filler() -> None:
    """ "drankommen", "allererste", "potenziellen" are German words the content never
    uses; typed in lower case they are filler around the topic, not another topic, so the
    question is answered. An unknown noun ("Apfelkuchen") still makes a question
    off-topic."""

    index = shipped_index()
    if index._known_word is None:
        pytest.skip("no word list on this machine")
    assert (
        index.answer("welche themen koennen in einem lerncluster so drankommen?").entry_id
        == "lerncluster-beispiele"
    )
    assert (
        index.answer(
            "wie bereite ich das allererste gespraech mit einem potenziellen partner gut vor?"
        ).entry_id
        == "erstkontakt-vorbereiten"
    )
    assert index.answer("rezept für apfelkuchen mit zimt").abstained
