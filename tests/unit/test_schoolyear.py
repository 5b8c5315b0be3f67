"""School and public holidays (holidays package data) and series "ohne Ferien"."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from icalendar import Calendar

from commands.context import JobContext
from commands.meetings.calendar import network_calendar
from commands.meetings.holidays import (
    blocked,
    school_breaks,
    school_data_until,
    split_holiday_words,
)
from commands.meetings.occurrences import between, upcoming
from commands.meetings.planning import parse_ref, reminder_ref
from commands.meetings.reminders import send_reminder
from storage.jobs import Job
from storage.meetings import Meetings
from tests.unit.test_meetings_commands import BERLIN, MEMBER, MOD, ROOM, Env, env  # noqa: F401

SUMMER_2027 = (date(2027, 7, 19), date(2027, 8, 31))  # NW, as published


def test_nw_summer_holidays_2027_and_data_range() -> None:
    breaks = school_breaks("NW", date(2027, 7, 1), date(2027, 9, 30))
    assert [(b.name, b.first, b.last) for b in breaks] == [
        ("Sommerferien", SUMMER_2027[0], SUMMER_2027[1])
    ]
    # Christmas holidays span the turn of the year as one stretch
    winter = school_breaks("NW", date(2026, 12, 20), date(2027, 1, 10))
    assert len(winter) == 1 and winter[0].first.year == 2026 and winter[0].last.year == 2027
    until = school_data_until("NW")
    assert until is not None and until >= date(2029, 8, 1)
    assert blocked("NW", date(2027, 5, 27)) == "Fronleichnam"
    assert blocked("NW", date(2027, 9, 6)) is None
    assert blocked("NW", date(2027, 7, 26), "en") == "Summer Break"


def test_holiday_words_are_taken_out_of_the_spec() -> None:
    assert split_holiday_words("Montag 16:00 Steuerung wöchentlich ohne Ferien") == (
        "Montag 16:00 Steuerung wöchentlich",
        True,
    )
    assert split_holiday_words("Monday 16:00 Steering weekly WITHOUT holidays link=x") == (
        "Monday 16:00 Steering weekly link=x",
        True,
    )
    assert split_holiday_words("Di 16:00 Treffen wöchentlich mit Ferien")[1] is False
    assert split_holiday_words("Di 16:00 Ferienplanung wöchentlich") == (
        "Di 16:00 Ferienplanung wöchentlich",
        None,
    )


async def test_series_without_holidays_skips_summer_everywhere(env: Env) -> None:
    env.services.network.state = "NW"
    env.now = datetime(2027, 7, 1, 9, 0, tzinfo=BERLIN)
    env.network_rooms(lobby=ROOM)  # a network room's series: /calendar.ics lists it
    sent = await env.say(MOD, "!termin neu 05.07.2027 16:00 Steuerung wöchentlich ohne Ferien")
    text = sent[0].reply.text
    assert "Neuer Termin #1: Steuerung" in text
    assert "Sommerferien (19. Juli – 31. August 2027)" in text and "entfallen" in text
    meeting = await Meetings(env.db).get(1)
    assert meeting is not None and meeting.holiday_state == "NW"
    # !termine and everything else: no date inside the summer holidays
    dates = [o.start.date() for o in between(meeting, env.now, env.now + timedelta(days=90))]
    assert date(2027, 7, 12) in dates and date(2027, 9, 6) in dates
    assert not [d for d in dates if SUMMER_2027[0] <= d <= SUMMER_2027[1]]
    listing = await env.text(MEMBER, "!termine")
    assert "19.07.2027" not in listing
    details = await env.text(MEMBER, "!termin 1")
    assert "die nächsten ausgelassenen Termine: 19.07.2027, 26.07.2027" in details
    # reminders: none planned for a holiday date; a forged one is not posted
    env.now = datetime(2027, 7, 12, 17, 0, tzinfo=BERLIN)
    from commands.meetings.reminders import sync_meeting

    await sync_meeting(env.services, 1)
    refs = await env.refs()
    planned = {parse_ref(r)[1].date() for r in refs}
    assert date(2027, 9, 6) in planned, refs
    assert not [d for d in planned if SUMMER_2027[0] <= d <= SUMMER_2027[1]], refs
    forged = datetime(2027, 7, 26, 16, 0, tzinfo=BERLIN)
    before = len(env.chat.sent)
    ref = reminder_ref(1, forged, timedelta(days=1))
    job = Job(99, "meeting.reminder", ref, forged, None, {}, "pending")
    env.now = datetime(2027, 7, 25, 16, 0, 5, tzinfo=BERLIN)
    await send_reminder(JobContext(env.services, "de", "job:forged"), job)
    assert len(env.chat.sent) == before
    # the calendar: the summer dates are EXDATEs of the RRULE
    calendar = Calendar.from_ical(await network_calendar(env.services))
    event = next(c for c in calendar.walk("VEVENT"))
    exdates = event.get("exdate")
    lists = exdates if isinstance(exdates, list) else [exdates]
    skipped = {d.dt.date() for x in lists for d in x.dts}
    summer = {date(2027, 7, 19) + timedelta(weeks=k) for k in range(7)}
    assert summer <= skipped and date(2027, 9, 6) not in skipped
    assert "RRULE" in event


async def test_series_default_and_single_meeting_warning(env: Env) -> None:
    env.services.network.state = "NW"
    env.services.network.series_skip_holidays = True
    env.now = datetime(2027, 7, 1, 9, 0, tzinfo=BERLIN)
    await env.say(MOD, "!termin neu 05.07.2027 16:00 Reihe wöchentlich")
    await env.say(MOD, "!termin neu 05.07.2027 16:00 Reihe2 wöchentlich mit Ferien")
    first, second = (await Meetings(env.db).get(1)), (await Meetings(env.db).get(2))
    assert first is not None and first.holiday_state == "NW"
    assert second is not None and second.holiday_state is None
    nxt = upcoming(second, datetime(2027, 7, 13, tzinfo=BERLIN), 1)
    assert nxt[0].start.date() == date(2027, 7, 19)
    text = await env.text(MOD, "!termin neu 21.07.2027 10:00 Sommertreffen")
    assert "Sommerferien" in text and "trotzdem eingetragen" in text


async def test_without_state_explains_setup(env: Env) -> None:
    assert "[network] state" in await env.text(MEMBER, "!ferien")
    text = await env.text(MOD, "!termin neu 05.12.2026 16:00 Reihe wöchentlich ohne Ferien")
    assert "kein Bundesland" in text
    assert await Meetings(env.db).get(1) is None


async def test_ferien_lists_breaks_and_public_holidays(env: Env) -> None:
    env.services.network.state = "NW"
    env.now = datetime(2027, 6, 1, 9, 0, tzinfo=BERLIN)
    text = await env.text(MEMBER, "!ferien")
    assert "Nordrhein-Westfalen" in text
    assert "Sommerferien: 19. Juli – 31. August 2027" in text
    assert "Tag der Deutschen Einheit: Sonntag, 3. Oktober 2027" in text
    env.now = datetime(2029, 6, 1, 9, 0, tzinfo=BERLIN)
    assert "nur bis zum" in await env.text(MEMBER, "!ferien")
    english = await env.text(MEMBER, "!holidays")
    assert "Summer Break" in english or "Sommerferien" in english
