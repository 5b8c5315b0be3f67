"""``!partner`` and ``!austausch``: the top five suggestions, each with its reasons.

Only visible profiles are ever suggested (the engine masks hidden ones); an asker with
a hidden profile still gets suggestions plus a hint that others cannot find them.
"""

from __future__ import annotations

from collections.abc import Callable

from commands.context import Context
from commands.errors import UserError
from commands.matching import (
    InstitutionKind,
    Match,
    MatchIndex,
    ProfileNotFound,
    kind_label,
    render_reasons,
    top_partners,
    top_peers,
    visibility_hint,
)
from commands.registry import Scope, command
from commands.reply import ReplyBuilder, mention
from storage.profiles import Profiles

from .index import profile_index

TOP = 5


async def _describe(ctx: Context, user_id: str) -> str:
    """Institution (its name, and its kind unless the name says it) and place of a
    suggested (visible) member."""
    row = await Profiles(ctx.db).get(user_id)
    if row is None:
        return ""
    parts = []
    label = ""
    if row.kind:
        try:
            label = kind_label(InstitutionKind(row.kind), ctx.services.catalog, ctx.lang)
        except ValueError:
            label = row.kind
    if row.institution:
        named = label and label.casefold() not in row.institution.casefold()
        parts.append(f"{row.institution} ({label})" if named else row.institution)
    elif label:
        parts.append(label)
    if row.place:
        parts.append(row.place)
    return ", ".join(parts)


async def _suggest(
    ctx: Context,
    finder: Callable[[MatchIndex, str, int], list[Match]],
    title_key: str,
    *,
    peers: bool,
) -> None:
    row = await Profiles(ctx.db).get(ctx.sender)
    if row is None or row.is_empty():
        raise UserError("profiles.no_profile")
    if peers and not row.kind:
        raise UserError("matching.hint_no_kind")
    index = await profile_index(ctx.services).get(ctx.services)
    try:
        matches = finder(index, ctx.sender, TOP)
        hint = visibility_hint(index, ctx.sender, ctx.services.catalog, ctx.lang)
    except ProfileNotFound:
        raise UserError("profiles.no_profile") from None
    catalog = ctx.services.catalog
    if not matches:
        text = ctx.t("profiles.no_matches_peers" if peers else "profiles.no_matches")
        await ctx.reply(text + (f"\n{hint}" if hint else ""))
        return
    title = ctx.t(title_key, count=len(matches))
    reply = ReplyBuilder().heading(title)
    for match in matches:
        about = await _describe(ctx, match.user_id)
        reasons = render_reasons(match, catalog, ctx.lang)
        reply.numbered(
            mention(match.user_id), f" – {about}" if about else "", more=reasons, nested=True
        )
    reply.line(ctx.t("profiles.matches_outro"))
    if hint:
        reply.note(hint)
    await ctx.reply(reply.build())


@command(
    "partner",
    aliases=("match",),
    group="profil",
    scope=Scope.PERSONAL,
    summary="profiles.partner_summary",
    examples=("!partner",),
)
async def partner_command(ctx: Context) -> None:
    await _suggest(ctx, top_partners, "profiles.partner_title", peers=False)


@command(
    "austausch",
    aliases=("peers",),
    group="profil",
    scope=Scope.PERSONAL,
    summary="profiles.peers_summary",
    examples=("!austausch",),
)
async def peers_command(ctx: Context) -> None:
    await _suggest(ctx, top_peers, "profiles.peers_title", peers=True)
