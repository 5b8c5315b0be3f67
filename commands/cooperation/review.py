"""!kooperation prüfung, the review and term-end reminder jobs, and their start-up check.

The cooperation row holds the schedule (first meeting, RRULE, stamp); job rows are
derived from it. A review job arms the next meeting of its series before it posts, and
the start-up hook re-arms a series whose job was skipped while the bot was down.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from commands.context import Context, JobContext, Services
from commands.cooperation.common import cooperation_here
from commands.cooperation.schedule import (
    KIND_REVIEW,
    KIND_TERM_END,
    PlannedJob,
    is_short,
    next_review,
    plan_review,
    plan_term_end,
    review_prefix,
)
from commands.errors import UsageError
from commands.registry import Arg, Scope, command, job_handler, on_event
from commands.reply import Reply, ReplyBuilder, bold
from commands.timeparse import (
    format_date,
    format_datetime,
    format_recurrence,
    parse_interval_or_date,
)
from storage.cooperations import Cooperation, Cooperations, Review
from storage.jobs import Job, Jobs

log = logging.getLogger(__name__)

STOP_WORDS = {"aus", "stopp", "stop", "keine", "beenden", "off", "none", "cancel", "absagen"}
MAX_MENTIONS = 50


async def _upsert(jobs: Jobs, planned: PlannedJob) -> None:
    await jobs.upsert(
        planned.kind, planned.ref, planned.due, not_after=planned.not_after, payload=planned.payload
    )


@command(
    "kooperation prüfung",
    aliases=("coop review",),
    group="kooperation",
    scope=Scope.ROOM,
    summary="cooperation.review_summary",
    usage="<datum|intervall|aus>",
    usage_en="<date|interval|off>",
    examples=(
        "!kooperation prüfung alle 3 Monate",
        "!kooperation prüfung 15.03.2027 14:00",
        "!kooperation prüfung aus",
    ),
    args=(Arg("spec", rest=True),),
)
async def schedule_review(ctx: Context, spec: str) -> None:
    spec = spec.strip()
    if not spec:
        raise UsageError("core.missing_argument", name=ctx.t("cooperation.review_arg"))
    coop = await cooperation_here(ctx)
    services = ctx.services
    now, tz = services.now(), services.network.tz
    if spec.casefold() in STOP_WORDS:
        async with ctx.db.transaction():  # the plan and its jobs change together
            await services.scheduler.cancel(KIND_REVIEW, review_prefix(coop.id))
            await Cooperations(ctx.db).set_review(coop.id, None, now)
        await ctx.reply(ctx.t("cooperation.review_stopped"))
        return
    schedule = parse_interval_or_date(spec, now, tz)
    review = Review(schedule.first, schedule.rrule, str(tz), stamp=ctx.event_id)
    planned = plan_review(coop.id, review, now, now)
    replaced = _replaced_plan(ctx, coop.review, now) if coop.review is not None else None
    # one transaction: the old series goes, the new plan and its job come (a replay of
    # this command then simply arms it again)
    async with ctx.db.transaction():
        await services.scheduler.cancel(KIND_REVIEW, review_prefix(coop.id))
        await Cooperations(ctx.db).set_review(coop.id, review, now)
        if planned is not None:
            await services.scheduler.schedule(
                planned.kind, planned.ref, planned.due,
                not_after=planned.not_after, payload=planned.payload,
            )  # fmt: skip
    meeting = next_review(review, now) or schedule.first
    first = format_datetime(meeting, ctx.lang, tz=tz)
    if schedule.rrule is None:
        lines = [ctx.t("cooperation.review_once", when=first)]
    else:
        repeat = format_recurrence(schedule.rrule, ctx.lang)
        lines = [ctx.t("cooperation.review_series", when=first, repeat=repeat)]
    if meeting.date() != schedule.first.astimezone(tz).date():
        day = format_date(schedule.first, ctx.lang, tz=tz)
        lines.append(ctx.t("cooperation.review_moved_to_working_day", day=day, when=first))
    if schedule.rrule is not None and not is_short(schedule.rrule):
        lines.append(ctx.t("cooperation.review_working_days"))
    if planned is not None:
        remind = format_datetime(max(planned.due, now), ctx.lang, tz=tz)
        key = "review_reminder_at" if planned.due < meeting else "review_reminder_same_time"
        lines.append(ctx.t(f"cooperation.{key}", when=remind))
    if replaced is not None:
        lines.append(replaced)
    await ctx.reply(Reply("\n".join(lines)))


def _replaced_plan(ctx: Context, old: Review, now: datetime) -> str:
    """ "This replaces the previous plan (…)": what was planned until now."""
    upcoming = next_review(old, now)
    repeat = format_recurrence(old.rrule, ctx.lang)
    if upcoming is None:
        return ctx.t("cooperation.review_replaced_over", repeat=repeat)
    when = format_datetime(upcoming, ctx.lang, tz=ctx.services.network.tz)
    return ctx.t("cooperation.review_replaced", repeat=repeat, when=when)


async def _mentions(services: Services, room_id: str) -> list[str]:
    try:
        members = await services.chat.members(room_id)
    except Exception:  # a reminder without mentions still reminds
        log.warning("no member list for %s", room_id)
        return []
    return [m for m in members if m != services.chat.user_id][:MAX_MENTIONS]


def review_reminder(
    jctx: JobContext, content: Any, coop: Cooperation, meeting: datetime, following: datetime | None
) -> Reply:
    """The reminder before a feedback meeting, with the guiding questions of phase 7."""
    lang, tz = jctx.lang, jctx.services.network.tz
    head = jctx.t(
        "cooperation.review_reminder", title=coop.title, when=format_datetime(meeting, lang, tz=tz)
    )
    reply = ReplyBuilder().heading(head)
    phase = content.phase(7) if content is not None else None
    if phase is not None:
        reply.line(jctx.t("cooperation.review_questions", title=phase.title(lang)))
        for item in phase.items:
            reply.bullet(bold(item.id), " ", item.text(lang))
    reply.note(jctx.t("cooperation.review_tail"))
    if following is not None:
        when = format_datetime(following, lang, tz=tz)
        reply.note(jctx.t("cooperation.review_following", when=when))
    return reply.build(notify=True)


@job_handler(KIND_REVIEW)
async def send_review_reminder(jctx: JobContext, job: Job) -> None:
    services = jctx.services
    coop = await Cooperations(services.db).get(int(job.payload["cooperation"]))
    if coop is None or coop.review is None or coop.review.stamp != job.payload.get("stamp"):
        return  # the schedule changed or the cooperation is gone
    meeting = datetime.fromisoformat(job.payload["at"])
    following = None
    if coop.review.rrule is not None:
        # arm the next meeting first: a crash after posting must not end the series
        now = services.now()
        planned = plan_review(coop.id, coop.review, max(meeting, now), now)
        if planned is not None:
            await services.scheduler.schedule(
                planned.kind, planned.ref, planned.due,
                not_after=planned.not_after, payload=planned.payload,
            )  # fmt: skip
            following = datetime.fromisoformat(planned.payload["at"])
    reply = review_reminder(jctx, services.content, coop, meeting, following)
    reply.mentions = await _mentions(services, coop.room_id)
    await services.chat.send(coop.room_id, reply, key=jctx.key)


@job_handler(KIND_TERM_END)
async def send_term_end_reminder(jctx: JobContext, job: Job) -> None:
    services = jctx.services
    coop = await Cooperations(services.db).get(int(job.payload["cooperation"]))
    if coop is None or coop.term_end is None or coop.term_end.isoformat() != job.payload.get("end"):
        return  # the Laufzeit changed since
    end: date = coop.term_end
    weeks = max(0, (end - services.now().astimezone(services.network.tz).date()).days // 7)
    text = jctx.t(
        "cooperation.term_end_reminder",
        title=coop.title,
        date=format_date(end, jctx.lang),
        weeks=weeks,
    )
    reply = Reply(text, notify=True, mentions=await _mentions(services, coop.room_id))
    await services.chat.send(coop.room_id, reply, key=jctx.key)


async def _series_armed(jobs: Jobs, coop: Cooperation, now: datetime) -> bool:
    """Whether a review job of the current schedule will still run."""
    for job_id in await jobs.pending_ids(KIND_REVIEW, review_prefix(coop.id)):
        job = await jobs.get(job_id)
        if job is None or coop.review is None or job.payload.get("stamp") != coop.review.stamp:
            continue
        if job.not_after is None or job.not_after > now:
            return True
    return False


@on_event("startup")
async def ensure_cooperation_jobs(services: Services) -> None:
    """Re-arm review series and term-end reminders from the cooperation rows."""
    jobs = Jobs(services.db)
    now = services.now()
    for coop in await Cooperations(services.db).all():
        if coop.review is not None and coop.review.rrule is not None:
            if not await _series_armed(jobs, coop, now):
                planned = plan_review(coop.id, coop.review, now, now)
                if planned is not None:
                    await _upsert(jobs, planned)
                    log.info("re-armed review series of cooperation %d", coop.id)
        if coop.term_end is not None:
            planned = plan_term_end(coop.id, coop.term_end, services.network.tz, now)
            if planned is not None:
                await _upsert(jobs, planned)
