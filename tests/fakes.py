"""In-memory stand-ins for the services, to run commands without a homeserver.

They implement the Protocols of commands.context exactly; no mocks of internals.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from bot.dispatch import Dispatcher, FloodGuard
from bot.metrics import Metrics
from commands import COMMAND_MODULES
from commands.context import Context, NetworkInfo, RoomInfo, Services
from commands.i18n import Catalog
from commands.registry import Registry
from commands.reply import Attachment, Reply
from storage import Database
from tests.built import built_once

T = TypeVar("T")

if TYPE_CHECKING:
    from content import ContentIndex, ContentSet


@dataclass
class Sent:
    """A message the bot sent."""

    room_id: str
    reply: Reply
    key: str | None
    reply_to: str | None
    thread_root: str | None
    event_id: str = ""
    at: float = field(default_factory=time.time)  # wall clock when it was sent


@dataclass
class Upload:
    """A file the bot sent."""

    room_id: str
    attachment: Attachment
    key: str | None
    reply_to: str | None
    thread_root: str | None
    event_id: str = ""


class RawEvent(NamedTuple):
    """A raw event sent with ``send_event`` (a poll start or end)."""

    room_id: str
    event_type: str
    content: dict[str, Any]
    event_id: str


class StateEvent(NamedTuple):
    """A state event put with ``put_state`` (``commands.rooms.StateWriter``)."""

    room_id: str
    event_type: str
    state_key: str
    content: dict[str, Any]


@dataclass
class FakeChat:
    """The Chat protocol in memory.

    A key is sent once, like the real sent-log: sending again with the same key returns the
    first event id and records nothing. ``rooms`` maps the rooms the bot is in to their
    members; ``power`` holds levels above 0; ``names`` holds room and display names.
    """

    user_id: str = "@koopbot:localhost"
    sent: list[Sent] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    raw: list[RawEvent] = field(default_factory=list)
    state: list[StateEvent] = field(default_factory=list)
    power: dict[tuple[str, str], int] = field(default_factory=dict)
    rooms: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    redacted: list[tuple[str, str]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # ids of the rooms create_room made
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _keys: dict[str, str] = field(default_factory=dict)

    def _event_id(self, prefix: str, key: str | None) -> tuple[str, bool]:
        """A new event id, or the one already sent with ``key`` (then True)."""
        if key is not None and key in self._keys:
            return self._keys[key], True
        event_id = f"${prefix}{next(self._ids)}"
        if key is not None:
            self._keys[key] = event_id
        return event_id, False

    async def send(
        self,
        room_id: str,
        reply: Reply,
        *,
        key: str | None = None,
        reply_to: str | None = None,
        thread_root: str | None = None,
    ) -> str:
        event_id, repeated = self._event_id("e", key)
        if not repeated:
            self.sent.append(Sent(room_id, reply, key, reply_to, thread_root, event_id))
        return event_id

    async def send_event(
        self, room_id: str, event_type: str, content: dict[str, Any], *, key: str | None = None
    ) -> str:
        event_id, repeated = self._event_id("r", key)
        if not repeated:
            self.raw.append(RawEvent(room_id, event_type, content, event_id))
        return event_id

    async def upload(
        self,
        room_id: str,
        attachment: Attachment,
        *,
        key: str | None = None,
        reply_to: str | None = None,
        thread_root: str | None = None,
    ) -> str:
        event_id, repeated = self._event_id("f", key)
        if not repeated:
            self.uploads.append(Upload(room_id, attachment, key, reply_to, thread_root, event_id))
        return event_id

    async def put_state(
        self, room_id: str, event_type: str, content: dict[str, Any], state_key: str = ""
    ) -> None:
        self.state.append(StateEvent(room_id, event_type, state_key, content))

    async def power_level(self, room_id: str, user_id: str) -> int:
        return self.power.get((room_id, user_id), 0)

    async def members(self, room_id: str) -> list[str]:
        return list(self.rooms.get(room_id, []))

    def joined_rooms(self) -> list[str]:
        return list(self.rooms)

    def room_name(self, room_id: str) -> str:
        return self.names.get(room_id, room_id)

    def display_name(self, user_id: str) -> str:
        return self.names.get(user_id) or user_id.split(":", 1)[0].lstrip("@")

    async def direct_room(self, user_id: str) -> str:
        room_id = f"!dm-{user_id}"
        self.rooms.setdefault(room_id, [self.user_id, user_id])
        return room_id

    async def create_room(
        self,
        name: str,
        *,
        topic: str = "",
        invite: Sequence[str] = (),
        encrypted: bool = False,
        public: bool = False,
        space: bool = False,
        power_users: dict[str, int] | None = None,
    ) -> str:
        room_id = f"!room{next(self._ids)}:localhost"
        self.rooms[room_id] = [self.user_id, *invite]
        self.names[room_id] = name
        self.created.append(room_id)
        return room_id

    async def invite(self, room_id: str, user_id: str) -> None:
        self.rooms.setdefault(room_id, []).append(user_id)

    async def redact(self, room_id: str, event_id: str, reason: str = "") -> None:
        self.redacted.append((room_id, event_id))

    def replies(self) -> list[Reply]:
        return [s.reply for s in self.sent]

    def texts(self, room_id: str | None = None) -> list[str]:
        """The plain text of every message sent (to ``room_id`` only, when given)."""
        return [s.reply.text for s in self.sent if room_id is None or s.room_id == room_id]


@dataclass
class FakeScheduler:
    jobs: dict[tuple[str, str], datetime] = field(default_factory=dict)

    async def schedule(
        self,
        kind: str,
        ref: str,
        due_at: datetime,
        *,
        not_after: datetime | None = None,
        payload: dict[str, Any] | None = None,
    ) -> int:
        self.jobs[(kind, ref)] = due_at
        return len(self.jobs)

    async def schedule_many(
        self, kind: str, items: Iterable[tuple[str, datetime, datetime | None, dict[str, Any]]]
    ) -> None:
        for ref, due_at, _until, _payload in items:
            self.jobs[(kind, ref)] = due_at

    async def cancel(self, kind: str, ref_prefix: str) -> int:
        gone = [k for k in self.jobs if k[0] == kind and k[1].startswith(ref_prefix)]
        for k in gone:
            del self.jobs[k]
        return len(gone)

    async def resync(self) -> None:
        return None


@dataclass
class FakeRuntime:
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    room_reloads: int = 0
    on_reload_rooms: Callable[[], Awaitable[None]] | None = None

    def last_sync_at(self) -> datetime | None:
        return datetime.now(UTC)

    def scheduled_jobs(self) -> int:
        return 0

    async def rooms(self) -> list[RoomInfo]:
        return []

    async def reload_rooms(self) -> None:
        """Unit tests set ``network.room_ids`` themselves, or hand in the bot's reload."""
        self.room_reloads += 1
        if self.on_reload_rooms is not None:
            await self.on_reload_rooms()


