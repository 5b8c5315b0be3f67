"""Export and erase everything about one member, scanning the whole database."""

from __future__ import annotations

import json
from pathlib import Path

from commands.context import Context, Services
from commands.privacy import export_command, forget_command
from storage.core import ErrorEntry, ErrorLog, KeyValue, UserSettings
from storage.privacy import ANONYMOUS, export_user, forget_user, mentions
from tests.fakes import FakeChat, make_services

ALICE = "@alice:localhost"
BOB = "@bob:localhost"


def ctx_for(services: Services, sender: str, *, direct: bool = True, event: str = "$1") -> Context:
    return Context(
        services=services,
        sender=sender,
        room_id="!dm:localhost",
        event_id=event,
        thread_root=None,
        is_direct=direct,
        lang="de",
    )


async def seed(services: Services) -> None:
    await UserSettings(services.db).set_language(ALICE, "en")
    await UserSettings(services.db).set_language(BOB, "de")
    await ErrorLog(services.db).add(ErrorEntry("r1", "2026-01-01", "!x", ALICE, "frage", "boom"))
    await KeyValue(services.db).set("note", f"mentions {ALICE} and {BOB}")


async def test_forget_removes_every_mention_and_keeps_others(tmp_path: Path) -> None:
    services = await make_services(tmp_path, with_content=False)
    try:
        await seed(services)
        assert await mentions(services.db, ALICE) >= 3
        await forget_user(services.db, ALICE)
        assert await mentions(services.db, ALICE) == 0
        assert await UserSettings(services.db).language(BOB) == "de"
        assert ANONYMOUS in (await KeyValue(services.db).get("note") or "")
        dump = await services.db.fetchall("SELECT * FROM error_log")
        assert dump and all(ALICE not in str(tuple(r)) for r in dump)
    finally:
        await services.db.close()


async def test_export_then_confirmed_forget_through_commands(tmp_path: Path) -> None:
    services = await make_services(tmp_path, with_content=False)
    chat = services.chat
    assert isinstance(chat, FakeChat)
    try:
        await seed(services)
        await export_command(ctx_for(services, ALICE))
        data = json.loads(chat.uploads[-1].attachment.data)
        assert data["user_id"] == ALICE and "user_settings" in data["tables"]

        await forget_command(ctx_for(services, ALICE, event="$2"), None)
        assert "!vergiss-mich ja" in chat.replies()[-1].text
        assert await UserSettings(services.db).language(ALICE) == "en"  # not yet

        await forget_command(ctx_for(services, ALICE, event="$3"), "ja")
        assert "gelöscht" in chat.replies()[-1].text
        assert await export_user(services.db, ALICE) == {}
    finally:
        await services.db.close()


async def test_confirmation_without_request_only_asks(tmp_path: Path) -> None:
    services = await make_services(tmp_path, with_content=False)
    try:
        await seed(services)
        await forget_command(ctx_for(services, ALICE), "ja")
        assert await UserSettings(services.db).language(ALICE) == "en"
    finally:
        await services.db.close()
