"""Meeting commands through the dispatcher's command path, with a fake Matrix.

Bad input and missing permissions must leave the database exactly as it was.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.dispatch import Dispatcher, FloodGuard
from bot.metrics import Metrics
from bot.scheduler import Scheduler
from commands.context import Context, JobContext, NetworkInfo, Services
from commands.i18n import Catalog
from commands.meetings.calendar import network_calendar
from commands.meetings.reminders import send_reminder, sync_all
from commands.meetings.rsvp import rsvp_by_reaction, withdraw_by_redaction
from commands.registry import Registry
from commands.reply import Attachment, Reply
from storage import Database
from storage.jobs import Jobs
from storage.meetings import Meetings

BERLIN = ZoneInfo("Europe/Berlin")
ROOM = "!room:localhost"
OTHER = "!other:localhost"
COORD = "@koord:localhost"
MOD = "@mod:localhost"
MEMBER = "@member:localhost"
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=BERLIN)


@dataclass
class Sent:
    room_id: str
    reply: Reply
    key: str | None
    event_id: str


@dataclass
class FakeChat:
    """The Chat protocol in memory; a key is sent once, like the real sent-log."""

    user_id: str = "@koopbot:localhost"
    sent: list[Sent] = field(default_factory=list)
    uploads: list[Attachment] = field(default_factory=list)
    levels: dict[tuple[str, str], int] = field(default_factory=dict)
    rooms: list[str] = field(default_factory=lambda: [ROOM, OTHER])
    joined: dict[str, list[str]] = field(
        default_factory=lambda: {
            ROOM: [MOD, MEMBER, COORD, "@b:localhost"],
            OTHER: [COORD, "@othermod:localhost", "@c:localhost"],
        }
    )

    async def send(self, room_id: str, reply: Reply, *, key: str | None = None, **_: Any) -> str:
        for item in self.sent:
            if key is not None and item.key == key:
                return item.event_id
        event_id = f"$e{len(self.sent) + 1}"
        self.sent.append(Sent(room_id, reply, key, event_id))
        return event_id

    async def upload(self, room_id: str, attachment: Attachment, **_: Any) -> str:
        self.uploads.append(attachment)
        return f"$u{len(self.uploads)}"

    async def power_level(self, room_id: str, user_id: str) -> int:
        return self.levels.get((room_id, user_id), 0)

    async def members(self, room_id: str) -> list[str]:
        return list(self.joined.get(room_id, []))

    def joined_rooms(self) -> list[str]:
        return list(self.rooms)

    def room_name(self, room_id: str) -> str:
        return room_id

    async def direct_room(self, user_id: str) -> str:
        return "!dm:localhost"

    async def create_room(self, name: str, **_: Any) -> str:
        return "!new:localhost"

    async def invite(self, room_id: str, user_id: str) -> None:
        return None


class Env:
    def __init__(self, db: Database) -> None:
        self.chat = FakeChat(levels={(ROOM, MOD): 50})
        self.db = db
        self.now = NOW
        self.registry = Registry.from_modules(["commands.help", "commands.meetings"])
        self.scheduler = Scheduler(Jobs(db), Metrics())
        self.services = Services(
            chat=self.chat,
            db=db,
            scheduler=self.scheduler,
            network=NetworkInfo(
                name="Netz",
                language="de",
                tz=BERLIN,
                coordinators=(COORD,),
                reminder_offsets=(timedelta(days=7), timedelta(days=1), timedelta(hours=1)),
            ),
            catalog=Catalog.load(),
            runtime=None,  # type: ignore[arg-type]
            registry=self.registry,
            clock=lambda: self.now,
        )
        self.scheduler.bind(self.services, self.registry)
        self.dispatcher = Dispatcher(
            self.services,
            self.registry,
            None,  # type: ignore[arg-type]
            Metrics(),
            FloodGuard(0, 0, 60),
        )
        self._n = 0

    async def say(self, sender: str, body: str, room: str = ROOM) -> list[Sent]:
        self._n += 1
        before = len(self.chat.sent)
        parsed = self.registry.parse(body)
        assert parsed is not None, body
        ctx = Context(self.services, sender, room, f"$cmd{self._n}", None, False, "de", body)
        await self.dispatcher.run_command(ctx, parsed)
        return self.chat.sent[before:]

    async def text(self, sender: str, body: str, room: str = ROOM) -> str:
        return "\n".join(s.reply.text for s in await self.say(sender, body, room))

    def network_rooms(self, **rooms: str) -> None:
        """Make rooms network rooms: ``lobby=ROOM`` (key = kind here)."""
        self.services.network.room_ids = {key: room for key, room in rooms.items()}
        self.services.network.room_kinds = {key: key for key in rooms}

    async def snapshot(self) -> list[Any]:
        tables = ["meetings", "meeting_exceptions", "meeting_rsvps", "meeting_notes", "jobs"]
        return [[tuple(r) for r in await self.db.fetchall(f"SELECT * FROM {t}")] for t in tables]

    async def refs(self, state: str = "pending") -> list[str]:
        rows = await self.db.fetchall(
            "SELECT ref FROM jobs WHERE kind = 'meeting.reminder' AND state = ? ORDER BY due_at",
            (state,),
        )
        return [r["ref"] for r in rows]


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    db = Database(tmp_path / "k.db")
    await db.open()
    try:
        yield Env(db)
    finally:
        await db.close()


async def test_new_meeting_announces_and_plans_reminders(env: Env) -> None:
    sent = await env.say(
        MOD, "!termin neu 03.12.2026 16:00 90min Austausch OGS link=https://x.example/r"
    )
    assert len(sent) == 1
    text = sent[0].reply.text
    assert "Neuer Termin #1: Austausch OGS" in text and "Do., 03.12.2026, 16:00 Uhr" in text
    assert "!dabei 1" in text and "👍" in text and "https://x.example/r" in text
    assert '<a href="https://x.example/r">' in (sent[0].reply.html or "")
    meeting = await Meetings(env.db).get(1)
    assert meeting is not None and meeting.announcement_event_id == sent[0].event_id
    assert meeting.start == datetime(2026, 12, 3, 16, 0, tzinfo=BERLIN)
    assert await env.refs() == [
        "1:2026-12-03T15:00:00+00:00:604800",
        "1:2026-12-03T15:00:00+00:00:86400",
        "1:2026-12-03T15:00:00+00:00:3600",
    ]
    english = await env.text(COORD, "!event new 04.12.2026 10:00 Fachtag")
    assert "Fachtag" in english


async def test_replayed_command_creates_no_second_meeting(env: Env) -> None:
    parsed = env.registry.parse("!termin neu 03.12.2026 16:00 Austausch")
    assert parsed is not None
    for _ in range(2):
        ctx = Context(env.services, MOD, ROOM, "$same", None, False, "de", "")
        await env.dispatcher.run_command(ctx, parsed)
    assert await Meetings(env.db).count() == 1
    assert len(env.chat.sent) == 1


@pytest.mark.parametrize(
    ("sender", "body", "expected"),
    [
        (MEMBER, "!termin neu 03.12.2026 16:00 Austausch", "Moderation"),
        (MOD, "!termin neu 31.02.2027 16:00 Austausch", "gibt"),
        (MOD, "!termin neu 01.01.2020 16:00 Austausch", "Vergangenheit"),
        (MOD, "!termin neu 03.12.2026 16:00", "Titel"),
        (MOD, "!termin neu 03.12.2026 16:00 X link=javascript:alert(1)", "http"),
        (MOD, "!termin neu", "fehlt"),
        (MOD, "!termin absagen 99", "#99 gibt es nicht"),
        (MOD, "!termin verschieben 99 04.12.2026 16:00", "#99 gibt es nicht"),
        (MEMBER, "!dabei 99", "#99 gibt es nicht"),
        (MEMBER, "!termin 99", "#99 gibt es nicht"),
        (MEMBER, "!termin abc", "passt nicht"),
        (MEMBER, "!protokoll 99 Text", "#99 gibt es nicht"),
        (MEMBER, "!ankündigung Hallo", "Koordination"),
    ],
)
async def test_bad_input_is_refused_and_changes_nothing(
    env: Env, sender: str, body: str, expected: str
) -> None:
    before = await env.snapshot()
    text = await env.text(sender, body)
    assert expected in text
    assert await env.snapshot() == before


async def test_only_moderators_of_the_meetings_room_may_change_it(env: Env) -> None:
    env.network_rooms(lobby=ROOM)
    await env.say(MOD, "!termin neu 03.12.2026 16:00 Austausch")
    env.chat.levels[(OTHER, "@othermod:localhost")] = 50
    before = await env.snapshot()
    refused = await env.text("@othermod:localhost", "!termin absagen 1", room=OTHER)
    assert "anderen Raum" in refused
    assert "Moderation" in await env.text(MEMBER, "!termin absagen 1")
    assert await env.snapshot() == before
    # coordinators may, from anywhere, for a network meeting; its room hears about it
    sent = await env.say(COORD, "!termin absagen 1", room=OTHER)
    assert [s.room_id for s in sent] == [ROOM, OTHER]
    assert "Abgesagt" in sent[0].reply.text
    assert await env.refs() == []


async def test_rsvp_by_command_reaction_and_redaction(env: Env) -> None:
    announcement = (await env.say(MOD, "!termin neu 03.12.2026 16:00 Austausch"))[0].event_id
    repo = Meetings(env.db)
    assert "dabei" in await env.text(MEMBER, "!dabei 1")
    assert "Zusagen bisher: 1" in await env.text(MEMBER, "!dabei 1")  # one per person
    assert "nicht dabei" in await env.text(MEMBER, "!nicht-dabei 1")
    assert [(r.user_id, r.going) for r in await repo.rsvps(1)] == [(MEMBER, False)]

    hook_args = {"room_id": ROOM, "sender": "@b:localhost", "target": announcement}
    await rsvp_by_reaction(env.services, event_id="$r1", key="👍🏽", **hook_args)
    await rsvp_by_reaction(env.services, event_id="$r2", key="🎉", **hook_args)
    assert {(r.user_id, r.going) for r in await repo.rsvps(1)} == {
        (MEMBER, False),
        ("@b:localhost", True),
    }
    await rsvp_by_reaction(env.services, event_id="$r3", key="👎", **hook_args)
    await withdraw_by_redaction(
        env.services, room_id=ROOM, event_id="$x", sender="@b:localhost", redacts="$r1"
    )
    assert ("@b:localhost", False) in {(r.user_id, r.going) for r in await repo.rsvps(1)}
    await withdraw_by_redaction(
        env.services, room_id=ROOM, event_id="$y", sender="@b:localhost", redacts="$r3"
    )
    assert [r.user_id for r in await repo.rsvps(1)] == [MEMBER]
    # a reaction on any other message, or from another room, changes nothing
    await rsvp_by_reaction(
        env.services,
        room_id=OTHER,
        event_id="$r4",
        sender="@c:localhost",
        target=announcement,
        key="👍",
    )
    assert len(await repo.rsvps(1)) == 1


async def test_series_cancel_one_date_move_one_date_and_calendar(env: Env) -> None:
    env.network_rooms(lobby=ROOM)
    await env.say(MOD, "!termin neu 03.12.2026 16:00 Austausch wöchentlich")
    assert await env.refs() == [
        "1:2026-12-03T15:00:00+00:00:604800",
        "1:2026-12-03T15:00:00+00:00:86400",
        "1:2026-12-03T15:00:00+00:00:3600",
        "1:2026-12-10T15:00:00+00:00:604800",
    ]
    assert "fällt am Do., 10.12.2026" in await env.text(MOD, "!termin absagen 1 10.12.")
    assert "1:2026-12-10T15:00:00+00:00:604800" not in await env.refs()
    assert "nicht statt" in await env.text(MOD, "!termin absagen 1 11.12.")
    moved = await env.text(MOD, "!termin verschieben 1 17.12. auf 18.12.2026 10:00")
    assert "Fr., 18.12.2026, 10:00 Uhr" in moved

    calendar = Calendar.from_ical(await network_calendar(env.services))
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 2
    series = next(e for e in events if e.get("rrule"))
    assert series["rrule"]["FREQ"] == ["WEEKLY"]
    assert series["dtstart"].dt == datetime(2026, 12, 3, 16, 0, tzinfo=BERLIN)
    exdates = sorted(
        d.dt
        for ex in (series["exdate"] if isinstance(series["exdate"], list) else [series["exdate"]])
        for d in ex.dts
    )
    assert [d.date().isoformat() for d in exdates] == ["2026-12-10", "2026-12-17"]
    assert len(series.walk("VALARM")) == 3
    assert any(e["dtstart"].dt == datetime(2026, 12, 18, 10, 0, tzinfo=BERLIN) for e in events)
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/Berlin"

    details = await env.say(MEMBER, "!termin 1")
    assert "Fällt aus: Do., 10.12.2026" in details[0].reply.text
    assert env.chat.uploads and env.chat.uploads[0].filename.endswith(".ics")
    assert Calendar.from_ical(env.chat.uploads[0].data).walk("VEVENT")


async def test_move_whole_series_replans(env: Env) -> None:
    await env.say(MOD, "!termin neu 03.12.2026 16:00 Austausch wöchentlich")
    assert "Terminreihe" in await env.text(MOD, "!termin verschieben 1 08.12.2026 17:00 serie")
    assert (await env.refs())[0] == "1:2026-12-08T16:00:00+00:00:604800"
    await env.say(MOD, "!termin neu 01.12.2026 16:00 Netzwerk jeden 1. Dienstag")
    before = await env.snapshot()
    assert "passt nicht" in await env.text(MOD, "!termin verschieben 2 08.12.2026 17:00 serie")
    assert await env.snapshot() == before
    assert "ab Di., 05.01.2027" in await env.text(
        MOD, "!termin verschieben 2 05.01.2027 17:00 serie"
    )


async def test_reminder_mentions_attendees_and_carries_last_notes(env: Env) -> None:
    await env.say(MOD, "!termin neu 03.12.2026 16:00 Austausch wöchentlich")
    await env.say(MEMBER, "!dabei 1")
    env.now = datetime(2026, 12, 3, 18, 0, tzinfo=BERLIN)  # after the first meeting
    assert "gespeichert" in await env.text(MEMBER, "!protokoll 1 Beschluss: Fachtag im Mai")
    assert "gespeichert" in await env.text(MEMBER, "!material 1 https://x.example/f.pdf Folien")
    assert "http" in await env.text(MEMBER, "!material 1 ftp://x.example/f.pdf")
    await sync_all(env.services)
    jobs = Jobs(env.db)
    pending = [j for j in await jobs.pending() if j.kind == "meeting.reminder"]
    first = next(j for j in pending if j.ref.endswith(":86400") and "12-10" in j.ref)
    env.now = datetime(2026, 12, 9, 16, 0, 5, tzinfo=BERLIN)
    jctx = JobContext(env.services, "de", "job:test:1")
    await send_reminder(jctx, first)
    message = env.chat.sent[-1]
    assert message.reply.notify and message.reply.mentions == [MEMBER]
    assert "Do., 10.12.2026, 16:00 Uhr" in message.reply.text and "in 1 Tag" in message.reply.text
    assert "Beschluss: Fachtag im Mai" in message.reply.text and "Folien" in message.reply.text
    await send_reminder(jctx, first)  # the same job again (crash replay): no second message
    assert (
        env.chat.sent[-1] is message
        and len([s for s in env.chat.sent if s.key == "job:test:1"]) == 1
    )
    hour = next(j for j in pending if j.ref.endswith(":3600") and "12-10" in j.ref)
    env.now = datetime(2026, 12, 10, 15, 0, 5, tzinfo=BERLIN)
    await send_reminder(JobContext(env.services, "de", "job:test:2"), hour)
    assert "Beschluss" not in env.chat.sent[-1].reply.text  # only the first one carries them


async def test_help_shows_every_termin_command(env: Env) -> None:
    text = await env.text(MEMBER, "!hilfe termin")
    for usage in (
        "!termin <termin-nr>",
        "!termin neu <datum>",
        "!termin absagen <termin-nr> [datum]",
        "!termin verschieben <termin-nr>",
        "serie",
    ):
        assert usage in text


async def test_announce_posts_once_per_network_room(env: Env) -> None:
    assert "keine Netzwerkräume" in await env.text(COORD, "!ankündigung Fachtag!")
    env.services.network.room_ids = {"lobby": ROOM, "musik": OTHER, "gone": "!gone:localhost"}
    sent = await env.say(COORD, "!ankündigung Fachtag am 15.03.!")
    assert [s.room_id for s in sent] == [ROOM, OTHER, ROOM]
    assert "Fachtag am 15.03.!" in sent[0].reply.text and not sent[0].reply.notify
    assert "2 Räumen" in sent[-1].reply.text and "!gone:localhost" in sent[-1].reply.text


async def test_events_lists_room_and_network(env: Env) -> None:
    assert "keine Termine" in await env.text(MEMBER, "!termine")
    await env.say(MOD, "!termin neu 03.12.2026 16:00 Austausch")
    await env.say(COORD, "!termin neu 01.12.2026 10:00 Fachtag", room=OTHER)
    here = await env.text(MEMBER, "!termine")
    assert "Austausch" in here and "Fachtag" not in here
    # OTHER is a private room MEMBER is not in: its meeting stays out of the list
    assert "Fachtag" not in await env.text(MEMBER, "!termine alle")
    env.network_rooms(topic=OTHER)
    everywhere = await env.text(MEMBER, "!termine alle")
    assert everywhere.index("Fachtag") < everywhere.index("Austausch")
    assert "nur „alle“" in await env.text(MEMBER, "!termine morgen")


async def test_startup_rebuild_neither_loses_nor_doubles(env: Env) -> None:
    await env.say(MOD, "!termin neu 03.12.2026 16:00 Austausch wöchentlich")
    before = await env.refs()
    assert await sync_all(env.services) == (0, 0)
    assert await env.refs() == before
    await env.db.execute("DELETE FROM jobs")  # lost jobs are rebuilt from the meetings
    added, _ = await sync_all(env.services)
    assert added == len(before) == 4 and await env.refs() == before
    env.services.network.reminder_offsets = (timedelta(days=1),)
    await sync_all(env.services)
    assert await env.refs() == ["1:2026-12-03T15:00:00+00:00:86400"]
