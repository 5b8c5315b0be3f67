"""!terminfindung: find a date together with a native Matrix poll (MSC3381).

The bot posts ``org.matrix.msc3381.poll.start`` (disclosed, one answer per date,
``max_selections`` = number of dates, text fallback), keeps the last response of each
member in the database (a redaction withdraws it, responses after the end are ignored),
and at the end (``!terminfindung ende <nr>`` or the deadline) posts
``org.matrix.msc3381.poll.end`` and schedules the meeting at the date with the most
votes (ties: the earliest) with its voters as attendees. The steps of the end are each
idempotent and start from a stored ``closing`` state, so a crash in between is finished
exactly once at the next start.

    !terminfindung <titel>: <datum uhrzeit>; <datum uhrzeit>; … [bis <datum uhrzeit>]
    !terminfindung <nr>          the tally
    !terminfindung ende <nr>     the end
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from commands.context import Context, JobContext, Services
from commands.errors import UsageError, UserError
from commands.meetings.holidays import blocked, date_words
from commands.meetings.reminders import sync_meeting
from commands.meetings.render import announcement
from commands.registry import Arg, Permission, Scope, command, int_arg, job_handler, on_event
from commands.reply import ReplyBuilder
from commands.scope import Visibility
from commands.textclean import strip_controls
from commands.timeparse import DEFAULT_DURATION, parse_datetime, parse_duration
from storage.jobs import Job
from storage.meetings import Meetings, NewMeeting
from storage.polls import DatePoll, DatePolls, NewPoll, Vote

log = logging.getLogger(__name__)

POLL_START = "org.matrix.msc3381.poll.start"
POLL_END = "org.matrix.msc3381.poll.end"
POLL_DISCLOSED = "org.matrix.msc3381.poll.disclosed"
TEXT = "org.matrix.msc1767.text"
KIND = "date_poll.close"
MAX_DATES = 20  # MSC3381: at most 20 answers
_TITLE = re.compile(r"^(?P<title>.+?):\s+(?P<dates>.+)$", re.DOTALL)
_DEADLINE = re.compile(r"(?:^|\s)(?:bis|until)\s+(?P<when>.+)$", re.IGNORECASE)
_END_WORDS = {"ende", "end"}


def _lock(services: Services, poll_id: int) -> asyncio.Lock:
    return services.locks(("date-poll", poll_id))


# --- parsing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PollSpec:
    title: str
    duration: timedelta
    starts: tuple[datetime, ...]
    deadline: datetime | None


def parse_poll_spec(text: str, now: datetime, tz: Any) -> PollSpec:
    """'<titel> [dauer]: <datum uhrzeit>; <datum uhrzeit>; … [bis <datum uhrzeit>]'."""
    found = _TITLE.match(text.strip())
    if found is None:
        raise UsageError("polls.spec_missing")
    title = " ".join(found["title"].split())
    duration = DEFAULT_DURATION
    words = title.split()
    if len(words) > 1:
        try:
            duration = parse_duration(words[-1])
            title = " ".join(words[:-1])
        except ValueError:
            pass
    if len(title) > 200:
        raise UserError("polls.title_too_long")
    parts = [p.strip() for p in found["dates"].split(";") if p.strip()]
    deadline = None
    if parts:
        last = _DEADLINE.search(parts[-1])
        if last is not None:
            deadline = parse_datetime(last["when"], now, tz)
            rest = parts[-1][: last.start()].strip()
            parts = parts[:-1] + ([rest] if rest else [])
    starts = sorted({parse_datetime(p, now, tz) for p in parts})
    if len(starts) < 2:
        raise UsageError("polls.too_few_dates")
    if len(starts) > MAX_DATES:
        raise UserError("polls.too_many_dates", max=MAX_DATES)
    if deadline is not None and deadline >= starts[0]:
        raise UserError("polls.deadline_too_late", first=date_words(starts[0], "de"))
    return PollSpec(title, duration, tuple(starts), deadline)


# --- event content --------------------------------------------------------------------------


def answer_text(start: datetime, state: str | None, lang: str, t: Any) -> str:
    """A date in words; a date in the holidays (or on a public holiday) says so."""
    text = date_words(start, lang)
    reason = blocked(state, start.date(), lang) if state else None
    if reason:
        text += f" ({t('holidays.holiday_mark', holiday=reason)})"
    return text


def start_content(poll: DatePoll, question: str, answers: list[str]) -> dict[str, Any]:
    """``org.matrix.msc3381.poll.start`` as Element sends it, plus the text fallback."""
    ids = [o.answer_id for o in poll.options]
    fallback = "\n".join([question, *(f"{i}. {a}" for i, a in enumerate(answers, 1))])
    return {
        POLL_START: {
            "kind": POLL_DISCLOSED,
            "max_selections": len(ids),
            "question": {TEXT: question, "body": question, "msgtype": "m.text"},
            "answers": [{"id": i, TEXT: a} for i, a in zip(ids, answers, strict=True)],
        },
        TEXT: fallback,
        "m.mentions": {},
    }


def end_content(start_event_id: str, text: str) -> dict[str, Any]:
    return {
        "m.relates_to": {"rel_type": "m.reference", "event_id": start_event_id},
        POLL_END: {},
        TEXT: text,
        "m.mentions": {},
    }


# --- the tally ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    answer_id: str
    start: datetime
    voters: tuple[str, ...]


def tally(poll: DatePoll, votes: list[Vote]) -> list[Count]:
    """Votes per date, in date order."""
    return [
        Count(
            option.answer_id,
            option.start_utc.astimezone(poll.tz),
            tuple(v.user_id for v in votes if option.answer_id in v.answers),
        )
        for option in sorted(poll.options, key=lambda o: o.start_utc)
    ]


def winner(counts: list[Count]) -> Count | None:
    """The date with the most votes; ties go to the earliest; None without any vote."""
    best = max((len(c.voters) for c in counts), default=0)
    if best == 0:
        return None
    return min((c for c in counts if len(c.voters) == best), key=lambda c: c.start)


def tally_lines(
    lines: ReplyBuilder, counts: list[Count], state: str | None, lang: str, t: Any
) -> None:
    for count in counts:
        voters = ", ".join(count.voters)
        text = t(
            "polls.tally_line",
            when=answer_text(count.start, state, lang, t),
            n=len(count.voters),
            voters=voters or "—",
        )
        lines.bullet(text)


def tally_text(counts: list[Count], lang: str, t: Any) -> str:
    """One line per date for the poll end's text fallback."""
    return "\n".join(
        f"{i}. {date_words(c.start, lang)}: {t('polls.votes', n=len(c.voters))}"
        for i, c in enumerate(counts, 1)
    )


