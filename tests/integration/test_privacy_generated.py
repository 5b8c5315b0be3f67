"""The privacy test generated from the command registry, through the real Synapse.

Every declared command is one case, classified by its declared scope
(``commands.registry.Scope``; a ``*_id`` argument means ``id``), so a command added
later is covered without a new test — and one that is not classified fails here:

- ``id``: on a fresh meeting of a private room, a member of another room (from there)
  and an outsider (from a direct chat) each try the command: both get exactly the
  "unknown" answer, nothing of the meeting in it, no file, and no row of the private
  room changes; then a member of the room succeeds.
- ``room``: the others run it in their own rooms: no trace of the private room's
  meeting or cooperation in the answers, no row of the private room changes; the
  member runs it in the private room without an error.
- ``personal``: the member runs it in the (group) private room: the room gets exactly
  the one line saying the answer went to the direct chat, and the answer arrives there;
  the outsider's answer holds nothing of the private room.
- ``network``: the outsider's answer holds nothing of the private room, which stays
  unchanged.

Arguments come from each command's first declared example; the id in it becomes the
meeting's id, dates in it move next to the meeting's date.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.homeserver import LocalSynapse
from commands import COMMAND_MODULES
from commands.i18n import Catalog
from commands.registry import CommandSpec, Permission, Registry, Scope
from tests.integration.botrunner import BotHarness
from tests.integration.conftest import ClientFactory
from tests.integration.test_backbone import ask, room_with_bot

BERLIN = ZoneInfo("Europe/Berlin")
REGISTRY = Registry.from_modules(COMMAND_MODULES)
CATALOG = Catalog.load()
SECRET = "Geheimrunde"
SECRET_LINK = "https://meet.example.org/vertraulich-0815"
SECRET_COOP = "Vertrauliche Kooperation"
SECRETS = (SECRET, SECRET_LINK, SECRET_COOP)
ROOMS: list[dict[str, Any]] = [
    {"key": "lobby", "name": "Netzwerk", "topic": "Austausch", "kind": "lobby", "public": True},
    {"key": "koordination", "name": "Koordination", "kind": "coordinators"},
]
INTERNAL_ERROR = ("Referenz", "reference")  # core.internal_error in both languages
REFUSED_ROLE = ("Das dürfen nur", "Only ")
MISSING_ID = 987654


def unknown_texts(thing_id: int, key: str = "meetings.not_found") -> set[str]:
    return {CATALOG.get(key, lang, id=thing_id) for lang in ("de", "en")}


@dataclass
class World:
    bot: BotHarness
    koord: Any  # coordinator, also a member of the private room
    alice: Any  # created the private room (version 12: its creator, a moderator)
    bob: Any  # a member of the private room
    carol: Any  # a member of another private room only
    mallory: Any  # an outsider: lobby and a direct chat with the bot
    lobby: str
    private: str
    other: str
    alice_dm: str
    mallory_dm: str

    async def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        assert self.bot.app is not None
        return [tuple(r) for r in await self.bot.app.db.fetchall(sql, params)]

    async def private_state(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every stored row that belongs to the private room."""
        tables = [
            r[0] for r in await self.rows("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        meetings = [
            r[0]
            for r in await self.rows("SELECT id FROM meetings WHERE room_id = ?", (self.private,))
        ]
        coops = [
            r[0]
            for r in await self.rows(
                "SELECT id FROM cooperations WHERE room_id = ?", (self.private,)
            )
        ]
        state: dict[str, list[tuple[Any, ...]]] = {}
        for table in tables:
            columns = {r[1] for r in await self.rows(f'PRAGMA table_info("{table}")')}
            for column, values in (
                ("room_id", [self.private]),
                ("meeting_id", meetings),
                ("cooperation_id", coops),
            ):
                if column in columns and values:
                    marks = ",".join("?" * len(values))
                    state[f"{table}.{column}"] = sorted(
                        await self.rows(
                            f'SELECT * FROM "{table}" WHERE "{column}" IN ({marks})', tuple(values)
                        ),
                        key=repr,
                    )
        jobs: list[tuple[Any, ...]] = []
        for m in meetings:
            jobs += await self.rows(
                "SELECT * FROM jobs WHERE kind LIKE 'meeting.%' AND ref LIKE ?", (f"{m}:%",)
            )
        state["jobs"] = sorted(jobs, key=repr)
        return state


@pytest.fixture(scope="module")
async def world(
    synapse: LocalSynapse, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    if not synapse.running:
        await synapse.start()
    root = tmp_path_factory.mktemp("privacy-generated")
    clients = ClientFactory(synapse, root / "stores")
    koord = await clients("koord", auto_join=True)
    alice, mallory = await clients("alice"), await clients("mallory")
    bob, carol, dave = [await clients(n, auto_join=True) for n in ("bob", "carol", "dave")]
    bot = BotHarness(synapse, root / "bot", coordinators=[koord.user_id], rooms=ROOMS)
    await bot.start()
    try:
        assert bot.app is not None and bot.app.services is not None
        lobby = bot.app.services.network.room_ids["lobby"]
        for client in (alice, carol, mallory):
            await client.join(lobby)
        private = await room_with_bot(alice, bot)
        for member in (bob, koord):
            await alice.invite(private, member.user_id)
            await alice.wait_for_member(private, member.user_id, timeout=15)
        other = await room_with_bot(carol, bot)
        await carol.invite(other, dave.user_id)
        await carol.wait_for_member(other, dave.user_id, timeout=15)
        world = World(
            bot,
            koord,
            alice,
            bob,
            carol,
            mallory,
            lobby,
            private,
            other,
            await room_with_bot(alice, bot, direct=True),
            await room_with_bot(mallory, bot, direct=True),
        )
        created = await ask(alice, private, f"!kooperation neu {SECRET_COOP}")
        assert SECRET_COOP in created.body, created.body
        await new_meeting(world)
        yield world
    finally:
        await bot.stop()
        await clients.close_all()


async def new_meeting(w: World) -> tuple[int, datetime]:
    day = datetime.now(BERLIN) + timedelta(days=10)
    reply = await ask(
        w.alice, w.private, f"!termin neu {day:%d.%m.%Y} 16:00 {SECRET} link={SECRET_LINK}"
    )
    found = re.search(r"#(\d+)", reply.body)
    assert found and SECRET in reply.body, reply.body
    return int(found.group(1)), day


async def new_poll(w: World) -> tuple[int, datetime]:
    day = datetime.now(BERLIN) + timedelta(days=10)
    later = day + timedelta(days=1)
    reply = await ask(
        w.alice,
        w.private,
        f"!terminfindung {SECRET}: {day:%d.%m.%Y} 16:00; {later:%d.%m.%Y} 16:00",
    )
    found = re.search(r"#(\d+)", reply.body)
    assert found and SECRET in reply.body, reply.body
    return int(found.group(1)), day


# what a command's id argument names: how to make one in the private room, and the
# "unknown" message a missing one gets
THINGS = {
    "meeting_id": (new_meeting, "meetings.not_found"),
    "poll_id": (new_poll, "polls.not_found"),
}


def example_for(
    spec: CommandSpec, meeting_id: int | None = None, day: datetime | None = None
) -> str:
    """The command's first example, with the meeting's id and dates near the meeting."""
    assert spec.examples, f"!{spec.name} declares no example to generate its case from"
    example = spec.examples[0]
    parsed = REGISTRY.parse(example)
    assert parsed is not None and parsed.spec is spec, example
    tokens = parsed.raw_args.split()
    if meeting_id is not None:
        position = next(i for i, a in enumerate(spec.args) if a.name.endswith("_id"))
        tokens[position] = str(meeting_id)
    args = " ".join(tokens)
    if day is not None:
        later = f"{day + timedelta(days=1):%d.%m.%Y}"
        args = re.sub(r"\b\d{1,2}\.\d{1,2}\.(\d{4})?(?=\s|$)", later, args)
    return f"!{parsed.invoked_as} {args}".strip()


def clean(reply: Any) -> bool:
    html = reply.content.get("formatted_body", "")
    return not any(s in (reply.body or "") or s in html for s in SECRETS)


async def no_files_since(w: World, client: Any, room_id: str, mark: int) -> None:
    """Nothing uploaded to ``room_id`` (the bot handles a room in order: once it has
    answered a later command there, an earlier command's upload would have come)."""
    await ask(client, room_id, "!phasen")
    files = [
        m
        for m in client.messages(room_id, sender=w.bot.user_id)
        if m.index >= mark and m.msgtype == "m.file"
    ]
    assert not files, [f.body for f in files]


def actor_for(w: World, spec: CommandSpec) -> Any:
    """The private room's member who may run it (a coordinator for coordinators' ones)."""
    return w.koord if spec.permission is Permission.COORDINATOR else w.alice


SPECS = sorted(REGISTRY.commands, key=lambda s: s.name)


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
async def test_generated_privacy(world: World, spec: CommandSpec) -> None:
    w = world
    if spec.scope is None:
        pytest.fail(
            f"!{spec.name} is not classified: declare scope=Scope.ID/ROOM/PERSONAL/NETWORK"
            " in its @command (or give it a *_id argument)"
        )
    if spec.scope is Scope.ID:
        await id_case(w, spec)
    elif spec.scope is Scope.ROOM:
        await room_case(w, spec)
    elif spec.scope is Scope.PERSONAL:
        await personal_case(w, spec)
    else:
        await network_case(w, spec)


async def id_case(w: World, spec: CommandSpec) -> None:
    id_arg = next(a.name for a in spec.args if a.name.endswith("_id"))
    assert id_arg in THINGS, f"!{spec.name}: teach this test to make a {id_arg} thing"
    make, unknown_key = THINGS[id_arg]
    meeting_id, day = await make(w)
    # the bot has finished creating it (the announcement's event id is stored, the .ics
    # sent) before the snapshot: the room's next command is handled after it
    await ask(w.alice, w.private, "!phasen")
    command = example_for(spec, meeting_id, day)
    missing = example_for(spec, MISSING_ID, day)
    before = await w.private_state()
    for client, room_id in ((w.carol, w.other), (w.mallory, w.mallory_dm), (w.mallory, w.lobby)):
        mark = client.mark()
        reply = await ask(client, room_id, command)
        # exactly the answer a missing id gets there ("unknown", or a refusal of the
        # role that comes before any look-up), so nothing tells the meeting exists
        expected = (await ask(client, room_id, missing)).body.replace(
            str(MISSING_ID), str(meeting_id)
        )
        assert reply.body == expected, (command, room_id, reply.body)
        assert reply.body in unknown_texts(meeting_id, unknown_key) or any(
            t in reply.body for t in REFUSED_ROLE
        ), (command, room_id, reply.body)
        assert clean(reply)
        await no_files_since(w, client, room_id, mark)
    assert await w.private_state() == before, f"{command} from outside changed the room"
    member = actor_for(w, spec)
    reply = await ask(member, w.private, command)
    assert reply.body not in unknown_texts(meeting_id, unknown_key), (command, reply.body)
    assert not any(t in reply.body for t in (*INTERNAL_ERROR, *REFUSED_ROLE)), reply.body
    # its upload (!termin's .ics) is sent before the next case takes its snapshot
    await ask(member, w.private, "!phasen")


async def room_case(w: World, spec: CommandSpec) -> None:
    command = example_for(spec)
    before = await w.private_state()
    for client, room_id in ((w.carol, w.other), (w.mallory, w.mallory_dm)):
        mark = client.mark()
        reply = await ask(client, room_id, command)
        assert clean(reply), (command, reply.body)
        await ask(client, room_id, "!phasen")  # any upload of the command has come
        for message in client.messages(room_id, sender=w.bot.user_id)[-5:]:
            if message.index >= mark:  # their own room's files are theirs; no secret
                assert clean(message), (command, message.body)
    assert await w.private_state() == before, f"{command} elsewhere changed the private room"
    reply = await ask(actor_for(w, spec), w.private, command)
    assert not any(t in reply.body for t in INTERNAL_ERROR), (command, reply.body)
    await ask(actor_for(w, spec), w.private, "!phasen")  # and any upload of it, too


async def personal_case(w: World, spec: CommandSpec) -> None:
    command = example_for(spec)
    line = CATALOG.get("privacy.answered_direct", "de")
    mark = w.alice.mark()
    reply = await ask(w.alice, w.private, command)
    assert reply.body in {line, CATALOG.get("privacy.answered_direct", "en")}, reply.body
    await w.alice.wait_for(
        lambda r: r.room_id == w.alice_dm and r.sender == w.bot.user_id,
        15,
        since_index=mark,
    )
    await ask(w.alice, w.private, "!phasen")  # everything of the command has been sent
    in_room = [
        m
        for m in w.alice.messages(w.private, sender=w.bot.user_id)
        if m.index >= mark and m.in_reply_to == reply.in_reply_to
    ]
    assert [m.body for m in in_room] == [reply.body], "more than one line in the group room"
    outside = await ask(w.mallory, w.mallory_dm, command)
    assert clean(outside), (command, outside.body)
    # their own export ("!meine-daten" sends a file) has come before the next case's mark
    await ask(w.mallory, w.mallory_dm, "!phasen")


async def network_case(w: World, spec: CommandSpec) -> None:
    command = example_for(spec)
    before = await w.private_state()
    mark = w.mallory.mark()
    reply = await ask(w.mallory, w.mallory_dm, command)
    assert clean(reply), (command, reply.body)
    await no_files_since(w, w.mallory, w.mallory_dm, mark)
    assert await w.private_state() == before, f"{command} changed the private room"


def test_every_command_is_classified() -> None:
    """Fails fast (no homeserver needed) when a command declares no scope."""
    missing = [s.name for s in REGISTRY.commands if s.scope is None]
    assert not missing, f"declare scope= for: {missing}"
