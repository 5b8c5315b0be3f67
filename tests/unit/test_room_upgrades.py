"""Moving a room's data to the room that replaced it (one transaction, history kept)."""

from __future__ import annotations

import json
from pathlib import Path

from storage import Database
from storage.upgrades import RoomUpgrades

OLD, NEW, OTHER = "!old:localhost", "!new:localhost", "!other:localhost"
NOW = "2026-11-29T10:00:00+00:00"


async def test_move_rewrites_every_room_table_but_history(tmp_path: Path) -> None:
    db = Database(tmp_path / "k.db")
    await db.open()
    try:
        await db.execute(
            "INSERT INTO cooperations(room_id, title, created_by, created_at, updated_at)"
            " VALUES (?, 'Musik', '@a:localhost', ?, ?)",
            (OLD, NOW, NOW),
        )
        for room in (OLD, OTHER):
            await db.execute(
                "INSERT INTO meetings(room_id, title, start_utc, start_local, tz,"
                " duration_minutes, created_by, created_at, updated_at)"
                " VALUES (?, 'Treffen', ?, ?, 'Europe/Berlin', 60, '@a:localhost', ?, ?)",
                (room, NOW, NOW, NOW, NOW),
            )
        await db.execute(
            "INSERT INTO network_rooms(key, room_id, kind, name, source, created_at)"
            " VALUES ('musik', ?, 'topic', 'Musik', 'config', ?)",
            (OLD, NOW),
        )
        await db.execute(
            "INSERT INTO direct_rooms(user_id, room_id) VALUES ('@a:localhost', ?)", (OLD,)
        )
        await db.execute(
            "INSERT INTO jobs(kind, ref, due_at, payload) VALUES ('x', '1', ?, ?)",
            (NOW, json.dumps({"room_id": OLD, "n": 1})),
        )
        await db.execute(
            "INSERT INTO sent_log(key, room_id, event_id, sent_at) VALUES ('k', ?, '$e', ?)",
            (OLD, NOW),
        )
        await db.execute(
            "INSERT INTO inbox(event_id, room_id, kind, payload, received_at)"
            " VALUES ('$i', ?, 'message', '{}', ?)",
            (OLD, NOW),
        )

        upgrades = RoomUpgrades(db)
        await upgrades.note(OLD, NEW)
        assert await upgrades.waiting_for(NEW) == [OLD]
        moved = await upgrades.move(OLD, NEW)

        assert moved == 5
        for table in ("cooperations", "network_rooms", "direct_rooms"):
            assert await db.scalar(f"SELECT room_id FROM {table}") == NEW
        rooms = [r[0] for r in await db.fetchall("SELECT room_id FROM meetings ORDER BY id")]
        assert rooms == [NEW, OTHER]
        payload = json.loads(await db.scalar("SELECT payload FROM jobs"))
        assert payload == {"room_id": NEW, "n": 1}
        # history stays where it happened
        assert await db.scalar("SELECT room_id FROM sent_log") == OLD
        assert await db.scalar("SELECT room_id FROM inbox") == OLD
        upgrade = await upgrades.get(OLD)
        assert upgrade is not None and upgrade.moved_at is not None and upgrade.moved_rows == 5
        assert await upgrades.waiting_for(NEW) == []
        # a second move (a replayed tombstone) finds nothing left
        assert await upgrades.move(OLD, NEW) == 0
    finally:
        await db.close()


async def test_taken_unique_slot_stays_behind(tmp_path: Path) -> None:
    db = Database(tmp_path / "k.db")
    await db.open()
    try:
        for room, title in ((OLD, "alt"), (NEW, "neu")):
            await db.execute(
                "INSERT INTO cooperations(room_id, title, created_by, created_at, updated_at)"
                " VALUES (?, ?, '@a:localhost', ?, ?)",
                (room, title, NOW, NOW),
            )
        assert await RoomUpgrades(db).move(OLD, NEW) == 0
        titles = dict(await db.fetchall("SELECT room_id, title FROM cooperations"))
        assert titles == {OLD: "alt", NEW: "neu"}
    finally:
        await db.close()
