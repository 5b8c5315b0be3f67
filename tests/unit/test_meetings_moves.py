"""Series moves keep notes and materials; a meeting announces only reminders that can come."""

from __future__ import annotations

from datetime import datetime

# the same Env and fixture as the other meeting command tests
from tests.unit.test_meetings_commands import BERLIN, MEMBER, MOD, Env, env  # noqa: F401


async def test_a_moved_series_keeps_its_notes_and_materials(env: Env) -> None:
    await env.say(MOD, "!termin neu 03.12.2026 16:00 Austausch wöchentlich")
    env.now = datetime(2026, 12, 3, 18, 0, tzinfo=BERLIN)  # after the first meeting
    await env.say(MEMBER, "!protokoll 1 Beschluss: Fachtag im Mai")
    await env.say(MEMBER, "!material 1 10.12. https://x.example/agenda.pdf Tagesordnung")
    before = await env.text(MOD, "!termin 1")
    assert "Beschluss: Fachtag im Mai" in before and "Tagesordnung" in before

    moved = await env.text(MOD, "!termin verschieben 1 11.12.2026 17:00 serie")
    assert (
        "Terminreihe" in moved and "2 Protokolleinträge und Materialien bleiben erhalten" in moved
    )

    after = await env.text(MOD, "!termin 1")
    assert "Fr., 11.12.2026, 17:00 Uhr" in after
    assert "Beschluss: Fachtag im Mai" in after, after  # the last meeting's notes
    assert "Tagesordnung" in after, after  # the next meeting's material moved with it
    # and the next one after that still finds the last state for its reminder
    notes = await env.db.fetchall("SELECT occurrence FROM meeting_notes ORDER BY id")
    assert [r["occurrence"] for r in notes] == [
        "2026-12-03T15:00:00+00:00",
        "2026-12-11T16:00:00+00:00",
    ]


async def test_a_meeting_tomorrow_announces_only_reminders_that_can_come(env: Env) -> None:
    # now: Fri 20.11.2026 09:00; offsets 7 days, 1 day, 1 hour
    text = await env.text(MOD, "!termin neu 21.11.2026 16:00 Fachtag")
    assert "Erinnerungen: 1 Tag, 1 Std. vorher" in text, text
    assert "7 Tage" not in text and "entfallen" not in text
    soon = await env.text(MOD, "!termin neu 20.11.2026 09:30 Kurz")
    assert "Erinnerungen" not in soon and "entfallen" not in soon
    later = await env.text(MOD, "!termin neu 10.12.2026 16:00 Später")
    assert "7 Tage, 1 Tag, 1 Std. vorher" in later
