"""Replies: one builder makes the plain ``body`` and the HTML ``formatted_body`` together.

Commands never write HTML. They describe a message with ``ReplyBuilder`` (lines,
headings, bullets, numbered items, quotes) and inline pieces (``bold``, ``em``,
``code``, ``link``, ``mention``); any ``str`` given to them is member (or catalog) text
and is escaped here, once, with its http(s)/mailto links made clickable and its line
breaks kept. Both forms come from the same call, so the plain body and the HTML cannot
say different things. "@room" and bidi controls are defused for both at sending, in
``bot.events.defuse``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

_URL = re.compile(r"\b(?:https?://|mailto:)[^\s<>\"'„“”‚‘’«»]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"
_LINKABLE = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _address(match: re.Match[str]) -> tuple[str, str]:
    """The address found, and what trails it but belongs to the sentence ("…/x)." )."""
    url = match.group(0)
    end = len(url)
    while end and url[end - 1] in _TRAILING:
        if url[end - 1] == ")" and url.count("(", 0, end) >= url.count(")", 0, end):
            break  # "…/Bonn_(Stadt)" keeps its closing bracket
        end -= 1
    return url[:end], url[end:]


def html_from_text(text: str) -> str:
    """Escape text, keep line breaks and make http(s)/mailto links clickable.

    Addresses are found in the text before escaping, so quotes, brackets and
    punctuation around them ("„https://x.example/a“.") stay outside the link.
    """
    out: list[str] = []
    start = 0
    for match in _URL.finditer(text):
        url, rest = _address(match)
        out.append(_esc(text[start : match.start()]))
        bare = url.casefold() in ("http://", "https://", "mailto:")
        out.append(_esc(url) if bare else f'<a href="{_esc(url)}">{_esc(url)}</a>')
        out.append(_esc(rest))
        start = match.end()
    out.append(_esc(text[start:]))
    return "".join(out).replace("\n", "<br>")


def _hard_breaks(text: str) -> str:
    """Line breaks kept in Markdown (CommonMark hard break: two spaces)."""
    if "\n" not in text:
        return text
    return "  \n".join(line.rstrip() for line in text.splitlines())


@dataclass(frozen=True)
class Rich:
    """A piece of a line in its forms: plain ``text``, escaped ``html`` and Markdown
    (``md``, the plain text when not given).

    Made only by the functions below; ``+`` joins pieces (a ``str`` is member text).
    """

    text: str
    html: str
    md: str | None = None

    @property
    def markdown(self) -> str:
        return self.text if self.md is None else self.md

    def __add__(self, other: Inline) -> Rich:
        right = rich(other)
        return Rich(self.text + right.text, self.html + right.html, self.markdown + right.markdown)

    def __radd__(self, other: Inline) -> Rich:
        return rich(other) + self


Inline = str | Rich


def rich(*parts: Inline) -> Rich:
    """Pieces joined; a ``str`` is escaped, with clickable links and kept line breaks."""
    texts: list[str] = []
    htmls: list[str] = []
    mds: list[str] = []
    for part in parts:
        if isinstance(part, Rich):
            texts.append(part.text)
            htmls.append(part.html)
            mds.append(part.markdown)
        else:
            texts.append(part)
            htmls.append(html_from_text(part))
            mds.append(_hard_breaks(part))
    return Rich("".join(texts), "".join(htmls), "".join(mds))


def join(separator: str, parts: Iterable[Inline]) -> Rich:
    """Like ``separator.join(parts)`` for pieces."""
    items = [rich(p) for p in parts]
    sep = rich(separator)
    return Rich(
        sep.text.join(i.text for i in items),
        sep.html.join(i.html for i in items),
        sep.markdown.join(i.markdown for i in items),
    )


def bold(*parts: Inline) -> Rich:
    inner = rich(*parts)
    return Rich(inner.text, f"<strong>{inner.html}</strong>", f"**{inner.markdown}**")


def em(*parts: Inline) -> Rich:
    inner = rich(*parts)
    return Rich(inner.text, f"<em>{inner.html}</em>", f"*{inner.markdown}*")


def code(text: str) -> Rich:
    """A command or a key to type: monospace, never a link."""
    return Rich(text, f"<code>{_esc(text)}</code>", f"`{text}`")


def link(url: str, label: str | None = None) -> Rich:
    """A link, only for http(s) and mailto; anything else stays plain text.

    The plain form shows the address too ("label – url"), as a reader of the plain body
    cannot follow a hidden link.
    """
    shown = label or url
    if not _LINKABLE.match(url):
        return Rich(shown, _esc(shown))
    text = f"{label} – {url}" if label and label != url else url
    return Rich(text, f'<a href="{_esc(url)}">{_esc(shown)}</a>', f"[{shown}]({url})")


def mention(user_id: str, label: str | None = None) -> Rich:
    """A user pill in Element (a matrix.to link); the plain form is the label or the id."""
    shown = label or user_id
    return Rich(shown, f'<a href="https://matrix.to/#/{_esc(user_id)}">{_esc(shown)}</a>')


def indent(width: int = 2) -> Rich:
    """Indentation of a plain-text line; HTML lays out by itself."""
    return Rich(" " * width, "")


def fill(template: str, marker: str, piece: Inline) -> Rich:
    """``template`` (already translated, with ``marker`` where ``piece`` goes) as a piece.

    For catalog texts that carry a link or a mention inside: translate with a marker
    (e.g. ``"\\x00"``) as the value, then put the piece in its place.
    """
    parts = template.split(marker)
    pieces: list[Inline] = []
    for index, part in enumerate(parts):
        if index:
            pieces.append(piece)
        pieces.append(part)
    return rich(*pieces)


@dataclass(frozen=True)
class Attachment:
    """A file to upload beside a reply (an .ics, a Markdown draft, a JSON export)."""

    filename: str
    data: bytes
    mimetype: str


@dataclass
class Reply:
    """One message the bot sends.

    Args:
        text: the plain body.
        html: the formatted body; built from ``text`` when omitted. Commands leave it
            out or take it from ``ReplyBuilder``.
        notify: ``m.text`` (reminders that must notify) instead of ``m.notice``.
        mentions: user ids put into ``m.mentions`` (only these are notified).
        extra: extra top-level event content (e.g. ``koopbot.answer``).
        attachment: a file sent right after the message.
    """

    text: str
    html: str | None = None
    notify: bool = False
    mentions: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    attachment: Attachment | None = None

    @property
    def formatted(self) -> str:
        return self.html if self.html is not None else html_from_text(self.text)


@dataclass
class _Item:
    """One list item: its first line, and more lines under it."""

    line: Rich
    mark: str
    more: list[Rich]
    more_mark: str
    nested: bool


@dataclass
class _Block:
    kind: str  # "p", "ul", "ol", "quote", "h1".."h6", "rule", "table"
    lines: list[Rich] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)
    rows: list[list[Rich]] = field(default_factory=list)  # a table's; the first is its head
    gap: bool = False  # an empty line before it in the plain body


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class ReplyBuilder:
    """A message built block by block; each call adds the plain and the HTML form.

    Paragraph style (the default): every ``line`` is a paragraph, consecutive bullets
    (or numbered items) one list, consecutive quotes one quote. Compact style
    (``compact=True``, the meetings' look): lines separated by line breaks only, bullets
    as "• " lines. ``markdown=True``: the plain form is a Markdown document (blocks
    apart by an empty line), for a file beside the message.
    """

    def __init__(self, *, compact: bool = False, markdown: bool = False) -> None:
        self.compact = compact
        self.markdown = markdown
        self._blocks: list[_Block] = []
        self._gap = False

    # --- blocks ------------------------------------------------------------------

    def _new(self, kind: str) -> _Block:
        block = _Block(kind, gap=self._gap)
        self._gap = False
        self._blocks.append(block)
        return block

    def _last(self, kind: str) -> _Block | None:
        last = self._blocks[-1] if self._blocks else None
        return last if last is not None and last.kind == kind and not self._gap else None

    def line(self, *parts: Inline, joined: bool = False) -> ReplyBuilder:
        """A line; ``joined``: in the paragraph before it (a line break, no new paragraph)."""
        block = self._last("p") if self.compact or joined else None
        (block or self._new("p")).lines.append(rich(*parts))
        return self

    def heading(self, *parts: Inline, level: int | None = None) -> ReplyBuilder:
        """A bold line (a title or the heading of a list); with ``level`` (1-6) a
        document heading (``<h1>``, "# " in Markdown)."""
        if level is None:
            return self.line(bold(*parts))
        self._new(f"h{min(max(level, 1), 6)}").lines.append(rich(*parts))
        return self

    def note(self, *parts: Inline) -> ReplyBuilder:
        """An emphasised line (a hint, a source)."""
        return self.line(em(*parts))

    def gap(self) -> ReplyBuilder:
        """An empty line before the next block in the plain body (paragraphs have space)."""
        self._gap = True
        return self

    def rule(self) -> ReplyBuilder:
        """A horizontal rule between parts of a document."""
        self._new("rule")
        return self

    def table(self, head: Sequence[Inline], rows: Iterable[Sequence[Inline]]) -> ReplyBuilder:
        """A table with a head row."""
        block = self._new("table")
        block.rows = [[rich(c) for c in head], *([rich(c) for c in row] for row in rows)]
        return self

    def _item(
        self,
        kind: str,
        parts: Sequence[Inline],
        mark: str,
        more: Iterable[Inline],
        more_mark: str,
        nested: bool,
    ) -> ReplyBuilder:
        item = _Item(rich(*parts), mark, [rich(m) for m in more], more_mark, nested)
        if self.compact:
            self.line(mark + item.line)
            for extra in item.more:
                self.line(more_mark.lstrip("\n") + extra)
            return self
        (self._last(kind) or self._new(kind)).items.append(item)
        return self

    def bullet(
        self,
        *parts: Inline,
        mark: str = "• ",
        more: Iterable[Inline] = (),
        more_mark: str = "\n    ↳ ",
        nested: bool = False,
    ) -> ReplyBuilder:
        """A list item. ``mark`` starts it in the plain body (HTML lists have their own);
        a symbol that belongs to the item ("✅ ") goes into ``parts`` instead.
        ``more`` lines follow in the same item: in the plain body each after
        ``more_mark``, in HTML after a line break (``nested``: as a list of their own,
        plain "   • ")."""
        return self._item("ul", parts, mark, more, more_mark, nested)

    def numbered(
        self, *parts: Inline, more: Iterable[Inline] = (), nested: bool = False
    ) -> ReplyBuilder:
        """An item of a numbered list ("1. " in the plain body)."""
        return self._item("ol", parts, "", more, "\n    ↳ ", nested)

    def quote(self, *parts: Inline) -> ReplyBuilder:
        """Quoted text (what a member wrote): "> " lines in the plain body."""
        (self._last("quote") or self._new("quote")).lines.append(rich(*parts))
        return self

    def extend(self, other: ReplyBuilder) -> ReplyBuilder:
        """The blocks of ``other`` after these."""
        self._blocks += other._blocks
        return self

    # --- output ------------------------------------------------------------------

    def _items_text(self, block: _Block) -> list[str]:
        out: list[str] = []
        for number, item in enumerate(block.items, 1):
            if self.markdown:
                mark = f"{number}. " if block.kind == "ol" else "- "
                out.append(mark + item.line.markdown)
                out += ["  - " + m.markdown for m in item.more]
                continue
            mark = f"{number}. " if block.kind == "ol" else item.mark
            first = mark + item.line.text
            if item.nested:
                out.append(first)
                out += ["   • " + m.text for m in item.more]
            else:
                out.append(first + "".join(item.more_mark + m.text for m in item.more))
        return out

    def _markdown(self) -> str:
        out: list[str] = []
        for block in self._blocks:
            if block.kind == "p":
                out.append("  \n".join(line.markdown for line in block.lines))
            elif block.kind == "quote":
                out.append("\n>\n".join("> " + line.markdown for line in block.lines))
            elif block.kind.startswith("h"):
                out.append("#" * int(block.kind[1]) + " " + block.lines[0].markdown)
            elif block.kind == "rule":
                out.append("---")
            elif block.kind == "table":
                head, *rows = block.rows
                table = ["| " + " | ".join(_cell(c.markdown) for c in head) + " |"]
                table.append("|" + "---|" * len(head))
                table += ["| " + " | ".join(_cell(c.markdown) for c in row) + " |" for row in rows]
                out.append("\n".join(table))
            else:
                out.append("\n".join(self._items_text(block)))
        return "\n\n".join(out) + "\n"

    @property
    def text(self) -> str:
        """The plain body (Markdown with ``markdown=True``)."""
        if self.markdown:
            return self._markdown()
        out: list[str] = []
        for block in self._blocks:
            if block.gap and out:
                out.append("")
            if block.kind in ("p", "h1", "h2", "h3", "h4", "h5", "h6"):
                out += [line.text for line in block.lines]
            elif block.kind == "quote":
                out += ["> " + row for line in block.lines for row in line.text.split("\n")]
            elif block.kind == "rule":
                out.append("---")
            elif block.kind == "table":
                out += [" | ".join(c.text for c in row) for row in block.rows]
            else:
                out += self._items_text(block)
        return "\n".join(out)

    @staticmethod
    def _block_html(block: _Block) -> str:
        inner = "<br>".join(line.html for line in block.lines)
        if block.kind == "p":
            return f"<p>{inner}</p>"
        if block.kind == "quote":
            return f"<blockquote>{inner}</blockquote>"
        if block.kind.startswith("h"):
            return f"<{block.kind}>{inner}</{block.kind}>"
        if block.kind == "rule":
            return "<hr>"
        if block.kind == "table":
            head, *rows = block.rows
            cells = "".join(f"<th>{c.html}</th>" for c in head)
            body = "".join(
                "<tr>" + "".join(f"<td>{c.html}</td>" for c in row) + "</tr>" for row in rows
            )
            return f"<table><tr>{cells}</tr>{body}</table>"
        items = []
        for item in block.items:
            if item.nested and item.more:
                sub = "".join(f"<li>{m.html}</li>" for m in item.more)
                items.append(f"<li>{item.line.html}<ul>{sub}</ul></li>")
            else:
                rows_html = [item.line.html, *(m.html for m in item.more)]
                items.append(f"<li>{'<br>'.join(rows_html)}</li>")
        return f"<{block.kind}>{''.join(items)}</{block.kind}>"

    @property
    def html(self) -> str:
        """The formatted body."""
        if self.compact:  # paragraphs without <p>: all lines apart by line breaks
            return "<br>".join(
                "<br>".join(line.html for line in block.lines)
                if block.kind == "p"
                else self._block_html(block)
                for block in self._blocks
            )
        return "".join(self._block_html(block) for block in self._blocks)

    def build(self, **kwargs: Any) -> Reply:
        """The reply (``notify``, ``mentions``, ``extra``, ``attachment`` as in ``Reply``)."""
        return Reply(self.text, self.html, **kwargs)
