"""The cooperation commands through the dispatcher's command path, with a fake Matrix.

Bad input must leave the database exactly as it was; jobs must be neither lost nor
doubled when a handler or the start-up check runs twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.dispatch import Dispatcher, FloodGuard
from bot.metrics import Metrics
from bot.scheduler import Scheduler, job_key
from commands.context import Context, JobContext, NetworkInfo, Services
from commands.cooperation import (
    ensure_cooperation_jobs,
    send_review_reminder,
    send_term_end_reminder,
)
from commands.i18n import Catalog
from commands.registry import Registry
from commands.reply import Attachment, Reply
from content import load_content
from storage import Database
from storage.cooperations import Cooperations
from storage.jobs import Job, Jobs

BERLIN = ZoneInfo("Europe/Berlin")
ROOM = "!coop:localhost"
OTHER = "!other:localhost"
LOBBY = "!lobby:localhost"
COORD = "@koord:localhost"
ALICE = "@alice:localhost"
BOB = "@bob:localhost"
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=BERLIN)
CONTENT = load_content()


@dataclass
class Sent:
    room_id: str
    reply: Reply
    key: str | None


@dataclass
class FakeChat:
    """The Chat protocol in memory; a key is sent once, like the real sent-log."""

    user_id: str = "@koopbot:localhost"
    sent: list[Sent] = field(default_factory=list)
    uploads: list[tuple[str, Attachment]] = field(default_factory=list)

    async def send(self, room_id: str, reply: Reply, *, key: str | None = None, **_: Any) -> str:
        if key is not None and any(s.key == key for s in self.sent):
            return "$dup"
        self.sent.append(Sent(room_id, reply, key))
        return f"$e{len(self.sent)}"

    async def upload(self, room_id: str, attachment: Attachment, **_: Any) -> str:
        self.uploads.append((room_id, attachment))
        return f"$u{len(self.uploads)}"

    async def power_level(self, room_id: str, user_id: str) -> int:
        return 0

    async def members(self, room_id: str) -> list[str]:
        if room_id == "!elsewhere:localhost":  # a private room only the coordinator is in
            return [COORD, "@zoe:localhost", self.user_id]
        return [ALICE, BOB, COORD, self.user_id]

    def joined_rooms(self) -> list[str]:
        return [ROOM, OTHER, LOBBY]

    def room_name(self, room_id: str) -> str:
        return {ROOM: "Singpause-Team"}.get(room_id, room_id)

    async def direct_room(self, user_id: str) -> str:
        return "!dm:localhost"

    async def create_room(self, name: str, **_: Any) -> str:
        return "!new:localhost"

    async def invite(self, room_id: str, user_id: str) -> None:
        return None


class Env:
    def __init__(self, db: Database) -> None:
        self.chat = FakeChat()
        self.db = db
        self.now = NOW
        self.registry = Registry.from_modules(["commands.help", "commands.cooperation"])
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
                reminder_offsets=(timedelta(days=1),),
                room_ids={"lobby": LOBBY},
                room_kinds={"lobby": "lobby"},
            ),
            catalog=Catalog.load(),
            runtime=None,  # type: ignore[arg-type]
            content=CONTENT,
            registry=self.registry,
            clock=lambda: self.now,
        )
        self.scheduler.bind(self.services, self.registry)
        self.dispatcher = Dispatcher(
            self.services,
            self.registry,
            None,  # type: ignore[arg-type]
            Metrics(),
            FloodGuard(0, 0, 60),  # type: ignore[arg-type]
        )
        self._n = 0
        self.outcomes: list[str] = []

    async def say(
        self, body: str, sender: str = ALICE, room: str = ROOM, event: str | None = None
    ) -> str:
        self._n += 1
        before = len(self.chat.sent)
        parsed = self.registry.parse(body)
        assert parsed is not None, body
        lang = "en" if parsed.english else "de"
        ctx = Context(
            self.services, sender, room, event or f"$cmd{self._n}", None, False, lang, body
        )
        self.outcomes.append(await self.dispatcher.run_command(ctx, parsed))
        assert self.outcomes[-1] != "error", self.chat.sent[-1].reply.text
        return "\n".join(s.reply.text for s in self.chat.sent[before:])

    async def snapshot(self) -> list[Any]:
        tables = ["cooperations", "cooperation_ticks", "cooperation_fields", "jobs"]
        return [[tuple(r) for r in await self.db.fetchall(f"SELECT * FROM {t}")] for t in tables]

    async def jobs(self, kind: str, state: str = "pending") -> list[Job]:
        rows = await self.db.fetchall(
            "SELECT id FROM jobs WHERE kind = ? AND state = ? ORDER BY due_at", (kind, state)
        )
        found = [await Jobs(self.db).get(r["id"]) for r in rows]
        return [j for j in found if j is not None]

    async def run_job(self, job: Job) -> None:
        handler = self.registry.jobs[job.kind]
        await handler(JobContext(self.services, "de", job_key(job)), job)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    db = Database(tmp_path / "k.db")
    await db.open()
    try:
        yield Env(db)
    finally:
        await db.close()


async def test_new_cooperation_reads_partners_and_refuses_a_second(env: Env) -> None:
    reply = await env.say("!kooperation neu Musikschule Bonn und GS Am Park")
    assert (
        "Musikschule Bonn und GS Am Park" in reply
        and "Partner: Musikschule Bonn, GS Am Park" in reply
    )
    coop = await Cooperations(env.db).by_room(ROOM)
    assert coop is not None and coop.created_by == ALICE
    fields = await Cooperations(env.db).fields(coop.id)
    assert fields["partner"].value == "Musikschule Bonn, GS Am Park"
    before = await env.snapshot()

    again = await env.say("!kooperation neu Etwas anderes")
    assert "schon eine Kooperation" in again and "Musikschule Bonn und GS Am Park" in again
    empty = await env.say("!kooperation neu")
    assert "!kooperation neu <titel>" in empty
    quotes = await env.say("!kooperation neu „“", room=OTHER)
    assert "Titel" in quotes
    helped = await env.say("!hilfe kooperation")
    assert "!kooperation neu" in helped and "!kooperation prüfung" in helped
    lobby = await env.say("!kooperation neu Test", room=LOBBY)
    assert "Netzwerk" in lobby
    assert await env.snapshot() == before


async def test_replayed_new_command_keeps_one_cooperation_and_one_reply(env: Env) -> None:
    for _ in range(2):
        await env.say("!kooperation neu Singpause", event="$same")
    assert len(await Cooperations(env.db).all()) == 1
    assert len(env.chat.sent) == 1


async def test_ticking_across_phases_advances_the_current_phase(env: Env) -> None:
    await env.say("!kooperation neu Musikschule Bonn und GS Am Park")
    overview = await env.say("!kooperation")
    assert "Aktuelle Phase: 1 – Interner Dialog" in overview
    assert "░░░░░░░░░░ 0/17" in overview and "☐ 1.1 Welche Interessen" in overview
    assert "Noch keine Qualitätsprüfung" in overview

    partly = await env.say("!erledigt 1.1 1.2, 1.3")
    assert "Abgehakt (3)" in partly and "Phase 1 (Interner Dialog): ▓▓░░░░░░░░ 3/17" in partly
    advanced = await env.say("!erledigt 1.1-1.17")
    assert "Abgehakt (14)" in advanced and "Schon erledigt: 1.1, 1.2, 1.3" in advanced
    assert "Weiter geht’s mit Phase 2: Kontaktaufnahme" in advanced and "2.1" in advanced
    await env.say("!done 2.1 2.2 2.3 2.4 3.1")
    overview = await env.say("!kooperation")
    assert "Aktuelle Phase: 3" in overview
    assert "▓▓▓▓▓▓▓▓▓▓ 17/17 ✓" in overview and "▓▓▓▓ 4/4 ✓" in overview
    assert "▓░░░░░ 1/6 ◀" in overview and "☐ 3.2" in overview and "☐ 3.1" not in overview
    assert "Zuletzt abgehakt:" in overview and ALICE in overview

    back = await env.say("!offen 2,4")
    assert "Wieder offen (1)" in back and "Aktuelle Phase ist wieder 2" in back
    ticks = await Cooperations(env.db).ticks(1)
    assert "2.4" not in ticks and ticks["1.1"].ticked_by == ALICE


async def test_unknown_item_changes_nothing(env: Env) -> None:
    await env.say("!kooperation neu Singpause")
    await env.say("!erledigt 1.1")
    before = await env.snapshot()
    reply = await env.say("!erledigt 1.2 9.9 1.3 4.99")
    assert "9.9" in reply and "4.99" in reply and "nichts geändert" in reply
    assert await env.snapshot() == before
    undo = await env.say("!offen 1.1 1.x")
    assert "1.x" in undo
    assert await env.snapshot() == before


async def test_fields_with_aliases_typos_and_errors(env: Env) -> None:
    await env.say("!kooperation neu Singpause")
    saved = await env.say("!kooperation feld ansprechpartnr Frau Beispiel, Herr Muster")
    assert "„Ansprechpartnerinnen und Ansprechpartner“ gespeichert" in saved
    assert "Noch offen: partner, inhalte" in saved
    await env.say("!coop set contacts Ms Example")
    fields = await Cooperations(env.db).fields(1)
    assert (
        fields["ansprechpartner"].value == "Ms Example"
        and fields["ansprechpartner"].set_by == ALICE
    )
    before = await env.snapshot()

    unknown = await env.say("!kooperation feld farbe blau")
    assert "„farbe“" in unknown and "laufzeit" in unknown and "ansprechpartner" in unknown
    english = await env.say("!coop set colour blue")
    assert "term (laufzeit)" in english
    missing = await env.say("!kooperation feld laufzeit")
    assert "fehlt" in missing
    assert await env.snapshot() == before

    await env.say("!kooperation feld titel Singpause Nord")
    coop = await Cooperations(env.db).by_room(ROOM)
    assert coop is not None and coop.title == "Singpause Nord"
    cleared = await env.say("!kooperation feld ansprechpartner -")
    assert "wieder leer" in cleared
    assert "ansprechpartner" not in await Cooperations(env.db).fields(1)


async def test_term_end_arms_rearms_and_cancels_its_reminder(env: Env) -> None:
    await env.say("!kooperation neu Singpause")
    reply = await env.say("!kooperation feld laufzeit 01.08.2026–31.07.2027")
    assert "31.07.2027" in reply and "05.06.2027" in reply
    [job] = await env.jobs("coop.term_end")
    assert job.due_at == datetime(2027, 6, 5, 10, 0, tzinfo=BERLIN)
    await env.say("!kooperation feld term until 31.12.2027")
    [moved] = await env.jobs("coop.term_end")
    assert moved.id == job.id and moved.due_at == datetime(2027, 11, 5, 10, 0, tzinfo=BERLIN)
    no_end = await env.say("!kooperation feld laufzeit unbefristet")
    assert "nicht erkannt" in no_end
    assert await env.jobs("coop.term_end") == []
    coop = await Cooperations(env.db).by_room(ROOM)
    assert coop is not None and coop.term_end is None

    await env.say("!kooperation feld laufzeit bis 31.07.2027")
    [job] = await env.jobs("coop.term_end")
    env.now = datetime(2027, 6, 5, 10, 0, tzinfo=BERLIN)
    await env.run_job(job)
    await env.run_job(job)  # a retry posts nothing new
    posted = [s for s in env.chat.sent if s.key == job_key(job)]
    assert len(posted) == 1 and "31.07.2027" in posted[0].reply.text
    assert posted[0].reply.notify and posted[0].room_id == ROOM


async def test_stale_term_job_posts_nothing(env: Env) -> None:
    await env.say("!kooperation neu Singpause")
    await env.say("!kooperation feld laufzeit bis 31.07.2027")
    [job] = await env.jobs("coop.term_end")
    await env.say("!kooperation feld laufzeit bis 31.12.2027")
    sent = len(env.chat.sent)
    await send_term_end_reminder(JobContext(env.services, "de", job_key(job)), job)
    assert len(env.chat.sent) == sent


async def test_review_series_reminds_with_phase_7_and_arms_the_next_once(env: Env) -> None:
    await env.say("!kooperation neu Singpause")
    reply = await env.say("!kooperation prüfung alle 3 Monate")
    assert "alle 3 Monate" in reply and "Mo., 22.02.2027" in reply
    assert "Der Sa., 20.02.2027 ist kein Arbeitstag" in reply  # three months, then Monday
    [job] = await env.jobs("coop.review")
    assert job.due_at == datetime(2027, 2, 19, 10, 0, tzinfo=BERLIN)
    overview = await env.say("!kooperation")
    assert "Nächste Qualitätsprüfung: Mo., 22.02.2027, 10:00 Uhr (alle 3 Monate)" in overview

    env.now = job.due_at
    await env.run_job(job)
    await env.run_job(job)  # replay after a crash: no second message, no second job
    reminders = [s for s in env.chat.sent if s.key == job_key(job)]
    assert len(reminders) == 1
    text = reminders[0].reply.text
    assert "Feedbackgespräch" in text and "7.1" in text and "7.6" in text and "20.05.2027" in text
    assert reminders[0].reply.notify and ALICE in reminders[0].reply.mentions
    assert "@koopbot:localhost" not in reminders[0].reply.mentions
    pending = await env.jobs("coop.review")
    assert [j.payload["at"] for j in pending] == [
        "2027-02-22T09:00:00+00:00",
        "2027-05-20T08:00:00+00:00",
    ]  # the current one stays pending until the scheduler finishes it

    await ensure_cooperation_jobs(env.services)
    assert len(await env.jobs("coop.review")) == 2


async def test_startup_rearms_a_series_whose_job_was_skipped(env: Env) -> None:
    await env.say("!kooperation neu Singpause")
    await env.say("!kooperation prüfung alle 3 Monate")
    [job] = await env.jobs("coop.review")
    await Jobs(env.db).finish(job.id, "skipped", "missed while the bot was down")
    env.now = datetime(2027, 3, 1, 9, 0, tzinfo=BERLIN)
    await ensure_cooperation_jobs(env.services)
    await ensure_cooperation_jobs(env.services)
    [rearmed] = await env.jobs("coop.review")
    assert rearmed.payload["at"] == "2027-05-20T08:00:00+00:00"


async def test_new_review_schedule_replaces_the_old_and_stale_jobs_stay_silent(env: Env) -> None:
    await env.say("!kooperation neu Singpause")
    await env.say("!kooperation prüfung alle 3 Monate")
    [old] = await env.jobs("coop.review")
    once = await env.say("!kooperation prüfung 15.03.2027 14:00")
    assert "15.03.2027" in once
    [new] = await env.jobs("coop.review")
    assert new.payload["at"] == "2027-03-15T13:00:00+00:00"
    sent = len(env.chat.sent)
    await send_review_reminder(JobContext(env.services, "de", job_key(old)), old)
    assert len(env.chat.sent) == sent
    bad = await env.say("!kooperation prüfung irgendwann")
    assert "irgendwann" in bad
    stopped = await env.say("!kooperation prüfung aus")
    assert "abbestellt" in stopped and await env.jobs("coop.review") == []


async def test_state_is_visible_only_in_its_own_room(env: Env) -> None:
    await env.say("!kooperation neu Geheime Kooperation")
    await env.say("!kooperation feld laufzeit bis 31.07.2027")
    for body in (
        "!kooperation",
        "!erledigt 1.1",
        "!vereinbarung entwurf",
        "!kooperation feld laufzeit x",
    ):
        reply = await env.say(body, sender=BOB, room=OTHER)
        assert "noch keine Kooperation" in reply and "Geheime" not in reply
    assert env.chat.uploads == []
    assert await Cooperations(env.db).ticks(1) == {}


async def test_draft_is_a_message_and_a_markdown_file(env: Env) -> None:
    await env.say("!kooperation neu Musikschule Bonn und GS Am Park")
    await env.say("!kooperation feld laufzeit 01.08.2026–31.07.2027")
    reply = await env.say("!vereinbarung entwurf")
    assert "⚠ noch offen: Rahmenbedingungen" in reply and "Stand: Fr., 20.11.2026" in reply
    [(room, attachment)] = env.chat.uploads
    assert room == ROOM
    assert attachment.filename == "kooperationsvereinbarung-musikschule-bonn-und-gs-am-park.md"
    assert attachment.mimetype == "text/markdown"
    assert attachment.data.decode("utf-8") == reply
    assert "01.08.2026–31.07.2027" in attachment.data.decode("utf-8")


async def test_network_overview_only_for_coordinators(env: Env) -> None:
    await env.say("!kooperation neu Singpause")
    await env.say("!erledigt 1.1-1.17 2.1")
    await env.say("!kooperation neu Bandklasse", room=OTHER)
    refused = await env.say("!kooperation alle", sender=ALICE)
    assert "Singpause" not in refused
    listing = await env.say("!kooperation alle", sender=COORD, room=LOBBY)
    assert listing.index("Bandklasse") < listing.index("Singpause")
    assert "Phase 2 Kontaktaufnahme" in listing and "Singpause-Team" in listing
    # from a room whose other members are not in the cooperations' rooms: none shown
    elsewhere = await env.say("!kooperation alle", sender=COORD, room="!elsewhere:localhost")
    assert "Singpause" not in elsewhere and "Bandklasse" not in elsewhere
    env.now = NOW + timedelta(days=40)
    stale = await env.say("!kooperation alle", sender=COORD, room=LOBBY)
    assert "⚠" in stale
