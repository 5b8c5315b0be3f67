"""!meine-daten and !vergiss-mich: a member's own data, exported or erased."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from commands.context import Context
from commands.registry import Arg, Scope, command
from commands.reply import Attachment, Reply
from storage.core import KeyValue
from storage.privacy import ForwardedMessages, export_user, forget_user

log = logging.getLogger(__name__)

CONFIRM_WORDS = {"ja", "yes", "bestätigen", "confirm"}
CONFIRM_WINDOW = timedelta(minutes=10)


def _pending_key(user_id: str) -> str:
    return f"forget-pending:{user_id}"


@command(
    "meine-daten",
    aliases=("my-data",),
    group="profil",
    scope=Scope.PERSONAL,
    summary="privacy.export_summary",
    examples=("!meine-daten",),
)
async def export_command(ctx: Context) -> None:
    data = await export_user(ctx.db, ctx.sender)
    document = {
        "user_id": ctx.sender,
        "exported_at": datetime.now(UTC).isoformat(),
        "network": ctx.services.network.name,
        "tables": data,
    }
    payload = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    count = sum(len(rows) for rows in data.values())
    text = ctx.t("privacy.export_done", count=count)
    if not ctx.is_direct:
        text += "\n" + ctx.t("privacy.export_direct")
    attachment = Attachment("koopbot-meine-daten.json", payload, "application/json")
    if ctx.is_direct:
        await ctx.reply(Reply(text, attachment=attachment))
        return
    # personal data goes to the direct chat, never into a shared room
    room_id = await ctx.chat.direct_room(ctx.sender)
    await ctx.chat.send(
        room_id, Reply(ctx.t("privacy.export_done", count=count)), key=f"export:{ctx.event_id}"
    )
    await ctx.chat.upload(room_id, attachment, key=f"export-file:{ctx.event_id}")
    await ctx.reply(ctx.t("privacy.export_sent_direct"))


@command(
    "vergiss-mich",
    aliases=("forget-me",),
    group="profil",
    scope=Scope.PERSONAL,
    summary="privacy.forget_summary",
    usage="[ja]",
    usage_en="[yes]",
    examples=("!vergiss-mich", "!vergiss-mich ja"),
    args=(Arg("confirmation", optional=True),),
)
async def forget_command(ctx: Context, confirmation: str | None) -> None:
    store = KeyValue(ctx.db)
    key = _pending_key(ctx.sender)
    if confirmation is None or confirmation.casefold() not in CONFIRM_WORDS:
        await store.set(key, datetime.now(UTC).isoformat())
        await ctx.reply(ctx.t("privacy.forget_confirm"))
        return
    asked = await store.get(key)
    if asked is None or datetime.now(UTC) - datetime.fromisoformat(asked) > CONFIRM_WINDOW:
        await store.set(key, datetime.now(UTC).isoformat())
        await ctx.reply(ctx.t("privacy.forget_confirm"))
        return
    await _take_back_forwarded(ctx)
    registry = ctx.services.registry
    async with ctx.db.transaction():
        # features first (they still find the member's rows, e.g. questions by sender,
        # and drop in-memory state such as the match index), then the generic sweep
        for hook in registry.hooks.get("forget", []) if registry is not None else []:
            await hook(ctx.services, user_id=ctx.sender)
        counts = await forget_user(ctx.db, ctx.sender)
    await ctx.reply(ctx.t("privacy.forget_done", count=sum(counts.values())))


async def _take_back_forwarded(ctx: Context) -> None:
    """Redact what the bot posted elsewhere for the member (forwarded questions)."""
    reason = ctx.services.catalog.get("privacy.redact_reason", ctx.services.network.language)
    for message in await ForwardedMessages(ctx.db).of(ctx.sender):
        try:
            await ctx.chat.redact(message.room_id, message.event_id, reason)
        except Exception:  # e.g. the room is gone; the row is deleted with the rest
            log.warning("could not redact %s in %s", message.event_id, message.room_id)
