"""The only module that imports apscheduler: it mirrors pending job rows.

The jobs table is the truth. At start every pending row is armed again; a job fires
with its id only, reloads the row and runs the handler declared for its kind. Missed
while the bot was down: posted late once if the job's ``not_after`` (e.g. the meeting's
start) has not passed, otherwise skipped and logged.

One way to write jobs: ``schedule``/``schedule_many``/``cancel`` write the rows in the
caller's open transaction (``storage.db``'s ambient transaction) and arm or disarm the
in-memory timers only after it has committed, so a rolled-back command leaves no timer
and a committed one never lacks its timer. Time comes from ``Services.now`` (the
injected clock), never from ``datetime.now``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.matrix import MatrixError
from bot.metrics import Metrics
from commands.context import JobContext, Services
from commands.registry import Registry
from storage.jobs import Job, Jobs, SentLog

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(seconds=60)
RETRY_AFTER = timedelta(seconds=20)


class Scheduler:
    """Implements commands.context.Scheduling on top of the jobs table."""

    def __init__(self, jobs: Jobs, metrics: Metrics) -> None:
        self._jobs = jobs
        self._metrics = metrics
        self._aps = AsyncIOScheduler(timezone=UTC)
        self._services: Services | None = None
        self._registry: Registry | None = None
        self._running: set[int] = set()

    def bind(self, services: Services, registry: Registry) -> None:
        self._services = services
        self._registry = registry

    def _now(self) -> datetime:
        assert self._services is not None, "bind() the scheduler before using it"
        return self._services.now().astimezone(UTC)

    async def start(self) -> int:
        """Start the scheduler and arm every pending row; returns how many."""
        self._aps.start()
        return await self._arm_all()

    def shutdown(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)

    def scheduled(self) -> int:
        return len(self._aps.get_jobs())

    async def _arm_all(self) -> int:
        pending = await self._jobs.pending()
        wanted = {str(job.id) for job in pending}
        for aps_job in self._aps.get_jobs():
            if aps_job.id not in wanted:
                aps_job.remove()
        for job in pending:
            self._arm(job.id, job.due_at)
        return len(pending)

    def _arm(self, job_id: int, due_at: datetime) -> None:
        # apscheduler's timers run on wall time; the memory job store holds the bound
        # method, so nothing but the job id crosses into it
        run_at = max(due_at, self._now())
        self._aps.add_job(
            self._run,
            trigger=DateTrigger(run_date=run_at, timezone=UTC),
            args=[job_id],
            id=str(job_id),
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    # --- Scheduling protocol --------------------------------------------------------

    async def schedule(
        self,
        kind: str,
        ref: str,
        due_at: datetime,
        *,
        not_after: datetime | None = None,
        payload: dict[str, Any] | None = None,
    ) -> int:
        job_id = await self._jobs.upsert(kind, ref, due_at, not_after=not_after, payload=payload)
        await self._jobs.db.after_commit(lambda: self._arm_if_pending(job_id))
        return job_id

    async def schedule_many(
        self, kind: str, items: Iterable[tuple[str, datetime, datetime | None, dict[str, Any]]]
    ) -> None:
        """Many jobs of one kind, (ref, due_at, not_after, payload) each (start-up rebuilds)."""
        await self._jobs.upsert_many(kind, items)
        await self._jobs.db.after_commit(self._arm_all_if_running)

    async def cancel(self, kind: str, ref_prefix: str) -> int:
        ids = await self._jobs.cancel_matching(kind, ref_prefix, now=self._now())

        def disarm() -> None:
            for job_id in ids:
                aps_job = self._aps.get_job(str(job_id))
                if aps_job is not None:
                    aps_job.remove()

        await self._jobs.db.after_commit(disarm)
        return len(ids)

    async def resync(self) -> None:
        """Mirror every pending row again (after rows were moved, e.g. a room upgrade)."""
        await self._jobs.db.after_commit(self._arm_all_if_running)

    async def _arm_if_pending(self, job_id: int) -> None:
        job = await self._jobs.get(job_id)
        if job is not None and job.state == "pending":
            self._arm(job_id, job.due_at)

    async def _arm_all_if_running(self) -> None:
        if self._aps.running:
            await self._arm_all()

    # --- running a job -----------------------------------------------------------------

    async def _run(self, job_id: int) -> None:
        if job_id in self._running:
            return
        self._running.add(job_id)
        try:
            await self._run_once(job_id)
        finally:
            self._running.discard(job_id)

    async def _run_once(self, job_id: int) -> None:
        assert self._services is not None and self._registry is not None
        job = await self._jobs.get(job_id)
        if job is None or job.state != "pending":
            return
        now = self._now()
        if job.due_at - now > timedelta(seconds=1):
            self._arm(job.id, job.due_at)  # moved later in the meantime
            return
        if job.not_after is not None and now > job.not_after:
            if await SentLog(self._jobs.db).event_for(job_key(job)):
                # sent, and the bot was stopped before it could note so: it is done, and
                # neither missed nor to be sent again
                await self._jobs.finish(job.id, "done", "sent before a restart", now=now)
                return
            log.warning(
                "skipped %s %s: due %s, too late after %s",
                job.kind,
                job.ref,
                job.due_at.isoformat(),
                job.not_after.isoformat(),
            )
            self._metrics.reminders.labels("skipped").inc()
            await self._jobs.finish(job.id, "skipped", "missed while the bot was down", now=now)
            return
        handler = self._registry.jobs.get(job.kind)
        if handler is None:
            log.error("no handler for job kind %s", job.kind)
            await self._jobs.finish(job.id, "failed", "no handler", now=now)
            return
        context = JobContext(self._services, self._services.network.language, job_key(job))
        try:
            await handler(context, job)
        except MatrixError as exc:
            if exc.transient:
                log.warning("job %s %s not sent yet (%s); retrying", job.kind, job.ref, exc)
                self._arm(job.id, self._now() + RETRY_AFTER)
                return
            log.error("job %s %s refused by the homeserver: %s", job.kind, job.ref, exc)
            self._metrics.reminders.labels("failed").inc()
            await self._jobs.finish(job.id, "failed", str(exc)[:200], now=now)
            return
        except Exception:
            ref = secrets.token_hex(4)
            log.exception("job %s %s failed [ref %s]", job.kind, job.ref, ref)
            self._metrics.reminders.labels("failed").inc()
            await self._jobs.finish(job.id, "failed", f"ref {ref}", now=now)
            return
        late = now - job.due_at > LATE_AFTER
        self._metrics.reminders.labels("late" if late else "sent").inc()
        await self._jobs.finish(job.id, "done", "late" if late else None, now=self._now())


def job_key(job: Job) -> str:
    """The sent-log key of a job's message: one per job and due time."""
    return f"job:{job.kind}:{job.ref}:{job.due_at.isoformat()}"