# --- commands ---------------------------------------------------------------------------------


async def _load(ctx: Context, poll_id: int) -> DatePoll:
    poll = await DatePolls(ctx.db).get(poll_id)
    # one visibility model (commands.scope): a private room's poll is unknown elsewhere
    if poll is None or not await Visibility.of(ctx).sees(poll.room_id):
        raise UserError("polls.not_found", id=poll_id)
    return poll


@command(
    "terminfindung",
    aliases=("find date",),
    group="termine",
    scope=Scope.ROOM,
    summary="polls.summary",
    usage="<titel>: <datum uhrzeit>; <datum uhrzeit>; … [bis <datum uhrzeit>] | <nr>",
    usage_en="<title>: <date time>; <date time>; … [until <date time>] | <no>",
    # the tally is for everyone; starting a poll is checked in the handler (moderators)
    examples=(
        "!terminfindung 4",
        "!terminfindung Netzwerktreffen: 03.12.2026 16:00; 08.12.2026 10:00; 10.12.2026 15:00",
        "!terminfindung Fachtag 3h: 12.01.2027 9:00; 13.01.2027 9:00; bis 08.01.2027 12:00",
    ),
    args=(Arg("spec", rest=True),),
)
async def find_date(ctx: Context, spec: str) -> None:
    if re.fullmatch(r"#?\d+", spec.strip()):
        await _show(ctx, int_arg(spec.strip()))
        return
    if not await ctx.is_moderator():
        raise UserError("core.not_permitted_moderator")
    network = ctx.services.network
    now = ctx.services.now()
    # the title is member text shown to the room: no control or bidi characters
    parsed = parse_poll_spec(strip_controls(spec), now, network.tz)
    repo = DatePolls(ctx.db)
    poll, _created = await repo.create(
        NewPoll(
            room_id=ctx.room_id,
            title=parsed.title,
            duration=parsed.duration,
            starts=parsed.starts,
            created_by=ctx.sender,
            source_event_id=ctx.event_id,
            deadline=parsed.deadline,
        )
    )
    question = ctx.t("polls.question", title=poll.title)
    answers = [
        answer_text(o.start_utc.astimezone(poll.tz), network.state, ctx.lang, ctx.t)
        for o in poll.options
    ]
    event_id = await ctx.chat.send_event(
        ctx.room_id, POLL_START, start_content(poll, question, answers), key=f"date-poll:{poll.id}"
    )
    if poll.start_event_id != event_id:
        await repo.set_start_event(poll.id, event_id)
    if parsed.deadline is not None:
        await ctx.services.scheduler.schedule(
            KIND, f"{poll.id}:", parsed.deadline, payload={"poll": poll.id}
        )
    lines = ReplyBuilder(compact=True)
    lines.heading(ctx.t("polls.started", id=poll.id, title=poll.title, n=len(poll.options)))
    if parsed.deadline is not None:
        lines.line(ctx.t("polls.deadline_line", when=date_words(parsed.deadline, ctx.lang)))
    lines.line(ctx.t("polls.started_hint", id=poll.id))
    await ctx.reply(lines.build())


