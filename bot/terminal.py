"""The demo's terminal: replies rendered as readable text, and the terminal's own commands.

Pure functions (no Matrix, no I/O) so that both are unit-tested.

Rendering: the bot's ``formatted_body`` is a small, known set of HTML tags (p, br,
strong, em, code, pre, ul/ol/li, h1–h6, table, a, blockquote). The standard library's
``html.parser`` turns it into terminal text — bold via ANSI when the output is a
terminal, bullets and numbers for lists, aligned columns for tables. A message without
``formatted_body`` (typed in Element, say) gets its Markdown marks removed instead.

Terminal commands: a line that starts with ``/`` is a bot command in the product
(``/hilfe`` = ``!hilfe``), so the terminal claims only a few fixed words for itself:
``/räume``, ``/raum <nr|name>``, ``/als <name>``, ``/hilfe``, ``/ende`` (and their
English forms). ``/raum neu …`` is the bot's command and is sent; ``//text`` sends
``/text`` (as in Element). Everything else is sent as typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

BOLD = "\x1b[1m"
DIM = "\x1b[2m"
RESET = "\x1b[0m"

# --- terminal commands -------------------------------------------------------------


@dataclass(frozen=True)
class Send:
    """Send this text to the current room."""

    text: str


@dataclass(frozen=True)
class TerminalCommand:
    """One of the terminal's own commands: ``rooms``, ``room``, ``as``, ``help``, ``quit``."""

    name: str
    arg: str = ""


_WORDS = {
    "räume": "rooms",
    "raeume": "rooms",
    "rooms": "rooms",
    "raum": "room",
    "room": "room",
    "als": "as",
    "as": "as",
    "hilfe": "help",
    "help": "help",
    "ende": "quit",
    "quit": "quit",
    "exit": "quit",
}
# ``!raum neu <name>`` is the bot's command; typed with a slash it must still reach the bot
_BOT_ROOM_WORDS = {"neu", "new"}


def parse_input(line: str) -> Send | TerminalCommand | None:
    """What a typed line means; None for an empty line."""
    text = line.strip()
    if not text:
        return None
    if text.startswith("//"):
        return Send(text[1:])
    if not text.startswith("/"):
        return Send(text)
    word, _, rest = text[1:].partition(" ")
    name = _WORDS.get(unicodedata.normalize("NFC", word).casefold())
    rest = rest.strip()
    if name is None:
        return Send(text)
    if name == "room" and rest.split(" ", 1)[0].casefold() in _BOT_ROOM_WORDS:
        return Send(text)
    if name in ("rooms", "help", "quit") and rest:
        return Send(text)  # e.g. ``/hilfe termin`` asks the bot about a command
    if name in ("room", "as") and not rest:
        return TerminalCommand("rooms" if name == "room" else "who")
    return TerminalCommand(name, rest)


def pick(query: str, names: list[str]) -> int | None:
    """Index of the entry ``query`` names: a number (1-based), an exact or a partial name."""
    query = query.strip()
    if query.isdigit():
        number = int(query)
        return number - 1 if 1 <= number <= len(names) else None
    wanted = fold(query)
    if not wanted:
        return None
    folded = [fold(n) for n in names]
    for i, name in enumerate(folded):
        if name == wanted:
            return i
    starts = [i for i, name in enumerate(folded) if name.startswith(wanted)]
    if len(starts) == 1:
        return starts[0]
    inside = [i for i, name in enumerate(folded) if wanted in name]
    if len(inside) == 1:
        return inside[0]
    return None