def _shipped() -> tuple[ContentSet, ContentIndex]:
    from content import ContentIndex, load_content

    content = load_content()
    return content, ContentIndex(content)


def shipped_index() -> ContentIndex:
    """A fresh copy of the shipped content's index (``ContentIndex(load_content())``)."""
    return built_once("shipped", _shipped)[1]


def _unrefused() -> ContentIndex:
    from content import ContentIndex, load_content

    return ContentIndex(load_content(), refused=[])


def unrefused_index() -> ContentIndex:
    """A fresh copy of ``ContentIndex(load_content(), refused=[])``: the shipped content
    without the shipped refused questions, for tests that count only what they flag."""
    return built_once("unrefused", _unrefused)


async def make_services(
    tmp_path: Path,
    *,
    coordinators: tuple[str, ...] = ("@koord:localhost",),
    with_content: bool = True,
) -> Services:
    db = Database(tmp_path / "k.db")
    await db.open()
    content = answers = None
    if with_content:
        content, answers = built_once("shipped", _shipped)
    return Services(
        chat=FakeChat(),
        db=db,
        scheduler=FakeScheduler(),
        network=NetworkInfo(
            name="Netzwerk Test",
            language="de",
            tz=ZoneInfo("Europe/Berlin"),
            coordinators=coordinators,
            reminder_offsets=(timedelta(days=1), timedelta(hours=1)),
        ),
        catalog=Catalog.load(),
        runtime=FakeRuntime(),
        content=content,
        answers=answers,
        registry=Registry.from_modules(COMMAND_MODULES),
    )


def fake_chat(services: Services) -> FakeChat:
    """The services' chat, which ``make_services`` made a FakeChat."""
    assert isinstance(services.chat, FakeChat)
    return services.chat


def must(value: T | None) -> T:
    """``value``, which the test's set-up guarantees is there (narrows Optionals)."""
    assert value is not None
    return value


def command_dispatcher(services: Services, registry: Registry | None = None) -> Dispatcher:
    """A dispatcher for the command path (``run_command``, ``handle_message``) without
    flood limits and without a Matrix connection, which that path does not use."""
    registry = registry or services.registry
    assert registry is not None
    no_matrix = None  # the command path never touches the connection
    return Dispatcher(services, registry, no_matrix, Metrics(), FloodGuard(0, 0, 60))  # type: ignore[arg-type]


def message_context(
    services: Services, sender: str, room: str, event: str, *, lang: str = "de", direct: bool = True
) -> Context:
    """The context of one message ``event`` by ``sender`` in ``room`` (a direct chat unless
    ``direct`` is False)."""
    return Context(
        services=services,
        sender=sender,
        room_id=room,
        event_id=event,
        thread_root=None,
        is_direct=direct,
        lang=lang,
    )
