"""The FAQ matcher against tests/unit/content_eval.yaml: ≥90 % top-1, no off-topic answer."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
import yaml

from content import ContentIndex
from tests.fakes import shipped_index

EVAL = Path(__file__).with_name("content_eval.yaml")


@pytest.fixture(scope="module")
def index() -> ContentIndex:
    return shipped_index()


def _cases() -> list[dict[str, object]]:
    return list(yaml.safe_load(EVAL.read_text(encoding="utf-8"))["questions"])


def test_eval_set_shape() -> None:
    cases = _cases()
    assert len(cases) >= 60
    assert sum(c["expected"] == "abstain" for c in cases) >= 10


def test_eval_ids_exist(index: ContentIndex) -> None:
    ids = {e.id for e in index.entries}
    for case in _cases():
        expected = case["expected"]
        for exp in [expected] if isinstance(expected, str) else cast(list[str], expected):
            assert exp == "abstain" or exp in ids, exp


def test_eval_accuracy_and_off_topic(index: ContentIndex) -> None:
    cases = _cases()
    correct = 0
    answered_off_topic = []
    misses = []
    for case in cases:
        expected = case["expected"]
        accepted = [expected] if isinstance(expected, str) else list(expected)  # type: ignore[call-overload]
        res = index.answer(str(case["q"]))
        got = "abstain" if res.abstained else res.entry_id
        if got in accepted:
            correct += 1
        else:
            misses.append((case["q"], got, accepted))
        if accepted == ["abstain"] and not res.abstained:
            answered_off_topic.append(case["q"])
    assert not answered_off_topic, answered_off_topic
    accuracy = correct / len(cases)
    assert accuracy >= 0.90, (accuracy, misses)
