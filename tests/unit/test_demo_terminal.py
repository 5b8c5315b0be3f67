"""The demo terminal: replies as readable text, and which typed lines are its own commands."""

from __future__ import annotations

import re

import pytest

from bot.terminal import (
    BOLD,
    Send,
    TerminalCommand,
    align_table,
    fold,
    parse_input,
    pick,
    render_content,
    render_html,
    render_markdown,
)
from commands.reply import Reply

MARKDOWN_MARKS = re.compile(
    r"`|\*\*|^\s*#|\|\s*-{3}|</?(p|br|strong|em|code|ul|ol|li|h\d|table|tr|td|th|a|blockquote)\b"
)


def readable(text: str) -> bool:
    return not any(MARKDOWN_MARKS.search(line) for line in text.splitlines())


# --- rendering ---------------------------------------------------------------------


def test_html_lists_headings_and_code_become_plain_lines() -> None:
    html = (
        "<h2>Termine</h2><p>Neu anlegen mit <code>!termin neu</code>:</p>"
        "<ul><li><strong>Mo</strong> Treffen</li><li>Di &amp; Mi</li></ul><p>Ende</p>"
    )
    text = render_html(html)
    assert text.splitlines() == [
        "Termine",
        "",
        "Neu anlegen mit !termin neu:",
        "",
        "• Mo Treffen",
        "• Di & Mi",
        "",
        "Ende",
    ]


def test_ordered_and_nested_lists_are_numbered_and_indented() -> None:
    html = "<ol><li>Anna<ul><li>bietet Räume</li></ul></li><li>Ben</li></ol>"
    assert render_html(html).splitlines() == ["1. Anna", "  • bietet Räume", "2. Ben"]


def test_table_columns_are_aligned_under_a_rule() -> None:
    html = (
        "<table><tr><th>Partner</th><th>Ort, Datum</th></tr>"
        "<tr><td>Musikschule Am Rhein</td><td></td></tr><tr><td>GS</td><td>Bonn</td></tr></table>"
    )
    assert render_html(html).splitlines() == [
        "Partner               Ort, Datum",
        "────────────────────  ──────────",
        "Musikschule Am Rhein",
        "GS                    Bonn",
    ]


def test_bold_is_ansi_only_on_a_terminal() -> None:
    assert BOLD in render_html("<strong>fett</strong>", color=True)
    assert render_html("<strong>fett</strong>") == "fett"


def test_links_show_their_address_but_user_pills_do_not() -> None:
    html = (
        '<p><a href="https://meet.example.org/x">Link</a> '
        '<a href="https://matrix.to/#/@anna:localhost">@anna:localhost</a></p>'
    )
    assert render_html(html) == "Link (https://meet.example.org/x) @anna:localhost"


def test_reply_fallback_and_blockquote() -> None:
    html = "<mx-reply><blockquote>alt</blockquote></mx-reply><blockquote>Zitat<br>zwei</blockquote>"
    assert render_html(html).splitlines() == ["│ Zitat", "│ zwei"]


def test_every_reply_of_the_bot_renders_from_its_html() -> None:
    reply = Reply("**nicht** dies", "<p><strong>das</strong></p>")
    content = {
        "body": reply.text,
        "format": "org.matrix.custom.html",
        "formatted_body": reply.formatted,
    }
    assert render_content(content) == "das"


def test_plain_body_without_html_loses_its_markdown_marks() -> None:
    body = (
        "# Entwurf\n\n**Titel**: `Musik`\n- Punkt *eins*\n\n"
        "| Partner | Ort |\n|---|---|\n| Musikschule | Bonn |\n"
        "[Seite](https://example.org)"
    )
    text = render_markdown(body)
    assert readable(text), text
    assert "Entwurf" in text and "Titel: Musik" in text and "• Punkt eins" in text
    assert "Partner      Ort" in text and "Musikschule  Bonn" in text
    assert "Seite (https://example.org)" in text


