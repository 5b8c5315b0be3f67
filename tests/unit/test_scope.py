"""The visibility model (commands.scope) and the declared command scopes."""

from __future__ import annotations

from pathlib import Path

from commands import COMMAND_MODULES
from commands.registry import Arg, Registry, Scope, command, int_arg
from commands.scope import Visibility
from tests.fakes import FakeChat, make_services

LOBBY, COOP, DM, OTHER = "!lobby", "!coop", "!dm-alice", "!other"
ALICE, BOB, MALLORY = "@alice:x", "@bob:x", "@mallory:x"


def test_every_command_declares_what_it_reaches() -> None:
    registry = Registry.from_modules(COMMAND_MODULES)
    missing = [spec.name for spec in registry.commands if spec.scope is None]
    assert not missing, f"declare scope= for: {missing}"


def test_an_id_argument_means_scope_id_and_nothing_means_unclassified() -> None:
    def spec(**kwargs: object) -> object:
        async def handler(ctx: object, meeting_id: int = 0) -> None: ...

        decorated = command("x", group="g", summary="s", **kwargs)(handler)  # type: ignore[arg-type]
        return decorated.__koopbot_commands__[0].scope  # type: ignore[attr-defined]

    assert spec(args=(Arg("meeting_id", int_arg),)) is Scope.ID
    assert spec() is None  # the generated privacy test fails until it is classified
    assert spec(scope=Scope.ROOM) is Scope.ROOM


async def test_who_sees_a_rooms_things_from_where(tmp_path: Path) -> None:
    services = await make_services(tmp_path, with_content=False)
    chat = services.chat
    assert isinstance(chat, FakeChat)
    services.network.room_ids = {"lobby": LOBBY, "k": "!koord"}
    services.network.room_kinds = {"lobby": "lobby", "k": "coordinators"}
    chat.rooms.update(
        {
            LOBBY: [chat.user_id, ALICE, BOB, MALLORY],
            COOP: [chat.user_id, ALICE, BOB],
            DM: [chat.user_id, ALICE],
            OTHER: [chat.user_id, MALLORY, "@carol:x"],
            "!koord": [chat.user_id, MALLORY],
        }
    )
    try:
        # network rooms' things: everyone, from anywhere
        assert await Visibility(services, MALLORY, OTHER).sees(LOBBY)
        # a room's own members, in the room and from their direct chat
        assert await Visibility(services, BOB, COOP).sees(COOP)
        assert await Visibility(services, ALICE, DM).sees(COOP)
        assert await Visibility(services, ALICE, None).sees(COOP)  # her own feed
        # not where others would read the answer, not for outsiders
        assert not await Visibility(services, ALICE, LOBBY).sees(COOP)
        assert not await Visibility(services, MALLORY, OTHER).sees(COOP)
        assert not await Visibility(services, MALLORY, None).sees(COOP)
        # the coordinators' room is not a network room
        assert not await Visibility(services, ALICE, DM).sees("!koord")
        # leaving ends it at once (no cached membership between questions)
        chat.rooms[COOP].remove(ALICE)
        assert not await Visibility(services, ALICE, DM).sees(COOP)
    finally:
        await services.db.close()
