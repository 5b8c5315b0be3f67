"""!vereinbarung entwurf: the draft agreement as a message and as a Markdown file."""

from __future__ import annotations

from typing import Any

from commands.context import Context
from commands.cooperation.common import content_of, cooperation_here
from commands.cooperation.draft import Draft, DraftElement, draft_filename, render_draft
from commands.i18n import Catalog
from commands.registry import Scope, command
from commands.reply import Attachment
from commands.timeparse import format_date
from storage.cooperations import Cooperations


def build_draft(
    content: Any,
    title: str,
    values: dict[str, str],
    catalog: Catalog,
    lang: str,
    *,
    as_of: str | None = None,
) -> Draft:
    """The draft from field values and the content's elements (shared with tests)."""
    elements = [
        DraftElement(e.key, e.title(lang), e.guidance(lang), values.get(e.key))
        for e in content.agreement_elements
    ]
    sources = sorted({e.source for e in content.agreement_elements if e.source})
    return render_draft(title, elements, catalog, lang, sources=sources, as_of=as_of)


@command(
    "vereinbarung entwurf",
    aliases=("agreement draft",),
    group="kooperation",
    scope=Scope.ROOM,
    summary="cooperation.draft_summary",
    examples=("!vereinbarung entwurf",),
)
async def agreement_draft(ctx: Context) -> None:
    content = content_of(ctx)
    coop = await cooperation_here(ctx)
    fields = await Cooperations(ctx.db).fields(coop.id)
    today = ctx.services.now().astimezone(ctx.services.network.tz)
    draft = build_draft(
        content,
        coop.title,
        {key: f.value for key, f in fields.items()},
        ctx.services.catalog,
        ctx.lang,
        as_of=format_date(today, ctx.lang),
    )
    attachment = Attachment(
        draft_filename(coop.title), draft.markdown.encode("utf-8"), "text/markdown"
    )
    await ctx.reply(draft.doc.build(attachment=attachment))
