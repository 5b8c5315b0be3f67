"""In-memory stand-ins for the services, to run commands without a homeserver.

They implement the Protocols of commands.context exactly; no mocks of internals.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from commands import COMMAND_MODULES
from commands.context import NetworkInfo, RoomInfo, Services
from commands.i18n import Catalog
from commands.registry import Registry
from commands.reply import Attachment, Reply
from storage import Database


@dataclass
class Sent:
    room_id: str
    reply: Reply | None
    key: str | None
    reply_to: str | None
    thread_root: str | None
    attachment: Attachment | None = None


@dataclass
class FakeChat:
    user_id: str = "@koopbot:localhost"
    sent: list[Sent] = field(default_factory=list)
    power: dict[tuple[str, str], int] = field(default_factory=dict)
    rooms: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    redacted: list[tuple[str, str]] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _keys: dict[str, str] = field(default_factory=dict)
    raw: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    async def send(
        self,
        room_id: str,
        reply: Reply,
        *,
        key: str | None = None,
        reply_to: str | None = None,
        thread_root: str | None = None,
    ) -> str:
        if key is not None and key in self._keys:
            return self._keys[key]
        event_id = f"$e{next(self._ids)}"
        self.sent.append(Sent(room_id, reply, key, reply_to, thread_root))
        if key is not None:
            self._keys[key] = event_id
        return event_id

    async def send_event(
        self, room_id: str, event_type: str, content: dict[str, Any], *, key: str | None = None
    ) -> str:
        if key is not None and key in self._keys:
            return self._keys[key]
        event_id = f"$r{next(self._ids)}"
        self.raw.append((room_id, event_type, content))
        if key is not None:
            self._keys[key] = event_id
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
        event_id = f"$f{next(self._ids)}"
        self.sent.append(Sent(room_id, None, key, reply_to, thread_root, attachment))
        return event_id

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
        room_id = f"!room{next(self._ids)}"
        self.rooms[room_id] = [self.user_id, *invite]
        self.names[room_id] = name
        return room_id

    async def invite(self, room_id: str, user_id: str) -> None:
        self.rooms.setdefault(room_id, []).append(user_id)

    async def redact(self, room_id: str, event_id: str, reason: str = "") -> None:
        self.redacted.append((room_id, event_id))

    def replies(self) -> list[Reply]:
        return [s.reply for s in self.sent if s.reply is not None]


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

    def last_sync_at(self) -> datetime | None:
        return datetime.now(UTC)

    def scheduled_jobs(self) -> int:
        return 0

    async def rooms(self) -> list[RoomInfo]:
        return []


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
        from content import ContentIndex, load_content

        content = load_content()
        answers = ContentIndex(content)
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
