"""Reminder jobs: kept in step with the meetings table, and the handler that posts them.

The meetings table is the truth; ``sync_meeting`` derives the wanted jobs from it (see
``planning``) after every change and every fired reminder, ``sync_all`` at start. A
per-meeting lock keeps a slow sync from undoing a newer one.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from commands.context import JobContext, Services
from commands.meetings import planning
from commands.meetings.occurrences import Occurrence, is_current, occurrence_key, previous
from commands.meetings.planning import KIND, occurrence_prefix, parse_ref, plan, still_wanted
from commands.meetings.render import reminder
from commands.registry import job_handler, on_event
from commands.scope import present
from storage.jobs import Job, Jobs
from storage.meetings import Meeting, Meetings

log = logging.getLogger(__name__)


def _stale(
    meeting: Meeting | None, offsets: tuple[timedelta, ...], jobs: list[Job], wanted: set[str]
) -> tuple[set[str], list[int]]:
    """Pending jobs to drop: (occurrence prefixes, single job ids whose offset is gone)."""
    prefixes: set[str] = set()
    ids: list[int] = []
    for job in jobs:
        if job.ref in wanted:
            continue
        meeting_id, occurrence, seconds = parse_ref(job.ref)
        if still_wanted(meeting, offsets, occurrence, seconds):
            continue
        if meeting is not None and not meeting.cancelled and is_current(meeting, occurrence):
            ids.append(job.id)  # the offset left the config; the meeting stays
        else:
            prefixes.add(occurrence_prefix(meeting_id, occurrence))
    return prefixes, ids


async def sync_meeting(services: Services, meeting_id: int) -> int:
    """Bring one meeting's reminder jobs in line with its row; returns jobs (re)armed.

    One transaction (joining the caller's): two syncs of one meeting never interleave,
    and the jobs commit with the change that asked for them."""
    jobs = Jobs(services.db)
    now = services.now()
    async with services.db.transaction():
        meeting = await Meetings(services.db).get(meeting_id)
        offsets = services.network.reminder_offsets
        pending = [
            job
            for job_id in await jobs.pending_ids(KIND, f"{meeting_id}:")
            if (job := await jobs.get(job_id)) is not None
        ]
        wanted = [] if meeting is None else plan(meeting, offsets, now)
        wanted_refs = {p.ref for p in wanted}
        prefixes, ids = _stale(meeting, offsets, pending, wanted_refs)
        for prefix in prefixes:
            await services.scheduler.cancel(KIND, prefix)
        for job_id in ids:
            await jobs.finish(job_id, "cancelled", "offset no longer configured", now=now)
        have = {job.ref for job in pending}
        armed = 0
        for item in wanted:
            if item.ref not in have:
                await services.scheduler.schedule(
                    KIND,
                    item.ref,
                    item.due,
                    not_after=item.occurrence,
                    payload={"meeting": meeting_id},
                )
                armed += 1
        return armed


async def sync_all(services: Services) -> tuple[int, int]:
    """At start: every active meeting gets its jobs, stale ones go; (added, dropped)."""
    db = services.db
    offsets = services.network.reminder_offsets
    now = services.now()
    meetings = {m.id: m for m in await Meetings(db).active()}
    pending: dict[int, list[Job]] = defaultdict(list)
    for job in await Jobs(db).pending():
        if job.kind == KIND:
            pending[parse_ref(job.ref)[0]].append(job)
    to_add: list[planning.PlannedReminder] = []
    prefixes: set[str] = set()
    ids: list[int] = []
    for meeting_id in set(meetings) | set(pending):
        meeting = meetings.get(meeting_id)
        wanted = [] if meeting is None else plan(meeting, offsets, now)
        wanted_refs = {p.ref for p in wanted}
        stale_prefixes, stale_ids = _stale(meeting, offsets, pending[meeting_id], wanted_refs)
        prefixes |= stale_prefixes
        ids += stale_ids
        have = {job.ref for job in pending[meeting_id]}
        to_add += [p for p in wanted if p.ref not in have]
    async with db.transaction():
        if to_add:
            await services.scheduler.schedule_many(
                KIND, [(p.ref, p.due, p.occurrence, {"meeting": p.meeting_id}) for p in to_add]
            )
        for prefix in prefixes:
            await services.scheduler.cancel(KIND, prefix)
        for job_id in ids:
            await Jobs(db).finish(job_id, "cancelled", "offset no longer configured", now=now)
    return len(to_add), len(prefixes) + len(ids)


@on_event("startup")
async def rebuild_reminders(services: Services) -> None:
    added, dropped = await sync_all(services)
    log.info("meeting reminders: %d jobs added, %d dropped at start", added, dropped)


@job_handler(KIND)
async def send_reminder(jctx: JobContext, job: Job) -> None:
    """Post one reminder into the meeting's room, mentioning those who said yes and are
    in the room at this moment."""
    services = jctx.services
    meeting_id, occurrence_utc, seconds = parse_ref(job.ref)
    repo = Meetings(services.db)
    meeting = await repo.get(meeting_id)
    offsets = services.network.reminder_offsets
    # Plan the next reminders of a series first: a failed send must not stop the chain.
    await sync_meeting(services, meeting_id)
    if meeting is None or not still_wanted(meeting, offsets, occurrence_utc, seconds):
        log.info("reminder %s no longer wanted (meeting changed)", job.ref)
        return
    now = services.now()
    start = occurrence_utc.astimezone(meeting.tz)
    if now >= start:
        log.warning("reminder %s skipped: the meeting has started", job.ref)
        return
    offset = timedelta(seconds=seconds)
    if planning.superseded(offsets, start, offset, now):
        log.info("reminder %s skipped: a closer reminder is due as well", job.ref)
        return
    occurrence = _occurrence_at(meeting, start)
    sent_before = [s for s in await repo.reminders_sent(meeting_id, start) if s != seconds]
    carried = None
    if meeting.is_series and not sent_before:
        last = previous(meeting, start)
        if last is not None:
            carried = (last, await repo.notes(meeting_id, occurrence_key(meeting, last)))
    said_yes = [r.user_id for r in await repo.rsvps(meeting_id) if r.going]
    going = await present(services, meeting.room_id, said_yes)  # in the room right now
    message = reminder(meeting, occurrence, going, carried, now, jctx.t, jctx.lang)
    event_id = await services.chat.send(meeting.room_id, message, key=jctx.key)
    await repo.record_reminder(meeting_id, start, seconds, event_id)


def _occurrence_at(meeting: Meeting, start: datetime) -> Occurrence:
    """The occurrence starting at ``start``, with its original date if it was moved."""
    tz = meeting.tz
    for change in meeting.changes:
        if change.new_start_utc is not None and change.new_start_utc == start:
            return Occurrence(change.original_utc.astimezone(tz), start.astimezone(tz))
    return Occurrence(start, start)
