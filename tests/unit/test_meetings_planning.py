"""Reminder planning: which jobs for which meetings, DST-correct and without gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from commands.meetings.digest import next_digest
from commands.meetings.occurrences import between, find_on, parse_day, previous, upcoming
from commands.meetings.planning import (
    due_at,
    parse_ref,
    plan,
    reminder_ref,
    still_wanted,
    superseded,
)
from storage.meetings import Meeting, OccurrenceChange

BERLIN = ZoneInfo("Europe/Berlin")
OFFSETS = (timedelta(days=7), timedelta(days=1), timedelta(hours=1))


def meeting(
    start: datetime,
    rrule: str | None = None,
    changes: tuple[OccurrenceChange, ...] = (),
    cancelled: bool = False,
) -> Meeting:
    return Meeting(
        id=7,
        room_id="!r:x",
        title="Austausch",
        start_utc=start.astimezone(UTC),
        tz_name="Europe/Berlin",
        duration=timedelta(minutes=90),
        rrule=rrule,
        link=None,
        created_by="@a:x",
        created_at=start,
        source_event_id=None,
        announcement_event_id=None,
        cancelled=cancelled,
        sequence=0,
        changes=changes,
    )


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def test_single_meeting_skips_offsets_already_past() -> None:
    m = meeting(at(2026, 12, 3, 16, 0))
    planned = plan(m, OFFSETS, at(2026, 11, 30, 9, 0))
    assert [p.offset for p in planned] == [timedelta(days=1), timedelta(hours=1)]
    assert planned[0].due == at(2026, 12, 2, 16, 0)
    assert planned[0].ref == "7:2026-12-03T15:00:00+00:00:86400"
    assert plan(m, OFFSETS, at(2026, 12, 3, 16, 0)) == []


def test_weekly_series_across_dst_keeps_wall_time_and_plans_a_prefix() -> None:
    # Clocks go forward on 29.03.2026: 16:00 is 15:00 UTC before, 14:00 UTC after.
    m = meeting(at(2026, 3, 19, 16, 0), "FREQ=WEEKLY")
    planned = plan(m, OFFSETS, at(2026, 3, 20, 9, 0))
    refs = [p.ref for p in planned]
    assert refs == [
        "7:2026-03-26T15:00:00+00:00:86400",  # 1d before 26.03. (CET)
        "7:2026-03-26T15:00:00+00:00:3600",  # 1h before: 14:00 UTC
        "7:2026-04-02T14:00:00+00:00:604800",  # 7d before 02.04.: due as 26.03. starts
    ]
    assert planned[0].due == at(2026, 3, 25, 16, 0)
    assert planned[1].due == datetime(2026, 3, 26, 14, 0, tzinfo=UTC)
    # whole days count in wall time: 7 days before 02.04. 16:00 CEST is 26.03. 16:00 CET
    assert due_at(at(2026, 4, 2, 16, 0), timedelta(days=7)) == at(2026, 3, 26, 16, 0)
    assert all(p.occurrence.astimezone(BERLIN).hour == 16 for p in planned)


def test_cancelled_and_moved_occurrences() -> None:
    first = at(2026, 3, 5, 16, 0)
    cancelled = OccurrenceChange(at(2026, 3, 12, 16, 0).astimezone(UTC), True)
    moved = OccurrenceChange(
        at(2026, 3, 19, 16, 0).astimezone(UTC), False, at(2026, 3, 20, 10, 0).astimezone(UTC)
    )
    m = meeting(first, "FREQ=WEEKLY", (cancelled, moved))
    starts = [o.start for o in upcoming(m, at(2026, 3, 6, 0, 0), 3)]
    assert starts == [at(2026, 3, 20, 10, 0), at(2026, 3, 26, 16, 0), at(2026, 4, 2, 16, 0)]
    assert upcoming(m, at(2026, 3, 6, 0, 0), 1)[0].original == at(2026, 3, 19, 16, 0)
    assert not still_wanted(m, OFFSETS, at(2026, 3, 12, 16, 0), 3600)
    assert not still_wanted(m, OFFSETS, at(2026, 3, 19, 16, 0), 3600)
    assert still_wanted(m, OFFSETS, at(2026, 3, 20, 10, 0), 3600)
    assert not still_wanted(m, OFFSETS, at(2026, 3, 20, 10, 0), 120)  # offset not configured
    last = previous(m, at(2026, 3, 21, 0, 0))
    assert last is not None and last.start == at(2026, 3, 20, 10, 0)
    assert find_on(m, (12, 3, 2026), at(2026, 3, 1, 0, 0), future=True) is None
    found = find_on(m, (19, 3, None), at(2026, 3, 1, 0, 0), future=True)
    assert found is not None and found.start == at(2026, 3, 20, 10, 0)
    assert plan(meeting(first, "FREQ=WEEKLY", cancelled=True), OFFSETS, first) == []


def test_late_reminder_is_superseded_by_a_closer_one() -> None:
    start = at(2026, 5, 4, 16, 0)
    now = at(2026, 5, 3, 17, 0)  # after the 1d reminder was due, before the 1h one
    assert superseded(OFFSETS, start, timedelta(days=7), now)
    assert not superseded(OFFSETS, start, timedelta(days=1), now)


def test_refs_round_trip_and_days_parse() -> None:
    ref = reminder_ref(12, at(2026, 12, 3, 16, 0), timedelta(hours=1))
    assert parse_ref(ref) == (12, datetime(2026, 12, 3, 15, 0, tzinfo=UTC), 3600)
    assert parse_day("03.12.") == (3, 12, None)
    assert parse_day("3.12.26") == (3, 12, 2026)
    assert parse_day("2026-12-03") == (3, 12, 2026)
    assert parse_day("morgen") is None


def test_next_digest_slot() -> None:
    monday_8 = next_digest(at(2026, 3, 25, 12, 0), 0, "08:00", BERLIN)
    assert monday_8 == at(2026, 3, 30, 8, 0)  # first Monday after DST change, local 08:00
    assert next_digest(monday_8, 0, "08:00", BERLIN) == at(2026, 4, 6, 8, 0)
    assert next_digest(at(2026, 3, 30, 7, 59), 0, "08:00", BERLIN) == monday_8


RULES = ["FREQ=DAILY", "FREQ=WEEKLY", "FREQ=DAILY;INTERVAL=5", "FREQ=MONTHLY;BYDAY=1TU", None]


@settings(max_examples=15, deadline=None)
@given(
    rule=st.sampled_from(RULES),
    offsets=st.sets(st.sampled_from([7 * 24, 5 * 24, 24, 3, 1]), min_size=1, max_size=3),
    created_hours=st.integers(min_value=0, max_value=24 * 30),
)
def test_replanning_at_each_firing_posts_every_reminder_exactly_once(
    rule: str | None, offsets: set[int], created_hours: int
) -> None:
    """Simulate the bot: plan, fire the earliest job, plan again; compare with all
    reminders that should exist (brute force) over eight weeks."""
    offs = tuple(timedelta(hours=h) for h in sorted(offsets, reverse=True))
    first = at(2026, 3, 3, 16, 0)  # a first Tuesday
    m = meeting(first, rule)
    created = first - timedelta(days=31) + timedelta(hours=created_hours)
    end = created + timedelta(weeks=8)
    expected = {
        reminder_ref(m.id, o.start, off)
        for o in between(m, created, end + max(offs) + timedelta(days=1))
        for off in offs
        if created < due_at(o.start, off) <= end
    }
    pending = {p.ref: p.due for p in plan(m, offs, created)}
    fired: list[str] = []
    while pending:
        ref = min(pending, key=lambda r: (pending[r], r))
        now = pending.pop(ref)
        if now > end:
            break
        fired.append(ref)
        for p in plan(m, offs, now):
            if p.ref not in fired:
                pending.setdefault(p.ref, p.due)
    assert len(fired) == len(set(fired))
    assert set(fired) == expected
