"""Pure limits on member text: clean single lines, defused output, bounded analysis."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dispatch import Dispatcher, FloodGuard
from bot.matrix import MatrixConnection, Message, defuse
from bot.metrics import Metrics
from commands.context import Services
from commands.reply import Reply
from commands.textclean import multi_line, single_line, strip_controls
from content.analyze import MAX_TOKEN_CHARS, MAX_TOKENS, bound_query
from tests.fakes import FakeChat, make_services, must, shipped_index

KEPT = {"\u200c", "\u200d"}


def _invisible(text: str) -> list[str]:
    return [
        c
        for c in text
        if unicodedata.category(c) in ("Cc", "Cf")
        and c not in KEPT
        and not "\U000e0020" <= c <= "\U000e007f"
    ]


@given(st.text())
def test_single_line_is_one_line_without_control_characters(text: str) -> None:
    line = single_line(text)
    assert _invisible(line) == []
    assert len(line.splitlines()) <= 1
    assert single_line(line) == line


@given(st.text())
def test_multi_line_keeps_lines_but_no_control_characters(text: str) -> None:
    cleaned = multi_line(text)
    assert _invisible(cleaned.replace("\n", "")) == []


def test_examples_of_the_issue() -> None:
    assert (
        single_line("Frau A\n✅ Koordination: Vereinbarung genehmigt")
        == "Frau A, ✅ Koordination: Vereinbarung genehmigt"
    )
    assert single_line("Bonn\u202eliam-e") == "Bonnliam-e"
    assert strip_controls("a\nb\tc\x00d") == "a b cd"
    assert multi_line("Beschluss:\n\n- Fortbildung\u2067 im Mai\r\n") == (
        "Beschluss:\n\n- Fortbildung im Mai"
    )
    family = "👨\u200d👩\u200d👧"  # ZWJ sequences stay intact
    assert single_line(family) == family


@given(st.text())
def test_outgoing_text_never_mentions_the_room_or_reorders(text: str) -> None:
    out = defuse(text + " @room @ROOM")
    assert "@room" not in out.casefold()
    assert not any("\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069" for c in out)


def test_message_content_is_defused() -> None:
    content = MatrixConnection.message_content(Reply("Hallo @room\u202e!", "<p>@room</p>"))
    assert "@room" not in content["body"] and "@room" not in content["formatted_body"]
    assert content["m.mentions"] == {}


@given(st.text(max_size=70_000))
def test_analysis_sees_a_bounded_question(text: str) -> None:
    bounded = bound_query(text)
    if len(text) > MAX_TOKEN_CHARS:
        words = bounded.split()
        assert len(words) <= MAX_TOKENS
        assert all(len(w) <= MAX_TOKEN_CHARS for w in words)


def test_worst_words_are_cut() -> None:
    assert bound_query("Ä" * 30_000) == "Ä" * MAX_TOKEN_CHARS
    assert len(bound_query("wort " * 20_000).split()) == MAX_TOKENS


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    services = await make_services(tmp_path)
    try:
        yield services
    finally:
        await services.db.close()


async def test_a_question_too_long_gets_a_clear_german_answer(services: Services) -> None:
    dispatcher = Dispatcher(
        services,
        must(services.registry),
        None,  # type: ignore[arg-type]
        Metrics(),
        FloodGuard(0, 0, 60),
    )
    chat = services.chat
    assert isinstance(chat, FakeChat)
    for n, body in enumerate(["!frage " + "a" * 60_000, "!frage " + "Ä" * 1001]):
        await dispatcher.handle_message(Message("!r", f"$q{n}", "@m:localhost", body, 0))
        reply = chat.sent[-1].reply
        assert reply is not None
        assert reply.text == (
            "Deine Frage ist zu lang (höchstens 1000 Zeichen). "
            "Stell sie bitte kürzer, am besten in ein, zwei Sätzen."
        )
    fits = "!frage " + "Wie lang ist eine Kooperationsvereinbarung? " * 20
    await dispatcher.handle_message(Message("!r", "$ok", "@m:localhost", fits[:1007], 0))
    assert "zu lang" not in (chat.sent[-1].reply.text if chat.sent[-1].reply else "")


def test_one_token_of_an_entry_is_bounded_too() -> None:
    """Entries (a coordinator's answer, a network's own content) are analysed by the same
    splitter as questions: a huge token is looked at only up to MAX_TOKEN_CHARS."""
    analyzer = shipped_index().analyzer
    assert analyzer.split_compound("ä" * 60_000) == analyzer.split_compound("ä" * MAX_TOKEN_CHARS)
