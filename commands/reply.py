"""Plain reply data (text + HTML); Matrix details stay in bot/matrix.py.

Every reply has a plain ``body`` and a ``formatted_body``. User text is escaped with
``esc`` before it goes into HTML; ``html_from_text`` turns plain text into safe HTML.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

_URL = re.compile(r"\b(https?://[^\s<>\"']+|mailto:[^\s<>\"']+)")


def esc(text: object) -> str:
    """Escape user (or any) text for formatted_body."""
    return html.escape(str(text), quote=True)


def link(url: str, label: str | None = None) -> str:
    """A link, only for http(s) and mailto; anything else stays plain escaped text."""
    if not re.match(r"^(https?://|mailto:)", url, re.IGNORECASE):
        return esc(label or url)
    return f'<a href="{esc(url)}">{esc(label or url)}</a>'


def html_from_text(text: str) -> str:
    """Escape text, keep line breaks and make http(s)/mailto links clickable."""
    escaped = esc(text)
    linked = _URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', escaped)
    return linked.replace("\n", "<br>")


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
        html: the formatted body; built from ``text`` when omitted.
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
