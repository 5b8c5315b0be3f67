"""The scheduler runs a job once; a refused send fails it, an outage retries it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.matrix import MatrixError
from bot.metrics import Metrics
from bot.scheduler import Scheduler, job_key
from commands.registry import Registry
from storage.jobs import Jobs, SentLog
from tests.fakes import make_services


@asynccontextmanager
async def bound_scheduler(
    tmp_path: Path, error: Exception | None = None
) -> AsyncIterator[tuple[Any, Jobs, Scheduler, list[Any]]]:
    """A scheduler bound to services with one job kind, whose handler notes its calls
    (and raises ``error``): services, jobs, scheduler, calls."""
    services = await make_services(tmp_path, with_content=False)
    calls: list[Any] = []

    async def handler(jctx: Any, job: Any) -> None:
        calls.append(job.ref)
        if error is not None:
            raise error

    registry = Registry()
    registry.jobs["test.kind"] = handler
    jobs = Jobs(services.db)
    scheduler = Scheduler(jobs, Metrics())
    scheduler.bind(services, registry)
    try:
        yield services, jobs, scheduler, calls
    finally:
        scheduler.shutdown()
        await services.db.close()


async def run_job(
    tmp_path: Path, error: Exception | None, *, not_after: timedelta | None = None
) -> str:
    async with bound_scheduler(tmp_path, error) as (_, jobs, scheduler, calls):
        now = datetime.now(UTC)
        job_id = await scheduler.schedule(
            "test.kind",
            "r1",
            now - timedelta(seconds=5),
            not_after=None if not_after is None else now + not_after,
        )
        await scheduler._run(job_id)
        await scheduler._run(job_id)  # a second firing does nothing once finished
        job = await jobs.get(job_id)
        assert job is not None
        assert len(calls) == (2 if job.state == "pending" else (0 if job.state == "skipped" else 1))
        return job.state


async def test_job_runs_once(tmp_path: Path) -> None:
    assert await run_job(tmp_path, None) == "done"


async def test_refused_send_fails_the_job(tmp_path: Path) -> None:
    assert await run_job(tmp_path, MatrixError("M_FORBIDDEN")) == "failed"


async def test_outage_keeps_the_job_pending(tmp_path: Path) -> None:
    assert await run_job(tmp_path, MatrixError("unreachable", transient=True)) == "pending"


@pytest.mark.parametrize(
    ("not_after", "state"), [(timedelta(minutes=5), "done"), (timedelta(minutes=-1), "skipped")]
)
async def test_missed_job_late_or_skipped(tmp_path: Path, not_after: timedelta, state: str) -> None:
    assert await run_job(tmp_path, None, not_after=not_after) == state


async def test_jobs_commit_and_arm_with_the_change_that_wants_them(tmp_path: Path) -> None:
    """One job path: rows join the command's transaction, timers come after the commit,
    and a command that fails leaves neither a row nor a timer."""
    services = await make_services(tmp_path, with_content=False)
    # the injected clock, not the wall clock; it starts at the wall clock's now, because
    # apscheduler's timers run on wall time: a due time in the wall clock's past (a fixed
    # date once the real date has passed it) fires at once and the timer is gone
    clock = {"now": datetime.now(UTC).replace(microsecond=0)}
    services.clock = lambda: clock["now"]
    jobs = Jobs(services.db)
    scheduler = Scheduler(jobs, Metrics())
    scheduler.bind(services, Registry())
    await scheduler.start()
    due = clock["now"] + timedelta(days=3)
    try:
        with pytest.raises(RuntimeError):
            async with services.db.transaction():
                await services.db.execute("CREATE TABLE change (v INTEGER)")
                await scheduler.schedule("test.kind", "lost", due)
                raise RuntimeError("the command fails after scheduling")
        assert await jobs.pending() == [] and scheduler.scheduled() == 0

        async with services.db.transaction():
            await scheduler.schedule("test.kind", "kept", due)
            assert scheduler.scheduled() == 0  # not before the commit
        assert [j.ref for j in await jobs.pending()] == ["kept"]
        assert scheduler.scheduled() == 1

        async with services.db.transaction():
            await scheduler.cancel("test.kind", "kept")
            assert scheduler.scheduled() == 1
        assert scheduler.scheduled() == 0 and await jobs.pending() == []
    finally:
        scheduler.shutdown()
        await services.db.close()


async def test_a_job_sent_before_a_crash_is_done_not_skipped(tmp_path: Path) -> None:
    """The message went out, then the bot was killed before it noted the job as done;
    restarted after the job's deadline, the job is done (it was sent), neither skipped as
    missed nor sent again."""
    async with bound_scheduler(tmp_path) as (services, jobs, scheduler, calls):
        now = datetime.now(UTC)
        job_id = await scheduler.schedule(
            "test.kind", "r1", now - timedelta(minutes=2), not_after=now - timedelta(minutes=1)
        )
        job = await jobs.get(job_id)
        assert job is not None
        await SentLog(services.db).record(job_key(job), "!room:localhost", "$sent")
        await scheduler._run(job_id)
        job = await jobs.get(job_id)
        assert job is not None and job.state == "done"
        assert calls == []
