"""``!vernetzen``: regular introductions between opted-in members, and their check-in.

Every ``intro_every_weeks`` weeks (job ``intros.round``, which plans its successor) the
opted-in members are paired by ``pair_round`` (never twice; last round's leftovers
first). A Matrix direct chat is 1:1, so each pair or trio gets one new room with the
bot, both invited, and the introduction with the reasons. Two weeks later (job
``intros.checkin``) the bot asks in that room whether they met.

Privacy: reasons reveal profile details, so they are shown only when every member of
the group has a visible profile; otherwise the introduction stays general.
A round is stored before any room is created; a replay reuses it, and a group's room
is created only while its ``room_id`` is unset.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, time, timedelta
from itertools import combinations

from commands.context import Context, JobContext, Services
from commands.errors import UsageError, UserError
from commands.matching import (
    MatchIndex,
    ProfileNotFound,
    pair_round,
    render_reasons,
    top_partners,
    top_peers,
)
from commands.registry import Arg, Permission, Scope, command, job_handler, on_event
from commands.reply import Reply, ReplyBuilder, fill, join, mention
from commands.timeparse import format_date
from storage.core import UserSettings
from storage.jobs import Job, Jobs
from storage.profiles import Introductions, IntroGroup, Profiles

from .edit import save_profile
from .fields import parse_yes_no
from .index import profile_index

log = logging.getLogger(__name__)

ROUND_KIND = "intros.round"
CHECKIN_KIND = "intros.checkin"
CHECKIN_AFTER = timedelta(weeks=2)
ROUND_HOUR = time(10, 0)


def _t(services: Services, key: str, /, **params: object) -> str:
    return services.catalog.get(key, services.network.language, **params)


def next_round_at(services: Services, after: datetime) -> datetime:
    """``intro_every_weeks`` after ``after``, at 10:00 in the network's time zone."""
    day = (after + timedelta(weeks=services.network.intro_every_weeks)).astimezone(
        services.network.tz
    )
    return datetime.combine(day.date(), ROUND_HOUR, tzinfo=services.network.tz)


async def _schedule_round(services: Services, due: datetime) -> None:
    ref = due.date().isoformat()  # a new ref per round: a finished job is never re-armed
    await services.scheduler.schedule(ROUND_KIND, ref, due)


async def _pending_round(services: Services) -> Job | None:
    pending = [j for j in await Jobs(services.db).pending() if j.kind == ROUND_KIND]
    return pending[0] if pending else None


@on_event("startup")
async def ensure_round_job(services: Services) -> None:
    """Exactly one upcoming introduction round is always planned."""
    if await _pending_round(services) is None:
        await _schedule_round(services, next_round_at(services, services.now()))


def _pair_reasons(index: MatchIndex, a: str, b: str, services: Services) -> list[str]:
    """Why ``b`` fits ``a`` (partner, else peer), or nothing if not visible to the engine."""
    for finder in (top_partners, top_peers):
        try:
            matches = finder(index, a, max(index.size, 1))
        except ProfileNotFound:
            return []
        for match in matches:
            if match.user_id == b:
                return render_reasons(match, services.catalog, services.network.language)
    return []


