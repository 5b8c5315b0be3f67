"""The one reply builder: plain body and HTML from the same calls, escaped in one place."""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.matrix import MatrixConnection
from commands.context import Context, Services
from commands.reply import (
    Reply,
    ReplyBuilder,
    bold,
    code,
    em,
    fill,
    indent,
    join,
    link,
    mention,
    rich,
)
from tests.fakes import command_dispatcher, fake_chat, make_services

ROOT = Path(__file__).resolve().parents[2]


class _Visible(HTMLParser):
    """What a reader sees of formatted_body: its text, line breaks at blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("br", "p", "li", "blockquote", "tr"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible(html: str) -> tuple[str, list[str]]:
    parser = _Visible()
    parser.feed(html)
    return "".join(parser.parts), parser.tags


HOSTILE = "<script>alert(\"x\")</script> & <b>fett</b> 'quoted'"


def test_member_text_is_escaped_once_everywhere() -> None:
    reply = (
        ReplyBuilder()
        .heading(HOSTILE)
        .line("Titel: ", HOSTILE)
        .bullet(bold(HOSTILE), " – ", em(HOSTILE))
        .numbered(code(HOSTILE))
        .quote(HOSTILE)
        .build()
    )
    html = reply.formatted
    assert "<script>" not in html and "<b>" not in html
    assert html.count("&lt;script&gt;") == 6 and "&amp;amp;" not in html
    assert "&quot;x&quot;" in html and "&#x27;quoted&#x27;" in html
    text, tags = visible(html)
    assert text.count(HOSTILE) == 6  # the reader sees exactly what was typed, six times
    assert set(tags) == {"p", "strong", "ul", "li", "em", "ol", "code", "blockquote"}
    assert reply.text.count(HOSTILE) == 6 and "&lt;" not in reply.text


def test_links_only_for_web_and_mail_addresses() -> None:
    web = link("https://example.org/a?b=1&c=2", "Seite <1>")
    assert web.html == '<a href="https://example.org/a?b=1&amp;c=2">Seite &lt;1&gt;</a>'
    assert web.text == "Seite <1> – https://example.org/a?b=1&c=2"  # plain readers see where
    assert link("https://example.org").text == "https://example.org"
    assert link("mailto:a@example.org").html.startswith('<a href="mailto:a@example.org">')
    bad = link('javascript:alert("x")', "klick")
    assert bad.html == "klick" and "<a" not in bad.html
    assert link("Raum 3").html == "Raum 3"
    quoted = link('https://x.example/"><script>')
    assert "<script>" not in quoted.html and 'href="https://x.example/&quot;&gt;' in quoted.html


def test_text_links_become_clickable_and_line_breaks_stay() -> None:
    piece = rich("Mehr: https://example.org/x\nund mailto:a@example.org")
    assert piece.html == (
        'Mehr: <a href="https://example.org/x">https://example.org/x</a>'
        '<br>und <a href="mailto:a@example.org">mailto:a@example.org</a>'
    )
    assert piece.text == "Mehr: https://example.org/x\nund mailto:a@example.org"
    assert code("https://example.org").html == "<code>https://example.org</code>"


@pytest.mark.parametrize(
    ("typed", "html"),
    [
        (  # an HTML attribute a member typed: the quotes stay outside the link
            'src="http://evil.example/x.png">',
            'src=&quot;<a href="http://evil.example/x.png">http://evil.example/x.png</a>&quot;&gt;',
        ),
        (
            "Siehe „https://x.example/a“.",
            'Siehe „<a href="https://x.example/a">https://x.example/a</a>“.',
        ),
        (
            "https://de.wikipedia.org/wiki/Bonn_(Stadt).",
            '<a href="https://de.wikipedia.org/wiki/Bonn_(Stadt)">'
            "https://de.wikipedia.org/wiki/Bonn_(Stadt)</a>.",
        ),
        ("(https://x.example/a)", '(<a href="https://x.example/a">https://x.example/a</a>)'),
        ("mailto:a@b.example, oder", '<a href="mailto:a@b.example">mailto:a@b.example</a>, oder'),
        ("nur http://.", "nur http://."),
    ],
)
def test_punctuation_around_an_address_stays_outside_the_link(typed: str, html: str) -> None:
    assert rich(typed).html == html


def test_mentions_and_filled_templates() -> None:
    pill = mention("@a:example.org")
    assert pill.html == '<a href="https://matrix.to/#/@a:example.org">@a:example.org</a>'
    named = mention("@a:example.org", "Anna <A>")
    assert named.text == "Anna <A>" and ">Anna &lt;A&gt;</a>" in named.html
    who = join(" und ", [mention("@a:x"), mention("@b:x")])
    intro = fill("Hallo \x00, <willkommen>!", "\x00", who)
    assert intro.text == "Hallo @a:x und @b:x, <willkommen>!"
    assert intro.html.startswith('Hallo <a href="https://matrix.to/#/@a:x">@a:x</a> und <a ')
    assert intro.html.endswith(", &lt;willkommen&gt;!")


def test_lists_group_and_number() -> None:
    reply = (
        ReplyBuilder()
        .heading("Titel")
        .bullet("eins")
        .bullet("✅ ", bold("1.1"), " zwei", mark="")
        .line("dazwischen")
        .numbered("a", more=["Grund 1", "Grund 2"], nested=True)
        .numbered("b")
        .bullet("c", more=[em("Hinweis")])
        .bullet("d", more=["Raum"], more_mark=" ")
        .build()
    )
    assert reply.text == (
        "Titel\n• eins\n✅ 1.1 zwei\ndazwischen\n1. a\n   • Grund 1\n   • Grund 2\n2. b\n"
        "• c\n    ↳ Hinweis\n• d Raum"
    )
    assert reply.formatted == (
        "<p><strong>Titel</strong></p><ul><li>eins</li><li>✅ <strong>1.1</strong> zwei</li>"
        "</ul><p>dazwischen</p><ol><li>a<ul><li>Grund 1</li><li>Grund 2</li></ul></li>"
        "<li>b</li></ol><ul><li>c<br><em>Hinweis</em></li><li>d<br>Raum</li></ul>"
    )


def test_paragraphs_gaps_and_joined_lines() -> None:
    reply = ReplyBuilder().gap().heading("Kopf").line("Unterzeile", joined=True)
    reply.gap().line(code("!hilfe"))
    reply.line(indent(), "was es tut", joined=True)
    assert reply.text == "Kopf\nUnterzeile\n\n!hilfe\n  was es tut"
    assert reply.html == (
        "<p><strong>Kopf</strong><br>Unterzeile</p><p><code>!hilfe</code><br>was es tut</p>"
    )


def test_compact_style_is_lines_with_breaks() -> None:
    first = ReplyBuilder(compact=True).heading("Termin <1>").line("Wann: ", bold("morgen"))
    second = ReplyBuilder(compact=True).bullet("Notiz").quote("zitiert")
    reply = first.extend(second).build(notify=True)
    assert reply.notify
    assert reply.text == "Termin <1>\nWann: morgen\n• Notiz\n> zitiert"
    assert reply.formatted == (
        "<strong>Termin &lt;1&gt;</strong><br>Wann: <strong>morgen</strong><br>• Notiz"
        "<br><blockquote>zitiert</blockquote>"
    )


def test_quotes_group_into_one() -> None:
    reply = ReplyBuilder().line("Frage:").quote("Zeile 1\nZeile 2").quote("noch eine")
    assert reply.text == "Frage:\n> Zeile 1\n> Zeile 2\n> noch eine"
    assert reply.html == "<p>Frage:</p><blockquote>Zeile 1<br>Zeile 2<br>noch eine</blockquote>"


def test_markdown_flavour_for_documents() -> None:
    doc = ReplyBuilder(markdown=True)
    doc.heading("Entwurf", level=1).line(bold("Titel"))
    doc.quote("eins").quote("zwei")
    doc.heading("1. Partner", level=2).bullet("A").bullet("B")
    doc.line("Zeile 1 \nZeile 2").line(em("Hinweis"), " ", link("https://x.example", "X"))
    doc.rule().table(["Partner", "Ort"], [["A|B", ""]])
    assert doc.text == (
        "# Entwurf\n\n**Titel**\n\n> eins\n>\n> zwei\n\n## 1. Partner\n\n- A\n- B\n\n"
        "Zeile 1  \nZeile 2\n\n*Hinweis* [X](https://x.example)\n\n---\n\n"
        "| Partner | Ort |\n|---|---|\n| A\\|B |  |\n"
    )
    assert doc.html.startswith("<h1>Entwurf</h1><p><strong>Titel</strong></p><blockquote>")
    assert doc.html.endswith(
        "<hr><table><tr><th>Partner</th><th>Ort</th></tr><tr><td>A|B</td><td></td></tr></table>"
    )


_TYPED = st.text(st.characters(blacklist_characters="•>", blacklist_categories=["Cs"]), max_size=60)


@given(_TYPED, _TYPED)
def test_html_says_what_the_text_says(title: str, member: str) -> None:
    """Whatever a member typed, the HTML shows the same words as the plain body."""
    reply = ReplyBuilder().heading(title).bullet(bold(member), ": ", member).quote(member).build()
    shown, _tags = visible(reply.formatted)
    assert shown.split() == reply.text.replace("• ", "").replace("> ", "").split()


def test_room_mentions_and_bidi_controls_stay_defused_at_sending() -> None:
    reply = (
        ReplyBuilder().heading("@room ", "Hallo\u202e!").bullet(mention("@a:x"), " @room").build()
    )
    content = MatrixConnection.message_content(reply)
    for body in (content["body"], content["formatted_body"]):
        assert "@room" not in body and "\u202e" not in body
        assert "@\u2060room" in body
    assert content["m.mentions"] == {}


# --- the guard: no command writes HTML by hand ----------------------------------------

_TAG = re.compile(  # a tag; "(?P<h2>" of a regular expression is none
    r"(?<!\?P)</?(?:p|br|hr|ul|ol|li|a|b|i|u|s|em|strong|code|pre|blockquote|h[1-6]|table|tr|td|th"
    r"|span|div|font|del|sub|sup)\b[^<]*>?",
    re.IGNORECASE,
)


def _literals(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
    return found


def hand_made_html(path: Path) -> list[str]:
    """Where a module assembles formatted_body/HTML itself instead of using the builder."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(ROOT)
    problems = []
    for line, value in _literals(tree):
        if _TAG.search(value) or "formatted_body" in value:
            problems.append(f"{where}:{line}: HTML in a string: {value[:40]!r}")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("commands.reply", "html"):
            for alias in node.names:
                if alias.name in ("html_from_text", "_esc", "escape"):
                    problems.append(f"{where}:{node.lineno}: imports {alias.name}")
        if isinstance(node, ast.Import) and any(a.name == "html" for a in node.names):
            problems.append(f"{where}:{node.lineno}: imports html")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            own_html = len(node.args) > 1 or any(k.arg == "html" for k in node.keywords)
            if name == "Rich" or (name == "Reply" and own_html):
                problems.append(f"{where}:{node.lineno}: {name}(...) with its own HTML")
    return problems


