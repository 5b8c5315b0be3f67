"""A small Matrix user for real-path tests: nio.AsyncClient plus a background sync loop.

Why not the bot's own ``bot/matrix`` package: the tests must talk to the bot the way a person's
client does, through a separate, independent implementation. Every event the client sees
(timeline, decrypted, invites) is appended to ``events`` as a ``Received``; tests wait on
that list with predicates instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import nio

from bot.homeserver import LocalSynapse, RegisteredUser

__all__ = ["MatrixRequestError", "Received", "TestClient"]

log = logging.getLogger(__name__)
T = TypeVar("T")

# Incremental syncs return at most `limit` timeline events per room; the default (10)
# would silently drop events in a burst. Presence is off on the server anyway.
_SYNC_FILTER: dict[str, Any] = {
    "room": {"timeline": {"limit": 500}},
    "presence": {"not_types": ["*"]},
}
_MEGOLM = "m.megolm.v1.aes-sha2"


class MatrixRequestError(Exception):
    """The homeserver answered a test client's request with an error."""

    def __init__(self, action: str, response: Any) -> None:
        self.response = response
        self.errcode: str | None = getattr(response, "status_code", None)
        self.retry_after_ms: int | None = getattr(response, "retry_after_ms", None)
        super().__init__(f"{action} failed: {self.errcode} {getattr(response, 'message', '')}")


@dataclass(frozen=True, slots=True)
class Received:
    """One event as the client saw it, with the room it came from.

    ``event`` is the nio object: a decrypted ``RoomMessage*`` for encrypted rooms (a
    ``MegolmEvent`` if it could not be decrypted), ``ReactionEvent``, ``RedactionEvent``,
    ``UnknownEvent``, or an ``Invite*Event`` from an invited room (``invite`` is True).
    """

    index: int
    room_id: str
    event: Any
    invite: bool = False

    @property
    def source(self) -> dict[str, Any]:
        """The raw event (for decrypted events: the decrypted payload)."""
        source = getattr(self.event, "source", None)
        return source if isinstance(source, dict) else {}

    @property
    def type(self) -> str:
        return str(self.source.get("type", ""))

    @property
    def event_id(self) -> str | None:
        return self.source.get("event_id")

    @property
    def sender(self) -> str | None:
        return self.source.get("sender")

    @property
    def content(self) -> dict[str, Any]:
        content = self.source.get("content")
        return content if isinstance(content, dict) else {}

    @property
    def body(self) -> str | None:
        body = self.content.get("body")
        return body if isinstance(body, str) else None

    @property
    def msgtype(self) -> str | None:
        return self.content.get("msgtype")

    @property
    def relates_to(self) -> dict[str, Any]:
        relates = self.content.get("m.relates_to")
        return relates if isinstance(relates, dict) else {}

    @property
    def in_reply_to(self) -> str | None:
        reply = self.relates_to.get("m.in_reply_to")
        return reply.get("event_id") if isinstance(reply, dict) else None

    @property
    def decrypted(self) -> bool:
        return bool(getattr(self.event, "decrypted", False))

    @property
    def undecryptable(self) -> bool:
        return isinstance(self.event, nio.MegolmEvent)

    def __str__(self) -> str:
        what = self.body if self.body is not None else self.content.get("membership", "")
        return f"#{self.index} {self.room_id} {self.type} {self.sender} {self.event_id} {what!r}"


