"""Profiles, matching, introductions and learning clusters through a real Synapse."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.integration.test_backbone import ask, room_with_bot


async def _profile(client: Any, room_id: str, *commands: str) -> None:
    for command in commands:
        reply = await ask(client, room_id, command)
        assert any(w in reply.body for w in ("Gespeichert", "Saved", "sichtbar")), reply.body


async def test_dialog_partner_export_and_forget(client_factory: Any, bot_factory: Any) -> None:
    bot = await bot_factory()
    anna = await client_factory("anna")
    ben = await client_factory("ben")
    caro = await client_factory("caro")
    anna_dm, ben_dm, caro_dm = await asyncio.gather(
        room_with_bot(anna, bot, direct=True),
        room_with_bot(ben, bot, direct=True),
        room_with_bot(caro, bot, direct=True),
    )

    # the guided dialog: one question at a time, plain answers fill the fields
    first = await ask(anna, anna_dm, "!profil")
    assert "noch leer" in first.body and "(1/10)" in first.body
    # the kind comes with the name ("Musikschule …"), so question 2 (the kind) is skipped
    answers = ["Musikschule Am Ruhrufer", "Bochum", "weiter", "Singen, Inklusion"]
    answers += ["Instrumente", "Räume", "Grundschulkinder", "erfahren"]
    for number, answer in enumerate(answers, start=3):
        step = await ask(anna, anna_dm, answer)
        assert f"({number}/10)" in step.body, step.body
    mark = anna.mark()
    await anna.send_text(anna_dm, "nein")
    summary = await anna.wait_for(
        lambda r: r.room_id == anna_dm and r.sender == bot.user_id and "Bochum" in (r.body or ""),
        15,
        since_index=mark,
    )
    assert "Musikschule Am Ruhrufer" in summary.body and "Räume" in summary.body

    await _profile(
        ben, ben_dm, "!profil einrichtung Grundschule", "!profil ort Bochum",
        "!profil angebote Räume", "!profil bedarfe Instrumente", "!profil sichtbar ja",
    )  # fmt: skip
    await _profile(
        caro, caro_dm, "!profile institution OGS", "!profile offers Räume",
        "!profile needs Instrumente",
    )  # fmt: skip

    partners = await ask(anna, anna_dm, "!partner")
    assert ben.user_id in partners.body and caro.user_id not in partners.body
    assert "Räume" in partners.body and "Grundschule" in partners.body
    assert f'href="https://matrix.to/#/{ben.user_id}"' in partners.content["formatted_body"]
    assert partners.msgtype == "m.notice"

    # export: a JSON file in the direct chat
    mark = anna.mark()
    await anna.send_text(anna_dm, "!meine-daten")
    upload = await anna.wait_for(
        lambda r: r.room_id == anna_dm and r.msgtype == "m.file", 15, since_index=mark
    )
    assert upload.body.endswith(".json")

    # deletion: confirmed, then the profile is empty and Anna is no longer suggested
    assert "ja" in (await ask(anna, anna_dm, "!vergiss-mich")).body
    await ask(anna, anna_dm, "!vergiss-mich ja")
    assert "noch leer" in (await ask(anna, anna_dm, "!profil")).body  # the dialog again
    assert "beendet" in (await ask(anna, anna_dm, "abbrechen")).body
    await _profile(ben, ben_dm, "!profil interessen Singen")
    assert anna.user_id not in (await ask(ben, ben_dm, "!partner")).body


async def test_introduction_round_opens_a_room_for_the_pair(
    client_factory: Any, bot_factory: Any
) -> None:
    coordinator = await client_factory("koord")
    anna = await client_factory("anna", auto_join=True)
    ben = await client_factory("ben", auto_join=True)
    bot = await bot_factory(coordinators=[coordinator.user_id])
    for client, kind in ((anna, "Musikschule"), (ben, "Grundschule")):
        dm = await room_with_bot(client, bot, direct=True)
        await _profile(client, dm, f"!profil einrichtung {kind}", "!profil interessen Singen")
        assert "Angemeldet" in (await ask(client, dm, "!vernetzen ja")).body
    koord_room = await room_with_bot(coordinator, bot)
    marks = {anna.user_id: anna.mark(), ben.user_id: ben.mark()}

    done = await ask(coordinator, koord_room, "!vernetzen runde")
    assert "neue Räume: 1" in done.body

    rooms = []
    for client in (anna, ben):
        intro = await client.wait_for(
            lambda r: r.sender == bot.user_id and "Darf ich vorstellen" in (r.body or ""),
            20,
            since_index=marks[client.user_id],
        )
        assert anna.user_id in intro.body and ben.user_id in intro.body
        assert intro.msgtype == "m.text"  # it notifies
        rooms.append(intro.room_id)
    assert rooms[0] == rooms[1]
    met = await ask(anna, rooms[0], "!vernetzen getroffen ja")
    assert "Danke" in met.body or "danke" in met.body


async def test_cluster_is_announced_and_founded(client_factory: Any, bot_factory: Any) -> None:
    coordinator = await client_factory("koord", auto_join=True)
    bot = await bot_factory(
        coordinators=[coordinator.user_id],
        rooms=[{"key": "koordination", "name": "Koordination", "kind": "coordinators"}],
    )
    members = [await client_factory(f"m{i}", auto_join=True) for i in range(5)]
    places = ["Bochum", "Herne", "Witten", "Bochum", "Herne"]
    mark = coordinator.mark()
    for client, place in zip(members, places, strict=True):
        dm = await room_with_bot(client, bot, direct=True)
        await _profile(client, dm, f"!profil ort {place}")
        reply = await ask(client, dm, "!cluster interesse Digitalisierung")
        assert "Vorgemerkt" in reply.body
    note = await coordinator.wait_for(
        lambda r: r.sender == bot.user_id and "startbereit" in (r.body or ""),
        20,
        since_index=mark,
    )
    assert "5 Personen aus 3 Kommunen" in note.body

    marks = [client.mark() for client in members]
    founded = await ask(coordinator, note.room_id, "!cluster gründen Digitalisierung")
    assert "gegründet" in founded.body and "5 Personen" in founded.body
    for client, since in zip(members, marks, strict=True):
        welcome = await client.wait_for(
            lambda r: r.sender == bot.user_id and "Willkommen im Lerncluster" in (r.body or ""),
            20,
            since_index=since,
        )
        assert "!termin neu" in welcome.body
    listing = await ask(members[0], welcome.room_id, "!cluster")
    assert "Schon gegründet: Digitalisierung" in listing.body
