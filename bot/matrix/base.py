"""What the parts of the Matrix connection share: ``MatrixError``, the retry limits,
the sync health and the connection's state (``ConnectionState``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nio import AsyncClient

from bot.config import MatrixSettings
from bot.powerlevels import RoomCreation
from storage.core import DirectRooms
from storage.jobs import SentLog

RETRY_CAP_SECONDS = 4.0
SEND_GIVE_UP_SECONDS = 180.0
MAX_RATE_LIMIT_WAIT = 30.0


class MatrixError(Exception):
    """A Matrix request failed.

    ``transient`` is true when the homeserver could not be reached (or kept rate
    limiting) past the retry budget: trying again later may work. Otherwise the
    homeserver refused (no permission, unknown room …) and retrying will not help.
    """

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass
class SyncHealth:
    """What /healthz and !status need to know about the sync loop."""

    started: float = field(default_factory=time.monotonic)
    last_ok: float | None = None
    failing_since: float | None = None
    running: bool = False

    def healthy(self, max_age: float) -> bool:
        if not self.running or self.failing_since is not None or self.last_ok is None:
            return False
        return time.monotonic() - self.last_ok <= max_age


class ConnectionState:
    """The state of one logged-in device that every part of ``MatrixConnection`` reads:
    the nio client, the rooms joined and left, the stores. The parts (login, keys,
    conversion, rooms, sending, the sync loop) are mixins over it."""

    def __init__(
        self,
        settings: MatrixSettings,
        store_dir: Path,
        *,
        sent_log: SentLog,
        direct_rooms: DirectRooms,
        direct_chats_encrypted: bool = False,
        on_sync_handled: Callable[[float], None] | None = None,
        on_key_withheld: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self._on_sync_handled = on_sync_handled
        self._on_key_withheld = on_key_withheld
        # megolm session id (or "device:<sender key>") -> withheld code, logged once each
        self._withheld: dict[str, str] = {}
        self._key_requested: set[str] = set()
        self._background: set[asyncio.Task[Any]] = set()
        # called after the bot joined a room on an invite (a successor room may wait)
        self.on_joined: Callable[[str], Awaitable[None]] | None = None
        self.user_id = settings.user_id
        self._store_dir = store_dir
        self._sent_log = sent_log
        self._direct_rooms = direct_rooms
        self._direct_chats_encrypted = direct_chats_encrypted
        self._client: AsyncClient | None = None
        self._joined_at: dict[str, int] = {}
        self._left: set[str] = set()
        self._creation: dict[str, RoomCreation] = {}
        self.health = SyncHealth()
        self._stop = asyncio.Event()
        self._direct_lock = asyncio.Lock()
        self.cross_signed = False
        self.cross_signing_master_key: str | None = None

    @property
    def client(self) -> AsyncClient:
        if self._client is None:
            raise MatrixError("not logged in")
        return self._client

    async def _wait_for_room(self, room_id: str, timeout: float = 15.0) -> None:  # noqa: ASYNC109
        """A room just created or joined appears after the next sync; wait for it."""
        deadline = time.monotonic() + timeout
        while room_id not in self.client.rooms:
            if time.monotonic() > deadline:
                raise MatrixError(f"room {room_id} unknown to the bot")
            await asyncio.sleep(0.05)
