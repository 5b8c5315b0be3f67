"""A plain user account over nio: the demo's terminal chat and the benchmarks' clients."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientConnectionError, ServerDisconnectedError
from nio import (
    AsyncClient,
    AsyncClientConfig,
    JoinResponse,
    RoomCreateResponse,
    RoomSendResponse,
    SyncResponse,
)

from bot.matrix.base import RETRY_CAP_SECONDS, MatrixError

log = logging.getLogger(__name__)


# what a person sees in a room: messages and (MSC3381) polls
PEER_SHOWN_TYPES = (
    "m.room.message",
    "org.matrix.msc3381.poll.start",
    "org.matrix.msc3381.poll.end",
)


@dataclass(frozen=True)
class PeerRoom:
    """A room as a plain user sees it (the demo's room list)."""

    room_id: str
    name: str
    display_name: str
    members: int
    is_space: bool


class PeerClient:
    """A plain user account (the demo's terminal chat; benchmarks' second client).

    Kept in this package because it is the only one that talks nio.
    """

    def __init__(self, homeserver: str, user_id: str, device_id: str, access_token: str) -> None:
        self.user_id = user_id
        config = AsyncClientConfig(max_timeout_retry_wait_time=RETRY_CAP_SECONDS)
        self._client = AsyncClient(homeserver, user_id, device_id=device_id, config=config)
        self._client.restore_login(user_id, device_id, access_token)
        self._stop = asyncio.Event()

    async def create_room(self, invite: Sequence[str] = (), name: str = "") -> str:
        response = await self._client.room_create(name=name or None, invite=list(invite))
        if not isinstance(response, RoomCreateResponse):
            raise MatrixError(f"could not create room: {getattr(response, 'message', response)}")
        return str(response.room_id)

    async def join(self, room_id: str) -> None:
        response = await self._client.join(room_id)
        if not isinstance(response, JoinResponse):
            raise MatrixError(f"could not join: {getattr(response, 'message', response)}")

    async def send_text(self, room_id: str, body: str) -> str:
        content = {"msgtype": "m.text", "body": body, "m.mentions": {}}
        response = await self._client.room_send(room_id, "m.room.message", content)
        if not isinstance(response, RoomSendResponse):
            raise MatrixError(f"send failed: {getattr(response, 'message', response)}")
        return str(response.event_id)

    async def prime(self) -> None:
        """Sync once so that ``listen`` starts from now (call before sending)."""
        first = await self._client.sync(timeout=0)
        self._since = first.next_batch if isinstance(first, SyncResponse) else None

    async def recent(self, room_id: str, limit: int = 10) -> list[tuple[str, str, dict[str, Any]]]:
        """The last ``limit`` messages of a room as ``(sender, event_id, content)``, oldest first."""
        response = await self._client.room_messages(room_id, limit=limit)
        chunk = getattr(response, "chunk", None)
        if chunk is None:
            raise MatrixError(f"history failed: {getattr(response, 'message', response)}")
        sources = [getattr(event, "source", {}) or {} for event in reversed(chunk)]
        return [
            (source.get("sender", ""), source.get("event_id", ""), source["content"])
            for source in sources
            if source.get("type") in PEER_SHOWN_TYPES and source.get("content")
        ]

    def rooms(self) -> list[PeerRoom]:
        """The rooms this client has joined, as its last sync saw them."""
        return [
            PeerRoom(
                room_id,
                str(room.name or ""),
                str(room.display_name or room_id),
                room.member_count,
                room.room_type == "m.space",
            )
            for room_id, room in self._client.rooms.items()
        ]

    async def set_display_name(self, name: str) -> None:
        await self._client.set_displayname(name)

    async def download(self, mxc: str) -> bytes:
        """The bytes of an uploaded (unencrypted) file."""
        response = await self._client.download(mxc=mxc)
        body = getattr(response, "body", None)
        if not isinstance(body, bytes):
            raise MatrixError(f"download failed: {getattr(response, 'message', response)}")
        return body

    async def listen(
        self,
        on_message: Callable[[str, str, str, dict[str, Any]], Awaitable[None]],
        *,
        join_invites: bool = False,
    ) -> None:
        """Sync and call ``on_message(room_id, sender, event_id, content)`` for new messages.

        With ``join_invites`` every invite is accepted (the demo user and its sample
        members take the direct chats and rooms they are invited to).
        """
        since = getattr(self, "_since", None)
        if join_invites:  # invites that were already pending at ``prime``
            for invited in list(self._client.invited_rooms):
                with contextlib.suppress(ClientConnectionError, TimeoutError):
                    await self._client.join(invited)
        while not self._stop.is_set():
            try:
                response = await self._client.sync(timeout=10_000, since=since)
            except (ClientConnectionError, TimeoutError, ServerDisconnectedError):
                await asyncio.sleep(1)
                continue
            if not isinstance(response, SyncResponse):
                await asyncio.sleep(1)
                continue
            since = response.next_batch
            if join_invites:
                for invited in response.rooms.invite:
                    with contextlib.suppress(ClientConnectionError, TimeoutError):
                        await self._client.join(invited)
            for room_id, info in response.rooms.join.items():
                for event in info.timeline.events:
                    source = getattr(event, "source", {}) or {}
                    if source.get("type") in PEER_SHOWN_TYPES:
                        try:
                            await on_message(
                                room_id,
                                source.get("sender", ""),
                                source.get("event_id", ""),
                                source.get("content") or {},
                            )
                        except Exception:  # a viewer's bug must not end the chat
                            log.exception("message callback failed")

    async def close(self) -> None:
        self._stop.set()
        await self._client.close()
