"""Scheduler + reminder path at scale: start-up rebuild and due-time precision.

Run: ``.venv/bin/python bench/scheduler_bench.py [--meetings 1000] [--window 60]``

1. Start-up rebuild: 1,000 meetings x 3 offsets (7d/1d/1h) in SQLite; time the start-up
   hook (``sync_all``: plan every meeting, write missing jobs) plus ``Scheduler.start``
   (arm every pending job) — cold (no jobs yet) and warm (a normal restart).
2. Precision: 1,000 reminders due within ``--window`` seconds (harsher than "in the same
   hour"); the real ``bot.scheduler.Scheduler`` fires the real ``meeting.reminder``
   handler (reload row, re-plan the series, RSVPs, render, send). Matrix is a fake
   ``Chat`` that records when each reminder was sent, so the figures are the
   scheduler + handler + SQLite path without network. Prints p50/p95/max lateness.
No assertions: figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.fakes

from bot.metrics import Metrics
from bot.scheduler import Scheduler, job_key
from commands.context import NetworkInfo, Services
from commands.i18n import Catalog
from commands.meetings.reminders import sync_all
from commands.registry import Registry
from storage import Database
from storage.jobs import Job, Jobs
from storage.meetings import Meetings, NewMeeting
from tests.fakes import FakeChat, FakeRuntime

TZ = ZoneInfo("Europe/Berlin")
OFFSETS = (timedelta(days=7), timedelta(days=1), timedelta(hours=1))
BOT = "@koopbot:bench"


def sent_at(chat: FakeChat) -> dict[str, float]:
    """When each keyed message (a reminder) was sent, by its key."""
    return {s.key: s.at for s in chat.sent if s.key is not None}


async def make_services(db: Database, chat: FakeChat) -> tuple[Services, Scheduler]:
    registry = Registry.from_modules(["commands.meetings"])
    scheduler = Scheduler(Jobs(db), Metrics())
    services = Services(
        chat=chat,
        db=db,
        scheduler=scheduler,
        network=NetworkInfo("Bench", "de", TZ, (), OFFSETS),
        catalog=Catalog.load(),
        runtime=FakeRuntime(),
        registry=registry,
    )
    scheduler.bind(services, registry)
    return services, scheduler


async def fill(db: Database, starts: list[datetime]) -> None:
    repo = Meetings(db)
    for i, start in enumerate(starts):
        rrule = "FREQ=WEEKLY" if i % 2 else None  # half of them are series
        await repo.create(
            NewMeeting(
                f"!room{i % 50}:bench",
                f"Treffen {i}",
                start,
                timedelta(minutes=90),
                rrule,
                None,
                "@c:bench",
            )
        )
        if i % 3 == 0:
            await repo.rsvp(i + 1, "@member:bench", True)


async def bench_rebuild(n: int, directory: Path) -> None:
    db = Database(directory / "rebuild.db")
    await db.open()
    now = datetime.now(TZ)
    # starts 8 to 60 days ahead: every offset of the next meeting still ahead
    await fill(
        db,
        [
            (now + timedelta(days=8 + i % 52, minutes=i)).replace(second=0, microsecond=0)
            for i in range(n)
        ],
    )
    for label in ("cold (no jobs yet)", "warm (restart)"):
        services, scheduler = await make_services(db, FakeChat(user_id=BOT))
        began = time.perf_counter()
        added, _ = await sync_all(services)
        armed = await scheduler.start()
        elapsed = time.perf_counter() - began
        scheduler.shutdown()
        print(f"start-up rebuild, {label}: {elapsed:.3f} s ({added} jobs written, {armed} armed)")
    await db.close()


async def bench_precision(n: int, window: float, directory: Path) -> None:
    db = Database(directory / "precision.db")
    await db.open()
    lead = 8.0  # seconds to set everything up before the first reminder is due
    t0 = datetime.now(UTC) + timedelta(seconds=lead)
    # reminder i (1 h before its meeting) is due at t0 + i * window / n, whole seconds
    dues = [t0 + timedelta(seconds=int(i * window / n)) for i in range(n)]
    await fill(
        db, [(due + timedelta(hours=1)).astimezone(TZ).replace(microsecond=0) for due in dues]
    )
    chat = FakeChat(user_id=BOT)
    services, scheduler = await make_services(db, chat)
    await sync_all(services)
    armed = await scheduler.start()
    print(f"precision: {armed} jobs armed, {n} reminders due within {window:.0f} s")
    deadline = time.time() + lead + window + 60
    while len(sent_at(chat)) < n and time.time() < deadline:
        await asyncio.sleep(0.25)
    scheduler.shutdown()
    jobs = {job_key(job): job for job in await _done_jobs(db)}
    lateness = []
    sent_times = sent_at(chat)
    for key, sent in sent_times.items():
        job = jobs.get(key)
        if job is not None:
            lateness.append(sent - job.due_at.timestamp())
    lateness.sort()
    if not lateness:
        print("precision: no reminders were sent")
        return
    p95 = lateness[int(0.95 * (len(lateness) - 1))]
    print(
        f"precision: sent {len(sent_times)}/{n}; lateness p50 {statistics.median(lateness):.3f} s,"
        f" p95 {p95:.3f} s, max {lateness[-1]:.3f} s"
    )
    await db.close()


async def _done_jobs(db: Database) -> list[Job]:
    rows = await db.fetchall("SELECT id FROM jobs WHERE kind = 'meeting.reminder'")
    jobs = Jobs(db)
    return [job for r in rows if (job := await jobs.get(int(r["id"]))) is not None]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--meetings", type=int, default=1000)
    parser.add_argument("--window", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        await bench_rebuild(args.meetings, Path(tmp))
        await bench_precision(args.meetings, args.window, Path(tmp))


if __name__ == "__main__":
    asyncio.run(main())
