"""The answer verifier: its files, its evidence, and what a member sees when it refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from content import ContentIndex, load_content
from content.normalize import fold, normalize
from content.verify import (
    FEATURES,
    LEXICAL,
    REFUSED_FILE,
    VERIFIER_FILE,
    Verifier,
    load_refused,
    load_verifier,
)
from tests.fakes import shipped_index
from tests.unit.guarded_sets import UNREAD, sealed_and_unread

ROOT = Path(__file__).resolve().parents[2]

# near-misses written for this test: the matcher's rules alone answer them from an entry
# that names the topic but not the asked detail (a hall, the survey's OGS results)
NEAR_MISSES = [
    "wo genau treffen sich die lerncluster workshops, in welcher halle?",
    "was genau kam bei der umfrage zur ogs heraus?",
]


@pytest.fixture(scope="module")
def index() -> ContentIndex:
    return shipped_index()


def _write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_the_shipped_verifier_and_refused_questions_load(index: ContentIndex) -> None:
    verifier = load_verifier()
    assert verifier is not None
    assert 0.0 < verifier.cutoff < 1.0
    assert set(FEATURES) <= set(verifier.weights)
    assert index.verifier is not None
    assert len(index.refused) >= 1000


@pytest.mark.parametrize(
    "data",
    [
        None,  # an empty file
        {"weights": {"score": 1.0}, "cutoff": 0.5},  # no bias
        {"weights": {"score": 1.0}, "bias": "x", "cutoff": 0.5},  # no number
        {"weights": {"scroe": 1.0}, "bias": 0.0, "cutoff": 0.5},  # a typo'd feature
        {"weights": [1.0], "bias": 0.0, "cutoff": 0.5},  # no mapping
        ["weights", "bias"],  # a list, not a mapping
        "weights: 1",  # a bare string
        {"weights": {"score": 1.0}, "bias": None, "cutoff": 0.5},  # an empty bias
        {"weights": {"score": 1.0}, "bias": 0.0, "cutoff": 0.5, "floor": -5},  # no score
        {"weights": {"score": 1.0}, "bias": 0.0, "cutoff": 0.5, "floor": float("nan")},
        {"weights": {"score": 1.0}, "bias": 0.0, "cutoff": 0.5, "floor": True},
    ],
)
def test_a_broken_verifier_file_leaves_the_rules_alone(tmp_path: Path, data: object) -> None:
    assert load_verifier(_write(tmp_path / "v.yaml", data)) is None


def test_no_verifier_file_means_no_verifier(tmp_path: Path) -> None:
    assert load_verifier(tmp_path / "missing.yaml") is None
    (tmp_path / "bad.yaml").write_text("weights: [", encoding="utf-8")
    assert load_verifier(tmp_path / "bad.yaml") is None


def test_refused_questions_file_is_read_leniently(tmp_path: Path) -> None:
    assert load_refused(tmp_path / "missing.yaml") == []
    assert load_refused(_write(tmp_path / "a.yaml", {"refused": "not a mapping"})) == []
    assert load_refused(_write(tmp_path / "b.yaml", ["no", "mapping"])) == []
    data = {"refused": {"umfrage": ["wo?", " ", 7], "-": ["wer?"], "x": "no list"}}
    assert sorted(load_refused(_write(tmp_path / "c.yaml", data))) == [
        ("-", "wer?"),
        ("umfrage", "wo?"),
    ]


def test_probability_rises_with_the_evidence_for_the_answer() -> None:
    verifier = Verifier(weights={"score": 4.0, LEXICAL + "wo": -2.0}, bias=-2.0, cutoff=0.5)
    weak, strong = {"score": 0.3}, {"score": 0.9}
    assert verifier.probability(weak) < verifier.probability(strong)
    assert verifier.accepts(strong)
    assert not verifier.accepts({"score": 0.9, LEXICAL + "wo": 1.0})
    assert not verifier.accepts(weak)


@pytest.mark.parametrize("question", NEAR_MISSES)
def test_a_near_miss_the_rules_answer_is_refused_and_offered_one_tap(
    index: ContentIndex, question: str
) -> None:
    unchecked, evidence = index.explain(question, verify=False)
    assert not unchecked.abstained and evidence is not None
    result = index.answer(question)
    assert result.abstained
    # the entry stays one tap away for the member who did mean it
    assert unchecked.entry_id in [entry_id for entry_id, _ in result.candidates]


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("Was kostet die Teilnahme am Lerncluster?", "lerncluster-kosten"),
        ("Wie lange dauert ein Online-Treffen?", "austauschtreffen"),
        ("Welche Phasen hat eine Kooperation?", "phasen-ueberblick"),
    ],
)
def test_plain_questions_are_still_answered(index: ContentIndex, question: str, entry: str) -> None:
    assert index.answer(question).entry_id == entry


def test_without_a_verifier_the_rules_decide(index: ContentIndex) -> None:
    bare = shipped_index()
    bare.verifier = None
    assert bare.answer(NEAR_MISSES[0]).entry_id is not None


def _bare_index() -> ContentIndex:
    """The shipped entries without the members' filed questions: a stranger's rewording
    scores low there, as an unseen one does in the shipped index."""
    content = load_content()
    for entry in content.faq:
        entry.asked = []
    return ContentIndex(content, refused=[])


BELOW_THRESHOLD = "Was bedeutet die Abkürzung BNE im Zusammenhang mit den Lernclustern?"


def test_below_the_threshold_the_verifier_decides_from_its_floor() -> None:
    """The rules hand entries to the verifier from its fitted floor up, below the
    matcher's threshold; without a verifier (or one fitted without a floor) the threshold
    alone decides, so nothing weakly matched is answered unchecked."""
    index = _bare_index()
    accept_all = {"weights": {}, "bias": 100.0, "cutoff": 0.5}
    index.verifier = None
    assert index.answer(BELOW_THRESHOLD).abstained  # scores under the threshold
    index.verifier = Verifier(**accept_all)  # type: ignore[arg-type]
    assert index.answer(BELOW_THRESHOLD).abstained
    index.verifier = Verifier(**accept_all, floor=16)  # type: ignore[arg-type]
    result = index.answer(BELOW_THRESHOLD)
    assert result.entry_id == "lerncluster-bne"
    assert 16 <= result.score < index.threshold
    index.verifier = Verifier(weights={}, bias=-100.0, cutoff=0.5, floor=16)
    refused = index.answer(BELOW_THRESHOLD)  # the verifier refuses: one tap away
    assert refused.abstained
    assert "lerncluster-bne" in [c for c, _ in refused.candidates]


def test_a_coordinators_answer_below_the_threshold_is_not_answered() -> None:
    """The verifier does not judge a coordinator's answer, so its floor does not apply:
    such an entry answers from the threshold up only."""
    from content.models import FaqEntry

    index = _bare_index()
    index.verifier = Verifier(weights={}, bias=100.0, cutoff=0.5, floor=0)
    index.add_entries(
        [
            FaqEntry(
                id="koordination-8",
                titles={"de": "Probenraum der Bläserklasse"},
                answers={"de": "Die Bläserklasse probt im Keller der Grundschule am Lindenhof."},
                phrasings={"de": ["Wo probt die Bläserklasse?"]},
                source="koordination:2026-12-01",
            )
        ]
    )
    assert index.answer("Wo probt die Bläserklasse?").entry_id == "koordination-8"
    # ranks first, far below the threshold: offered, not answered
    weak = index.answer("Gibt es für die Bläserklasse schon Noten für das Konzert im Advent?")
    assert weak.abstained
    assert [c for c, _ in weak.candidates][:1] == ["koordination-8"]


def test_the_floor_is_read_from_the_verifier_file(tmp_path: Path) -> None:
    data = {"weights": {"score": 1.0}, "bias": 0.0, "cutoff": 0.5}
    assert load_verifier(_write(tmp_path / "old.yaml", data)).floor is None  # type: ignore[union-attr]
    floored = load_verifier(_write(tmp_path / "new.yaml", {**data, "floor": 16}))
    assert floored is not None and floored.floor == 16.0
    assert load_verifier(_write(tmp_path / "bad.yaml", {**data, "floor": "x"})) is None


def test_a_question_like_a_refused_one_is_evidence_against_answering() -> None:
    content = load_content()
    asked = "Was kostet die Teilnahme am Lerncluster?"
    like = "Was kostet eigentlich die Teilnahme am Lerncluster?"  # the same terms
    plain = ContentIndex(content, refused=[])
    elsewhere = ContentIndex(content, refused=[("umfrage", like)])
    here = ContentIndex(content, refused=[("lerncluster-kosten", like), ("no-such-id", "x")])
    _, before = plain.explain(asked)
    _, other = elsewhere.explain(asked)
    _, after = here.explain(asked)
    assert before is not None and other is not None and after is not None
    assert before["refused"] == before["refused_entry"] == 0.0
    # refused for another entry: a warning, but not about this entry
    assert other["refused"] == pytest.approx(1.0) and other["refused_entry"] == 0.0
    assert after["refused"] == pytest.approx(1.0) == after["refused_entry"]


def test_a_question_known_to_be_unanswerable_is_not_answered_again() -> None:
    """Word for word a refused question (a blind set's near-miss, a member's flag): one
    tap away, never answered, whatever the scores say; a curated phrasing of an entry
    that reads the same still answers (the content's own word counts more)."""
    index = shipped_index()
    index.refused = []  # the shipped memory aside: only what is refused here
    index.add_refused([])
    asked = "Was kostet die Teilnahme am Lerncluster?"
    # a stranger's flag of nothing but punctuation or emoji refuses no other question
    index.add_refused([("lerncluster-kosten", "???"), ("-", "🎻 🎻"), ("-", "")])
    assert index.answer(asked).entry_id == "lerncluster-kosten"
    index.add_refused([("lerncluster-kosten", asked)])
    result = index.answer("was kostet die Teilnahme am Lerncluster")  # case, "?" aside
    assert result.abstained
    assert "lerncluster-kosten" in [entry_id for entry_id, _ in result.candidates]
    phrasing = index.entry("lerncluster-kosten")
    assert phrasing is not None
    own = phrasing.questions("de")[0]
    index.add_refused([("-", own)])
    assert index.answer(own).entry_id == phrasing.id


@pytest.mark.parametrize(
    "question",
    [
        "wo " * 30_000,
        "Lerncluster " + "x" * 50_000 + " kosten?",
        "wer?" * 5_000,
        "\u0000\u200b\ufeff lerncluster \U0001f3bb" * 500,
    ],
)
def test_strangers_input_gives_bounded_evidence(index: ContentIndex, question: str) -> None:
    result, evidence = index.explain(question)
    assert result.abstained or result.entry_id
    for value in (evidence or {}).values():
        assert 0.0 <= value <= 1.0


def test_no_sealed_or_unread_question_is_refused_and_no_such_set_fitted_on() -> None:
    """The refused questions and the fit come from read sets only; a failure names how
    many, never which (a sealed set's questions are not to be read)."""
    refused = {fold(normalize(q)) for _, q in load_refused(REFUSED_FILE)}
    guarded = sealed_and_unread()
    fitted = set(yaml.safe_load(VERIFIER_FILE.read_text(encoding="utf-8"))["fitted_on"])
    for path in guarded:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        own = {fold(normalize(str(item["q"]))) for item in data["questions"]}
        leaked = len(own & refused)
        assert leaked == 0, f"{leaked} questions of {path.name} are refused.yaml's"
        assert path.name not in fitted


def test_a_coordinators_answer_is_not_second_guessed() -> None:
    """An entry a coordinator wrote at run time (``!antwort``) answers the questions the
    rules give it, whatever the verifier, fitted on the shipped entries, would say."""
    from content.models import FaqEntry

    index = shipped_index()
    index.verifier = Verifier(weights={}, bias=-100.0, cutoff=0.5)  # refuses everything
    question = "Gibt es beim Netzwerk eine Teilnahmebescheinigung für die Austauschtreffen?"
    assert index.answer(question).abstained
    index.add_entries(
        [
            FaqEntry(
                id="koordination-7",
                titles={"de": question},
                answers={"de": "Ja, auf Nachfrage stellt der Verband eine Bescheinigung aus."},
                phrasings={"de": [question]},
                source="koordination:2026-11-30",
            )
        ]
    )
    assert index.answer(question).entry_id == "koordination-7"
    assert index.answer("Was kostet die Teilnahme am Lerncluster?").abstained


def test_the_bot_says_so_when_its_verifier_is_missing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A packaging slip (no data/verifier.yaml in the install) is a warning at start, not a
    silent return to answering more near-misses."""
    from types import SimpleNamespace

    import content.search
    from bot.app import load_answers

    settings: Any = SimpleNamespace(content=SimpleNamespace(dirs=[]))
    with caplog.at_level("WARNING", logger="bot.app"):
        _, index = load_answers(settings)
    assert index.verifier is not None and "verifier" not in caplog.text
    monkeypatch.setattr(content.search, "load_verifier", lambda: None)
    with caplog.at_level("WARNING", logger="bot.app"):
        _, index = load_answers(settings)
    assert index.verifier is None and "answer verifier not loaded" in caplog.text


def test_huge_or_odd_refused_questions_are_bounded() -> None:
    """A refused question of one 64 KB word, a flood of short words or a control character
    is read as a member's question would be: bounded, and no answer is lost to it."""
    content = load_content()
    odd = [
        ("umfrage", "x" * 65_536),
        ("-", "wo " * 30_000),
        ("lerncluster-kosten", "Was kostet " + "Lerncluster " * 20_000 + "?"),
        ("no-such-entry", "\u0000\u200b\ufeff"),
    ]
    index = ContentIndex(content, refused=odd)
    result, evidence = index.explain("Was kostet die Teilnahme am Lerncluster?", verify=False)
    assert result.entry_id == "lerncluster-kosten" and evidence is not None
    assert 0.0 <= evidence["refused"] <= 1.0


def test_a_question_among_refused_neighbours_votes_against_answering() -> None:
    """The nearest known questions vote: a question whose closest neighbours were all
    refused (near-misses strangers asked) gets a high ``refused_vote``, the same question
    with no refused neighbour none, and the vote is a share (0-1)."""
    content = load_content()
    question = "Was genau kam bei der Umfrage zur OGS heraus?"
    neighbours = [
        ("umfrage", "Was kam bei der Umfrage zur OGS konkret heraus?"),
        ("umfrage", "Welche Ergebnisse hatte die Umfrage zur OGS?"),
        ("umfrage", "Was ist bei der OGS-Umfrage rausgekommen?"),
        ("-", "Gibt es die Ergebnisse der Umfrage zur OGS als PDF?"),
        ("umfrage", "Ergebnisse der OGS Umfrage genau?"),
    ]
    alone = ContentIndex(content, refused=[]).explain(question, verify=False)[1]
    among = ContentIndex(content, refused=neighbours).explain(question, verify=False)[1]
    assert alone is not None and among is not None
    assert alone["refused_vote"] == 0.0
    assert 0.5 < among["refused_vote"] <= 1.0


@pytest.mark.parametrize(
    "command",
    [
        ["bench/fit_verifier.py", "rows", "--out", "{tmp}/rows.jsonl", "bench/eval/holdout13.yaml"],
        [
            "bench/fit_verifier.py",
            "refused",
            "bench/eval/calibration.yaml",
            "bench/eval/sealed9.yaml",
        ],
        ["bench/harvest_asked.py", "bench/eval/nearmiss29.yaml"],
        ["bench/harvest_asked.py", "bench/eval/sealed10.yaml"],
        ["bench/failure_split.py", "--out", "{tmp}/rows.jsonl", "bench/eval/holdout18.yaml"],
        [
            "bench/failure_split.py",
            "bench/eval/calibration.yaml",
            "--off-topic",
            "bench/eval/sealed11.yaml",
        ],
    ],
)
def test_the_data_tools_refuse_sealed_and_unread_sets(command: list[str], tmp_path: Path) -> None:
    """A sealed or unread set measures the bot on questions nobody tuned on: the tools that
    file, refuse or fit questions stop before reading one, and write nothing."""
    import subprocess
    import sys

    before = {p: p.read_bytes() for p in (REFUSED_FILE, VERIFIER_FILE)}
    args = [a.format(tmp=tmp_path) for a in command]
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "sealed or unread" in done.stderr
    assert not (tmp_path / "rows.jsonl").exists()
    assert {p: p.read_bytes() for p in before} == before


def test_the_data_tools_guard_every_unread_set() -> None:
    """The tools' own list of unread sets (bench/harvest_asked.py) names each one."""
    tool = (ROOT / "bench" / "harvest_asked.py").read_text(encoding="utf-8")
    assert [name for name in UNREAD if f'"{name}"' not in tool] == []


def _synthetic_rows(path: Path, low: float) -> Path:
    """Rows as ``fit_verifier.py rows`` writes them: ten sets, scores from ``low`` up, the
    right answers likelier the higher the score and the coverage."""
    import json
    import random

    rng = random.Random(16)
    lines = []
    for s in range(10):
        for i in range(80):
            score = rng.uniform(low, 1.0)
            coverage = rng.random()
            right = rng.random() < 0.15 + 0.5 * score + 0.3 * coverage
            off = not right and rng.random() < 0.5
            x = [0.0] * len(FEATURES)
            x[FEATURES.index("score")] = round(score, 5)
            x[FEATURES.index("coverage")] = round(coverage, 5)
            row = {"set": f"s{s}.yaml", "i": i, "label": int(right), "off": int(off)}
            row |= {"near": int(off), "tap": 0, "x": x, "w": []}
            lines.append(json.dumps(row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_floors_cut_off_errs_no_more_than_the_threshold_alone(tmp_path: Path) -> None:
    """``fit_verifier.py fit`` picks, for rows from the floor up, a cut-off that answers no
    more off-topic and no more wrong questions than the rows from the threshold up do at
    theirs; rows made with a lower floor than asked are refused; nothing is written."""
    import re
    import subprocess
    import sys

    before = VERIFIER_FILE.read_bytes()
    rows = _synthetic_rows(tmp_path / "rows.jsonl", low=0.16)
    done = subprocess.run(
        [sys.executable, "bench/fit_verifier.py", "fit", str(rows), "--floor", "16"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    base = re.search(
        r"threshold 40 up alone: .*right (\d+), off-topic (\d+), wrong (\d+)", done.stdout
    )
    chosen = re.search(r"\ncut-off [\d.]+: .* = (\d+), (\d+), (\d+), (\d+), (\d+)", done.stdout)
    assert base and chosen, done.stdout
    right, off, _, wrong, _ = (int(v) for v in chosen.groups())
    assert off <= int(base.group(2)) and wrong <= int(base.group(3))
    assert right > 0
    lower = subprocess.run(
        [sys.executable, "bench/fit_verifier.py", "fit", str(rows), "--floor", "30"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert lower.returncode != 0 and "lower floor" in lower.stderr
    assert VERIFIER_FILE.read_bytes() == before
