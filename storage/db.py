"""One aiosqlite connection in WAL mode, serialised by a lock, with migrations.

Why one connection: SQLite serialises writers anyway, and a single connection with an
asyncio lock makes every ``transaction()`` atomic with respect to other coroutines.

Why an ambient transaction: a command's writes (a meeting and its reminder jobs, a field
and the job it arms) must commit together, without a ``tx`` parameter threaded through
every repository call. The open transaction is kept in a context variable together with
the task that opened it (as mautrix's ``async_db`` does): any ``transaction()``,
``fetchone()``, ``execute()``, … called by that task while it is open joins it instead of
waiting for the lock (which would deadlock). A nested ``transaction()`` is a SAVEPOINT, so
an inner failure that the caller catches undoes only the inner writes. Work that must
happen only once the data is durable (arming scheduler jobs) is registered with
``Tx.after_commit``.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import logging
import shutil
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from storage.migrations import MIGRATIONS, Migration

Params = Sequence[Any] | dict[str, Any]
log = logging.getLogger(__name__)

DATABASE_FILE = "koopbot.db"  # in the storage directory


class StorageError(Exception):
    """The database cannot be used; the message is meant for the operator."""


class Tx:
    """Statements inside one transaction (the lock is already held)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._after_commit: list[Callable[[], Any]] = []

    def after_commit(self, callback: Callable[[], Any]) -> None:
        """Run ``callback`` once the outermost transaction has committed (never on
        rollback). A coroutine it returns is awaited; exceptions are logged, not raised:
        the data is already durable, and what callbacks mirror is rebuilt at start."""
        self._after_commit.append(callback)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; an INSERT that added a row returns its row id, an ignored
        one 0; other statements return the number of rows changed."""
        cursor = await self._conn.execute(sql, params)
        rowcount = cursor.rowcount
        last = cursor.lastrowid
        await cursor.close()
        if sql.lstrip().upper().startswith(("INSERT", "REPLACE")):
            return int(last or 0) if rowcount > 0 else 0
        return rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self._conn.execute(sql, params) as cursor:
            row = await cursor.fetchone()
            return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        # one trip to the database thread (execute, fetch, close there), not three
        return list(await self._conn.execute_fetchall(sql, params))

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


class Database:
    """The bot's SQLite database; the source of truth for everything it remembers."""

    def __init__(self, path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        self.path = path
        self._migrations = list(migrations)
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        # (open transaction, the task that opened it): only that task joins it
        self._ambient: contextvars.ContextVar[tuple[Tx, asyncio.Task[Any] | None] | None] = (
            contextvars.ContextVar(f"koopbot_tx_{id(self)}", default=None)
        )
        self._savepoints = itertools.count(1)

    @property
    def latest_version(self) -> int:
        return max((m.version for m in self._migrations), default=0)

    async def open(self) -> None:
        """Connect, check integrity and schema version, back up, then migrate."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        existed = self.path.exists() and self.path.stat().st_size > 0
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA busy_timeout=5000")
            await conn.execute("PRAGMA synchronous=NORMAL")
            async with conn.execute("PRAGMA quick_check") as cursor:
                row = await cursor.fetchone()
            if row is None or row[0] != "ok":
                await conn.close()
                raise StorageError(f"{self.path}: database file is damaged ({row and row[0]})")
        except sqlite3.DatabaseError as exc:
            await conn.close()  # its worker thread would keep the process alive
            raise StorageError(f"{self.path}: not a usable SQLite database ({exc})") from exc
        self._conn = conn
        try:
            await self._migrate(backup=existed)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def schema_version(self) -> int:
        async with self.transaction() as tx:
            return await self._version(tx)

    @staticmethod
    async def _version(tx: Tx) -> int:
        exists = await tx.scalar(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
        )
        if not exists:
            return 0
        return int(await tx.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))

    async def _migrate(self, *, backup: bool) -> None:
        async with self.transaction() as tx:
            current = await self._version(tx)
        if current > self.latest_version:
            raise StorageError(
                f"{self.path}: schema version {current} is newer than this koopbot "
                f"knows ({self.latest_version}); upgrade koopbot or restore a backup"
            )
        pending = [
            m for m in sorted(self._migrations, key=lambda m: m.version) if m.version > current
        ]
        if not pending:
            return
        if backup:
            await self._backup(current)
        for migration in pending:
            await self.apply(migration)

    async def apply(self, migration: Migration) -> None:
        """Run one migration step in its own transaction and record its version."""
        async with self.transaction() as tx:
            await tx.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            for statement in migration.statements:
                await tx.execute(statement)
            await tx.execute(
                "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, datetime.now(UTC).isoformat()),
            )

    async def _backup(self, version: int) -> Path:
        target = self.path.with_name(f"{self.path.name}.v{version}.bak")
        assert self._conn is not None
        async with self._lock:
            await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            await asyncio.to_thread(shutil.copy2, self.path, target)
        return target

    def _joined(self) -> Tx | None:
        """The transaction this task has open, if any."""
        current = self._ambient.get()
        if current is None:
            return None
        tx, owner = current
        try:
            task = asyncio.current_task()
        except RuntimeError:
            task = None
        return tx if owner is task else None

    async def after_commit(self, callback: Callable[[], Any]) -> None:
        """Run ``callback`` once the calling task's open transaction has committed, or
        now when none is open (see ``Tx.after_commit``)."""
        tx = self._joined()
        if tx is not None:
            tx.after_commit(callback)
            return
        await self._run_callbacks([callback])

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """An exclusive transaction: all or nothing, isolated from other coroutines.

        Inside an open transaction of the same task it is a savepoint of that one."""
        if self._conn is None:
            raise StorageError("database is not open")
        outer = self._joined()
        if outer is not None:
            name = f"sp{next(self._savepoints)}"
            await self._conn.execute(f"SAVEPOINT {name}")
            try:
                yield outer
            except BaseException:
                await self._conn.execute(f"ROLLBACK TO {name}")
                await self._conn.execute(f"RELEASE {name}")
                raise
            await self._conn.execute(f"RELEASE {name}")
            return
        async with self._lock:
            tx = Tx(self._conn)
            token = self._ambient.set((tx, asyncio.current_task()))
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield tx
                except BaseException:
                    await self._conn.execute("ROLLBACK")
                    raise
                await self._conn.execute("COMMIT")
            finally:
                self._ambient.reset(token)
        callbacks, tx._after_commit = tx._after_commit, []
        await self._run_callbacks(callbacks)

    @staticmethod
    async def _run_callbacks(callbacks: list[Callable[[], Any]]) -> None:
        for callback in callbacks:
            try:
                result = callback()
                if asyncio.iscoroutine(result):
                    await result
            except Exception:
                log.exception("after-commit callback %r failed", callback)

    @asynccontextmanager
    async def _single(self) -> AsyncIterator[Tx]:
        """One statement on its own: SQLite makes it atomic without BEGIN/COMMIT, which
        saves two round trips to the database thread on the hot path. Inside an open
        transaction of the calling task it joins that transaction."""
        if self._conn is None:
            raise StorageError("database is not open")
        outer = self._joined()
        if outer is not None:
            yield outer
            return
        async with self._lock:
            yield Tx(self._conn)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self._single() as tx:
            return await tx.fetchone(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self._single() as tx:
            return await tx.fetchall(sql, params)

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        async with self._single() as tx:
            return await tx.scalar(sql, params)

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._single() as tx:
            return await tx.execute(sql, params)
