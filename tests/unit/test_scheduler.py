"""The scheduler runs a job once; a refused send fails it, an outage retries it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.matrix import MatrixError
from bot.metrics import Metrics
from bot.scheduler import Scheduler
from commands.registry import Registry
from storage.jobs import Jobs
from tests.fakes import make_services


async def run_job(
    tmp_path: Path, error: Exception | None, *, not_after: timedelta | None = None
) -> str:
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
    finally:
        scheduler.shutdown()
        await services.db.close()


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