async def _show(ctx: Context, poll_id: int) -> None:
    poll = await _load(ctx, poll_id)
    counts = tally(poll, await DatePolls(ctx.db).votes(poll.id))
    lines = ReplyBuilder(compact=True)
    state_key = "polls.state_open" if poll.state == "open" else "polls.state_closed"
    lines.heading(ctx.t("polls.tally_title", id=poll.id, title=poll.title, state=ctx.t(state_key)))
    tally_lines(lines, counts, ctx.services.network.state, ctx.lang, ctx.t)
    best = winner(counts)
    if poll.state == "open":
        if best is not None:
            lines.line(ctx.t("polls.leading", when=date_words(best.start, ctx.lang)))
        if poll.deadline_utc is not None:
            when = date_words(poll.deadline_utc.astimezone(poll.tz), ctx.lang)
            lines.line(ctx.t("polls.deadline_line", when=when))
        lines.line(ctx.t("polls.end_hint", id=poll.id))
    elif poll.meeting_id is not None:
        lines.line(ctx.t("polls.meeting_line", meeting=poll.meeting_id))
    await ctx.reply(lines.build())


@command(
    "terminfindung ende",
    aliases=("find date end",),
    group="termine",
    summary="polls.end_summary",
    usage="<nr>",
    usage_en="<no>",
    examples=("!terminfindung ende 4",),
    permission=Permission.MODERATOR,
    args=(Arg("poll_id", int_arg),),
)
async def end_find_date(ctx: Context, poll_id: int) -> None:
    poll = await _load(ctx, poll_id)
    if poll.state == "closed":
        raise UserError("polls.already_closed", id=poll.id, title=poll.title)
    here = poll.room_id == ctx.room_id
    poll = await close_poll(
        ctx.services, poll.id, ctx.sender, ctx.lang, reply_to=ctx.event_id if here else None
    )
    if not here:
        await ctx.reply(ctx.t("polls.closed_elsewhere", id=poll.id))


# --- the end ------------------------------------------------------------------------------------


async def close_poll(
    services: Services, poll_id: int, closed_by: str, lang: str, *, reply_to: str | None = None
) -> DatePoll:
    """End a poll and schedule its meeting; every step is idempotent (crash-safe).

    The result goes into the poll's room (``reply_to``: as the answer to the command)."""
    repo = DatePolls(services.db)
    async with _lock(services, poll_id):
        poll = await repo.get(poll_id)
        assert poll is not None
        if poll.state == "open":
            best = winner(tally(poll, await repo.votes(poll.id)))
            now_ms = int(services.now().timestamp() * 1000)
            winner_id = best.answer_id if best is not None else None
            await repo.begin_close(poll.id, winner_id, now_ms, closed_by)
            await services.scheduler.cancel(KIND, f"{poll.id}:")
            poll = await repo.get(poll_id)
            assert poll is not None
        if poll.state == "closing":
            await _finish(services, poll, lang, reply_to)
        done = await repo.get(poll_id)
        assert done is not None
        return done


