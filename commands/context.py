"""What a handler sees: the message, the sender, and the services it may use.

The services are Protocols implemented in ``bot``; commands never import ``bot``.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast
from zoneinfo import ZoneInfo

from commands.i18n import Catalog
from commands.reply import Attachment, Reply
from storage import Database

if TYPE_CHECKING:
    from commands.registry import Registry
    from content import ContentIndex, ContentSet

T = TypeVar("T")


class KeyedLocks:
    """One asyncio lock per key (a poll, a meeting), kept only while in use: a step that
    sends messages between its reads and writes must not interleave with itself."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[Hashable, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def __call__(self, key: Hashable) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock


class Chat(Protocol):
    """Matrix as the commands need it (implemented by bot.matrix)."""

    user_id: str

    async def send(
        self,
        room_id: str,
        reply: Reply,
        *,
        key: str | None = None,
        reply_to: str | None = None,
        thread_root: str | None = None,
    ) -> str:
        """Send a message; ``key`` makes it exactly-once (sent-log + transaction id)."""
        ...

    async def send_event(
        self, room_id: str, event_type: str, content: dict[str, Any], *, key: str | None = None
    ) -> str:
        """Send a raw event (e.g. a poll); ``key`` makes it exactly-once like ``send``."""
        ...

    async def upload(
        self,
        room_id: str,
        attachment: Attachment,
        *,
        key: str | None = None,
        reply_to: str | None = None,
        thread_root: str | None = None,
    ) -> str: ...

    async def power_level(self, room_id: str, user_id: str) -> int: ...

    async def members(self, room_id: str) -> list[str]: ...

    def joined_rooms(self) -> list[str]: ...

    def room_name(self, room_id: str) -> str: ...

    def display_name(self, user_id: str) -> str:
        """The name a person shows in the rooms the bot shares with them (their
        localpart when none is known)."""
        ...

    async def direct_room(self, user_id: str) -> str:
        """The direct chat with a user, created (and remembered) when missing."""
        ...

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
    ) -> str: ...

    async def invite(self, room_id: str, user_id: str) -> None: ...

    async def redact(self, room_id: str, event_id: str, reason: str = "") -> None:
        """Remove one of the bot's messages (its content) from a room."""
        ...


class Scheduling(Protocol):
    """Timed jobs (implemented by bot.scheduler); the jobs table is the truth."""

    async def schedule(
        self,
        kind: str,
        ref: str,
        due_at: datetime,
        *,
        not_after: datetime | None = None,
        payload: dict[str, Any] | None = None,
    ) -> int: ...

    async def schedule_many(
        self, kind: str, items: Iterable[tuple[str, datetime, datetime | None, dict[str, Any]]]
    ) -> None:
        """Many jobs of one kind: (ref, due_at, not_after, payload) each."""
        ...

    async def cancel(self, kind: str, ref_prefix: str) -> int: ...

    async def resync(self) -> None:
        """Mirror the pending rows again after rows were moved (e.g. a room upgrade)."""
        ...


@dataclass(frozen=True)
class RoomInfo:
    room_id: str
    name: str
    members: int
    key: str | None = None
    kind: str | None = None


class Runtime(Protocol):
    """Process facts for !status, and the bot's own view of its network rooms."""

    started_at: datetime

    def last_sync_at(self) -> datetime | None: ...

    def scheduled_jobs(self) -> int: ...

    async def rooms(self) -> list[RoomInfo]: ...

    async def reload_rooms(self) -> None:
        """Read ``NetworkInfo.room_ids``/``room_kinds`` from storage again after a command
        changed the stored rooms: only the bot (``bot/rooms.py``) writes those fields."""
        ...


