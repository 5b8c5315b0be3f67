"""Sample data of ``koopbot demo``, made the way members would make it.

Four sample members are real users on the demo's Synapse. In their direct chat with
the bot they fill their profiles with ``!profil``, make them visible and register
interest in a learning cluster; then they join the lobby, so the bot's welcome is the
latest message of that chat. Two of them run a cooperation room with ticked checklist
items and agreement fields. The demo user (a coordinator) gets a visible profile too
and schedules a meeting series in the lobby, where three members say they come.
Everything goes through the bot as chat commands, so the data is exactly what the
product would store.

Each step is recorded in the demo's ``demo.json`` once it is done; a second start skips
it, so nothing is duplicated.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.matrix import PeerClient

log = logging.getLogger(__name__)

REPLY_TIMEOUT = 20.0


@dataclass(frozen=True)
class SampleMember:
    localpart: str
    display_name: str
    profile: tuple[str, ...]
    cluster_topic: str | None = None


CLUSTER_TOPIC = "Digitalisierung im Ganztag"

MEMBERS: tuple[SampleMember, ...] = (
    SampleMember(
        "anna",
        "Anna Becker (Musikschule Am Rhein)",
        (
            "!profil einrichtung Musikschule Am Rhein",
            "!profil ort Bonn",
            "!profil region Rhein-Sieg",
            "!profil interessen Singen, Ganztag, Inklusion",
            "!profil angebote Chorklassen, Instrumentenkarussell, Bandarbeit",
            "!profil bedarfe Räume am Nachmittag, Partnerschule",
            "!profil zielgruppen Grundschulkinder",
            "!profil erfahrung erfahren",
            "!profil sichtbar ja",
        ),
        CLUSTER_TOPIC,
    ),
    SampleMember(
        "ben",
        "Ben Schulz (GS Lindenweg)",
        (
            "!profil einrichtung Grundschule Lindenweg",
            "!profil ort Köln",
            "!profil region Köln",
            "!profil interessen Singen, Ganztag, Digitalisierung",
            "!profil angebote Räume am Nachmittag, Aula",
            "!profil bedarfe Instrumentalunterricht, Chorklassen, Bandarbeit",
            "!profil zielgruppen Grundschulkinder",
            "!profil erfahrung etwas",
            "!profil sichtbar ja",
        ),
        CLUSTER_TOPIC,
    ),
    SampleMember(
        "carla",
        "Carla Yilmaz (OGS Sonnenschein)",
        (
            "!profil einrichtung OGS Sonnenschein",
            "!profil ort Siegburg",
            "!profil region Rhein-Sieg",
            "!profil interessen Ganztag, Inklusion, Digitalisierung",
            "!profil angebote Räume am Nachmittag, Betreuungskräfte",
            "!profil bedarfe Instrumentenkarussell, Musikangebote im Ganztag",
            "!profil zielgruppen Grundschulkinder",
            "!profil erfahrung neu",
            "!profil sichtbar ja",
        ),
        CLUSTER_TOPIC,
    ),
    SampleMember(
        "david",
        "David Krämer (Musikschule Troisdorf)",
        (
            "!profil einrichtung Musikschule Troisdorf",
            "!profil ort Troisdorf",
            "!profil region Rhein-Sieg",
            "!profil interessen Ganztag, Bandarbeit",
            "!profil angebote Bandarbeit, Instrumentalunterricht",
            "!profil bedarfe Partnerschule",
            "!profil zielgruppen Grundschulkinder, Jugendliche",
            "!profil erfahrung erfahren",
            "!profil sichtbar ja",
        ),
    ),
)

DEMO_PROFILE = (
    "!profil einrichtung Städtische Musikschule Bonn",
    "!profil ort Bonn",
    "!profil region Rhein-Sieg",
    "!profil interessen Ganztag, Singen",
    "!profil angebote Instrumentalunterricht, Chorklassen",
    "!profil bedarfe Räume am Nachmittag, Partnerschule",
    "!profil zielgruppen Grundschulkinder",
    "!profil erfahrung neu",
    "!profil sichtbar ja",
)

COOP_ROOM_NAME = "Kooperation Musikschule Am Rhein & GS Lindenweg"
COOP_OWNER = "anna"
COOP_MEMBERS = ("ben",)
COOP_COMMANDS = (
    "!kooperation neu Musikschule Am Rhein und GS Lindenweg",
    "!erledigt 1.1-1.6",
    "!erledigt 2.1 2.2 2.3",
    "!kooperation feld ansprechpartner Anna Becker (Musikschule), Ben Schulz (GS)",
    "!kooperation feld laufzeit 01.08.2026–31.07.2027",
    "!kooperation feld ziele Jedes Kind der Klassen 1 und 2 singt wöchentlich im Chor",
)
SERIES_COMMAND = "!termin neu Dienstag 16:00 90min Netzwerktreffen alle 2 Wochen"


class Conversation:
    """A user's client that sends a line and waits for the bot's reply to it."""

    def __init__(self, peer: PeerClient, bot_id: str) -> None:
        self.peer = peer
        self.bot_id = bot_id
        self._replies: dict[str, dict[str, Any]] = {}
        self._arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.direct: str | None = None
        self._count: dict[str, int] = {}

    def bot_messages(self, room_id: str) -> int:
        """How many messages of the bot this client has seen in a room."""
        return self._count.get(room_id, 0)

    async def start(self) -> None:
        await self.peer.prime()
        self._task = asyncio.create_task(self.peer.listen(self._on, join_invites=True))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _on(self, room_id: str, sender: str, event_id: str, content: dict[str, Any]) -> None:
        if sender != self.bot_id:
            return
        self._count[room_id] = self._count.get(room_id, 0) + 1
        relation = (content.get("m.relates_to") or {}).get("m.in_reply_to") or {}
        if relation.get("event_id"):
            self._replies[relation["event_id"]] = content
        self._arrived.set()

    async def wait_for(self, check: Callable[[], bool], timeout: float = REPLY_TIMEOUT) -> bool:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while not check():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), min(left, 0.1))
        return True

    async def say(self, room_id: str, text: str) -> dict[str, Any] | None:
        """Send ``text`` and return the bot's reply (None if none came in time)."""
        event_id = await self.peer.send_text(room_id, text)
        if not await self.wait_for(lambda: event_id in self._replies):
            log.warning("no reply to %r in %s", text, room_id)
            return None
        return self._replies[event_id]

    async def direct_room(self, open_direct: Callable[[str], Awaitable[str]]) -> str:
        """The direct chat with the bot, joined.

        ``open_direct`` is the bot's own ``direct_room``: the room its welcome goes to
        (or went to), so a member has one direct chat with the bot, as in Element.
        """
        if self.direct is None:
            room_id = await open_direct(self.peer.user_id)
            joined = lambda: room_id in {r.room_id for r in self.peer.rooms()}  # noqa: E731
            if not await self.wait_for(joined, timeout=15):
                raise TimeoutError(f"{self.peer.user_id} did not get into {room_id}")
            self.direct = room_id
        return self.direct


