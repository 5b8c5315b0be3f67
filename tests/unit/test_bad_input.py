"""Arbitrary input never crashes a command and never becomes live HTML.

Runs the real dispatcher path (parse → permission → bind → handler → reply) with
in-memory services; every reply's formatted_body is parsed and checked.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.dispatch import Dispatcher, FloodGuard
from bot.matrix import Message
from bot.metrics import Metrics
from commands.context import Services
from tests.fakes import FakeChat, make_services, must

ALLOWED_TAGS = {
    "p",
    "a",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "br",
    "b",
    "i",
    "pre",
    "blockquote",
    "h3",
    "h4",
    "del",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
    "details",
    "summary",
    "sup",
    "sub",
}
_ids = itertools.count()


class HtmlCheck(HTMLParser):
    """Collects every tag and attribute so a test can judge them."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name == "href":
                if not (value or "").lower().startswith(("http://", "https://", "mailto:")):
                    self.problems.append(f"href {value!r}")
            elif name.startswith("on") or name in ("src", "style"):
                self.problems.append(f"attribute {name}")


def html_problems(html: str) -> list[str]:
    checker = HtmlCheck()
    checker.feed(html)
    checker.close()
    return checker.problems


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[asyncio.AbstractEventLoop, Services, Dispatcher]]:
    loop = asyncio.new_event_loop()
    services = loop.run_until_complete(make_services(tmp_path_factory.mktemp("bad")))
    dispatcher = Dispatcher(
        services,
        must(services.registry),
        None,  # type: ignore[arg-type]
        Metrics(),
        FloodGuard(0, 0, 60),
    )
    yield loop, services, dispatcher
    loop.run_until_complete(services.db.close())
    loop.close()


def run(
    world: tuple[asyncio.AbstractEventLoop, Services, Dispatcher],
    body: str,
    *,
    sender: str = "@member:localhost",
    direct: bool = True,
) -> list[str]:
    loop, services, dispatcher = world
    chat = services.chat
    assert isinstance(chat, FakeChat)
    before = len(chat.sent)
    message = Message(
        room_id="!room:localhost",
        event_id=f"$ev{next(_ids)}",
        sender=sender,
        body=body,
        timestamp_ms=0,
        is_direct=direct,
    )
    loop.run_until_complete(dispatcher.handle_message(message))
    problems = []
    for sent in chat.sent[before:]:
        if sent.reply is None:
            continue
        assert sent.reply.text, "every reply has a plain body"
        problems += html_problems(sent.reply.formatted)
        assert "schiefgegangen" not in sent.reply.text, f"{body!r} crashed a handler"
        assert "went wrong" not in sent.reply.text, f"{body!r} crashed a handler"
    return problems


COMMAND_WORDS = [
    "!hilfe",
    "!frage",
    "!checkliste",
    "!phasen",
    "!vereinbarung",
    "!themen",
    "!status",
    "!sprache",
    "/hilfe",
    "!termin neu",
    "!termin",
    "!termine",
    "!kooperation",
    "!erledigt",
    "!profil",
    "!partner",
    "!cluster interesse",
    "!dabei",
    "!material",
    "!raum neu",
    "!ankündigung",
    "",
]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(word=st.sampled_from(COMMAND_WORDS), text=st.text(max_size=300))
def test_arbitrary_text_after_any_command_is_handled_and_escaped(
    world, word: str, text: str
) -> None:
    assert run(world, f"{word} {text}") == []


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=64))
def test_control_characters_and_unicode(world, text: str) -> None:
    assert run(world, f"!frage {text}\x00\x1b[31m\u202e") == []


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">klick</a>',
        "javascript:alert(1)",
        '<img src="http://evil.example/x.png">',
        "`code` ```block``` **fett**",
        "<mx-reply><blockquote>fake</blockquote></mx-reply>",
        '"><svg onload=alert(1)>',
    ],
)
@pytest.mark.parametrize("word", ["!frage", "!hilfe", "!checkliste", "!sprache", "!gibtsnicht"])
def test_html_injection_never_becomes_live_html(world, word: str, payload: str) -> None:
    _loop, services, _dispatcher = world
    before = len(services.chat.sent)
    assert run(world, f"{word} {payload}") == []
    for sent in services.chat.sent[before:]:
        if sent.reply is not None:
            html = sent.reply.formatted.lower()
            assert "<script" not in html and "<img" not in html and "<svg" not in html
            assert "javascript:" not in html or "&" in html or "href" not in html


def test_very_long_message(world) -> None:
    assert run(world, "!frage " + "Kooperation " * 5500) == []
    assert run(world, "!checkliste " + "x" * 65536) == []


def test_the_html_checker_catches_live_html() -> None:
    assert html_problems("<script>x</script>")
    assert html_problems('<a href="javascript:x">y</a>')
    assert html_problems('<img src="http://x">')
    assert html_problems("<p>&lt;script&gt;</p>") == []


def test_language_choice_applies_to_the_next_command(world) -> None:
    _loop, services, _dispatcher = world
    sender = "@polyglot:localhost"
    run(world, "!hilfe", sender=sender)
    assert "was du hier tun kannst" in services.chat.sent[-1].reply.text
    run(world, "!sprache en", sender=sender)
    run(world, "!hilfe", sender=sender)
    assert "what you can do here" in services.chat.sent[-1].reply.text
    run(world, "!language de", sender=sender)
    run(world, "!hilfe", sender=sender)
    assert "was du hier tun kannst" in services.chat.sent[-1].reply.text


@pytest.mark.parametrize(
    "body",
    [
        "!dabei 99999999999999999999999",  # more than SQLite's INTEGER holds
        "!termin #99999999999999999999",
        "!protokoll 9223372036854775808 Notiz",  # 2**63: one past the largest row id
        "!material " + "9" * 5000 + " x",  # more digits than Python's int() takes
        "!dabei ²",  # a digit to str.isdigit(), not to int()
        "!antwort 99999999999999999999 siehe 1",
        "!antwort ² Text",
    ],
)
def test_a_number_no_row_can_have_is_a_plain_error(world, body: str) -> None:
    """Ids typed by a stranger: a number too large for the database or a superscript
    digit is answered like any wrong id, never as an unexpected error."""
    _loop, services, _dispatcher = world
    before = len(services.chat.sent)
    assert run(world, body) == []
    assert len(services.chat.sent) > before  # the member gets an answer
