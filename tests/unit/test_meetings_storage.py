"""The meetings repository: create, replay, exceptions, RSVPs, notes, reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from storage import Database
from storage.meetings import Meetings, NewMeeting

BERLIN = ZoneInfo("Europe/Berlin")


async def test_repository_round_trip(tmp_path: Path) -> None:
    db = Database(tmp_path / "k.db")
    await db.open()
    try:
        repo = Meetings(db)
        start = datetime(2026, 12, 3, 16, 0, tzinfo=BERLIN)
        new = NewMeeting(
            "!r:x", "Austausch", start, timedelta(minutes=90), "FREQ=WEEKLY", None, "@a:x", "$src"
        )
        meeting, created = await repo.create(new)
        assert created and meeting.start == start and meeting.tz_name == "Europe/Berlin"
        again, created_again = await repo.create(new)
        assert not created_again and again.id == meeting.id and await repo.count() == 1
        row = await db.fetchone("SELECT start_utc, start_local FROM meetings")
        assert row is not None and tuple(row) == (
            "2026-12-03T15:00:00+00:00",
            "2026-12-03T16:00:00",
        )

        await repo.cancel_occurrence(meeting.id, datetime(2026, 12, 10, 15, 0, tzinfo=UTC))
        await repo.move_occurrence(
            meeting.id,
            datetime(2026, 12, 17, 15, 0, tzinfo=UTC),
            datetime(2026, 12, 18, 10, 0, tzinfo=BERLIN),
        )
        loaded = await repo.get(meeting.id)
        assert loaded is not None and loaded.sequence == 2
        assert [(c.cancelled, c.new_start_utc is not None) for c in loaded.changes] == [
            (True, False),
            (False, True),
        ]

        await repo.rsvp(meeting.id, "@b:x", True, reaction_event_id="$r")
        await repo.rsvp(meeting.id, "@b:x", False)
        assert [(r.user_id, r.going) for r in await repo.rsvps(meeting.id)] == [("@b:x", False)]
        assert (
            await repo.withdraw_reaction("$r", "@b:x") is None
        )  # the answer came by command since
        await repo.rsvp(meeting.id, "@c:x", True, reaction_event_id="$r2")
        assert await repo.withdraw_reaction("$r2", "@someone:x") is None
        assert await repo.withdraw_reaction("$r2", "@c:x") == meeting.id

        await repo.add_note(meeting.id, "k", "note", "Text", "@b:x", source_event_id="$n")
        await repo.add_note(meeting.id, "k", "note", "Text", "@b:x", source_event_id="$n")
        assert len(await repo.notes(meeting.id, "k")) == 1

        await repo.set_announcement(meeting.id, "$ann")
        when = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
        await repo.record_reminder(meeting.id, when, 3600, "$rem")
        for event_id in ("$ann", "$rem"):
            found = await repo.by_message(event_id)
            assert found is not None and found.id == meeting.id
        assert await repo.reminders_sent(meeting.id, when) == [3600]

        await repo.cancel(meeting.id)
        assert await repo.active() == []
    finally:
        await db.close()