@dataclass
class Seeder:
    """Runs the sample steps that ``done`` does not list yet; ``save`` records progress.

    Args:
        bot_id: the bot's user id.
        lobby: the lobby's room id.
        invite: lets the bot invite a user into a room (the lobby is invite-only).
        open_direct: the bot's direct chat with a user (made if there is none yet).
        bot_in_room: whether the bot has joined a room (it only answers after its join).
        meeting_ids: the ids of the active meetings of a room (to RSVP to the series).
        done: step names already done (from demo.json).
        save: called after each step with the updated step list.
    """

    bot_id: str
    lobby: str
    invite: Callable[[str, str], Any]
    open_direct: Callable[[str], Awaitable[str]]
    bot_in_room: Callable[[str], bool]
    meeting_ids: Callable[[str], Any]
    done: list[str] = field(default_factory=list)
    save: Callable[[list[str]], None] = lambda _steps: None

    def _mark(self, step: str) -> None:
        self.done.append(step)
        self.save(list(self.done))

    async def run(self, demo: PeerClient, members: dict[str, PeerClient]) -> None:
        talks = {name: Conversation(peer, self.bot_id) for name, peer in members.items()}
        talks["demo"] = Conversation(demo, self.bot_id)
        for talk in talks.values():
            await talk.start()
        try:
            await asyncio.gather(
                *(self._member(m, talks[m.localpart]) for m in MEMBERS if m.localpart in talks),
                self._profile("demo", talks["demo"], DEMO_PROFILE),
            )
            if "cooperation" not in self.done and COOP_OWNER in talks:
                await self._cooperation(talks)
            if "series" not in self.done:
                await self._series(talks)
        finally:
            for talk in talks.values():
                await talk.stop()

    async def _join_lobby(self, talk: Conversation) -> None:
        with contextlib.suppress(Exception):
            await self.invite(self.lobby, talk.peer.user_id)
        with contextlib.suppress(Exception):
            await talk.peer.join(self.lobby)

    async def _member(self, member: SampleMember, talk: Conversation) -> None:
        step = f"member:{member.localpart}"
        if step not in self.done:
            await talk.peer.set_display_name(member.display_name)
            direct = await talk.direct_room(self.open_direct)
            await self._profile(member.localpart, talk, member.profile)
            if member.cluster_topic:
                await talk.say(direct, f"!cluster interesse {member.cluster_topic}")
            # joining the lobby last puts the bot's welcome at the end of the direct chat,
            # where ``/als anna`` and ``/raum direkt`` show it
            seen = talk.bot_messages(direct)
            first_join = self.lobby not in {room.room_id for room in talk.peer.rooms()}
            await self._join_lobby(talk)
            if first_join:
                await talk.wait_for(lambda: talk.bot_messages(direct) > seen, timeout=10)
            self._mark(step)

    async def _profile(self, name: str, talk: Conversation, commands: tuple[str, ...]) -> None:
        step = f"profile:{name}"
        if step in self.done:
            return
        if name == "demo":
            await self._join_lobby(talk)
        room = await talk.direct_room(self.open_direct)
        for line in commands:
            await talk.say(room, line)
        self._mark(step)

    async def _cooperation(self, talks: dict[str, Conversation]) -> None:
        owner = talks[COOP_OWNER]
        invite = [self.bot_id, talks["demo"].peer.user_id]
        invite += [talks[m].peer.user_id for m in COOP_MEMBERS if m in talks]
        room = await owner.peer.create_room(invite=invite, name=COOP_ROOM_NAME)
        for name in COOP_MEMBERS:
            if name in talks:
                with contextlib.suppress(Exception):
                    await talks[name].peer.join(room)
        await owner.wait_for(lambda: self.bot_in_room(room), timeout=15)
        for line in COOP_COMMANDS:
            await owner.say(room, line)
        if "ben" in talks:
            await talks["ben"].say(room, "!erledigt 2.4")
        self._mark("cooperation")

    async def _series(self, talks: dict[str, Conversation]) -> None:
        demo = talks["demo"]
        await demo.say(self.lobby, SERIES_COMMAND)
        ids = await self.meeting_ids(self.lobby)
        if ids:
            for name in ("anna", "ben", "carla"):
                if name in talks:
                    await talks[name].say(self.lobby, f"!dabei {ids[0]}")
        self._mark("series")