async def _finish(
    services: Services, poll: DatePoll, lang: str, reply_to: str | None = None
) -> None:
    def t(key: str, /, **params: object) -> str:
        return services.catalog.get(key, lang, **params)

    repo = DatePolls(services.db)
    votes = await repo.votes(poll.id)
    counts = tally(poll, votes)
    best = next((c for c in counts if c.answer_id == poll.winner), None)
    summary = t("polls.ended_text", title=poll.title) + "\n" + tally_text(counts, lang, t)
    if best is not None:
        summary += "\n" + t("polls.winner_text", when=date_words(best.start, lang))
    else:
        summary += "\n" + t("polls.no_votes")
    if poll.start_event_id is not None:
        end_id = await services.chat.send_event(
            poll.room_id,
            POLL_END,
            end_content(poll.start_event_id, summary),
            key=f"date-poll-end:{poll.id}",
        )
        await repo.set_end_event(poll.id, end_id)
    lines = ReplyBuilder(compact=True)
    lines.heading(t("polls.ended_title", id=poll.id, title=poll.title))
    tally_lines(lines, counts, services.network.state, lang, t)
    meeting_id = None
    if best is None:
        lines.line(t("polls.no_votes"))
        await services.chat.send(
            poll.room_id, lines.build(), key=f"date-poll-result:{poll.id}", reply_to=reply_to
        )
    else:
        meetings = Meetings(services.db)
        async with services.db.transaction():  # the meeting, its RSVPs and reminder jobs
            meeting, _created = await meetings.create(
                NewMeeting(
                    room_id=poll.room_id,
                    title=poll.title,
                    start=best.start,
                    duration=poll.duration,
                    rrule=None,
                    link=None,
                    created_by=poll.created_by,
                    source_event_id=f"date-poll:{poll.id}",
                )
            )
            for voter in best.voters:
                await meetings.rsvp(meeting.id, voter, True)
            await sync_meeting(services, meeting.id)
        offsets = services.network.reminder_offsets
        now = services.now()
        skipped = any(meeting.start - offset <= now for offset in offsets)
        message = announcement(meeting, offsets, t, lang, skipped=skipped)
        lines.line(t("polls.winner_line", when=date_words(best.start, lang), n=len(best.voters)))
        event_id = await services.chat.send(
            poll.room_id,
            lines.extend(message).build(mentions=list(best.voters)),
            key=f"date-poll-result:{poll.id}",
            reply_to=reply_to,
        )
        if meeting.announcement_event_id != event_id:
            await meetings.set_announcement(meeting.id, event_id)
        meeting_id = meeting.id
    await repo.finish(poll.id, meeting_id)
    log.info("date poll %s closed; meeting %s", poll.id, meeting_id)


@job_handler(KIND)
async def close_by_deadline(jctx: JobContext, job: Job) -> None:
    poll_id = int(job.ref.split(":", 1)[0])
    poll = await DatePolls(jctx.services.db).get(poll_id)
    if poll is None or poll.state == "closed":
        return
    await close_poll(jctx.services, poll_id, "deadline", jctx.lang)


@on_event("startup")
async def finish_interrupted_polls(services: Services) -> None:
    """A crash between a poll's end and its meeting: finish it now, exactly once."""
    for poll in await DatePolls(services.db).in_state("closing"):
        try:
            await close_poll(services, poll.id, "restart", services.network.language)
        except Exception:
            log.exception("could not finish date poll %s", poll.id)


# --- responses and their redaction ----------------------------------------------------------


@on_event("poll_response")
async def record_vote(
    services: Services,
    *,
    room_id: str,
    event_id: str,
    sender: str,
    poll_event_id: str,
    answers: tuple[str, ...],
    timestamp_ms: int,
) -> None:
    """The last response of each member counts; responses to a closed poll are ignored."""
    repo = DatePolls(services.db)
    poll = await repo.by_start_event(room_id, poll_event_id)
    if poll is None or poll.state != "open" or sender == services.chat.user_id:
        return
    known = [o.answer_id for o in poll.options]
    chosen = tuple(dict.fromkeys(a for a in answers if a in known))[: len(known)]
    await repo.vote(poll.id, Vote(sender, chosen, event_id, int(timestamp_ms)))


@on_event("redaction")
async def withdraw_vote(
    services: Services, *, room_id: str, event_id: str, sender: str, redacts: str
) -> None:
    await DatePolls(services.db).withdraw(redacts, sender)
