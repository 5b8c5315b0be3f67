"""``koopbot ask``: the same answer path as ``!frage``, without Matrix."""

from __future__ import annotations

from pathlib import Path

from commands.i18n import Catalog
from commands.knowledge import render_answer
from content import ContentIndex, detect_lang, load_content


def answer_offline(question: str, lang: str, extra_dirs: list[Path]) -> str:
    """Plain text of the answer (or the abstention), with its metadata line."""
    content = load_content(extra_dirs)
    index = ContentIndex(content)
    asked_lang = detect_lang(question, default=lang)
    result = index.answer(question, asked_lang)
    reply = render_answer(result, Catalog.load(), asked_lang)
    meta = result.metadata()
    if result.abstained:
        return f"{reply.text}\n[koopbot.answer: {meta}]"
    return f"{reply.text}\n[koopbot.answer: id={meta['id']} score={meta['score']}]"