def _introduction(
    services: Services, index: MatchIndex, group: IntroGroup, all_visible: bool
) -> Reply:
    names = list(group.members)
    who = join(
        _t(services, "profiles.and"),
        [join(", ", map(mention, names[:-1])), mention(names[-1])],
    )
    reply = ReplyBuilder().line(fill(_t(services, "profiles.intro_text", who="\x00"), "\x00", who))
    if all_visible:
        for a, b in combinations(names, 2):
            reasons = _pair_reasons(index, a, b, services)
            if reasons:
                reply.bullet(
                    _t(services, "profiles.intro_reasons", a=a, b=b, reasons=" · ".join(reasons))
                )
    reply.line(_t(services, "profiles.intro_outro", weeks=CHECKIN_AFTER.days // 7))
    return reply.build(notify=True, mentions=names)


async def run_round(services: Services, ref: str) -> list[IntroGroup]:
    """One introduction round (idempotent per ``ref``); returns its groups."""
    intros = Introductions(services.db)
    round_id = await intros.round_id(ref)
    index = await profile_index(services).get(services)
    if round_id is None:
        members = await Profiles(services.db).with_intros()
        if len(members) < 2:
            return []
        paired = pair_round(
            index, await intros.past_pairs(), await intros.last_leftovers(), members=members
        )
        round_id = await intros.create_round(ref, paired)
    groups = await intros.groups(round_id)
    profiles = {row.user_id: row for row in await Profiles(services.db).all()}
    for group in groups:
        if len(group.members) < 2:
            await _tell_leftover(services, group)
            continue
        room_id = group.room_id
        if room_id is None:
            room_id = await services.chat.create_room(
                _t(services, "profiles.intro_room_name", network=services.network.name),
                topic=_t(services, "profiles.intro_room_topic"),
                invite=list(group.members),
            )
            await intros.set_room(group.id, room_id)
        visible = all(m in profiles and profiles[m].visible for m in group.members)
        reply = _introduction(services, index, group, visible)
        await services.chat.send(room_id, reply, key=f"intros.intro:{group.id}")
    await services.scheduler.schedule(
        CHECKIN_KIND, str(round_id), services.now() + CHECKIN_AFTER, payload={"round": round_id}
    )
    return groups


async def _tell_leftover(services: Services, group: IntroGroup) -> None:
    user_id = group.members[0]
    lang = await UserSettings(services.db).language(user_id) or services.network.language
    room_id = await services.chat.direct_room(user_id)
    text = services.catalog.get("profiles.intro_leftover", lang)
    await services.chat.send(room_id, Reply(text), key=f"intros.leftover:{group.id}")


@job_handler(ROUND_KIND)
async def round_job(jctx: JobContext, job: Job) -> None:
    """The regular round; the next one is planned first, so a failure never ends the chain."""
    services = jctx.services
    await _schedule_round(services, next_round_at(services, job.due_at))
    groups = await run_round(services, f"job:{job.ref}")
    log.info("introduction round %s: %d groups", job.ref, len(groups))


@job_handler(CHECKIN_KIND)
async def checkin_job(jctx: JobContext, job: Job) -> None:
    """Ask every group of a round whether they met."""
    services = jctx.services
    round_id = int(job.payload.get("round") or job.ref)
    text = jctx.t("profiles.checkin_text")
    for group in await Introductions(services.db).groups(round_id):
        if group.room_id is None or len(group.members) < 2:
            continue
        reply = Reply(text, notify=True, mentions=list(group.members))
        await services.chat.send(group.room_id, reply, key=f"{jctx.key}:{group.id}")


# --- commands ----------------------------------------------------------------------


def _when(ctx: Context, at: datetime) -> str:
    return format_date(at, ctx.lang, tz=ctx.services.network.tz)


@command(
    "vernetzen",
    aliases=("intros",),
    group="profil",
    scope=Scope.PERSONAL,
    summary="profiles.intros_summary",
    usage="[ja|nein]",
    usage_en="[yes|no]",
    examples=("!vernetzen ja", "!vernetzen nein", "!intros yes"),
    args=(Arg("choice", optional=True),),
)
async def intros_command(ctx: Context, choice: str | None) -> None:
    row = await Profiles(ctx.db).get_or_empty(ctx.sender)
    if choice is None:
        job = await _pending_round(ctx.services)
        key = "profiles.intros_status_on" if row.intros else "profiles.intros_status_off"
        text = ctx.t(key)
        if job is not None:
            text += "\n" + ctx.t("profiles.intros_next", date=_when(ctx, job.due_at))
        await ctx.reply(text)
        return
    wanted = parse_yes_no(choice)
    if wanted is None:
        raise UsageError("profiles.yes_or_no", value=choice[:40])
    await save_profile(ctx.services, replace(row, intros=wanted))
    await ctx.reply(ctx.t("profiles.intros_on" if wanted else "profiles.intros_off"))


@command(
    "vernetzen runde",
    aliases=("intros round",),
    group="profil",
    scope=Scope.NETWORK,
    summary="profiles.round_summary",
    examples=("!vernetzen runde",),
    permission=Permission.COORDINATOR,
)
async def round_command(ctx: Context) -> None:
    groups = await run_round(ctx.services, f"cmd:{ctx.event_id}")
    if not groups:
        raise UserError("profiles.round_too_few")
    introduced = [g for g in groups if len(g.members) > 1]
    alone = sum(1 for g in groups if len(g.members) == 1)
    await ctx.reply(
        ctx.t(
            "profiles.round_done",
            groups=len(introduced),
            people=sum(len(g.members) for g in introduced),
            alone=alone,
        )
    )


@command(
    "vernetzen getroffen",
    aliases=("intros met",),
    group="profil",
    scope=Scope.ROOM,
    summary="profiles.met_summary",
    usage="ja|nein",
    usage_en="yes|no",
    examples=("!vernetzen getroffen ja", "!intros met no"),
    args=(Arg("answer"),),
)
async def met_command(ctx: Context, answer: str) -> None:
    met = parse_yes_no(answer)
    if met is None:
        raise UsageError("profiles.yes_or_no", value=answer[:40])
    intros = Introductions(ctx.db)
    group = await intros.group_in_room(ctx.sender, ctx.room_id)
    if group is None:
        raise UserError("profiles.met_no_group")
    await intros.set_met(group.id, ctx.sender, met)
    await ctx.reply(ctx.t("profiles.met_yes" if met else "profiles.met_no"))