class TestClient:
    """A logged-in user with a running sync loop; create with ``await TestClient.create``.

    Encrypted rooms: before each send the client queries keys of all room members and
    trusts every device (``verify_device``), so messages are shared with all of them.
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        client: nio.AsyncClient,
        user: RegisteredUser,
        *,
        auto_join: bool = False,
        poll_ms: int = 1000,
    ) -> None:
        self.client = client
        self.user = user
        self.auto_join = auto_join
        self.events: list[Received] = []
        self.sync_errors: list[Any] = []
        self.sync_count = 0
        self._poll_ms = poll_ms
        self._changed = asyncio.Event()
        self._sync_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._undecrypted: list[tuple[str, nio.MegolmEvent]] = []
        self._keys_lock = asyncio.Lock()
        client.add_event_callback(self._on_event, None)

    # -- construction and teardown --------------------------------------------------------

    @classmethod
    async def create(
        cls,
        hs: LocalSynapse,
        localpart: str,
        *,
        password: str | None = None,
        encryption: bool = False,
        store_dir: Path | None = None,
        auto_join: bool = False,
        max_limit_exceeded: int | None = None,
    ) -> TestClient:
        """Register ``localpart`` (or log in, if it exists) and start syncing."""
        user = await hs.register_user(localpart, password or f"pw-{localpart}")
        return await cls.from_user(
            hs,
            user,
            encryption=encryption,
            store_dir=store_dir,
            auto_join=auto_join,
            max_limit_exceeded=max_limit_exceeded,
        )

    @classmethod
    async def from_user(
        cls,
        hs: LocalSynapse,
        user: RegisteredUser,
        *,
        encryption: bool = False,
        store_dir: Path | None = None,
        auto_join: bool = False,
        max_limit_exceeded: int | None = None,
    ) -> TestClient:
        """``restore_login`` with a stored token and device id: no new device is created.

        ``max_limit_exceeded``: how many 429s nio retries before a send fails with
        ``MatrixRequestError`` (None: retry forever, 0: fail on the first one).
        """
        if encryption and store_dir is None:
            raise ValueError("encryption needs a store_dir for the olm account")
        config = nio.AsyncClientConfig(
            encryption_enabled=encryption,
            store_sync_tokens=False,
            max_limit_exceeded=max_limit_exceeded,
            # Reconnect quickly after a Synapse restart, but give up on a request after
            # ~15 s of a dead server instead of hanging the test run (sync then retries).
            max_timeout_retry_wait_time=1,
            max_timeouts=20,
            request_timeout=30,
            pickle_key="koopbot-tests",
        )
        if store_dir is not None:
            store_dir.mkdir(parents=True, exist_ok=True)
        client = nio.AsyncClient(
            hs.base_url,
            user.user_id,
            device_id=user.device_id,
            store_path=str(store_dir) if store_dir is not None else "",
            config=config,
        )
        client.restore_login(user.user_id, user.device_id, user.access_token)
        tc = cls(client, user, auto_join=auto_join)
        try:
            if encryption:
                if client.olm is None:
                    raise RuntimeError("nio has no olm support (install matrix-nio[e2e])")
                if client.should_upload_keys:
                    # Upload before anyone can invite us: senders must find our device keys.
                    tc._check("keys upload", await client.keys_upload())
            tc._sync_task = asyncio.create_task(tc._sync_loop(), name=f"sync {user.user_id}")
            await tc._wait_until(lambda: tc.sync_count > 0 or None, 15, lambda: "first sync")
        except BaseException:
            await tc.close()
            raise
        return tc

    async def close(self) -> None:
        """Stop syncing and close the HTTP session; never logs out (the device stays)."""
        tasks = [t for t in (self._sync_task, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._sync_task = None
        self._tasks.clear()
        await self.client.close()

    # -- identity ------------------------------------------------------------------------

    @property
    def user_id(self) -> str:
        return self.user.user_id

    @property
    def device_id(self) -> str:
        return self.user.device_id

    def __repr__(self) -> str:
        return f"TestClient({self.user_id}, device={self.device_id}, events={len(self.events)})"

    # -- rooms -----------------------------------------------------------------------------

    async def create_room(
        self,
        name: str | None = None,
        invite: Iterable[str] = (),
        direct: bool = False,
        encrypted: bool = False,
        *,
        timeout: float = 10,
    ) -> str:
        """Create a private room (``trusted_private_chat`` if direct) and wait until synced."""
        initial_state = (
            [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": _MEGOLM}}]
            if encrypted
            else []
        )
        resp = await self.client.room_create(
            name=name,
            invite=list(invite),
            is_direct=direct,
            preset=nio.RoomPreset.trusted_private_chat if direct else nio.RoomPreset.private_chat,
            initial_state=initial_state,
        )
        room_id: str = self._check("create room", resp).room_id
        await self.wait_for_room(room_id, encrypted=encrypted, timeout=timeout)
        return room_id

    async def invite(self, room_id: str, user_id: str) -> None:
        self._check("invite", await self.client.room_invite(room_id, user_id))

    async def join(self, room_id: str, *, timeout: float = 10) -> None:
        """Join and wait until the room's state has arrived through sync."""
        self._check("join", await self.client.join(room_id))
        await self.wait_for_room(room_id, timeout=timeout)

    async def leave(self, room_id: str) -> None:
        self._check("leave", await self.client.room_leave(room_id))

    async def wait_for_room(
        self,
        room_id: str,
        *,
        encrypted: bool = False,
        timeout: float = 10,
    ) -> nio.MatrixRoom:
        """Wait until the sync loop knows the joined room (and, if asked, that it is encrypted)."""

        def check() -> nio.MatrixRoom | None:
            room = self.client.rooms.get(room_id)
            if room is None or (encrypted and not room.encrypted):
                return None
            return room

        return await self._wait_until(check, timeout, lambda: f"room {room_id} in sync")

    async def wait_for_member(
        self,
        room_id: str,
        user_id: str,
        *,
        timeout: float = 10,
    ) -> None:
        """Wait until ``user_id`` has joined ``room_id`` as this client's sync sees it."""

        def check() -> bool | None:
            room = self.client.rooms.get(room_id)
            joined = room is not None and user_id in room.users
            return True if joined and user_id not in room.invited_users else None

        await self._wait_until(check, timeout, lambda: f"{user_id} joined {room_id}")

    # -- sending ---------------------------------------------------------------------------

    async def send_text(
        self,
        room_id: str,
        body: str,
        *,
        thread_root: str | None = None,
        reply_to: str | None = None,
        html: str | None = None,
        msgtype: str = "m.text",
        extra: dict[str, Any] | None = None,
    ) -> str:
        """Send a message (as a thread message, a reply, or both) and return its event id.

        ``extra`` is merged into the content last, so it can override anything.
        """
        content: dict[str, Any] = {"msgtype": msgtype, "body": body}
        if html is not None:
            content["format"] = "org.matrix.custom.html"
            content["formatted_body"] = html
        if thread_root is not None:
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": thread_root,
                "is_falling_back": reply_to is None,
                "m.in_reply_to": {"event_id": reply_to or thread_root},
            }
        elif reply_to is not None:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        if extra:
            content.update(extra)
        return await self.send_event(room_id, "m.room.message", content)

    async def react(self, room_id: str, event_id: str, key: str) -> str:
        """Annotate ``event_id`` with ``key`` (reactions stay unencrypted, as in nio)."""
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
        return await self.send_event(room_id, "m.reaction", content)

    async def redact(self, room_id: str, event_id: str, reason: str | None = None) -> str:
        """Redact an event (e.g. withdraw a reaction); returns the redaction's event id."""
        resp = await self.client.room_redact(room_id, event_id, reason=reason)
        return str(self._check("redact", resp).event_id)

    async def send_event(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        """Send any room event; in encrypted rooms trust all members' devices first."""
        if self.client.olm is not None:
            room = await self.wait_for_room(room_id)
            if room.encrypted:
                await self._trust_members(room_id)
        resp = await self.client.room_send(
            room_id, event_type, content, ignore_unverified_devices=True
        )
        return str(self._check(f"send {event_type}", resp).event_id)

    async def _trust_members(self, room_id: str) -> None:
        """Make sure every member's devices are known and verified before encrypting."""
        client = self.client
        room = client.rooms[room_id]
        if not room.members_synced:
            self._check("joined members", await client.joined_members(room_id))
        users = set(room.users)
        store = client.device_store
        missing = {u for u in users if not any(True for _ in store.active_user_devices(u))}
        if missing:
            client.olm.users_for_key_query.update(missing)
        await self._query_keys()
        for user_id in users:
            for device in list(store.active_user_devices(user_id)):
                if device.device_id == client.device_id and user_id == client.user_id:
                    continue
                if not device.verified:
                    client.verify_device(device)

    async def _query_keys(self) -> None:
        async with self._keys_lock:
            if self.client.should_query_keys:
                self._check("keys query", await self.client.keys_query())

    # -- receiving -------------------------------------------------------------------------

    def mark(self) -> int:
        """An index for ``since_index``: only events received after this call match."""
        return len(self.events)

    async def wait_for(
        self,
        predicate: Callable[[Received], bool],
        timeout: float = 10,
        *,
        since_index: int = 0,
    ) -> Received:
        """The first received event (from ``since_index`` on, already received ones included)
        that matches; raises TimeoutError listing the last events seen."""
        position = since_index

        def check() -> Received | None:
            nonlocal position
            while position < len(self.events):
                received = self.events[position]
                position += 1
                if predicate(received):
                    return received
            return None

        def describe() -> str:
            recent = "\n  ".join(str(r) for r in self.events[-15:]) or "(none)"
            return f"no matching event for {self.user_id}; last events:\n  {recent}"

        return await self._wait_until(check, timeout, describe)

    async def wait_for_reply(
        self,
        room_id: str,
        to_event_id: str,
        timeout: float = 10,
        *,
        since_index: int = 0,
    ) -> Received:
        """An event in ``room_id`` whose ``m.relates_to.m.in_reply_to`` is ``to_event_id``."""
        return await self.wait_for(
            lambda r: r.room_id == room_id and r.in_reply_to == to_event_id,
            timeout,
            since_index=since_index,
        )

    def messages(self, room_id: str, *, sender: str | None = None) -> list[Received]:
        """The ``m.room.message`` events seen in ``room_id`` (decrypted where possible)."""
        return [
            r
            for r in self.events
            if r.room_id == room_id
            and r.type == "m.room.message"
            and (sender is None or r.sender == sender)
        ]

    # -- internals -------------------------------------------------------------------------

    def _check(self, action: str, response: Any) -> Any:
        if isinstance(response, nio.ErrorResponse):
            raise MatrixRequestError(action, response)
        return response

    def _notify(self) -> None:
        """Wake every waiter; each waiter re-checks its condition."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _wait_until(
        self,
        check: Callable[[], T | None],
        timeout: float,
        describe: Callable[[], str],
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            result = check()
            if result is not None:
                return result
            task = self._sync_task
            if task is not None and task.done():
                exc = None if task.cancelled() else task.exception()
                raise RuntimeError(f"sync loop of {self.user_id} ended: {exc!r}") from exc
            remaining = deadline - loop.time()
            if remaining <= 0:
                errors = f"; sync errors: {self.sync_errors[-3:]}" if self.sync_errors else ""
                raise TimeoutError(f"after {timeout} s: {describe()}{errors}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def _on_event(self, room: nio.MatrixRoom, event: Any) -> None:
        invite = isinstance(event, nio.InviteEvent)
        self._append(room.room_id, event, invite=invite)
        if isinstance(event, nio.MegolmEvent):
            self._undecrypted.append((room.room_id, event))
        if (
            self.auto_join
            and isinstance(event, nio.InviteMemberEvent)
            and event.state_key == self.user_id
            and event.membership == "invite"
        ):
            task = asyncio.create_task(self._auto_join(room.room_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _append(self, room_id: str, event: Any, *, invite: bool = False) -> None:
        self.events.append(Received(len(self.events), room_id, event, invite))
        self._notify()

    async def _auto_join(self, room_id: str) -> None:
        resp = await self.client.join(room_id)
        if isinstance(resp, nio.ErrorResponse):
            log.warning("%s: auto-join of %s failed: %s", self.user_id, room_id, resp)

    async def _sync_loop(self) -> None:
        """Long-poll sync forever; survive server restarts and keep E2EE keys flowing."""
        delay = 0.05
        first = True
        while True:
            try:
                resp = await self.client.sync(
                    timeout=0 if first else self._poll_ms, sync_filter=_SYNC_FILTER
                )
                if isinstance(resp, nio.SyncError):
                    raise MatrixRequestError("sync", resp)
                first = False
                if self.client.olm is not None:
                    await self._after_sync()
                delay = 0.05
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # nio already retries connection errors; anything left is logged and retried.
                self.sync_errors.append(exc)
                log.warning("%s: sync failed: %r", self.user_id, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            self.sync_count += 1
            self._notify()

    async def _after_sync(self) -> None:
        """What nio's sync_forever does between syncs, plus a retry of failed decryptions."""
        client = self.client
        await client.send_to_device_messages()
        if client.should_upload_keys:
            self._check("keys upload", await client.keys_upload())
        await self._query_keys()
        if client.should_claim_keys:
            self._check("keys claim", await client.keys_claim(client.get_users_for_key_claiming()))
        if self._undecrypted:
            # A room key can arrive in a later sync than the message it unlocks.
            pending, self._undecrypted = self._undecrypted, []
            for room_id, event in pending:
                try:
                    decrypted = client.decrypt_event(event)
                except nio.EncryptionError:
                    self._undecrypted.append((room_id, event))
                    continue
                self._append(room_id, decrypted)