def _modules() -> list[Path]:
    paths = sorted((ROOT / "commands").rglob("*.py"))
    paths.append(ROOT / "bot" / "dispatch.py")
    return [p for p in paths if p != ROOT / "commands" / "reply.py"]


def test_no_command_assembles_html_outside_the_builder() -> None:
    problems = [p for path in _modules() for p in hand_made_html(path)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "source",
    [
        'text = f"<p>{x}</p>"',
        'Reply(text, "<b>x</b>")',
        "Reply(text, html=x)",
        'content = {"formatted_body": x}',
        "from commands.reply import html_from_text",
        "import html",
        'Rich("a", "<i>a</i>")',
    ],
)
def test_the_guard_catches_hand_made_html(source: str, tmp_path: Path) -> None:
    path = ROOT / "commands" / "_guard_probe.py"
    try:
        path.write_text(source + "\n", encoding="utf-8")
        assert hand_made_html(path)
    finally:
        path.unlink()


# --- where text and HTML used to disagree ---------------------------------------------

ROOM = "!coop:localhost"
ALICE = "@alice:localhost"


async def _say(services: Services, body: str, sender: str = ALICE) -> Reply:
    """The last reply to ``body``, sent through the dispatcher's command path."""
    registry = services.registry
    assert registry is not None
    parsed = registry.parse(body)
    assert parsed is not None, body
    ctx = Context(services, sender, ROOM, f"$e{body}", None, False, "de", body)
    assert await command_dispatcher(services).run_command(ctx, parsed) != "error"
    return fake_chat(services).sent[-1].reply


