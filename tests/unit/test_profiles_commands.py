"""Profiles, matching, introductions and privacy through the dispatcher, with fakes."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.dispatch import Dispatcher, FloodGuard
from bot.matrix import Message
from bot.metrics import Metrics
from commands.context import JobContext, Services
from commands.profiles.index import profile_index
from commands.profiles.intros import CHECKIN_KIND, ROUND_KIND, checkin_job, ensure_round_job
from storage.jobs import Jobs
from storage.privacy import forget_user, mentions
from storage.profiles import Introductions, Profiles
from tests.fakes import FakeChat, FakeScheduler, make_services

COORD = "@koord:localhost"
ANNA = "@anna:localhost"
BEN = "@ben:localhost"
CARO = "@caro:localhost"
_ids = itertools.count()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Services, Dispatcher]]:
    services = await make_services(tmp_path, coordinators=(COORD,))
    dispatcher = Dispatcher(
        services,
        services.registry,
        None,  # type: ignore[arg-type]
        Metrics(),
        FloodGuard(0, 0, 60),
    )
    yield services, dispatcher
    await services.db.close()


async def say(
    world: tuple[Services, Dispatcher],
    sender: str,
    body: str,
    *,
    direct: bool = True,
    room: str | None = None,
) -> list[str]:
    services, dispatcher = world
    chat = services.chat
    assert isinstance(chat, FakeChat)
    before = len(chat.sent)
    room = room or f"!dm-{sender}"
    await dispatcher.handle_message(
        Message(
            room_id=room,
            event_id=f"$ev{next(_ids)}",
            sender=sender,
            body=body,
            timestamp_ms=0,
            is_direct=direct,
        )
    )
    return [s.reply.text for s in chat.sent[before:] if s.reply is not None and s.room_id == room]


async def setup_profile(world: tuple[Services, Dispatcher], user: str, **fields: str) -> None:
    for name, value in fields.items():
        replies = await say(world, user, f"!profil {name} {value}")
        assert replies and "Gespeichert" in replies[-1], replies


async def test_dialog_in_direct_chat_fills_the_profile(world: tuple[Services, Dispatcher]) -> None:
    first = await say(world, ANNA, "!profil")
    assert "noch leer" in first[0] and "(1/10)" in first[0] and "Musikschule" in first[0]
    assert "dir" in first[0] and "euch" not in first[0]  # one person: "du"
    assert "(2/10)" in (await say(world, ANNA, "Raumstation"))[0]  # no kind in it: asked
    assert "Raumstation" in (await say(world, ANNA, "Raumstation"))[0]  # repeated question
    assert "(3/10)" in (await say(world, ANNA, "Musikschule"))[0]
    assert "(4/10)" in (await say(world, ANNA, "weiter"))[0]
    assert "(5/10)" in (await say(world, ANNA, "weiter"))[0]
    await say(world, ANNA, "Singen, Inklusion")
    await say(world, ANNA, "Instrumente")
    await say(world, ANNA, "Räume")
    await say(world, ANNA, "Grundschulkinder")
    last = await say(world, ANNA, "neu")
    assert "(10/10)" in last[0]
    done = await say(world, ANNA, "ja")
    assert "fertig" in done[0] and "Raumstation" in done[1]
    row = await Profiles(world[0].db).get(ANNA)
    assert row is not None and row.visible and row.needs == ("Räume",) and row.region == ""
    assert row.institution == "Raumstation" and row.kind == "Musikschule" and row.place == ""
    # the dialog is over: plain text is a free question again (answered with a source)
    after = await say(world, ANNA, "Was gehört in eine Kooperationsvereinbarung?")
    assert "(" not in after[0][:4] and "Quelle" in after[0]


async def test_dialog_cancel_and_other_rooms(world: tuple[Services, Dispatcher]) -> None:
    await say(world, BEN, "!profil")
    await say(world, BEN, "Grundschule")
    # text in a group room is not taken by the dialog
    assert not await say(world, BEN, "Herne", direct=False, room="!group")
    cancelled = await say(world, BEN, "abbrechen")
    assert "beendet" in cancelled[0]
    row = await Profiles(world[0].db).get(BEN)
    assert row is not None and row.kind == "Grundschule"
    assert await Profiles(world[0].db).dialog(BEN) is None


async def test_set_show_and_errors(world: tuple[Services, Dispatcher]) -> None:
    await setup_profile(world, ANNA, einrichtung="Musikschule", interests="Singen, Inklusion")
    shown = await say(world, ANNA, "!profile")
    assert "Singen, Inklusion" in shown[0] and "music school" in shown[0]
    in_group = await say(world, ANNA, "!profil", direct=False, room="!group")
    assert "Direktchat" in in_group[0] and "Singen" not in in_group[0]
    chat = world[0].chat
    assert isinstance(chat, FakeChat)
    assert "Singen" in (chat.replies()[-1].text)  # the profile itself went to the DM
    assert chat.sent[-1].room_id == f"!dm-{ANNA}"
    unknown_kind = await say(world, ANNA, "!profil einrichtung Raumstation")
    assert "Grundschule" in unknown_kind[0] and "OGS-Träger" in unknown_kind[0]
    unknown_field = await say(world, ANNA, "!profil lieblingsfarbe blau")
    assert "kein Profilfeld" in unknown_field[0] and "!profil" in unknown_field[0]
    missing = await say(world, ANNA, "!profil ort")
    assert "ort" in missing[0]
    assert "sichtbar" in (await say(world, ANNA, "!profil sichtbar ja"))[0]
    assert (await Profiles(world[0].db).get(ANNA)).visible  # type: ignore[union-attr]


async def test_partner_shows_visible_complement_never_hidden(
    world: tuple[Services, Dispatcher],
) -> None:
    await setup_profile(
        world,
        ANNA,
        einrichtung="Musikschule",
        ort="Bochum",
        angebote="Instrumente",
        bedarfe="Räume",
    )
    await setup_profile(
        world, BEN, einrichtung="Grundschule", ort="Bochum", angebote="Räume", bedarfe="Instrumente"
    )
    await setup_profile(
        world, CARO, einrichtung="OGS", ort="Bochum", angebote="Räume", bedarfe="Instrumente"
    )
    await say(world, BEN, "!profil sichtbar ja")
    reply = (await say(world, ANNA, "!partner"))[0]
    assert BEN in reply and CARO not in reply
    assert "Räume" in reply and "Grundschule" in reply
    assert "nicht sichtbar" in reply  # Anna herself is hidden: hint
    # opting out removes Ben from suggestions at once
    await say(world, BEN, "!profil sichtbar nein")
    assert BEN not in (await say(world, ANNA, "!match"))[0]
    assert "Profil" in (await say(world, "@nobody:localhost", "!partner"))[0]


async def test_peers_need_kind(world: tuple[Services, Dispatcher]) -> None:
    await setup_profile(world, ANNA, interessen="Singen")
    assert "Einrichtungsart" in (await say(world, ANNA, "!austausch"))[0]


async def test_intro_round_pairs_creates_room_and_checks_in(
    world: tuple[Services, Dispatcher],
) -> None:
    services = world[0]
    chat = services.chat
    assert isinstance(chat, FakeChat)
    for user in (ANNA, BEN):
        await setup_profile(world, user, interessen="Singen")
        assert "Angemeldet" in (await say(world, user, "!vernetzen ja"))[0]
    refused = await say(world, ANNA, "!vernetzen runde")
    assert "Koordination" in refused[0]
    done = await say(world, COORD, "!vernetzen runde", direct=False, room="!koord")
    assert "neue Räume: 1, vorgestellt: 2" in done[0]
    intro_rooms = [r for r, members in chat.rooms.items() if ANNA in members and BEN in members]
    assert len(intro_rooms) == 1
    intro = [s for s in chat.sent if s.room_id == intro_rooms[0]]
    assert intro and intro[0].reply is not None and intro[0].reply.notify
    assert ANNA in intro[0].reply.text and BEN in intro[0].reply.text
    # never the same pair twice: the next round leaves both alone
    again = await say(world, COORD, "!vernetzen runde", direct=False, room="!koord")
    assert "ohne Partner: 2" in again[0]
    scheduler = services.scheduler
    assert isinstance(scheduler, FakeScheduler)
    assert any(kind == CHECKIN_KIND for kind, _ref in scheduler.jobs)
    round_id = await Introductions(services.db).round_id(
        next(
            f"cmd:{s.key.split(':')[1]}"
            for s in chat.sent
            if s.key and s.key.startswith("cmd:") and s.room_id == "!koord"
        )
    )
    assert round_id is not None
    job_id = await Jobs(services.db).upsert(
        CHECKIN_KIND, str(round_id), services.now(), payload={"round": round_id}
    )
    job = await Jobs(services.db).get(job_id)
    assert job is not None
    await checkin_job(JobContext(services, "de", "job:test"), job)
    assert any(
        "getroffen" in (s.reply.text if s.reply else "")
        for s in chat.sent
        if s.room_id == intro_rooms[0]
    )
    met = await say(world, ANNA, "!vernetzen getroffen ja", direct=False, room=intro_rooms[0])
    assert "danke" in met[0].casefold()
    groups = await Introductions(services.db).groups(round_id)
    assert groups[0].met[ANNA] is True


async def test_startup_plans_one_round(world: tuple[Services, Dispatcher]) -> None:
    services = world[0]
    await ensure_round_job(services)
    scheduler = services.scheduler
    assert isinstance(scheduler, FakeScheduler)
    assert [k for k in scheduler.jobs if k[0] == ROUND_KIND]


async def test_forget_removes_everything_and_the_index_entry(
    world: tuple[Services, Dispatcher],
) -> None:
    services = world[0]
    for user in (ANNA, BEN):
        await setup_profile(world, user, ort="Bochum", interessen="Singen", angebote="Räume")
        await say(world, user, "!profil sichtbar ja")
        await say(world, user, "!vernetzen ja")
        await say(world, user, "!cluster interesse Digitalisierung")
    await say(world, COORD, "!vernetzen runde", direct=False, room="!koord")
    await say(world, ANNA, "!profil")  # a dialog row would also be personal data
    await services.db.execute(  # an RSVP-like row of another feature
        "CREATE TABLE IF NOT EXISTS rsvp_like (meeting INTEGER, user_id TEXT)"
    )
    await services.db.execute("INSERT INTO rsvp_like VALUES (1, ?)", (ANNA,))
    assert await mentions(services.db, ANNA) > 0
    await forget_user(services.db, ANNA)
    assert await mentions(services.db, ANNA) == 0
    assert await Profiles(services.db).get(BEN) is not None
    # the command path also drops Anna from the in-memory index
    await say(world, ANNA, "!vergiss-mich")
    await say(world, ANNA, "!vergiss-mich ja")
    index = await profile_index(services).get(services)
    assert ANNA not in index and BEN in index
    assert "noch leer" in (await say(world, ANNA, "!profil"))[0]


async def test_institution_keeps_what_the_member_wrote(world: tuple[Services, Dispatcher]) -> None:
    saved = await say(world, ANNA, "!profil einrichtung Musikschule Am Rhein")
    assert "Gespeichert – Einrichtung: Musikschule Am Rhein" in saved[0]
    assert "Art der Einrichtung: Musikschule" in saved[0]
    row = await Profiles(world[0].db).get(ANNA)
    assert row is not None and row.institution == "Musikschule Am Rhein"
    assert row.kind == "Musikschule"
    shown = await say(world, ANNA, "!profil")
    assert "Einrichtung: Musikschule Am Rhein" in shown[0]
    assert "Art der Einrichtung: Musikschule" in shown[0]

    asked = await say(world, BEN, "!profil einrichtung Haus der Jugend Herne")
    assert "Welche Art von Einrichtung ist „Haus der Jugend Herne“?" in asked[0]
    assert "!profil art" in asked[0]
    kind = await say(world, BEN, "!profil art Verein")
    assert "Gespeichert – Art der Einrichtung: Verein" in kind[0]
    row = await Profiles(world[0].db).get(BEN)
    assert row is not None and row.institution == "Haus der Jugend Herne" and row.kind == "Verein"


async def test_suggestions_name_the_institution(world: tuple[Services, Dispatcher]) -> None:
    await setup_profile(
        world, ANNA, einrichtung="Musikschule Am Rhein", ort="Bonn", angebote="Instrumente"
    )
    await setup_profile(
        world, BEN, einrichtung="GS Am Park", art="Grundschule", bedarfe="Instrumente"
    )
    await say(world, ANNA, "!profil sichtbar ja")
    await say(world, BEN, "!profil sichtbar ja")
    found = "\n".join(await say(world, BEN, "!partner"))
    assert "Musikschule Am Rhein, Bonn" in found, found
