"""Arbitrary JSON in every event type the bot handles never escapes conversion or dispatch.

Each example is a whole /sync response body as a homeserver could send it; it goes
through nio's own parsing (``SyncResponse.from_dict`` and the client's room-state
update), the bot's conversion (``MatrixConnection._inbound``/``_invites``), the inbox
round trip and the real dispatcher with in-memory services. Nothing may raise, and no
handler may fail on it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nio import AsyncClient, AsyncClientConfig, SyncResponse

from bot.config import MatrixSettings
from bot.dispatch import Dispatcher, FloodGuard
from bot.eventfields import annotation, get_int, get_str, mentioned_user_ids, thread_root_of
from bot.events import Message, decode_inbound, encode_inbound
from bot.matrix import MatrixConnection
from bot.metrics import Metrics
from commands.context import Services
from storage.core import DirectRooms, ErrorLog
from storage.jobs import SentLog
from tests.fakes import make_services, must

BOT = "@koopbot:localhost"
ROOM = "!room:localhost"
_ids = itertools.count()

json_scalar = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
)
json_value = st.recursive(
    json_scalar,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
# Values the bot looks for, mixed with arbitrary ones, so that deep paths are reached.
ids = st.sampled_from(["$target:localhost", "$e", BOT, "@member:localhost", ""]) | json_value
relation = st.fixed_dictionaries(
    {},
    optional={
        "rel_type": st.sampled_from(["m.thread", "m.annotation", "m.replace", "m.reference"])
        | json_value,
        "event_id": ids,
        "key": st.sampled_from(["👍", "👎", "x" * 100]) | json_value,
        "m.in_reply_to": st.fixed_dictionaries({}, optional={"event_id": ids}) | json_value,
        "is_falling_back": json_value,
    },
)
content = st.fixed_dictionaries(
    {},
    optional={
        "msgtype": st.sampled_from(["m.text", "m.emote", "m.notice", "m.file"]) | json_value,
        "body": st.sampled_from(["!hilfe", "!phasen", "!dabei 1", "hallo", ""])
        | st.text(max_size=80)
        | json_value,
        "format": st.just("org.matrix.custom.html") | json_value,
        "formatted_body": st.text(max_size=40) | json_value,
        "m.relates_to": relation | json_value,
        "m.mentions": st.fixed_dictionaries(
            {}, optional={"user_ids": st.lists(ids, max_size=3) | json_value, "room": json_value}
        )
        | json_value,
        "m.new_content": json_value,
        "membership": st.sampled_from(["join", "leave", "invite", "ban", "knock"]) | json_value,
        "displayname": json_value,
        "is_direct": json_value,
        "redacts": ids,
        "algorithm": st.just("m.megolm.v1.aes-sha2") | json_value,
        "ciphertext": st.text(max_size=20) | json_value,
        "sender_key": st.text(max_size=20) | json_value,
        "session_id": st.text(max_size=20) | json_value,
        "device_id": st.text(max_size=20) | json_value,
        "users": st.dictionaries(st.text(max_size=12), json_value, max_size=3) | json_value,
        "users_default": json_value,
        "name": json_value,
        "topic": json_value,
        "creator": ids,
        "room_version": json_value,
    },
)
# Every type the bot converts, plus the state it (or nio, for it) reads.
EVENT_TYPES = [
    "m.room.message",
    "m.reaction",
    "m.room.redaction",
    "m.room.member",
    "m.room.encrypted",
    "m.room.power_levels",
    "m.room.name",
    "m.room.topic",
    "m.room.encryption",
    "m.room.create",
    "m.sticker",
]


ids_text = st.sampled_from(["$target:localhost", "$e", BOT, "@member:localhost", ""]) | st.text(
    max_size=20
)


@st.composite
def events(draw: st.DrawFn, *, state: bool = False) -> dict[str, Any]:
    """One event as the homeserver delivers it: the envelope (ids, sender, timestamp) is
    the server's and well-formed; type, state key and content are the sender's choice
    (the server only insists on strings and a JSON object)."""
    event: dict[str, Any] = {
        "type": draw(st.sampled_from(EVENT_TYPES) | st.text(max_size=20)),
        "event_id": f"$ev{next(_ids)}",
        "sender": draw(st.sampled_from(["@member:localhost", BOT])),
        "origin_server_ts": draw(st.sampled_from([1_900_000_000_000, 0, 1])),
        "content": draw(content | st.dictionaries(st.text(max_size=12), json_value, max_size=4)),
    }
    if state or draw(st.booleans()):
        event["state_key"] = draw(ids_text)
    if draw(st.booleans()):
        event["unsigned"] = {
            "prev_content": draw(
                content | st.dictionaries(st.text(max_size=12), json_value, max_size=3)
            )
        }
    if draw(st.booleans()):
        event["redacts"] = draw(ids_text)
    return event


def sync_body(timeline: list[Any], state: list[Any], left: list[Any], invite: list[Any]) -> Any:
    return {
        "next_batch": f"s{next(_ids)}",
        "rooms": {
            "join": {
                ROOM: {
                    "timeline": {"events": timeline, "limited": False},
                    "state": {"events": state},
                }
            },
            "leave": {"!left:localhost": {"timeline": {"events": left}}},
            "invite": {"!invited:localhost": {"invite_state": {"events": invite}}},
        },
    }


class World:
    def __init__(self, tmp: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.services: Services = self.loop.run_until_complete(make_services(tmp))
        settings = MatrixSettings(user_id=BOT, encryption=False)
        db = self.services.db
        self.conn = MatrixConnection(
            settings, tmp / "matrix", sent_log=SentLog(db), direct_rooms=DirectRooms(db)
        )
        self.conn._client = AsyncClient(
            "http://127.0.0.1:9", BOT, config=AsyncClientConfig(encryption_enabled=False)
        )
        self.dispatcher = Dispatcher(
            self.services,
            must(self.services.registry),
            self.conn,
            Metrics(),
            FloodGuard(0, 0, 60),
        )

    def close(self) -> None:
        self.loop.run_until_complete(self.conn.client.close())
        self.loop.run_until_complete(self.services.db.close())
        self.loop.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    world = World(tmp_path_factory.mktemp("events"))
    yield world
    world.close()


async def _through_everything(world: World, body: Any) -> None:
    response = SyncResponse.from_dict(body)
    if not isinstance(response, SyncResponse):
        return  # nio refused the whole body (the sync loop retries; nothing to convert)
    await world.conn.client.receive_response(response)
    world.conn._invites(response)
    events = world.conn._inbound(response)
    for event in events:
        assert decode_inbound(event.kind, encode_inbound(event)) == event
    errors_before = len(await ErrorLog(world.services.db).latest(1000))
    await world.dispatcher.accept(events, response.next_batch)
    tasks = list(world.dispatcher._tasks)
    if tasks:
        await asyncio.wait(tasks, timeout=30)
    for task in tasks:
        assert task.done() and task.exception() is None
    errors = await ErrorLog(world.services.db).latest(1000)
    assert len(errors) == errors_before, f"a handler failed: {errors[0]}"


# Drawing one whole sync body costs ~50 ms of Hypothesis' own time (more than running
# it): 100 bodies per run (was 300), each run a fresh random set of them.
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    timeline=st.lists(events(), max_size=4),
    state=st.lists(events(state=True), max_size=3),
    left=st.lists(events(state=True), max_size=2),
    invite=st.lists(events(state=True), max_size=2),
)
def test_arbitrary_events_never_escape(
    world: World, timeline: list[Any], state: list[Any], left: list[Any], invite: list[Any]
) -> None:
    logging.getLogger("nio").setLevel(logging.CRITICAL)
    body = sync_body(timeline, state, left, invite)
    world.loop.run_until_complete(_through_everything(world, body))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=json_value)
def test_field_helpers_never_raise(value: Any) -> None:
    for container in (value, {"k": value}, {"m.relates_to": value}, {"m.mentions": value}):
        get_str(container, "k")
        get_int(container, "k")
        annotation(container)
        thread_root_of(container)
        assert all(isinstance(u, str) for u in mentioned_user_ids(container))


def test_the_reported_poison_events_are_converted_or_skipped(world: World) -> None:
    """The three events of the issue: relation as a string, formatted_body a number,
    a reaction whose relation is a string."""
    timeline = [
        {
            "type": "m.room.message",
            "event_id": "$p1",
            "sender": "@member:localhost",
            "origin_server_ts": 1,
            "content": {"msgtype": "m.text", "body": "!phasen", "m.relates_to": "oops"},
        },
        {
            "type": "m.room.message",
            "event_id": "$p2",
            "sender": "@member:localhost",
            "origin_server_ts": 1,
            "content": {"msgtype": "m.text", "body": "!phasen", "formatted_body": 7},
        },
        {
            "type": "m.reaction",
            "event_id": "$p3",
            "sender": "@member:localhost",
            "origin_server_ts": 1,
            "content": {"m.relates_to": "oops"},
        },
    ]
    response = SyncResponse.from_dict(sync_body(timeline, [], [], []))
    assert isinstance(response, SyncResponse)
    converted = world.conn._inbound(response)
    # both messages count as plain commands (the malformed field as absent); the
    # reaction without a valid relation is no reaction at all
    assert [(e.kind, e.event_id) for e in converted] == [("message", "$p1"), ("message", "$p2")]
    assert all(getattr(e, "thread_root", None) is None for e in converted)


def _member_event(ts: int, prev: str | None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "m.room.member",
        "event_id": f"$join{next(_ids)}",
        "sender": BOT,
        "state_key": BOT,
        "origin_server_ts": ts,
        "content": {"membership": "join"},
    }
    if prev is not None:
        event["unsigned"] = {"prev_content": {"membership": prev}}
    return event


def _message(ts: int, body: str) -> dict[str, Any]:
    return {
        "type": "m.room.message",
        "event_id": f"$msg{next(_ids)}",
        "sender": "@member:localhost",
        "origin_server_ts": ts,
        "content": {"msgtype": "m.text", "body": body},
    }


def _bodies(world: World, timeline: list[Any]) -> list[str]:
    response = SyncResponse.from_dict(sync_body(timeline, [], [], []))
    assert isinstance(response, SyncResponse)
    # the member's messages (the bot's own membership events are converted too)
    return [e.body for e in world.conn._inbound(response) if isinstance(e, Message)]


def test_a_message_right_after_the_join_is_no_history(world: World) -> None:
    """The member saw the bot join and wrote at once; the bot's join response came late
    (a loaded machine), so its own clock put the join after the message. The server's
    time of the join decides: the message is answered, the history before it is not."""
    world.conn._joined_at[ROOM] = 1_700_000_010_000  # the bot's clock, after a slow response
    try:
        bodies = _bodies(
            world,
            [
                _message(1_700_000_000_000, "history before the join"),
                _member_event(1_700_000_005_000, prev="invite"),
                _message(1_700_000_006_000, "!profil"),
            ],
        )
        assert bodies == ["!profil"]
        # a later profile change (join -> join) moves nothing
        later = _bodies(
            world,
            [_member_event(1_700_000_020_000, prev="join"), _message(1_700_000_007_000, "!hilfe")],
        )
        assert later == ["!hilfe"]
    finally:
        world.conn._joined_at.pop(ROOM, None)
