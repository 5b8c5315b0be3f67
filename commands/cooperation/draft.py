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
from commands.reply import _esc as esc
from commands.reply import html_from_text

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
    markdown: str
    html: str
    missing: tuple[str, ...]  # titles of the missing elements, in order


def slug(title: str) -> str:
    """ "Singpause: Musikschule Bonn & GS" -> "singpause-musikschule-bonn-gs"."""
    folded = fold_umlauts(title)
    text = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return text[:SLUG_MAX].rstrip("-") or "entwurf"


def draft_filename(title: str) -> str:
    return f"kooperationsvereinbarung-{slug(title)}.md"


def _hard_breaks(text: str) -> str:
    """Keep the user's line breaks in Markdown (CommonMark hard break: two spaces)."""
    return "  \n".join(line.rstrip() for line in text.strip().splitlines())


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


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
    heading = t("draft_heading")
    md = [f"# {heading}", "", f"**{title}**", ""]
    html = [f"<h1>{esc(heading)}</h1>", f"<p><strong>{esc(title)}</strong></p>"]
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
    md += ["\n>\n".join(f"> {line}" for line in intro), ""]
    html.append("<blockquote>" + "<br>".join(esc(line) for line in intro) + "</blockquote>")

    partners: list[str] = []
    for number, element in enumerate(elements, start=1):
        head = f"{number}. {element.title}"
        md += [f"## {head}", ""]
        html.append(f"<h2>{esc(head)}</h2>")
        if element.value and element.key == "partner":
            partners = partner_list(element.value)
            md += [f"- {p}" for p in partners] + [""]
            html.append("<ul>" + "".join(f"<li>{esc(p)}</li>" for p in partners) + "</ul>")
        elif element.value:
            md += [_hard_breaks(element.value), ""]
            html.append(f"<p>{html_from_text(element.value)}</p>")
        else:
            open_line = t("draft_open", title=element.title)
            hint = t("draft_hint", guidance=element.guidance)
            how = t("draft_how", key=element.key)
            md += [f"**{open_line}**", "", f"*{hint}*", "", f"*{how}*", ""]
            html.append(
                f"<p><strong>{esc(open_line)}</strong><br><em>{esc(hint)}</em>"
                f"<br><em>{esc(how)}</em></p>"
            )

    signatures = t("draft_signatures")
    columns = [t("draft_col_partner"), t("draft_col_place_date"), t("draft_col_signature")]
    rows = partners or [t("draft_partner_n", n=1), t("draft_partner_n", n=2)]
    md += ["---", "", f"## {signatures}", ""]
    md.append("| " + " | ".join(columns) + " |")
    md.append("|" + "---|" * len(columns))
    md += [f"| {_cell(p)} |  |  |" for p in rows]
    html.append(f"<hr><h2>{esc(signatures)}</h2><table><tr>")
    html.append("".join(f"<th>{esc(c)}</th>" for c in columns) + "</tr>")
    html += [f"<tr><td>{esc(p)}</td><td></td><td></td></tr>" for p in rows]
    html.append("</table>")
    if sources:
        basis = t("draft_sources", sources=", ".join(sources))
        md += ["", f"*{basis}*"]
        html.append(f"<p><em>{esc(basis)}</em></p>")
    return Draft("\n".join(md) + "\n", "".join(html), missing)