def fold(text: str) -> str:
    """Lower case without accents and punctuation: „Läuft!“ → "lauft"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


# --- rendering ----------------------------------------------------------------------


POLL_START = "org.matrix.msc3381.poll.start"
POLL_END = "org.matrix.msc3381.poll.end"
EXTENSIBLE_TEXT = "org.matrix.msc1767.text"


def render_content(content: dict[str, Any], *, color: bool = False) -> str:
    """Readable terminal text of a message (or poll) content."""
    if POLL_START in content or POLL_END in content:
        text = str(content.get(EXTENSIBLE_TEXT) or content.get("body") or "")
        if POLL_START in content:
            return "Abstimmung (abstimmen in Element):\n" + text
        return text
    formatted = content.get("formatted_body")
    if content.get("format") == "org.matrix.custom.html" and isinstance(formatted, str):
        return render_html(formatted, color=color)
    return render_markdown(str(content.get("body", "")))


_BLOCKS = {"p", "div", "ul", "ol", "pre", "blockquote", "table", "h1", "h2", "h3", "h4", "h5"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class _Renderer(HTMLParser):
    def __init__(self, color: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.color = color
        self.lines: list[str] = []
        self.line = ""
        self.lists: list[list[int]] = []  # per open list: [is_ordered, counter]
        self.quote = 0
        self.pre = 0
        self.skip = 0  # inside <mx-reply>
        self.href: list[str | None] = []
        self.link_text: list[str] = []
        self.table: list[list[str]] | None = None
        self.cell: list[str] | None = None

    # lines ---------------------------------------------------------------------------

    def _indent(self) -> str:
        return "│ " * self.quote + "  " * max(0, len(self.lists) - 1)

    def _flush(self) -> None:
        if self.line.strip():
            self.lines.append(self.line.rstrip())
        self.line = ""

    def _blank(self) -> None:
        self._flush()
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def _write(self, text: str) -> None:
        if self.cell is not None:
            self.cell.append(text)
            return
        if not self.line:
            self.line = self._indent()
            text = text.lstrip() if not self.pre else text
        self.line += text

    def _style(self, code: str) -> None:
        if self.color:
            self._write(code)

    # parser callbacks ---------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "mx-reply":
            self.skip += 1
        if self.skip:
            return
        if tag == "br":
            self._flush() if self.cell is None else self.cell.append(" ")
        elif tag in ("ul", "ol"):
            if not self.lists:
                self._blank()
            else:
                self._flush()
            self.lists.append([tag == "ol", 0])
        elif tag == "li":
            self._flush()
            marker = "•"
            if self.lists:
                self.lists[-1][1] += 1
                if self.lists[-1][0]:
                    marker = f"{self.lists[-1][1]}."
            self._write(f"{marker} ")
        elif tag in _HEADINGS:
            self._blank()
            self._style(BOLD)
        elif tag in ("strong", "b"):
            self._style(BOLD)
        elif tag == "blockquote":
            self._blank()
            self.quote += 1
        elif tag == "pre":
            self._blank()
            self.pre += 1
        elif tag == "table":
            self._blank()
            self.table = []
        elif tag in _BLOCKS:
            self._blank()
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
            self.link_text.append("")
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = []
        elif tag == "hr":
            self._blank()
            self.lines.append("─" * 20)

    def handle_endtag(self, tag: str) -> None:
        if tag == "mx-reply":
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
            if not self.lists:
                self._blank()
        elif tag == "li":
            self._flush()
        elif tag in _HEADINGS:
            self._style(RESET)
            self._blank()
        elif tag in ("strong", "b"):
            self._style(RESET)
        elif tag == "blockquote":
            self._blank()
            self.quote = max(0, self.quote - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self._blank()
        elif tag == "table" and self.table is not None:
            rows, self.table = self.table, None
            self.lines.extend(align_table(rows, indent=self._indent()))
            self._blank()
        elif tag in _BLOCKS:
            self._blank()
        elif tag == "a" and self.href:
            href, text = self.href.pop(), self.link_text.pop()
            if href and href.startswith(("http://", "https://")) and href != text.strip():
                if "matrix.to/#/" not in href:
                    self._write(f" ({href})")
        elif tag in ("td", "th") and self.table is not None and self.cell is not None:
            if self.table:
                self.table[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
            if not data.strip() and not self.line and self.cell is None:
                return
        if self.link_text:
            self.link_text[-1] += data
        if self.pre:
            first, *rest = data.split("\n")
            self._write(first)
            for part in rest:
                self._flush()
                self.line = self._indent() + "  " + part if part else ""
        else:
            self._write(data)

    def text(self) -> str:
        self._flush()
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines)


def align_table(rows: list[list[str]], indent: str = "") -> list[str]:
    """Rows as columns padded to the widest cell; a rule under the first row."""
    rows = [r for r in rows if r]
    if not rows:
        return []
    columns = max(len(r) for r in rows)
    rows = [r + [""] * (columns - len(r)) for r in rows]
    widths = [max(len(r[c]) for r in rows) for c in range(columns)]
    out = [
        indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    if len(rows) > 1:
        out.insert(1, indent + "  ".join("─" * w for w in widths))
    return out


def render_html(html: str, *, color: bool = False) -> str:
    renderer = _Renderer(color)
    renderer.feed(html)
    renderer.close()
    return renderer.text()


_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def render_markdown(text: str) -> str:
    """Plain text of a Markdown-ish body: no ``#``, ``**``, backticks or pipe tables."""
    lines = text.splitlines()
    out: list[str] = []
    table: list[list[str]] = []
    fence = False
    for line in lines:
        if line.strip().startswith("```"):
            fence = not fence
            continue
        if fence:
            out.append("  " + line)
            continue
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            if not _MD_TABLE_RULE.match(stripped):
                table.append([_inline(c.strip()) for c in stripped.strip("|").split("|")])
            continue
        if table:
            out.extend(align_table(table))
            table = []
        heading = re.match(r"^\s*#{1,6}\s+(.*)$", line)
        if heading:
            out.append(_inline(heading.group(1)))
            continue
        bullet = re.match(r"^(\s*)[-*+]\s+(.*)$", line)
        if bullet:
            out.append(f"{bullet.group(1)}• {_inline(bullet.group(2))}")
            continue
        out.append(_inline(line))
    if table:
        out.extend(align_table(table))
    return "\n".join(out).strip("\n")


def _inline(text: str) -> str:
    text = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\((https?://[^)\s]+)\)", r"\1 (\2)", text)
    return text