async def test_overview_names_each_fields_key_in_html_as_in_text(tmp_path: Path) -> None:
    """A filled field showed its key ("titel", what !kooperation feld takes) only in
    the plain body; the HTML now names it too, as it did for the missing ones."""
    services = await make_services(tmp_path)
    try:
        await _say(services, "!kooperation neu Singpause")
        await _say(services, "!kooperation feld laufzeit 01.08.2026–31.07.2027")
        overview = await _say(services, "!kooperation")
        for key in ("titel", "laufzeit", "inhalte"):
            assert f"({key}):" in overview.text
            assert f"(<code>{key}</code>):" in overview.formatted
        text, _tags = visible(overview.formatted)
        assert "✓ Laufzeit (laufzeit): 01.08.2026–31.07.2027" in text
        assert "✓ Laufzeit (laufzeit): 01.08.2026–31.07.2027" in overview.text
    finally:
        await services.db.close()


async def test_usage_help_puts_the_permission_note_alike_in_text_and_html(tmp_path: Path) -> None:
    """ "(nur Koordination …)" had its brackets in the text only."""
    services = await make_services(tmp_path)
    try:
        reply = await _say(services, "!hilfe kooperation")
        assert "(nur Koordination)" in reply.text
        assert "<em>(nur Koordination)</em>" in reply.formatted
        text, _tags = visible(reply.formatted)
        assert text.split() == reply.text.split()
    finally:
        await services.db.close()
