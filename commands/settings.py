"""!sprache: each member chooses the language of the bot's answers."""

from __future__ import annotations

from commands.context import Context
from commands.errors import UsageError
from commands.registry import Arg, Scope, command
from storage.core import UserSettings

_LANGUAGES = {
    "de": "de",
    "deutsch": "de",
    "german": "de",
    "en": "en",
    "englisch": "en",
    "english": "en",
}


@command(
    "sprache",
    aliases=("language",),
    group="system",
    scope=Scope.NETWORK,
    summary="core.language_summary",
    usage="de|en",
    examples=("!sprache en", "!language de"),
    args=(Arg("language"),),
)
async def language_command(ctx: Context, language: str) -> None:
    lang = _LANGUAGES.get(language.casefold())
    if lang is None:
        raise UsageError("core.language_unknown")
    await UserSettings(ctx.db).set_language(ctx.sender, lang)
    ctx.lang = lang
    await ctx.reply(ctx.t("core.language_set"))
