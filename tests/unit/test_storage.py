"""Storage: WAL, migrations empty → latest and step by step, refusals, backups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage import MIGRATIONS, Database, Migration, StorageError
from storage.core import Inbox, KeyValue


async def test_empty_to_latest_uses_wal_and_records_every_step(tmp_path: Path) -> None:
    db = Database(tmp_path / "k.db")
    await db.open()
    try:
        assert await db.schema_version() == MIGRATIONS[-1].version
        mode = await db.scalar("PRAGMA journal_mode")
        assert mode == "wal"
        versions = [r[0] for r in await db.fetchall("SELECT version FROM schema_migrations")]
        assert versions == [m.version for m in MIGRATIONS]
    finally:
        await db.close()


@pytest.mark.parametrize("step", range(len(MIGRATIONS)))
async def test_each_step_alone(tmp_path: Path, step: int) -> None:
    """Upgrading from the version before each step works and applies just that step."""
    before = MIGRATIONS[:step]
    db = Database(tmp_path / "k.db", before)
    await db.open()
    await db.close()
    db = Database(tmp_path / "k.db", MIGRATIONS[: step + 1])
    await db.open()
    try:
        assert await db.schema_version() == MIGRATIONS[step].version
    finally:
        await db.close()
    if step > 0:
        backups = list(tmp_path.glob("k.db.v*.bak"))
        assert backups, "an existing database is backed up before migrating"


async def test_failed_migration_changes_nothing(tmp_path: Path) -> None:
    db = Database(tmp_path / "k.db")
    await db.open()
    await KeyValue(db).set("next_batch", "s1")
    await db.close()
    broken = Migration(999, "broken", ("CREATE TABLE half (x)", "THIS IS NOT SQL"))
    db = Database(tmp_path / "k.db", [*MIGRATIONS, broken])
    with pytest.raises(sqlite3.OperationalError):
        await db.open()
    db = Database(tmp_path / "k.db")
    await db.open()
    try:
        assert await KeyValue(db).get("next_batch") == "s1"
        assert await db.scalar("SELECT name FROM sqlite_master WHERE name = 'half'") is None
        assert await db.schema_version() == MIGRATIONS[-1].version
    finally:
        await db.close()


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    future = Migration(10_000, "future", ("CREATE TABLE future (x)",))
    db = Database(tmp_path / "k.db", [*MIGRATIONS, future])
    await db.open()
    await db.close()
    with pytest.raises(StorageError, match="newer"):
        await Database(tmp_path / "k.db").open()


async def test_corrupt_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError):
        await Database(path).open()


async def test_inbox_stores_events_with_the_token_and_replays_open_ones(tmp_path: Path) -> None:
    db = Database(tmp_path / "k.db")
    await db.open()
    try:
        inbox = Inbox(db)
        fresh = await inbox.accept(
            [("$a", "!r", "message", "{}"), ("$b", "!r", "message", "{}")], "s9"
        )
        assert fresh == ["$a", "$b"]
        assert await inbox.accept([("$a", "!r", "message", "{}")], "s10") == []
        assert await KeyValue(db).get("next_batch") == "s10"
        await inbox.done("$a")
        assert [item[0] for item in await inbox.open_items()] == ["$b"]
    finally:
        await db.close()


async def test_sent_log_prunes_only_old_keys(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from storage.jobs import SentLog

    db = Database(tmp_path / "k.db")
    await db.open()
    try:
        log = SentLog(db)
        await log.record("old", "!r", "$1")
        await db.execute(
            "UPDATE sent_log SET sent_at = '2020-01-01T00:00:00+00:00' WHERE key = 'old'"
        )
        await log.record("new", "!r", "$2")
        assert await log.prune(datetime.now(UTC) - timedelta(days=30)) == 1
        assert await log.event_for("old") is None and await log.event_for("new") == "$2"
    finally:
        await db.close()
