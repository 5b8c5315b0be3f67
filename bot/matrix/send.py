"""Sending: messages (cut to fit an event), reactions and uploads, with rate-limit
retries and idempotent transaction ids.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import logging
import time
from dataclasses import replace
from typing import Any

from aiohttp import ClientConnectionError, ServerDisconnectedError
from nio import ErrorResponse, RoomSendResponse, UploadResponse

from bot.events import defuse, relates_to
from bot.matrix.base import (
    MAX_RATE_LIMIT_WAIT,
    RETRY_CAP_SECONDS,
    SEND_GIVE_UP_SECONDS,
    ConnectionState,
    MatrixError,
)
from commands.reply import Attachment, Reply, html_from_text

log = logging.getLogger(__name__)


MAX_EVENT_BYTES = 60_000  # Matrix allows 65,536 bytes for the whole event


def txn_id_for(key: str) -> str:
    """A transaction id derived from the message key: a retry of the same message is
    deduplicated by the homeserver."""
    return "kb" + hashlib.sha256(key.encode()).hexdigest()[:40]


class SendMixin(ConnectionState):
    """Messages, reactions and files into rooms, each at most once per key."""

    @staticmethod
    def message_content(
        reply: Reply, *, reply_to: str | None = None, thread_root: str | None = None
    ) -> dict[str, Any]:
        """Event content: m.notice (or m.text), plain + HTML, m.mentions, reply/thread."""
        content: dict[str, Any] = {
            "msgtype": "m.text" if reply.notify else "m.notice",
            "body": defuse(reply.text),
            "format": "org.matrix.custom.html",
            "formatted_body": defuse(reply.formatted),
            "m.mentions": {"user_ids": list(dict.fromkeys(reply.mentions))}
            if reply.mentions
            else {},
        }
        relation = relates_to(reply_to, thread_root)
        if relation:
            content["m.relates_to"] = relation
        content.update(reply.extra)
        return content

    async def send(
        self,
        room_id: str,
        reply: Reply,
        *,
        key: str | None = None,
        reply_to: str | None = None,
        thread_root: str | None = None,
    ) -> str:
        if reply.mentions:
            # only people in the room are mentioned, whatever a member asked for
            room = self.client.rooms.get(room_id)
            present = set(room.users) | set(room.invited_users) if room is not None else set()
            reply = replace(reply, mentions=[m for m in reply.mentions if m in present])
        content = self.message_content(reply, reply_to=reply_to, thread_root=thread_root)
        limit = len(reply.text)
        while (
            len(json.dumps(content, ensure_ascii=False).encode()) > MAX_EVENT_BYTES and limit > 100
        ):
            # a reply that echoes much member text would be refused (M_TOO_LARGE) and
            # the member would get nothing: cut it down to fit, as plain text
            limit //= 2
            text = reply.text[:limit] + " …"
            short = replace(reply, text=text, html=html_from_text(text))
            content = self.message_content(short, reply_to=reply_to, thread_root=thread_root)
        event_id = await self.send_event(room_id, "m.room.message", content, key=key)
        return event_id

    async def send_event(
        self, room_id: str, event_type: str, content: dict[str, Any], *, key: str | None = None
    ) -> str:
        """Send with bounded retries: 429 after retry_after_ms, outages with backoff.

        The transaction id stays the same for every retry, so the homeserver keeps one
        event even if an earlier attempt arrived and only its answer was lost.
        """
        if key is not None:  # sent before (a replay after a crash): never twice
            existing = await self._sent_log.event_for(key)
            if existing:
                return existing
        if room_id in self._left:
            raise MatrixError(f"not in room {room_id} any more")
        await self._wait_for_room(room_id)
        txn = txn_id_for(key) if key else None
        deadline = time.monotonic() + SEND_GIVE_UP_SECONDS
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self.client.room_send(
                    room_id, event_type, content, tx_id=txn, ignore_unverified_devices=True
                )
            except (ClientConnectionError, TimeoutError, ServerDisconnectedError) as exc:
                if time.monotonic() > deadline:
                    raise MatrixError(
                        f"homeserver unreachable, gave up: {exc}", transient=True
                    ) from exc
                await asyncio.sleep(min(RETRY_CAP_SECONDS, 0.25 * 2**attempt))
                continue
            if isinstance(response, RoomSendResponse):
                if key is not None:
                    await self._sent_log.record(key, room_id, response.event_id)
                return str(response.event_id)
            assert isinstance(response, ErrorResponse)
            if response.status_code == "M_LIMIT_EXCEEDED" and time.monotonic() < deadline:
                wait = min((response.retry_after_ms or 1000) / 1000, MAX_RATE_LIMIT_WAIT)
                log.info("rate limited in %s; retrying in %.1fs", room_id, wait)
                await asyncio.sleep(wait)
                continue
            raise MatrixError(
                f"send to {room_id} failed: {response.status_code} {response.message}",
                transient=response.status_code == "M_LIMIT_EXCEEDED",
            )

    async def react(self, room_id: str, event_id: str, key: str) -> str:
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
        return await self.send_event(room_id, "m.reaction", content)

    async def upload(
        self,
        room_id: str,
        attachment: Attachment,
        *,
        key: str | None = None,
        reply_to: str | None = None,
        thread_root: str | None = None,
    ) -> str:
        """Upload a file and post it (encrypted attachment in encrypted rooms)."""
        if key is not None:
            existing = await self._sent_log.event_for(key)
            if existing:
                return existing
        await self._wait_for_room(room_id)
        room = self.client.rooms.get(room_id)
        encrypt = bool(room is not None and room.encrypted)
        data = attachment.data
        response, keys = await self.client.upload(
            lambda *_: io.BytesIO(data),
            content_type="application/octet-stream" if encrypt else attachment.mimetype,
            filename=attachment.filename,
            encrypt=encrypt,
            filesize=len(data),
        )
        if not isinstance(response, UploadResponse):
            raise MatrixError(f"upload failed: {getattr(response, 'message', response)}")
        content: dict[str, Any] = {
            "msgtype": "m.file",
            "body": attachment.filename,
            "filename": attachment.filename,
            "info": {"mimetype": attachment.mimetype, "size": len(data)},
            "m.mentions": {},
        }
        if encrypt and keys:
            content["file"] = {**keys, "url": response.content_uri}
        else:
            content["url"] = response.content_uri
        relation = relates_to(reply_to, thread_root)
        if relation:
            content["m.relates_to"] = relation
        return await self.send_event(room_id, "m.room.message", content, key=key)
