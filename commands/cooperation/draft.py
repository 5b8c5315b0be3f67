"""The draft cooperation agreement: Markdown for the file, safe HTML for the message.

A pure function of its inputs (no clock, no storage), so the golden-file test is
stable; the date line appears only when the caller passes one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from commands.cooperation.fields import fold_umlauts, partner_list
from commands.i18n import Catalog
from commands.reply import ReplyBuilder, bold

SLUG_MAX = 60


@dataclass(frozen=True)
class DraftElement:
    """One agreement element with the cooperation's value (None = still missing)."""

    key: str
    title: str
    guidance: str
    value: str | None


@dataclass(frozen=True)
class Draft:
    doc: ReplyBuilder  # Markdown as its plain form
    missing: tuple[str, ...]  # titles of the missing elements, in order

    @property
    def markdown(self) -> str:
        return self.doc.text

    @property
    def html(self) -> str:
        return self.doc.html


def slug(title: str) -> str:
    """ "Singpause: Musikschule Bonn & GS" -> "singpause-musikschule-bonn-gs"."""
    folded = fold_umlauts(title)
    text = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return text[:SLUG_MAX].rstrip("-") or "entwurf"


def draft_filename(title: str) -> str:
    return f"kooperationsvereinbarung-{slug(title)}.md"


def render_draft(
    title: str,
    elements: Sequence[DraftElement],
    catalog: Catalog,
    lang: str,
    *,
    sources: Sequence[str] = (),
    as_of: str | None = None,
) -> Draft:
    """The agreement draft; missing elements say "⚠ noch offen" with their guidance."""

    def t(name: str, /, **params: object) -> str:
        return catalog.get(f"cooperation.{name}", lang, **params)

    missing = tuple(e.title for e in elements if not e.value)
    doc = ReplyBuilder(markdown=True)
    doc.heading(t("draft_heading"), level=1).line(bold(title))
    intro = [t("draft_intro")]
    if as_of:
        intro.append(t("draft_as_of", date=as_of))
    if missing:
        intro.append(
            t(
                "draft_missing_summary",
                count=len(missing),
                total=len(elements),
                names=", ".join(missing),
            )
        )
        intro.append(t("draft_fill_hint"))
    else:
        intro.append(t("draft_complete"))
    for line in intro:
        doc.quote(line)

    partners: list[str] = []
    for number, element in enumerate(elements, start=1):
        doc.heading(f"{number}. {element.title}", level=2)
        if element.value and element.key == "partner":
            partners = partner_list(element.value)
            for partner in partners:
                doc.bullet(partner)
        elif element.value:
            doc.line(element.value.strip())
        else:
            doc.line(bold(t("draft_open", title=element.title)))
            doc.note(t("draft_hint", guidance=element.guidance))
            doc.note(t("draft_how", key=element.key))

    columns = [t("draft_col_partner"), t("draft_col_place_date"), t("draft_col_signature")]
    rows = partners or [t("draft_partner_n", n=1), t("draft_partner_n", n=2)]
    doc.rule().heading(t("draft_signatures"), level=2)
    doc.table(columns, [[p, "", ""] for p in rows])
    if sources:
        doc.note(t("draft_sources", sources=", ".join(sources)))
    return Draft(doc, missing)
