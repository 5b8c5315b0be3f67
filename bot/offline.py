"""``koopbot ask``: the same answer path as ``!frage``, without Matrix."""

from __future__ import annotations

from pathlib import Path

from commands.i18n import Catalog
from commands.knowledge import network_entry, render_answer
from content import ContentIndex, detect_lang, load_content
from storage.answers import read_network_answers


def answer_offline(
    question: str, lang: str, extra_dirs: list[Path], database: Path | None = None
) -> str:
    """Plain text of the answer (or the abstention), with its metadata line; with the
    bot's ``database``, the coordinators' answers count too, as in the running bot."""
    content = load_content(extra_dirs)
    answers = read_network_answers(database) if database is not None else []
    # one build with the coordinators' answers in it (not a build and a rebuild)
    index = ContentIndex(content, extra=[network_entry(a) for a in answers])
    asked_lang = detect_lang(question, default=lang)
    result = index.answer(question, asked_lang)
    reply = render_answer(result, Catalog.load(), asked_lang)
    meta = result.metadata()
    if result.abstained:
        return f"{reply.text}\n[koopbot.answer: {meta}]"
    return f"{reply.text}\n[koopbot.answer: id={meta['id']} score={meta['score']}]"
