"""Room upgrades: the old room's data moves to the room that replaced it.

``move`` rewrites ``room_id`` (and ``*_room_id``) in every table that has one — found
from the schema, so a table added later moves too — and a ``room_id`` inside job
payloads, all in one transaction. Tables that record what happened where (the inbox, the
error log, the sent-log) keep the old room: history stays true, and a reminder already
posted in the old room is not posted again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from storage.db import Database, Tx

# what happened where: never rewritten
HISTORY_TABLES = frozenset({"inbox", "error_log", "sent_log", "room_upgrades"})


@dataclass(frozen=True)
class UpgradeRecord:
    old_room_id: str
    new_room_id: str
    moved_at: datetime | None
    moved_rows: int | None


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def room_columns(tx: Tx) -> list[tuple[str, str]]:
    """(table, column) for every room id column outside the history tables."""
    found: list[tuple[str, str]] = []
    tables = await tx.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    )
    for row in tables:
        table = str(row["name"])
        if table in HISTORY_TABLES:
            continue
        for column in await tx.fetchall(f'PRAGMA table_info("{table}")'):
            name = str(column["name"])
            if name == "room_id" or name.endswith("_room_id"):
                found.append((table, name))
    return found


class RoomUpgrades:
    """Repository of room upgrades and the move of a room's data."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, old_room_id: str) -> UpgradeRecord | None:
        row = await self._db.fetchone(
            "SELECT * FROM room_upgrades WHERE old_room_id = ?", (old_room_id,)
        )
        if row is None:
            return None
        moved = row["moved_at"]
        return UpgradeRecord(
            row["old_room_id"],
            row["new_room_id"],
            datetime.fromisoformat(moved) if moved else None,
            row["moved_rows"],
        )

    async def note(self, old_room_id: str, new_room_id: str) -> UpgradeRecord:
        """Remember a tombstone (first one wins); returns the stored upgrade."""
        await self._db.execute(
            "INSERT OR IGNORE INTO room_upgrades(old_room_id, new_room_id, seen_at)"
            " VALUES (?, ?, ?)",
            (old_room_id, new_room_id, _now()),
        )
        upgrade = await self.get(old_room_id)
        assert upgrade is not None
        return upgrade

    async def waiting_for(self, new_room_id: str) -> list[str]:
        """Old rooms whose data waits for the bot to get into ``new_room_id``."""
        rows = await self._db.fetchall(
            "SELECT old_room_id FROM room_upgrades WHERE new_room_id = ? AND moved_at IS NULL",
            (new_room_id,),
        )
        return [str(r["old_room_id"]) for r in rows]

    async def move(self, old_room_id: str, new_room_id: str) -> int:
        """Move everything of ``old_room_id`` to ``new_room_id`` in one transaction;
        returns the number of rows moved. A row whose unique room slot is already taken
        in the new room (e.g. a cooperation started there meanwhile) stays behind."""
        moved = 0
        async with self._db.transaction() as tx:
            for table, column in await room_columns(tx):
                moved += await tx.execute(
                    f'UPDATE OR IGNORE "{table}" SET "{column}" = ? WHERE "{column}" = ?',
                    (new_room_id, old_room_id),
                )
            for row in await tx.fetchall(
                "SELECT id, payload FROM jobs WHERE state = 'pending'"
                " AND json_valid(payload) AND json_extract(payload, '$.room_id') = ?",
                (old_room_id,),
            ):
                payload = json.loads(row["payload"])
                payload["room_id"] = new_room_id
                moved += await tx.execute(
                    "UPDATE jobs SET payload = ? WHERE id = ?", (json.dumps(payload), row["id"])
                )
            await tx.execute(
                "INSERT INTO room_upgrades(old_room_id, new_room_id, seen_at, moved_at,"
                " moved_rows) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(old_room_id) DO UPDATE SET new_room_id = excluded.new_room_id,"
                " moved_at = excluded.moved_at, moved_rows = excluded.moved_rows",
                (old_room_id, new_room_id, _now(), _now(), moved),
            )
        return moved
