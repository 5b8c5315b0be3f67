"""The weekly digest in the lobby: next meetings, new members, open questions.

One ``digest.weekly`` job per week (ref = the local date); the run schedules the next
week's, and the start makes sure one is pending. New members and open questions come
from other features' tables when they exist; without them that part is left out.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from commands.context import JobContext, Services
from commands.meetings.occurrences import localize, upcoming
from commands.meetings.render import list_line
from commands.registry import job_handler, on_event
from commands.reply import ReplyBuilder
from commands.scope import network_rooms
from storage.jobs import Job, Jobs
from storage.meetings import Meetings

log = logging.getLogger(__name__)

KIND = "digest.weekly"
HORIZON = timedelta(days=14)
LATE_LIMIT = timedelta(hours=6)
MAX_ITEMS = 10


def next_digest(after: datetime, weekday: int, at: str, tz: Any) -> datetime:
    """The first digest time strictly after ``after`` (wall time in the network's zone)."""
    hour, minute = (int(part) for part in at.split(":"))
    local = after.astimezone(tz)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    for week in range(3):
        candidate = localize(datetime.combine(day + timedelta(weeks=week), time(hour, minute)), tz)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def _slot(services: Services, after: datetime) -> datetime:
    network = services.network
    return next_digest(after, network.digest_weekday, network.digest_time, network.tz)


async def _schedule(services: Services, due: datetime) -> None:
    await services.scheduler.schedule(
        KIND, due.date().isoformat(), due, not_after=due + LATE_LIMIT, payload={}
    )


@on_event("startup")
async def ensure_digest(services: Services) -> None:
    """Keep exactly one upcoming digest; a missed one stays (run late or skipped)."""
    now = services.now()
    wanted = _slot(services, now)
    pending = [j for j in await Jobs(services.db).pending() if j.kind == KIND]
    for job in pending:
        if job.due_at > now and job.due_at != wanted:  # the configured time changed
            await services.scheduler.cancel(KIND, job.ref)
    if not any(j.due_at == wanted for j in pending):
        await _schedule(services, wanted)


async def new_members(services: Services, since: datetime) -> list[str]:
    """Members who first joined a network room since ``since`` (rooms feature)."""
    from storage.rooms import NetworkMembers

    members = await NetworkMembers(services.db).joined_since(since)
    return [member.user_id for member in members][:MAX_ITEMS]


async def open_questions(services: Services) -> list[str]:
    """Open questions asked in network rooms; questions from direct chats stay private
    (they are only counted)."""
    from storage.questions import UnansweredQuestions

    public = network_rooms(services)
    result: list[str] = []
    private = 0
    for question in await UnansweredQuestions(services.db).open_questions(50):
        if question.room_id in public:
            result.append(question.question)
        else:
            private += 1
    if private:
        result.append(
            services.catalog.get(
                "meetings.digest_private_questions", services.network.language, count=private
            )
        )
    return result[:MAX_ITEMS]


async def build_digest(jctx: JobContext, now: datetime) -> ReplyBuilder:
    services = jctx.services
    lines = ReplyBuilder(compact=True)
    lines.heading(jctx.t("meetings.digest_title", network=services.network.name))
    repo = Meetings(services.db)
    public = network_rooms(services)  # the digest goes to the lobby: network meetings only
    items = [
        (occurrence, meeting)
        for meeting in await repo.active()
        if meeting.room_id in public
        for occurrence in upcoming(meeting, now, MAX_ITEMS, until=now + HORIZON)
    ]
    items.sort(key=lambda item: item[0].start)
    if items:
        lines.line(jctx.t("meetings.digest_meetings"))
        for occurrence, meeting in items[:MAX_ITEMS]:
            going = sum(r.going for r in await repo.rsvps(meeting.id))
            room = services.chat.room_name(meeting.room_id)
            lines.bullet(list_line(meeting, occurrence, going, jctx.t, jctx.lang, room))
    else:
        lines.line(jctx.t("meetings.digest_no_meetings"))
    members = await new_members(services, now - timedelta(days=7))
    questions = await open_questions(services)
    if members:
        lines.line(jctx.t("meetings.digest_members", names=", ".join(members)))
    if questions:
        lines.line(jctx.t("meetings.digest_questions"))
        for question in questions:
            lines.bullet(question)
    return lines


@job_handler(KIND)
async def post_digest(jctx: JobContext, job: Job) -> None:
    services = jctx.services
    now = services.now()
    await _schedule(services, _slot(services, max(now, job.due_at)))
    lobby = services.network.lobby_room
    if lobby is None:
        log.info("weekly digest: no lobby room configured")
        return
    lines = await build_digest(jctx, now)
    await services.chat.send(lobby, lines.build(), key=jctx.key)
