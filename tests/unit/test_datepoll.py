"""!terminfindung: poll content, votes (last counts, redaction, after the end), the end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.matrix import poll_response
from commands.context import JobContext
from commands.errors import CommandError
from commands.meetings.datepoll import (
    POLL_END,
    POLL_START,
    close_by_deadline,
    finish_interrupted_polls,
    parse_poll_spec,
    record_vote,
    withdraw_vote,
)
from storage import Database
from storage.jobs import Jobs
from storage.meetings import Meetings
from storage.polls import DatePolls
from tests.unit.test_meetings_commands import BERLIN, MEMBER, MOD, ROOM, Env

NOW = datetime(2027, 6, 1, 9, 0, tzinfo=BERLIN)
SPEC = "!terminfindung Netzwerktreffen: 22.07.2027 16:00; 14.07.2027 16:00; 15.09.2027 10:00"


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    db = Database(tmp_path / "k.db")
    await db.open()
    try:
        environment = Env(db)
        environment.services.network.state = "NW"
        environment.now = NOW
        yield environment
    finally:
        await db.close()


async def vote(env: Env, sender: str, answers: list[str], event_id: str, ts: int) -> None:
    start = env.chat.raw[0].event_id
    await record_vote(
        env.services,
        room_id=ROOM,
        event_id=event_id,
        sender=sender,
        poll_event_id=start,
        answers=tuple(answers),
        timestamp_ms=ts,
    )


def test_spec_parsing() -> None:
    spec = parse_poll_spec(
        "Fachtag 3h: 10.12.2027 9:00; 08.12.2027 9:00 bis 01.12.2027 12:00", NOW, BERLIN
    )
    assert spec.title == "Fachtag" and spec.duration.total_seconds() == 3 * 3600
    assert [s.day for s in spec.starts] == [8, 10]
    assert spec.deadline == datetime(2027, 12, 1, 12, 0, tzinfo=BERLIN)
    with pytest.raises(CommandError):
        parse_poll_spec("Treffen: 10.12.2027 9:00", NOW, BERLIN)
    with pytest.raises(CommandError):
        parse_poll_spec("ohne Doppelpunkt 10.12.2027 9:00", NOW, BERLIN)
    with pytest.raises(CommandError):
        parse_poll_spec("X: 10.12.2027 9:00; 11.12.2027 9:00 bis 12.12.2027 9:00", NOW, BERLIN)


def test_malformed_poll_responses_are_ignored() -> None:
    good = {
        "m.relates_to": {"rel_type": "m.reference", "event_id": "$poll"},
        "org.matrix.msc3381.poll.response": {"answers": ["date-1", 7, "date-1", None]},
    }
    parsed = poll_response("!r", "$e", "@a:x", 5, "org.matrix.msc3381.poll.response", good)
    assert parsed is not None and parsed.answers == ("date-1",) and parsed.poll_event_id == "$poll"
    bad_contents: list[Any] = [
        None,
        [],
        {"org.matrix.msc3381.poll.response": {"answers": ["a"]}},
        {"m.relates_to": "x", "org.matrix.msc3381.poll.response": {"answers": ["a"]}},
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$p"}},
        {
            "m.relates_to": {"rel_type": "m.reference", "event_id": 5},
            "org.matrix.msc3381.poll.response": {"answers": ["a"]},
        },
        {
            "m.relates_to": {"rel_type": "m.reference", "event_id": "$p"},
            "org.matrix.msc3381.poll.response": {"answers": "a"},
        },
        {"m.relates_to": {"rel_type": "m.reference", "event_id": "$p"}},
    ]
    for content in bad_contents:
        assert (
            poll_response("!r", "$e", "@a", 1, "org.matrix.msc3381.poll.response", content) is None
        )
    assert poll_response("!r", "$e", "@a", 1, "m.room.message", good) is None


async def test_poll_start_content_as_element_renders_it(env: Env) -> None:
    sent = await env.say(MOD, SPEC)
    assert (
        "Terminfindung #1" in sent[-1].reply.text and "!terminfindung ende 1" in sent[-1].reply.text
    )
    room, event_type, content, _ = env.chat.raw[0]
    assert room == ROOM and event_type == POLL_START
    poll = content[POLL_START]
    assert poll["kind"] == "org.matrix.msc3381.poll.disclosed" and poll["max_selections"] == 3
    assert "Netzwerktreffen" in poll["question"]["org.matrix.msc1767.text"]
    texts = [a["org.matrix.msc1767.text"] for a in poll["answers"]]
    assert texts[0].startswith("Mittwoch, 14. Juli 2027, 16:00 Uhr")  # sorted by date
    assert "Sommerferien" in texts[1] and "Sommerferien" not in texts[0]
    assert len({a["id"] for a in poll["answers"]}) == 3
    assert content["org.matrix.msc1767.text"].splitlines()[1].startswith("1. Mittwoch")
    # members may not start one
    assert "Moderation" in await env.text(MEMBER, SPEC.replace("Netzwerk", "Andere"))


async def test_votes_change_withdraw_and_end_schedules_the_winner(env: Env) -> None:
    await env.say(MOD, SPEC)
    a, b, c = "@a:localhost", "@b:localhost", "@c:localhost"
    await vote(env, a, ["date-1"], "$a1", 100)
    await vote(env, b, ["date-1", "date-3"], "$b1", 101)
    await vote(env, c, ["date-3"], "$c1", 102)
    await vote(env, a, ["date-3", "bogus"], "$a2", 103)  # a changes the vote
    await vote(env, b, ["date-2"], "$b0", 50)  # older response arriving late: ignored
    await vote(env, MEMBER, ["date-2"], "$m1", 104)
    await withdraw_vote(env.services, room_id=ROOM, event_id="$x", sender=MEMBER, redacts="$m1")
    tally = await env.text(MEMBER, "!terminfindung 1")
    assert "Mittwoch, 15. September 2027, 10:00 Uhr: 3" in tally
    assert "Mittwoch, 14. Juli 2027, 16:00 Uhr: 1 – @b:localhost" in tally
    assert "Vorn liegt: Mittwoch, 15. September 2027" in tally
    assert "Moderation" in await env.text(MEMBER, "!terminfindung ende 1")  # members may not
    await env.say(MOD, "!terminfindung ende 1")
    end = [r for r in env.chat.raw if r.event_type == POLL_END]
    assert len(end) == 1
    start = env.chat.raw[0]
    assert start.event_type == POLL_START
    assert end[0].content["m.relates_to"] == {"rel_type": "m.reference", "event_id": start.event_id}
    assert (
        "15.09.2027" in end[0].content["org.matrix.msc1767.text"]
        or "15. September" in end[0].content["org.matrix.msc1767.text"]
    )
    meeting = await Meetings(env.db).get(1)
    assert meeting is not None and meeting.start == datetime(2027, 9, 15, 10, 0, tzinfo=BERLIN)
    going = {r.user_id for r in await Meetings(env.db).rsvps(1) if r.going}
    assert going == {a, b, c}
    assert await env.refs()  # reminders as usual
    # responses after the end are ignored; ending again changes nothing
    await vote(env, MEMBER, ["date-1"], "$late", 200)
    assert MEMBER not in {v.user_id for v in await DatePolls(env.db).votes(1)}
    assert "schon beendet" in await env.text(MOD, "!terminfindung ende 1")
    assert len([r for r in env.chat.raw if r.event_type == POLL_END]) == 1
    assert await Meetings(env.db).count() == 1


async def test_tie_goes_to_the_earliest_and_a_crash_is_finished_once(env: Env) -> None:
    await env.say(MOD, SPEC)
    await vote(env, "@a:localhost", ["date-3"], "$a", 1)
    await vote(env, "@b:localhost", ["date-2"], "$b", 2)
    repo = DatePolls(env.db)
    # the crash: "closing" stored, nothing sent yet
    assert await repo.begin_close(1, "date-2", 3, MOD)
    await finish_interrupted_polls(env.services)
    await finish_interrupted_polls(env.services)
    poll = await repo.get(1)
    assert poll is not None and poll.state == "closed" and poll.meeting_id == 1
    meeting = await Meetings(env.db).get(1)
    assert meeting is not None and meeting.start.day == 22  # the earlier of the tied dates
    assert await Meetings(env.db).count() == 1
    assert len([r for r in env.chat.raw if r.event_type == POLL_END]) == 1


async def test_deadline_closes_by_itself(env: Env) -> None:
    await env.say(MOD, SPEC + " bis 10.07.2027 12:00")
    jobs = [j for j in await Jobs(env.db).pending() if j.kind == "date_poll.close"]
    assert len(jobs) == 1 and jobs[0].due_at == datetime(2027, 7, 10, 12, 0, tzinfo=BERLIN)
    await vote(env, "@a:localhost", ["date-1"], "$a", 1)
    await close_by_deadline(JobContext(env.services, "de", "job:x"), jobs[0])
    poll = await DatePolls(env.db).get(1)
    assert poll is not None and poll.state == "closed" and poll.meeting_id is not None


async def test_help_shows_both_with_examples(env: Env) -> None:
    text = await env.text(MEMBER, "!hilfe terminfindung")
    assert "!terminfindung ende <nr>" in text and "!terminfindung Netzwerktreffen:" in text
    assert "!ferien" in await env.text(MEMBER, "!hilfe ferien")
    assert "ohne Ferien" in await env.text(MEMBER, "!hilfe termin neu")


async def test_a_poll_title_loses_control_and_bidi_characters(env: Env) -> None:
    """A stranger's title is shown to the room: no right-to-left override, no line break."""
    title = "Netz\u202ewerk\u200btreffen\nFake"
    await env.say(MOD, SPEC.replace("Netzwerktreffen", title))
    _room, _event_type, content, _ = env.chat.raw[0]
    question = content[POLL_START]["question"]["org.matrix.msc1767.text"]
    assert "\u202e" not in question and "\u200b" not in question and "\n" not in question
    assert "Netzwerktreffen" in question
    poll = await DatePolls(env.db).get(1)
    assert poll is not None and "\u202e" not in poll.title
