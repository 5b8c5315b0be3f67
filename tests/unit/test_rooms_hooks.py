"""Welcome, removal notes and !raum neu against a fake chat and a real SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.rooms import load_network_rooms
from commands.context import Context, NetworkInfo, Services
from commands.errors import UserError
from commands.i18n import Catalog
from commands.rooms import new_room, on_bot_removed, on_member, room_key_for
from storage import Database
from storage.migrations import MIGRATIONS
from storage.rooms import SPACE_KEY, NetworkMembers, NetworkRooms, StoredRoom
from tests.fakes import FakeChat, FakeRuntime, FakeScheduler, fake_chat

BOT = "@koopbot:localhost"
KOORD = "@koord:localhost"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "k.db")
    await database.open()
    yield database
    await database.close()


@pytest.fixture
async def services(db: Database) -> Services:
    rooms = NetworkRooms(db)
    await rooms.add(StoredRoom("lobby", "!lobby:localhost", "lobby", "Lobby"))
    await rooms.add(StoredRoom("koordination", "!koord:localhost", "coordinators", "Koordination"))
    await rooms.add(StoredRoom(SPACE_KEY, "!space:localhost", "space", "Netz", source="space"))
    network = NetworkInfo(
        name="Netzwerk Kooperationen",
        language="de",
        tz=ZoneInfo("Europe/Berlin"),
        coordinators=(KOORD,),
        reminder_offsets=(),
        room_ids={"lobby": "!lobby:localhost", "koordination": "!koord:localhost"},
        room_kinds={"lobby": "lobby", "koordination": "coordinators"},
    )
    config_keys = {"lobby", "koordination"}
    # the bot's own reload: the commands change storage, the bot the in-memory room ids
    runtime = FakeRuntime(on_reload_rooms=lambda: load_network_rooms(rooms, network, config_keys))
    return Services(
        chat=FakeChat(user_id=BOT, names={"!coop:x": "Kooperation X"}),
        db=db,
        scheduler=FakeScheduler(),
        network=network,
        catalog=Catalog.load(),
        runtime=runtime,
    )


async def join(services: Services, user: str, room: str, previous: str | None = None) -> None:
    await on_member(
        services, room_id=room, user_id=user, membership="join", previous=previous, sender=user
    )


def texts(services: Services) -> list[tuple[str, str]]:
    """(room, text) of every message the bot sent."""
    return [(s.room_id, s.reply.text) for s in fake_chat(services).sent]


async def test_first_join_gets_one_welcome_and_one_note(services: Services) -> None:
    await join(services, "@neu:localhost", "!lobby:localhost", previous="invite")
    sent = texts(services)
    assert [room for room, _ in sent] == ["!dm-@neu:localhost", "!koord:localhost"]
    welcome = sent[0][1]
    assert "Netzwerk Kooperationen" in welcome
    assert all(cmd in welcome for cmd in ("!hilfe", "!frage", "!profil"))
    assert "@neu:localhost" in sent[1][1] and "Lobby" in sent[1][1]

    await join(services, "@neu:localhost", "!lobby:localhost")  # rejoin after a leave
    await join(services, "@neu:localhost", "!koord:localhost")  # another network room
    await join(services, "@neu:localhost", "!lobby:localhost", previous="join")  # new name
    assert len(texts(services)) == 2
    member = await NetworkMembers(services.db).get("@neu:localhost")
    assert member is not None and member.first_room == "!lobby:localhost"


async def test_no_welcome_for_coordinators_the_bot_or_other_rooms(services: Services) -> None:
    await join(services, KOORD, "!lobby:localhost")
    await join(services, BOT, "!lobby:localhost")
    await join(services, "@neu:localhost", "!somewhere-else:localhost")
    await on_member(
        services,
        room_id="!lobby:localhost",
        user_id="@neu:localhost",
        membership="invite",
        previous=None,
        sender=KOORD,
    )
    assert texts(services) == []
    assert await NetworkMembers(services.db).get(KOORD) is None


async def test_new_members_since_for_the_digest(services: Services) -> None:
    await join(services, "@a:localhost", "!lobby:localhost")
    since = datetime.now(UTC) - timedelta(minutes=1)
    found = await NetworkMembers(services.db).joined_since(since)
    assert [m.user_id for m in found] == ["@a:localhost"]
    assert await NetworkMembers(services.db).joined_since(datetime.now(UTC) + timedelta(1)) == []


async def test_kick_from_network_room_marks_it_and_tells_coordinators_once(
    services: Services,
) -> None:
    for _ in range(2):  # a replay of the same event says nothing new
        await on_bot_removed(
            services, room_id="!lobby:localhost", sender="@admin:localhost", membership="leave"
        )
    row = await NetworkRooms(services.db).get("lobby")
    assert row is not None and not row.active and row.removed_by == "@admin:localhost"
    assert "lobby" not in services.network.room_ids
    [(room, text)] = texts(services)
    assert room == "!koord:localhost"
    assert "„Lobby“" in text and "@admin:localhost" in text and "wieder in den Raum ein" in text


async def test_bot_back_after_invite_is_network_room_again(services: Services) -> None:
    await on_bot_removed(services, room_id="!lobby:localhost", sender=KOORD, membership="ban")
    assert "gesperrt" in texts(services)[-1][1]
    await join(services, BOT, "!lobby:localhost", previous="leave")
    assert services.network.room_ids["lobby"] == "!lobby:localhost"
    assert "wieder" in texts(services)[-1][1]


async def test_removal_from_coordinators_room_goes_to_coordinators_directly(
    services: Services,
) -> None:
    await on_bot_removed(services, room_id="!koord:localhost", sender=KOORD, membership="leave")
    assert texts(services)[-1][0] == f"!dm-{KOORD}"


async def test_own_leave_and_direct_chats_say_nothing(services: Services) -> None:
    await services.db.execute(
        "INSERT INTO direct_rooms(user_id, room_id) VALUES (?, ?)", ("@a:localhost", "!dm:x")
    )
    await on_bot_removed(services, room_id="!any:x", sender=BOT, membership="leave")
    await on_bot_removed(services, room_id="!dm:x", sender="@a:localhost", membership="leave")
    assert texts(services) == []
    await on_bot_removed(services, room_id="!coop:x", sender="@a:localhost", membership="leave")
    assert "Kooperation X" in texts(services)[-1][1]


def context(services: Services, sender: str = KOORD) -> Context:
    return Context(services, sender, "!koord:localhost", "$cmd", None, False, "de")


async def test_new_room_is_stored_linked_and_named_by_key(services: Services) -> None:
    await new_room(context(services), "Musik   trifft Kita")
    row = await NetworkRooms(services.db).get("musik-trifft-kita")
    assert row is not None and row.source == "command" and row.name == "Musik trifft Kita"
    assert services.network.room_ids["musik-trifft-kita"] == row.room_id
    state = [(s.room_id, s.event_type, s.state_key) for s in fake_chat(services).state]
    assert ("!space:localhost", "m.space.child", row.room_id) in state
    assert (row.room_id, "m.space.parent", "!space:localhost") in state
    assert "musik-trifft-kita" in texts(services)[-1][1]
    with pytest.raises(UserError):
        await new_room(context(services), "musik trifft kita")


def test_room_keys_are_config_style_and_unique() -> None:
    assert room_key_for("Schnittstelle OGS", set()) == "schnittstelle-ogs"
    assert room_key_for("Läuft!", {"laeuft"}) == "laeuft-2"
    assert room_key_for("!!!", set()) == "raum"


async def test_migration_six_alone_on_top_of_core(tmp_path: Path) -> None:
    steps = [m for m in MIGRATIONS if m.version in (1, 6)]
    database = Database(tmp_path / "only.db", steps)
    await database.open()
    assert await database.schema_version() == 6
    await database.close()


async def test_joining_the_space_counts_and_orphaned_rooms_do_not(services: Services) -> None:
    await NetworkRooms(services.db).add(StoredRoom("alt", "!alt:localhost", "topic", "Alt"))
    await join(services, "@a:localhost", "!alt:localhost")  # stored, but not in room_ids
    assert texts(services) == []
    await join(services, "@a:localhost", "!space:localhost")
    assert texts(services)[0][0] == "!dm-@a:localhost"
