"""!ferien (holidays): the next school holidays and public holidays of the network's state."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from commands.context import Context, Services
from commands.errors import UserError
from commands.meetings.holidays import (
    blocked,
    data_version,
    date_words,
    holiday_exdates,
    long_date,
    public_holidays,
    school_breaks,
    school_data_until,
    skip_report,
    span,
    state_name,
    weekday_date,
)
from commands.meetings.occurrences import upcoming
from commands.registry import Scope, command, on_event
from commands.reply import ReplyBuilder
from storage.meetings import Meeting, Meetings


def _bullets(lines: ReplyBuilder, items: list[str]) -> None:
    for item in items:
        lines.bullet(item)


@command(
    "ferien",
    aliases=("holidays",),
    group="termine",
    scope=Scope.NETWORK,
    summary="holidays.summary",
    examples=("!ferien",),
)
async def holidays_command(ctx: Context) -> None:
    state = ctx.services.network.state
    if not state:
        raise UserError("holidays.no_state")
    today = ctx.services.now().astimezone(ctx.services.network.tz).date()
    until = today + timedelta(days=366)
    lines = ReplyBuilder(compact=True)
    lines.heading(ctx.t("holidays.title", state=state_name(state)))
    breaks = school_breaks(state, today, until, ctx.lang)[:6]
    lines.line(ctx.t("holidays.school_heading"))
    if breaks:
        _bullets(lines, [f"{b.name}: {span(b.first, b.last, ctx.lang)}" for b in breaks])
    data_until = school_data_until(state)
    if data_until is None or data_until < until:
        lines.line(
            ctx.t(
                "holidays.school_data_missing",
                until=long_date(data_until, ctx.lang) if data_until else "—",
                version=data_version(),
            )
        )
    public = public_holidays(state, today, until, ctx.lang)[:10]
    lines.line(ctx.t("holidays.public_heading"))
    _bullets(lines, [f"{name}: {weekday_date(d, ctx.lang)}" for d, name in public])
    lines.line(ctx.t("holidays.series_hint"))
    await ctx.reply(lines.build())


# --- !termin neu … ohne Ferien ------------------------------------------------------------


def series_state(ctx: Context, skip: bool | None, is_series: bool) -> str | None:
    """The state whose holidays a new meeting skips: "ohne Ferien", or the network's
    default for series ("mit Ferien" turns it off); None for single meetings."""
    network = ctx.services.network
    if skip and not network.state:
        raise UserError("holidays.no_state")
    if not is_series:
        return None
    wanted = network.series_skip_holidays if skip is None else skip
    return network.state if wanted else None


async def apply(
    ctx: Context, meeting: Meeting, state: str | None, now: datetime
) -> tuple[Meeting, ReplyBuilder]:
    """Store the holiday rule of a new meeting; the lines to add to its announcement:
    how many dates a series leaves out and why, or a warning for a single meeting."""
    lines = ReplyBuilder(compact=True)
    if state is not None:
        await Meetings(ctx.db).set_holiday_state(meeting.id, state)
        updated = await Meetings(ctx.db).get(meeting.id)
        assert updated is not None
        meeting = updated
        report = skip_report(meeting, now, ctx.lang)
        if report.count:
            lines.line(
                ctx.t(
                    "holidays.series_skipped",
                    count=report.count,
                    until=long_date(report.until, ctx.lang),
                    reasons="; ".join(report.reasons),
                )
            )
        else:
            lines.line(
                ctx.t("holidays.series_none_skipped", until=long_date(report.until, ctx.lang))
            )
        first = upcoming(meeting, now, 1)
        if first and first[0].start != meeting.start:
            lines.line(ctx.t("holidays.series_first", when=date_words(first[0].start, ctx.lang)))
        data_until = school_data_until(state)
        if data_until is None or data_until < report.until:
            lines.line(
                ctx.t(
                    "holidays.series_data_missing",
                    until=long_date(data_until, ctx.lang) if data_until else "—",
                )
            )
    elif not meeting.is_series and ctx.services.network.state:
        reason = blocked(ctx.services.network.state, meeting.start.date(), ctx.lang)
        if reason:
            lines.line(ctx.t("holidays.single_warning", holiday=reason))
    return meeting, lines


def holiday_details(lines: ReplyBuilder, ctx: Context, meeting: Meeting, now: datetime) -> None:
    """``!termin <id>`` of a series "ohne Ferien": which next dates it leaves out."""
    if not meeting.holiday_state or not meeting.is_series:
        return
    skipped = [d for d in holiday_exdates(meeting) if d > now][:5]
    dates = ", ".join(f"{d:%d.%m.%Y}" for d in skipped) or "—"
    lines.line(ctx.t("holidays.details_line", state=state_name(meeting.holiday_state), dates=dates))


@on_event("startup")
async def warm_holiday_data(services: Services) -> None:
    """Load the state's holiday data (≈ 0.25 s) off the event loop, before the first use."""
    state = services.network.state
    if not state:
        return
    await asyncio.to_thread(school_data_until, state)
    for meeting in await Meetings(services.db).active():
        if meeting.holiday_state:
            await asyncio.to_thread(holiday_exdates, meeting)