def test_a_draft_agreement_renders_readably() -> None:
    """The bot's longest reply (headings, quote, lists, signature table) as the demo shows it."""
    from commands.cooperation.draft import DraftElement, render_draft
    from commands.i18n import Catalog

    elements = [
        DraftElement("partner", "Kooperationspartner", "Wer?", "Musikschule, GS Lindenweg"),
        DraftElement("laufzeit", "Laufzeit", "Von wann bis wann?", None),
    ]
    draft = render_draft("Musik am Lindenweg", elements, Catalog.load(), "de")
    assert not readable(draft.markdown)  # the file keeps its Markdown ...
    text = render_content(
        {"body": draft.markdown, "format": "org.matrix.custom.html", "formatted_body": draft.html}
    )
    assert readable(text), text  # ... the terminal shows none of it
    assert "Musik am Lindenweg" in text
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if set(line) == {"─", " "} and "  " in line)
    header = lines[rule - 1].split()
    assert len(header) >= 2  # the signature table keeps its columns apart
    assert lines[rule + 1].strip() == "Musikschule"


def test_a_date_poll_shows_its_text_fallback() -> None:
    from commands.meetings.datepoll import POLL_START, TEXT

    content = {POLL_START: {"question": {TEXT: "Wann?"}}, TEXT: "Wann?\n1. Mo\n2. Di"}
    assert render_content(content).splitlines()[1:] == ["Wann?", "1. Mo", "2. Di"]


def test_align_table_pads_short_rows() -> None:
    assert align_table([["a", "b"], ["ccc"]]) == ["a    b", "───  ─", "ccc"]


# --- terminal commands -------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("!hilfe", Send("!hilfe")),
        ("Wie finde ich Partner?", Send("Wie finde ich Partner?")),
        ("/räume", TerminalCommand("rooms")),
        ("/Räume", TerminalCommand("rooms")),
        ("/rooms", TerminalCommand("rooms")),
        ("/raum 2", TerminalCommand("room", "2")),
        ("/raum Läuft!", TerminalCommand("room", "Läuft!")),
        ("/raum", TerminalCommand("rooms")),
        ("/als anna", TerminalCommand("as", "anna")),
        ("/als", TerminalCommand("who")),
        ("/hilfe", TerminalCommand("help")),
        ("/ende", TerminalCommand("quit")),
        # the bot's own slash commands still reach the bot
        ("/raum neu Chor", Send("/raum neu Chor")),
        ("/room new Choir", Send("/room new Choir")),
        ("/hilfe termin", Send("/hilfe termin")),
        ("/checkliste 2", Send("/checkliste 2")),
        ("//hilfe", Send("/hilfe")),
        ("   ", None),
    ],
)
def test_parse_input(line: str, parsed: object) -> None:
    assert parse_input(line) == parsed


def test_pick_by_number_exact_prefix_or_part() -> None:
    names = ["Netzwerk Kooperationen", "Läuft!", "Direktchat mit koopbot", "Gut vernetzt"]
    assert pick("2", names) == 1
    assert pick("läuft", names) == 1
    assert pick("lauft", names) == 1
    assert pick("direkt", names) == 2
    assert pick("vernetzt", names) == 3
    assert pick("9", names) is None
    assert pick("netz", names) == 0  # a prefix wins over a part of another name


def test_pick_in_the_demo_room_list() -> None:
    names = [
        "Netzwerk Kooperationen",
        "Läuft!",
        "Koordination Netzwerk Kooperationen",
        "Direktchat mit koopbot",
        "Kooperation Musikschule Am Rhein & GS Lindenweg",
    ]
    assert pick("kooperation", names) == 4
    assert pick("läuft", names) == 1
    assert pick("koordination", names) == 2


def test_pick_refuses_an_ambiguous_name() -> None:
    assert pick("kooperation", ["Kooperation A", "Kooperation B"]) is None


def test_fold() -> None:
    assert fold("„Läuft!“") == "lauft"
