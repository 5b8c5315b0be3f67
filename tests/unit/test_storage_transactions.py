"""The ambient transaction: inner calls join it, nested blocks are savepoints, work
registered for after the commit runs only when the data is durable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "k.db")
    await database.open()
    await database.execute("CREATE TABLE t (v INTEGER)")
    try:
        yield database
    finally:
        await database.close()


async def test_a_plain_call_inside_a_transaction_joins_it(db: Database) -> None:
    async def command() -> int:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (1)")
            # used to deadlock on the non re-entrant lock; now sees the uncommitted row
            seen = int(await db.scalar("SELECT COUNT(*) FROM t"))
            await db.execute("INSERT INTO t VALUES (2)")
        return seen

    assert await asyncio.wait_for(command(), 5) == 1
    assert await db.scalar("SELECT COUNT(*) FROM t") == 2


async def test_one_commit_for_everything_a_command_writes(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute("INSERT INTO t VALUES (1)")
            async with db.transaction():
                await db.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("the command fails after its inner writes")
    assert await db.scalar("SELECT COUNT(*) FROM t") == 0


async def test_a_failed_inner_block_undoes_only_its_own_writes(db: Database) -> None:
    async with db.transaction():
        await db.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(ValueError):
            async with db.transaction():
                await db.execute("INSERT INTO t VALUES (2)")
                raise ValueError("inner")
        await db.execute("INSERT INTO t VALUES (3)")
    rows = [r[0] for r in await db.fetchall("SELECT v FROM t ORDER BY v")]
    assert rows == [1, 3]


async def test_after_commit_runs_once_after_the_outer_commit_only(db: Database) -> None:
    ran: list[int] = []

    async def arm() -> None:
        # the data is visible (committed) when the callback runs
        ran.append(await db.scalar("SELECT COUNT(*) FROM t"))

    async with db.transaction() as tx:
        await tx.execute("INSERT INTO t VALUES (1)")
        async with db.transaction() as inner:
            inner.after_commit(arm)
        assert ran == []
    assert ran == [1]

    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            tx.after_commit(arm)
            raise RuntimeError
    assert ran == [1]


async def test_other_tasks_wait_for_the_transaction(db: Database) -> None:
    """A task started inside a transaction inherits the context but must not join it."""
    order: list[str] = []

    async def other() -> None:
        await db.execute("INSERT INTO t VALUES (9)")
        order.append("other")

    async with db.transaction() as tx:
        task = asyncio.create_task(other())
        await asyncio.sleep(0.05)
        await tx.execute("INSERT INTO t VALUES (1)")
        order.append("tx")
    await task
    assert order == ["tx", "other"]
    assert await db.scalar("SELECT COUNT(*) FROM t") == 2
