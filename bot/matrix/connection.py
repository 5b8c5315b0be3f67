"""The bot's connection: ``MatrixConnection`` and its sync loop (invites are answered
here; each batch of converted events goes to the sink with its token).
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import logging
import secrets
import time

from aiohttp import ClientConnectionError, ServerDisconnectedError
from nio import JoinResponse, SyncResponse

from bot.events import BatchSink
from bot.matrix.base import RETRY_CAP_SECONDS, MatrixError
from bot.matrix.convert import ConvertMixin
from bot.matrix.login import LoginMixin
from bot.matrix.rooms import RoomsMixin
from bot.matrix.send import SendMixin

log = logging.getLogger(__name__)


SYNC_TIMEOUT_MS = 30_000


class MatrixConnection(LoginMixin, ConvertMixin, RoomsMixin, SendMixin):
    """One logged-in device of the bot and everything it says and hears.

    The constructor and the state are ``ConnectionState`` (base.py); login, keys,
    conversion, rooms and sending are the mixins; the sync loop is here.
    """

    async def close(self) -> None:
        """Close the connection; never log out (the device must survive restarts)."""
        self._stop.set()
        if self._client is not None:
            await self._client.close()

    async def run(
        self, sink: BatchSink, next_batch: str | None, *, started_ms: int | None = None
    ) -> None:
        """Sync until stopped; hand each batch of events with its token to ``sink``.

        On a first start (no token) the history is skipped: nothing older than the
        start is answered. On a resume the first sync asks for the full state.
        """
        client = self.client
        first_start = next_batch is None
        full_state = not first_start
        started_ms = started_ms or int(time.time() * 1000)
        failures = 0
        self.health.running = True
        try:
            while not self._stop.is_set():
                try:
                    response = await client.sync(
                        timeout=0 if first_start else SYNC_TIMEOUT_MS,
                        since=next_batch,
                        full_state=full_state or None,
                    )
                except (ClientConnectionError, TimeoutError, ServerDisconnectedError) as exc:
                    failures += 1
                    self._mark_failure(f"{type(exc).__name__}: {exc}")
                    await self._sleep(min(RETRY_CAP_SECONDS, 0.25 * 2**failures))
                    continue
                except Exception as exc:  # nio could not process the response itself
                    failures += 1
                    if self.health.failing_since is None:
                        log.exception("sync response not processed [ref %s]", secrets.token_hex(4))
                    self._mark_failure(f"{type(exc).__name__}: {exc}")
                    await self._sleep(min(RETRY_CAP_SECONDS, 0.25 * 2**failures))
                    continue
                if not isinstance(response, SyncResponse):
                    failures += 1
                    self._mark_failure(getattr(response, "message", str(response)))
                    if getattr(response, "status_code", "") == "M_UNKNOWN_TOKEN":
                        raise MatrixError(
                            "the stored access token was rejected; remove "
                            f"{self._credentials_path} and start again"
                        )
                    await self._sleep(min(RETRY_CAP_SECONDS, 0.25 * 2**failures))
                    continue
                failures = 0
                handling_started = time.perf_counter()
                self.health.failing_since = None
                self.health.last_ok = time.monotonic()
                await self._housekeeping()
                self._note_withheld(response)
                invites = await self._handle_invites(response)
                # first start: the room history is skipped, what came after the start is not
                events = self._inbound(response, started_ms if first_start else 0)
                events += self._tombstones(response)
                if first_start:
                    self._joined_at.update(dict.fromkeys(response.rooms.join, 0))
                await sink(events, response.next_batch)
                if self._on_sync_handled is not None:
                    self._on_sync_handled(time.perf_counter() - handling_started)
                next_batch = response.next_batch
                first_start = False
                full_state = False
                if invites:
                    log.info("joined %d room(s) after invites", invites)
        finally:
            self.health.running = False

    def _mark_failure(self, reason: str) -> None:
        if self.health.failing_since is None:
            self.health.failing_since = time.monotonic()
            log.warning("sync failing: %s", reason)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    async def _handle_invites(self, response: SyncResponse) -> int:
        """Join when the inviter matches allowed_inviters; otherwise reject and log."""
        joined = 0
        for room_id, inviter, is_direct in self._invites(response):
            if not any(fnmatch.fnmatchcase(inviter, p) for p in self.settings.inviter_patterns()):
                log.warning(
                    "rejected invite to %s from %s (not in allowed_inviters)", room_id, inviter
                )
                await self.client.room_leave(room_id)
                continue
            # the join's time is taken before the request: a member who sees the join
            # may write before a slow response arrives, and that message is no history
            requested = int(time.time() * 1000)
            result = await self.client.join(room_id)
            if isinstance(result, JoinResponse):
                self._joined_at[room_id] = requested
                self._left.discard(room_id)
                joined += 1
                if is_direct:
                    await self._direct_rooms.set(inviter, room_id)
                log.info("joined %s on invite from %s", room_id, inviter)
                if self.on_joined is not None:
                    try:
                        await self.on_joined(room_id)
                    except Exception:
                        log.exception("after joining %s", room_id)
            else:
                log.warning("could not join %s: %s", room_id, getattr(result, "message", result))
        return joined
