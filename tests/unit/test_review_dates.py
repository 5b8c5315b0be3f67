"""Date maths of !kooperation prüfung: intervals mean what they say, dates stay on the day
given, reviews fall on working days (and say when they moved), a new plan names the old."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

import pytest

from commands.cooperation.schedule import next_review, plan_review, reminder_due
from commands.timeparse import parse_interval_or_date
from storage.cooperations import Review

# the same Env and fixture as the other cooperation command tests
from tests.unit.test_cooperation_commands import BERLIN, NOW, Env, env  # noqa: F401


def review_of(text: str, now: datetime = NOW) -> Review:
    schedule = parse_interval_or_date(text, now, BERLIN)
    return Review(schedule.first, schedule.rrule, "Europe/Berlin", "$s")


@pytest.mark.parametrize(
    ("text", "months"),
    [("alle 3 Monate", 3), ("vierteljährlich", 3), ("halbjährlich", 6), ("monatlich", 1)],
)
def test_an_interval_is_that_many_months(text: str, months: int) -> None:
    review = review_of(text)
    raw = review.first
    assert (raw.year - NOW.year) * 12 + raw.month - NOW.month == months
    first = next_review(review, NOW)
    assert first is not None and first - raw < timedelta(days=3)  # at most a weekend later


def test_reviews_of_a_series_fall_on_working_days_and_keep_the_rhythm() -> None:
    review = review_of("monatlich")
    after = NOW
    seen = []
    for _ in range(36):
        meeting = next_review(review, after)
        assert meeting is not None
        assert meeting.weekday() < 5, meeting
        assert meeting.hour == 10
        seen.append(meeting)
        after = meeting
    assert len({(m.year, m.month) for m in seen}) == 36  # one a month, none skipped or doubled
    assert any(m.day != 20 for m in seen)  # some did move off a weekend


def test_a_weekend_date_is_still_ahead_on_sunday() -> None:
    review = Review(datetime(2027, 2, 20, 10, 0, tzinfo=BERLIN), None, "Europe/Berlin", "$s")
    sunday = datetime(2027, 2, 21, 12, 0, tzinfo=BERLIN)
    assert next_review(review, sunday) == datetime(2027, 2, 22, 10, 0, tzinfo=BERLIN)


def test_a_date_less_than_an_hour_ahead_stays_as_given() -> None:
    saturday = datetime(2027, 2, 20, 10, 0, tzinfo=BERLIN)
    review = Review(saturday, None, "Europe/Berlin", "$s")
    assert next_review(review, saturday - timedelta(minutes=30)) == saturday
    assert next_review(review, saturday - timedelta(hours=2)) == saturday + timedelta(days=2)


def test_the_reminder_comes_on_the_working_day_before() -> None:
    monday = datetime(2027, 2, 15, 10, 0, tzinfo=BERLIN)
    assert reminder_due(monday, None, NOW) == datetime(2027, 2, 12, 10, 0, tzinfo=BERLIN)
    job = plan_review(1, Review(monday, None, "Europe/Berlin", "$s"), NOW, NOW)
    assert job is not None and job.payload["at"] == "2027-02-15T09:00:00+00:00"


async def test_a_date_stays_on_the_day_given(env: Env) -> None:
    await env.say("!kooperation neu Singpause")
    reply = await env.say("!kooperation prüfung 15.02.2027")
    assert "Qualitätsprüfung geplant: Mo., 15.02.2027, 10:00 Uhr." in reply
    assert "Am Arbeitstag davor (Fr., 12.02.2027, 10:00 Uhr)" in reply
    assert "14.02." not in reply and "kein Arbeitstag" not in reply


async def test_a_weekend_date_moves_to_the_next_working_day_and_says_so(env: Env) -> None:
    await env.say("!kooperation neu Singpause")
    reply = await env.say("!kooperation prüfung 20.02.2027 14:00")
    assert "Qualitätsprüfung geplant: Mo., 22.02.2027, 14:00 Uhr." in reply
    assert "Der Sa., 20.02.2027 ist kein Arbeitstag" in reply
    [job] = await env.jobs("coop.review")
    assert job.payload["at"] == "2027-02-22T13:00:00+00:00"


async def test_a_new_plan_says_what_it_replaced(env: Env) -> None:
    await env.say("!kooperation neu Singpause")
    first = await env.say("!kooperation prüfung alle 3 Monate")
    assert "ersetzt" not in first
    second = await env.say("!kooperation prüfung 15.03.2027")
    assert (
        "Das ersetzt den bisherigen Plan (alle 3 Monate, nächste Prüfung wäre am "
        "Mo., 22.02.2027, 10:00 Uhr gewesen)." in second
    )
    english = await env.say("!coop review every 2 months")
    assert "This replaces the previous plan (once, the next review would have been on" in english
    assert "Mon, 15 Mar 2027, 10:00" in english and "15.03.2027" not in english


@pytest.mark.parametrize(
    ("today", "text", "first"),
    [
        # RFC 5545 would skip a February without the 29th and land six months later
        (
            datetime(2026, 11, 29, 9, 0, tzinfo=BERLIN),
            "alle 3 Monate",
            datetime(2027, 2, 28, 10, 0),
        ),
        (
            datetime(2026, 8, 31, 9, 0, tzinfo=BERLIN),
            "alle 3 Monate",
            datetime(2026, 11, 30, 10, 0),
        ),
        (datetime(2027, 1, 31, 9, 0, tzinfo=BERLIN), "monatlich", datetime(2027, 2, 28, 10, 0)),
        (datetime(2028, 2, 29, 9, 0, tzinfo=BERLIN), "jährlich", datetime(2029, 2, 28, 10, 0)),
    ],
)
def test_months_at_the_end_of_a_month_are_still_that_many_months(
    today: datetime, text: str, first: datetime
) -> None:
    review = review_of(text, today)
    assert review.first == first.replace(tzinfo=BERLIN)
    after, seen = today, []
    for _ in range(8):
        meeting = next_review(review, after)
        assert meeting is not None
        seen.append(meeting)
        after = meeting
    step = 12 if text == "jährlich" else (3 if "3" in text else 1)
    # consecutive reviews are one step of months apart, give or take a weekend move
    gaps = [(b - a).days for a, b in pairwise(seen)]
    assert all(28 * step - 3 <= gap <= 31 * step + 3 for gap in gaps), gaps
    assert all(m.weekday() < 5 for m in seen)
