"""Learning clusters through the dispatcher: interest, readiness note once, founding."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.dispatch import Dispatcher
from commands.context import Services
from storage.clusters import ClusterInterests, Clusters
from tests.fakes import FakeChat, command_dispatcher, make_services
from tests.unit.test_profiles_commands import COORD, say

KOORD_ROOM = "!koordination:localhost"
PLACES = ["Bochum", "Herne", "Witten", "Bochum", "Herne", "Witten", "Hattingen"]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Services, Dispatcher]]:
    services = await make_services(tmp_path, coordinators=(COORD,))
    services.network.room_ids["koord"] = KOORD_ROOM
    services.network.room_kinds["koord"] = "coordinators"
    dispatcher = command_dispatcher(services)
    yield services, dispatcher
    await services.db.close()


def notes(services: Services) -> list[str]:
    chat = services.chat
    assert isinstance(chat, FakeChat)
    return [s.reply.text for s in chat.sent if s.room_id == KOORD_ROOM]


async def test_interest_needs_a_place(world: tuple[Services, Dispatcher]) -> None:
    reply = await say(world, "@u0:localhost", "!cluster interesse Digitalisierung")
    assert "!profil ort" in reply[0]
    assert await ClusterInterests(world[0].db).all() == []


async def test_ready_is_told_once_and_cluster_is_founded(
    world: tuple[Services, Dispatcher],
) -> None:
    services = world[0]
    users = [f"@u{i}:localhost" for i in range(len(PLACES))]
    spellings = ["Digitalisierung", "digitalisierung", "Digitalisierrung"]
    for number, (user, place) in enumerate(zip(users, PLACES, strict=True)):
        await say(world, user, f"!profil ort {place}")
        reply = await say(world, user, f"!cluster interesse {spellings[number % 3]}")
        assert "Vorgemerkt" in reply[0]
        ready_notes = [n for n in notes(services) if "startbereit" in n]
        assert len(ready_notes) == (1 if number >= 4 else 0), (number, ready_notes)
    again = await say(world, users[0], "!cluster interesse Digitalisierung")
    assert "schon vorgemerkt" in again[0]
    listing = (await say(world, users[0], "!cluster"))[0]
    assert "7 Personen, 4 Kommunen" in listing and "startbereit" in listing
    assert "@u" not in listing  # counts only, never who

    refused = await say(world, users[0], "!cluster gründen Digitalisierung")
    assert "Koordination" in refused[0]
    unknown = await say(world, COORD, "!cluster gründen Raumfahrt", room="!c")
    assert "Digitalisierung" in unknown[0]
    founded = await say(world, COORD, "!cluster gründen digitalisierung", room="!c")
    assert "gegründet" in founded[0] and "7 Personen" in founded[0]
    chat = services.chat
    assert isinstance(chat, FakeChat)
    room = next(r for r, name in chat.names.items() if name.startswith("Lerncluster"))
    assert set(users) <= set(chat.rooms[room]) and COORD in chat.rooms[room]
    welcome = [s.reply for s in chat.sent if s.room_id == room]
    assert welcome and "!termin neu" in welcome[0].text and "alle 3 Monate" in welcome[0].text
    assert (await Clusters(services.db).all())[0].members[0] == users[0]
    assert await ClusterInterests(services.db).all() == []
    assert "Schon gegründet" in (await say(world, users[1], "!cluster"))[0]


async def test_not_ready_cannot_be_founded(world: tuple[Services, Dispatcher]) -> None:
    for i, place in enumerate(["Bochum", "Bochum", "Herne"]):
        user = f"@n{i}:localhost"
        await say(world, user, f"!profil ort {place}")
        await say(world, user, "!cluster interesse Inklusion")
    reply = await say(world, COORD, "!cluster gründen Inklusion", room="!c")
    assert "noch nicht startbereit" in reply[0]
    assert notes(world[0]) == []
