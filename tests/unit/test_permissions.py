"""Every command × role: exactly the allowed roles get past the permission check.

Roles: member (power 0), room moderator (power 50), coordinator (from config), and a
non-member writing in a direct chat. Each command is run with its first documented
example through the real dispatcher path.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator

import pytest

from bot.dispatch import Dispatcher
from bot.matrix import Message
from commands import COMMAND_MODULES
from commands.context import Services
from commands.registry import CommandSpec, Permission, Registry
from tests.fakes import command_dispatcher, fake_chat, make_services

ROOM = "!coop:localhost"
DM = "!dm:localhost"
ROLES = {
    "member": ("@member:localhost", ROOM, Permission.EVERYONE),
    "moderator": ("@mod:localhost", ROOM, Permission.MODERATOR),
    "coordinator": ("@koord:localhost", ROOM, Permission.COORDINATOR),
    "outsider_dm": ("@outsider:localhost", DM, Permission.EVERYONE),
}
_ids = itertools.count()
SPECS = [s for s in Registry.from_modules(COMMAND_MODULES).commands if s.examples]


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[asyncio.AbstractEventLoop, Services, Dispatcher]]:
    loop = asyncio.new_event_loop()
    services = loop.run_until_complete(
        make_services(tmp_path_factory.mktemp("perm"), coordinators=("@koord:localhost",))
    )
    chat = fake_chat(services)
    chat.rooms[ROOM] = [
        "@koopbot:localhost",
        "@member:localhost",
        "@mod:localhost",
        "@koord:localhost",
    ]
    chat.rooms[DM] = ["@koopbot:localhost", "@outsider:localhost"]
    chat.power[(ROOM, "@mod:localhost")] = 50
    dispatcher = command_dispatcher(services)
    yield loop, services, dispatcher
    loop.run_until_complete(services.db.close())
    loop.close()


def refusals(services: Services) -> set[str]:
    texts = set()
    for key in ("core.not_permitted_moderator", "core.not_permitted_coordinator"):
        for lang in ("de", "en"):
            texts.add(services.catalog.get(key, lang))
    return texts


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
@pytest.mark.parametrize("role", list(ROLES))
def test_only_allowed_roles_act(
    world: tuple[asyncio.AbstractEventLoop, Services, Dispatcher], spec: CommandSpec, role: str
) -> None:
    loop, services, dispatcher = world
    sender, room, level = ROLES[role]
    chat = fake_chat(services)
    before = len(chat.sent)
    message = Message(
        room_id=room,
        event_id=f"$p{next(_ids)}",
        sender=sender,
        body=spec.examples[0],
        timestamp_ms=0,
        is_direct=room == DM,
    )
    loop.run_until_complete(dispatcher.handle_message(message))
    replies = [s.reply.text for s in chat.sent[before:] if s.reply_to == message.event_id]
    refused = any(text in refusals(services) for text in replies)
    allowed = level >= spec.permission
    if spec.permission is Permission.MODERATOR and role == "outsider_dm":
        allowed = False  # power level 0 in the direct chat
    assert refused is not allowed, f"{spec.name} as {role}: replies {replies}"


def test_table_covers_restricted_commands() -> None:
    restricted = {s.name for s in SPECS if s.permission is not Permission.EVERYONE}
    assert "status" in restricted
    assert len(SPECS) >= 10


def test_every_command_documents_an_example() -> None:
    missing = [s.name for s in Registry.from_modules(COMMAND_MODULES).commands if not s.examples]
    assert not missing, f"commands without examples (help and this table need one): {missing}"
