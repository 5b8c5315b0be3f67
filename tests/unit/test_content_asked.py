"""Questions members asked (``asked.yaml``): loaded under their entries, matched like
phrasings but weighed like answer words, typos read as the content's words, and never a
question of a sealed or unread evaluation set."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from content import ContentError, ContentIndex, check_content, load_content
from content.contentset import ContentSet
from content.loader import SHIPPED_DIR
from content.models import FaqEntry
from content.normalize import fold, normalize
from tests.fakes import shipped_index
from tests.unit.guarded_sets import sealed_and_unread

ROOT = Path(__file__).resolve().parents[2]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _entry(ident: str, title: str, questions: list[str], answer: str) -> FaqEntry:
    return FaqEntry(
        id=ident,
        titles={"de": title},
        answers={"de": answer},
        phrasings={"de": questions},
        source="netzwerk-intern",
    )


def _two_entries(asked: list[str] | None = None) -> ContentSet:
    """Two entries about a learning cluster: how to join, and how to found one."""
    join = _entry(
        "beitreten",
        "Einem Lerncluster beitreten",
        ["Wie tritt man einem Lerncluster bei?", "Wie kommt man in ein Lerncluster?"],
        "Die Kommune schreibt der Transferagentur; die Teilnahme wird mit ihr vereinbart.",
    )
    found = _entry(
        "gruenden",
        "Ein Lerncluster gründen",
        ["Wie gründet man ein Lerncluster?", "Wer kann ein Lerncluster starten?"],
        "Drei bis fünf Kommunen mit einem gemeinsamen Thema gründen es mit der Agentur.",
    )
    join.asked = list(asked or [])
    return ContentSet(faq=[join, found])


# ---------------------------------------------------------------- loading


def test_asked_questions_are_filed_under_their_entry(tmp_path: Path) -> None:
    _write(
        tmp_path / "asked.yaml",
        "asked:\n  lerncluster-kosten:\n    - kostet das cluster die stadt was?\n"
        "    - kostet das cluster die stadt was?\n",
    )
    cs = load_content([tmp_path])
    entry = cs.faq_entry("lerncluster-kosten")
    assert entry is not None
    assert entry.asked.count("kostet das cluster die stadt was?") == 1  # no double
    assert "kostet das cluster die stadt was?" in entry.all_phrasings()


def test_an_unknown_entry_id_in_asked_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path / "asked.yaml", "asked:\n  gibt-es-nicht:\n    - eine frage?\n")
    with pytest.raises(ContentError, match=r"gibt-es-nicht.*asked: no faq entry"):
        load_content([tmp_path])
    _write(tmp_path / "asked.yaml", "asked:\n  - nur eine liste\n")
    assert check_content([tmp_path]).errors  # not a mapping: named, not a crash


def test_shipped_asked_questions_all_have_an_entry() -> None:
    cs = load_content()
    assert cs.counts["asked_questions"] >= 500
    assert all(q.strip() for e in cs.faq for q in e.asked)


# ---------------------------------------------------------------- matching


def test_an_asked_question_teaches_a_members_wording() -> None:
    question = "wie melden wir uns fuer so ein lerncluster an?"
    before = ContentIndex(_two_entries()).answer(question)
    taught = ContentIndex(_two_entries(["wie melde ich unsere stadt fuer ein lerncluster an"]))
    after = taught.answer(question)
    assert before.entry_id != "beitreten"
    assert after.entry_id == "beitreten"


def test_an_asked_questions_story_weighs_like_answer_words() -> None:
    """A member's story word ("Sauerland") is evidence for the entry, but less than a
    curated phrasing's word: it does not make the entry a full match."""
    story = ["wir sind eine kleine musikschule im sauerland, wie kommen wir in ein lerncluster?"]
    index = ContentIndex(_two_entries(story))
    term = index.analyzer.terms("Sauerland")[0]
    t = index._term_ids[term]
    weights = dict(zip(index._ent_post[t], index._ent_w[t], strict=True))
    assert weights == {0: pytest.approx(index.asked_weight)}
    assert index.asked_weight < 1.0


def test_a_typo_in_an_asked_question_stays_a_typo_of_the_content() -> None:
    """ "lercluster" in one member's question must not become a word of its own: a later
    question with the same typo is corrected to "Lerncluster" as before."""
    index = ContentIndex(_two_entries(["wie oft trifft sich so ein lercluster?"]))
    typo = index.analyzer.terms("lercluster")[0]
    assert typo not in index._term_ids
    assert index.answer("wie gründet man ein lercluster?").entry_id == "gruenden"


def test_the_shipped_typo_question_is_still_answered() -> None:
    index = shipped_index()
    result = index.answer("wie viele leute sind in nem lercluster")
    assert result.entry_id == "lerncluster-groesse"


# ---------------------------------------------------------------- no leak


def _questions(path: Path) -> set[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {fold(normalize(str(item["q"]))) for item in data["questions"]}


def test_no_sealed_unread_or_test_question_is_filed() -> None:
    """Sealed sets are scored, never read; the unread sets and the test suite's own sets
    measure generalisation. None of their questions may be in asked.yaml."""
    shipped = yaml.safe_load((SHIPPED_DIR / "asked.yaml").read_text(encoding="utf-8"))
    filed = {fold(normalize(q)) for qs in shipped["asked"].values() for q in qs}
    guarded = sealed_and_unread()
    guarded += sorted((ROOT / "tests" / "unit").glob("content_eval*.yaml"))
    assert len(guarded) >= 10
    for path in guarded:
        assert path.exists(), path
        # the count only: a failure must not print a sealed set's questions
        leaked = len(_questions(path) & filed)
        assert leaked == 0, f"{leaked} questions of {path.name} are filed"


@pytest.mark.parametrize(
    "body",
    [
        "asked:\n",  # no mapping at all
        "asked:\n  lerncluster-kosten:\n",  # an entry without questions
        "asked:\n  lerncluster-kosten: [42, {a: b}]\n",  # not text
        "asked:\n  lerncluster-kosten: nur ein satz\n",  # a string, not a list
        "fragen: {}\n",  # an unknown key (a curator's typo)
    ],
)
def test_a_broken_asked_file_is_named_not_a_crash(tmp_path: Path, body: str) -> None:
    _write(tmp_path / "asked.yaml", body)
    report = check_content([tmp_path])
    assert report.errors
    assert all("asked.yaml" in str(e) for e in report.errors)


def test_blank_and_huge_asked_questions_are_harmless(tmp_path: Path) -> None:
    """A blank question is dropped; a 20,000-word one is indexed without hanging."""
    huge = " ".join(["kooperationsvereinbarung"] * 20_000)
    _write(
        tmp_path / "asked.yaml",
        f'asked:\n  lerncluster-kosten:\n    - "   "\n    - "{huge}"\n',
    )
    cs = load_content([tmp_path])
    entry = cs.faq_entry("lerncluster-kosten")
    assert entry is not None and "" not in entry.asked and "   " not in entry.asked
    index = ContentIndex(cs)
    assert index.answer("Was kostet ein Lerncluster?").entry_id == "lerncluster-kosten"
