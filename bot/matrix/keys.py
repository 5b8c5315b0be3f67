"""Room keys: the E2EE housekeeping after each sync, ``m.room_key.withheld`` notices and
requests for keys the bot is missing.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import ClientConnectionError, ServerDisconnectedError
from nio import LocalProtocolError, MegolmEvent, SyncResponse

from bot.matrix.base import ConnectionState

log = logging.getLogger(__name__)


WITHHELD_TYPES = ("m.room_key.withheld", "org.matrix.room_key.withheld")


class KeysMixin(ConnectionState):
    """E2EE housekeeping after each sync, withheld room keys, requests for missing keys."""

    async def _housekeeping(self) -> None:
        """What nio's sync_forever does after each sync: keys and to-device messages."""
        client = self.client
        if not self.settings.encryption:
            return
        try:
            if client.outgoing_to_device_messages:
                await client.send_to_device_messages()
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
        except (ClientConnectionError, TimeoutError) as exc:
            log.warning("key housekeeping failed: %s", exc)

    def _note_withheld(self, response: SyncResponse) -> None:
        """Remember ``m.room_key.withheld``: a sender's device will not share a key with
        us (e.g. Element excluding devices it sees as insecure). Logged and counted once
        per session."""
        for event in response.to_device_events:
            source = getattr(event, "source", {}) or {}
            if source.get("type") not in WITHHELD_TYPES:
                continue
            content = source.get("content") or {}
            code = str(content.get("code") or "m.unavailable")
            session_id = str(content.get("session_id") or "")
            key = session_id or f"device:{content.get('sender_key', '')}"
            if key in self._withheld:
                continue
            if len(self._withheld) >= 10_000:
                self._withheld.pop(next(iter(self._withheld)))
            self._withheld[key] = code
            log.warning(
                "room key withheld by %s (%s: %s) for session %s in %s",
                source.get("sender"),
                code,
                content.get("reason", ""),
                session_id or "-",
                content.get("room_id", "-"),
            )
            if self._on_key_withheld is not None:
                self._on_key_withheld(code)

    def _withheld_code(self, session_id: str, sender_key: str) -> str:
        return self._withheld.get(session_id) or self._withheld.get(f"device:{sender_key}", "")

    def _request_key(self, event: MegolmEvent) -> None:
        """Ask the sender's devices once per session for a missing key, in the
        background; nio raises LocalProtocolError for a second request."""
        session_id = event.session_id
        if session_id in self._key_requested or session_id in self.client.outgoing_key_requests:
            return
        self._key_requested.add(session_id)

        async def request() -> None:
            try:
                await self.client.request_room_key(event)
            except (
                LocalProtocolError,
                ClientConnectionError,
                TimeoutError,
                ServerDisconnectedError,
            ) as exc:
                log.debug("room key request for %s not sent: %s", session_id, exc)

        task = asyncio.get_running_loop().create_task(request())
        self._background.add(task)
        task.add_done_callback(self._background.discard)