@dataclass
class NetworkInfo:
    """The network's settings as the commands need them (built by bot from config)."""

    name: str
    language: str
    tz: ZoneInfo
    coordinators: tuple[str, ...]
    reminder_offsets: tuple[timedelta, ...]
    room_ids: dict[str, str] = field(default_factory=dict)  # config key -> room id
    room_kinds: dict[str, str] = field(default_factory=dict)  # config key -> kind
    topic_rooms: dict[str, str] = field(default_factory=dict)  # content topic key -> room key
    intro_every_weeks: int = 4
    digest_weekday: int = 0  # 0 = Monday
    digest_time: str = "08:00"  # local wall time of the weekly digest
    state: str | None = None  # German state code ("NW"): school and public holidays
    series_skip_holidays: bool = False  # series skip holidays unless "mit Ferien"
    web_url: str = ""  # where /calendar/<token>.ics is reached (empty: no web server)

    def room_of_kind(self, kind: str) -> str | None:
        for key, room_kind in self.room_kinds.items():
            if room_kind == kind and key in self.room_ids:
                return self.room_ids[key]
        return None

    @property
    def lobby_room(self) -> str | None:
        return self.room_of_kind("lobby")

    @property
    def coordinators_room(self) -> str | None:
        return self.room_of_kind("coordinators")

    def network_rooms(self) -> list[str]:
        return list(self.room_ids.values())


@dataclass
class Services:
    """Everything shared by handlers and jobs; one instance per running bot."""

    chat: Chat
    db: Database
    scheduler: Scheduling
    network: NetworkInfo
    catalog: Catalog
    runtime: Runtime
    content: ContentSet | None = None
    answers: ContentIndex | None = None
    registry: Registry | None = None  # for generated help
    clock: Callable[[], datetime] = field(default=lambda: datetime.now().astimezone())
    locks: KeyedLocks = field(default_factory=KeyedLocks)
    _shared: dict[type, Any] = field(default_factory=dict, repr=False)

    def is_coordinator(self, user_id: str) -> bool:
        return user_id in self.network.coordinators

    def shared(self, kind: type[T]) -> T:
        """The one ``kind()`` of this running bot, made on first use: what a command
        group keeps between messages (an index, a cache) lives here, never in a module
        global, so two bots in one process (tests) never share it."""
        found = self._shared.get(kind)
        if found is None:
            found = self._shared[kind] = kind()
        return cast(T, found)

    def now(self) -> datetime:
        return self.clock()


@dataclass
class Context:
    """One command being handled."""

    services: Services
    sender: str
    room_id: str
    event_id: str
    thread_root: str | None
    is_direct: bool
    lang: str
    body: str = ""
    command: str = ""
    asked_in: str | None = None  # set when a group-room command is answered in the DM
    _sent: int = 0

    def t(self, key: str, /, **params: object) -> str:
        return self.services.catalog.get(key, self.lang, **params)

    @property
    def db(self) -> Database:
        return self.services.db

    @property
    def chat(self) -> Chat:
        return self.services.chat

    def _next_key(self) -> str:
        self._sent += 1
        where = "" if self.asked_in is None else "dm:"
        return f"cmd:{self.event_id}:{where}{self._sent}"

    async def reply(self, reply: Reply | str) -> str:
        """Answer the command: in reply to it, in its thread, exactly once."""
        message = Reply(reply) if isinstance(reply, str) else reply
        # an answer moved to the direct chat cannot reply to an event of another room
        reply_to = self.event_id if self.asked_in is None else None
        event_id = await self.chat.send(
            self.room_id,
            message,
            key=self._next_key(),
            reply_to=reply_to,
            thread_root=self.thread_root,
        )
        if message.attachment is not None:
            await self.chat.upload(
                self.room_id,
                message.attachment,
                key=self._next_key(),
                reply_to=reply_to,
                thread_root=self.thread_root,
            )
        return event_id

    async def to_direct_chat(self) -> Context:
        """Personal answers go to the sender's direct chat; the room gets one line."""
        if self.is_direct:
            return self
        direct = await self.chat.direct_room(self.sender)
        await self.reply(self.t("privacy.answered_direct"))
        return replace(
            self,
            room_id=direct,
            thread_root=None,
            is_direct=True,
            asked_in=self.room_id,
            _sent=0,
        )

    @property
    def is_coordinator(self) -> bool:
        return self.services.is_coordinator(self.sender)

    async def is_moderator(self) -> bool:
        """Coordinators, and room members with power level 50 or more."""
        if self.is_coordinator:
            return True
        return await self.chat.power_level(self.room_id, self.sender) >= 50


@dataclass
class JobContext:
    """A timed job being run: the services and the job's language."""

    services: Services
    lang: str
    key: str = ""  # sent-log key of this job run; suffix it for several messages

    def t(self, key: str, /, **params: object) -> str:
        return self.services.catalog.get(key, self.lang, **params)
