"""The FAQ matcher against tests/unit/content_eval_holdout.yaml: ≥90 % top-1, no off-topic answer.

The holdout set was written independently of the entries' phrasings, to measure how the
matcher generalises beyond the set it was tuned on. `expected` is an entry id, a list of
acceptable ids, or "abstain".
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from content import ContentIndex
from tests.fakes import shipped_index

HOLDOUT = Path(__file__).with_name("content_eval_holdout.yaml")


@pytest.fixture(scope="module")
def index() -> ContentIndex:
    return shipped_index()


def _cases() -> list[tuple[str, list[str]]]:
    raw = yaml.safe_load(HOLDOUT.read_text(encoding="utf-8"))["questions"]
    cases = []
    for case in raw:
        expected = case["expected"]
        accepted = [expected] if isinstance(expected, str) else [str(e) for e in expected]
        cases.append((str(case["q"]), accepted))
    return cases


def test_holdout_shape() -> None:
    cases = _cases()
    assert len(cases) >= 70
    assert sum(acc == ["abstain"] for _, acc in cases) >= 20
    assert all("abstain" not in acc or acc == ["abstain"] for _, acc in cases)


def test_holdout_ids_exist(index: ContentIndex) -> None:
    ids = {e.id for e in index.entries}
    unknown = [exp for _, acc in _cases() for exp in acc if exp != "abstain" and exp not in ids]
    assert not unknown, unknown


def test_holdout_accuracy_and_off_topic(index: ContentIndex) -> None:
    cases = _cases()
    correct = 0
    answered_off_topic: list[tuple[str, str | None, float]] = []
    misses: list[tuple[str, str, list[str], float]] = []
    for question, accepted in cases:
        res = index.answer(question)
        got = "abstain" if res.abstained else str(res.entry_id)
        if got in accepted:
            correct += 1
        else:
            misses.append((question, got, accepted, res.score))
        if accepted == ["abstain"] and not res.abstained:
            answered_off_topic.append((question, res.entry_id, res.score))
    accuracy = correct / len(cases)
    print(f"\nholdout: {correct}/{len(cases)} = {accuracy:.1%}")
    for question, got, accepted, score in misses:
        print(f"  MISS {question!r}: got {got} ({score:.2f}), expected {accepted}")
    assert not answered_off_topic, answered_off_topic
    assert accuracy >= 0.90, (accuracy, misses)
