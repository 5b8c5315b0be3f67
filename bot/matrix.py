"""The only module that imports nio.

Login and restore, the sync loop, sending (with rate-limit retries and idempotent
transaction ids), uploads, rooms and the E2EE store. nio events become the plain inbound
dataclasses of ``bot.events``; nio error responses become ``MatrixError``. Room power per
room version is ``bot.powerlevels``; the cross-signing identity is ``bot.crosssign``.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import hashlib
import io
import json
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from aiohttp import ClientConnectionError, ServerDisconnectedError
from nio import (
    AsyncClient,
    AsyncClientConfig,
    EncryptionError,
    ErrorResponse,
    JoinResponse,
    LocalProtocolError,
    LoginResponse,
    MegolmEvent,
    RoomCreateResponse,
    RoomSendResponse,
    SyncResponse,
    UploadResponse,
    WhoamiResponse,
)
from nio.api import RoomPreset, RoomVisibility

from bot.config import MatrixSettings
from bot.crosssign import CrossSigning, CrossSigningError
from bot.eventfields import (
    annotation,
    as_dict,
    get_dict,
    get_id,
    get_int,
    get_str,
    is_edit,
    mentioned_user_ids,
    redacted_id,
    thread_root_of,
)
from bot.events import (
    POLL_RESPONSE_TYPES,
    BatchSink,
    Inbound,
    MemberChange,
    Message,
    Reaction,
    Redaction,
    RoomUpgrade,
    Undecryptable,
    defuse,
    poll_response,
    relates_to,
    strip_reply_fallback,
)
from bot.powerlevels import CREATOR_LEVEL, RoomCreation
from commands.reply import Attachment, Reply, html_from_text
from storage.core import DirectRooms
from storage.jobs import SentLog

log = logging.getLogger(__name__)

SYNC_TIMEOUT_MS = 30_000
RETRY_CAP_SECONDS = 4.0
SEND_GIVE_UP_SECONDS = 180.0
MAX_EVENT_BYTES = 60_000  # Matrix allows 65,536 bytes for the whole event
MAX_RATE_LIMIT_WAIT = 30.0
# how long an undecryptable message waits for a late room key before the sender is told
DECRYPT_GRACE_SECONDS = 10.0
WITHHELD_TYPES = ("m.room_key.withheld", "org.matrix.room_key.withheld")


class MatrixError(Exception):
    """A Matrix request failed.

    ``transient`` is true when the homeserver could not be reached (or kept rate
    limiting) past the retry budget: trying again later may work. Otherwise the
    homeserver refused (no permission, unknown room …) and retrying will not help.
    """

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


# --- helpers ---------------------------------------------------------------------


def _write_private(path: Path, text: str) -> None:
    """Write a secret file readable by the owner only (0600 from the start)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def _text_attr(event: Any, name: str) -> str | None:
    """A string attribute nio set on a parsed event (e.g. of a decrypted one), or None."""
    value = getattr(event, name, None)
    return value if isinstance(value, str) and value else None


def txn_id_for(key: str) -> str:
    """A transaction id derived from the message key: a retry of the same message is
    deduplicated by the homeserver."""
    return "kb" + hashlib.sha256(key.encode()).hexdigest()[:40]


@dataclass
class Credentials:
    user_id: str
    device_id: str
    access_token: str
    homeserver: str


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


class MatrixConnection:
    """One logged-in device of the bot and everything it says and hears."""

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

    # --- login -----------------------------------------------------------------

    @property
    def client(self) -> AsyncClient:
        if self._client is None:
            raise MatrixError("not logged in")
        return self._client

    @property
    def _credentials_path(self) -> Path:
        return self._store_dir / "credentials.json"

    def _pickle_key(self) -> str:
        path = self._store_dir / "pickle.key"
        if not path.exists():
            _write_private(path, secrets.token_urlsafe(32))
        return path.read_text(encoding="utf-8").strip()

    async def login(self) -> None:
        """Restore the stored device, or log in once and store it (0600)."""
        self._store_dir.mkdir(parents=True, exist_ok=True)
        e2ee_dir = self._store_dir / "e2ee"
        e2ee_dir.mkdir(exist_ok=True)
        config = AsyncClientConfig(
            encryption_enabled=self.settings.encryption,
            store_sync_tokens=False,
            pickle_key=self._pickle_key(),
            max_limit_exceeded=0,
            max_timeouts=0,
            max_timeout_retry_wait_time=RETRY_CAP_SECONDS,
        )
        creds = self._load_credentials()
        client = AsyncClient(
            self.settings.homeserver,
            self.user_id,
            device_id=creds.device_id if creds else "",
            store_path=str(e2ee_dir),
            config=config,
        )
        self._client = client
        if creds is not None:
            client.restore_login(creds.user_id, creds.device_id, creds.access_token)
            log.info("restored device %s", creds.device_id)
        elif self.settings.access_token is not None:
            client.access_token = self.settings.access_token.get_secret_value()
            whoami = await self._retry_connect(client.whoami)
            if not isinstance(whoami, WhoamiResponse) or not whoami.device_id:
                raise MatrixError(f"access_token rejected: {getattr(whoami, 'message', whoami)}")
            client.restore_login(self.user_id, whoami.device_id, client.access_token)
            self._store_credentials(whoami.device_id, client.access_token)
        elif self.settings.password is not None:
            response = await self._retry_connect(
                lambda: client.login(
                    self.settings.password.get_secret_value(),  # type: ignore[union-attr]
                    device_name=self.settings.device_name,
                )
            )
            if not isinstance(response, LoginResponse):
                raise MatrixError(f"login failed: {getattr(response, 'message', response)}")
            self._store_credentials(response.device_id, response.access_token)
            log.info("logged in as new device %s", response.device_id)
        else:
            raise MatrixError(
                "matrix.password or matrix.access_token is needed for the first login"
            )
        if self.settings.encryption and client.should_upload_keys:
            await client.keys_upload()
        if self.settings.encryption:
            await self._cross_sign()

    async def _cross_sign(self) -> None:
        """Sign this device with the account's cross-signing identity (made at the first
        start, kept in the store): Element shares keys only with cross-signed devices."""
        client = self.client
        password = self.settings.password
        signer = CrossSigning(
            self._post_api,
            self.user_id,
            str(client.device_id),
            self._store_dir,
            password=password.get_secret_value() if password is not None else None,
            reset=self.settings.reset_cross_signing,
        )
        self.cross_signed = await signer.ensure()
        self.cross_signing_master_key = signer.master_key

    async def _post_api(self, path: str, body: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """POST ``/_matrix/client/v3<path>`` with nio's session and the bot's token: for the
        endpoints nio has no call for (cross-signing). A 429 is retried after
        ``retry_after_ms`` like a send; an unreachable homeserver is CrossSigningError."""
        headers = {
            "Authorization": f"Bearer {self.client.access_token}",
            "Content-Type": "application/json",
        }
        deadline = time.monotonic() + SEND_GIVE_UP_SECONDS
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self.client.send(
                    "POST", f"/_matrix/client/v3{path}", json.dumps(body), headers, timeout=30
                )
                data = await response.json(content_type=None)
            except (ClientConnectionError, TimeoutError, ServerDisconnectedError) as exc:
                if time.monotonic() > deadline:
                    raise CrossSigningError(f"{path}: homeserver unreachable ({exc})") from exc
                await asyncio.sleep(min(RETRY_CAP_SECONDS, 0.25 * 2**attempt))
                continue
            answer = data if isinstance(data, dict) else {}
            if response.status == 429 and time.monotonic() < deadline:
                wait = get_int(answer, "retry_after_ms") or 1000
                await asyncio.sleep(min(wait / 1000, MAX_RATE_LIMIT_WAIT))
                continue
            return response.status, answer

    async def _retry_connect(self, call: Callable[[], Awaitable[Any]], attempts: int = 10) -> Any:
        for attempt in range(attempts):
            try:
                return await call()
            except (ClientConnectionError, TimeoutError, ServerDisconnectedError) as exc:
                if attempt == attempts - 1:
                    raise MatrixError(f"homeserver unreachable: {exc}") from exc
                await asyncio.sleep(min(RETRY_CAP_SECONDS, 0.5 * 2**attempt))
        raise MatrixError("unreachable")

    def _load_credentials(self) -> Credentials | None:
        path = self._credentials_path
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if (
            data.get("user_id") != self.user_id
            or data.get("homeserver") != self.settings.homeserver
        ):
            log.warning("stored credentials belong to another account; logging in anew")
            return None
        return Credentials(**data)

    def _store_credentials(self, device_id: str, access_token: str) -> None:
        creds = Credentials(self.user_id, device_id, access_token, self.settings.homeserver)
        _write_private(self._credentials_path, json.dumps(asdict(creds)))

    async def close(self) -> None:
        """Close the connection; never log out (the device must survive restarts)."""
        self._stop.set()
        if self._client is not None:
            await self._client.close()

    # --- sync loop ---------------------------------------------------------------

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

    # --- room keys ---------------------------------------------------------------

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

    async def resolve_undecryptable(
        self, event: Undecryptable, grace: float = DECRYPT_GRACE_SECONDS
    ) -> Inbound | None:
        """Wait up to ``grace`` seconds for the key of an undecryptable message.

        Returns the message as it would have arrived had the key been there (None when it
        is nothing the bot acts on), or the Undecryptable with the withheld code when the
        sender refused the key or the time is up. Raises a transient MatrixError when the
        bot stops meanwhile (the event stays open and is decided at the next start).
        """
        if not event.source or not self.settings.encryption:
            return event
        parsed = MegolmEvent.from_dict(event.source)
        if not isinstance(parsed, MegolmEvent):
            return event
        parsed.room_id = event.room_id
        deadline = time.monotonic() + grace
        while True:
            try:
                decrypted = self.client.decrypt_event(parsed)
            except EncryptionError:
                decrypted = None
            if decrypted is not None and not isinstance(decrypted, MegolmEvent):
                log.info("late room key opened %s in %s", event.event_id, event.room_id)
                return self._convert(event.room_id, decrypted, 0)
            if self._stop.is_set():
                raise MatrixError("stopping; decided at the next start", transient=True)
            withheld = self._withheld_code(parsed.session_id, parsed.sender_key)
            if withheld or time.monotonic() >= deadline:
                return replace(event, withheld=withheld)
            await asyncio.sleep(0.2)

    # --- room upgrades -----------------------------------------------------------

    def _tombstones(self, response: SyncResponse) -> list[Inbound]:
        """``m.room.tombstone`` in a joined room (timeline or state): the room was
        upgraded. Seen again after every full-state resume; the handler is idempotent."""
        found: list[Inbound] = []
        for room_id, info in response.rooms.join.items():
            for event in [*info.state, *info.timeline.events]:
                source = getattr(event, "source", {}) or {}
                if source.get("type") != "m.room.tombstone" or source.get("state_key") != "":
                    continue
                replacement = (source.get("content") or {}).get("replacement_room")
                if isinstance(replacement, str) and replacement and replacement != room_id:
                    found.append(
                        RoomUpgrade(
                            room_id,
                            str(source.get("event_id", "")),
                            str(source.get("sender", "")),
                            replacement,
                        )
                    )
        return found

    async def join_room(self, room_id: str) -> bool:
        """Join a room (the successor of an upgraded one); False when not allowed yet."""
        if room_id in self.client.rooms and room_id not in self._left:
            return True
        result = await self.client.join(room_id)
        if not isinstance(result, JoinResponse):
            log.info("could not join %s: %s", room_id, getattr(result, "message", result))
            return False
        self._joined_at[room_id] = int(time.time() * 1000)
        self._left.discard(room_id)
        await self._wait_for_room(room_id)
        return True

    def _invites(self, response: SyncResponse) -> list[tuple[str, str, bool]]:
        """(room id, inviter, is direct) of each invite of the bot in a sync."""
        found = []
        for room_id, info in response.rooms.invite.items():
            inviter = None
            is_direct = False
            for event in info.invite_state:
                # nio keeps content on the parsed event, not in its source dict
                if (
                    getattr(event, "state_key", None) == self.user_id
                    and getattr(event, "membership", None) == "invite"
                ):
                    sender = getattr(event, "sender", None)
                    inviter = sender if isinstance(sender, str) and sender else None
                    is_direct = as_dict(getattr(event, "content", None)).get("is_direct") is True
            if inviter is not None:
                found.append((room_id, inviter, is_direct))
        return found

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
            result = await self.client.join(room_id)
            if isinstance(result, JoinResponse):
                self._joined_at[room_id] = int(time.time() * 1000)
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

    def _inbound(self, response: SyncResponse, not_before: int = 0) -> list[Inbound]:
        """Plain events of a sync; nothing older than ``not_before`` (ms) or than the
        bot's join of the room. An event that cannot be converted is skipped with one
        log line (reference id): no content a member sends can end the sync loop."""
        events: list[Inbound] = []
        for room_id, info in response.rooms.join.items():
            cutoff = max(self._joined_at.get(room_id, 0), not_before)
            for event in info.timeline.events:
                converted = self._safe_convert(room_id, event, cutoff)
                if converted is not None:
                    events.append(converted)
        for room_id, info in response.rooms.leave.items():
            for event in info.timeline.events:
                source = as_dict(getattr(event, "source", None))
                if (
                    get_str(source, "type") == "m.room.member"
                    and get_str(source, "state_key") == self.user_id
                    and (get_int(source, "origin_server_ts") or 0) >= not_before
                ):
                    member = self._member(room_id, source)
                    if member is not None:
                        self._left.add(room_id)
                        events.append(member)
        return events

    def _safe_convert(self, room_id: str, event: Any, joined_at: int) -> Inbound | None:
        try:
            return self._convert(room_id, event, joined_at)
        except Exception as exc:  # a bug here must cost one event, not the bot
            source = as_dict(getattr(event, "source", None))
            log.error(
                "skipped event %s in %s: %s: %s [ref %s]",
                get_id(source, "event_id"),
                room_id,
                type(exc).__name__,
                exc,
                secrets.token_hex(4),
            )
            return None

    def _member(self, room_id: str, source: dict[str, Any]) -> MemberChange | None:
        user_id = get_id(source, "state_key")
        event_id = get_id(source, "event_id")
        membership = get_str(get_dict(source, "content"), "membership", max_length=32)
        if user_id is None or event_id is None or not membership:
            return None
        previous = get_dict(get_dict(source, "unsigned"), "prev_content")
        return MemberChange(
            room_id=room_id,
            event_id=event_id,
            user_id=user_id,
            membership=membership,
            previous=get_str(previous, "membership", max_length=32),
            sender=get_id(source, "sender") or "",
            is_bot=user_id == self.user_id,
        )

    def _convert(self, room_id: str, event: Any, joined_at: int) -> Inbound | None:
        """One nio event as plain data. Every field is type-checked (bot.eventfields):
        a malformed one counts as absent, or the event is ignored."""
        source = as_dict(getattr(event, "source", None))
        sender = get_id(source, "sender") or _text_attr(event, "sender")
        event_id = get_id(source, "event_id") or _text_attr(event, "event_id")
        if sender is None or event_id is None:
            return None
        timestamp = get_int(source, "origin_server_ts") or 0
        event_type = get_str(source, "type")
        content = get_dict(source, "content")
        too_old = bool(joined_at and timestamp and timestamp < joined_at)
        if event_type == "m.room.member":
            return None if too_old else self._member(room_id, source)
        if sender == self.user_id or too_old:
            return None
        if isinstance(event, MegolmEvent):
            log.warning("undecryptable event %s in %s from %s", event_id, room_id, sender)
            self._request_key(event)
            return Undecryptable(
                room_id,
                event_id,
                sender,
                session_id=event.session_id,
                withheld=self._withheld_code(event.session_id, event.sender_key),
                source=source,
            )
        if event_type == "m.reaction":
            found = annotation(content)
            if found is None:
                return None
            target, key = found
            return Reaction(room_id, event_id, sender, target, key)
        if event_type == "m.room.redaction":
            redacts = redacted_id(source, content)
            return Redaction(room_id, event_id, sender, redacts) if redacts else None
        if event_type in POLL_RESPONSE_TYPES:
            return poll_response(room_id, event_id, sender, timestamp, event_type, content)
        if event_type != "m.room.message":
            return None
        body = get_str(content, "body")
        if get_str(content, "msgtype") not in ("m.text", "m.emote") or body is None:
            return None  # notices (other bots), files, images
        if is_edit(content):
            return None  # edits are not commands
        formatted = get_str(content, "formatted_body") or ""
        mentions_bot = (
            self.user_id in mentioned_user_ids(content)
            or f"matrix.to/#/{self.user_id}" in formatted
        )
        room = self.client.rooms.get(room_id)
        is_direct = room is not None and room.member_count <= 2
        return Message(
            room_id=room_id,
            event_id=event_id,
            sender=sender,
            body=strip_reply_fallback(body),
            timestamp_ms=timestamp,
            thread_root=thread_root_of(content),
            is_direct=is_direct,
            mentions_bot=mentions_bot,
            encrypted=getattr(event, "decrypted", False) is True,
        )

    # --- sending -----------------------------------------------------------------

    def is_active(self, room_id: str) -> bool:
        """False once the bot was removed from a room: it never posts there again."""
        return room_id not in self._left and room_id in self.client.rooms

    def mark_left(self, room_id: str) -> None:
        self._left.add(room_id)

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
        if key is not None:
            existing = await self._sent_log.event_for(key)
            if existing:
                return existing
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
        if key is not None and event_type != "m.room.message":
            existing = await self._sent_log.event_for(key)  # send() checked it already
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

    async def _wait_for_room(self, room_id: str, timeout: float = 15.0) -> None:  # noqa: ASYNC109
        """A room just created or joined appears after the next sync; wait for it."""
        deadline = time.monotonic() + timeout
        while room_id not in self.client.rooms:
            if time.monotonic() > deadline:
                raise MatrixError(f"room {room_id} unknown to the bot")
            await asyncio.sleep(0.05)

    # --- rooms ---------------------------------------------------------------------

    async def room_creation(self, room_id: str) -> RoomCreation | None:
        """The room's version and creators (the create event never changes: cached)."""
        known = self._creation.get(room_id)
        if known is not None:
            return known
        response = await self.client.room_get_state(room_id)
        if isinstance(response, ErrorResponse):
            log.warning("could not read the state of %s: %s", room_id, response.message)
            return None
        for event in response.events:
            if event.get("type") == "m.room.create" and event.get("state_key", "") == "":
                found = RoomCreation.from_event(event)
                self._creation[room_id] = found
                return found
        return None

    async def power_level(self, room_id: str, user_id: str) -> int:
        """The user's power level as the room's version defines it, from the current
        state (a changed power-levels event counts from the next sync on): in version
        12+ the creators outrank everyone; otherwise ``users``, then ``users_default``."""
        room = self.client.rooms.get(room_id)
        if room is None:
            return 0
        creation = await self.room_creation(room_id)
        if creation is not None and creation.creators_privileged and user_id in creation.creators:
            return CREATOR_LEVEL
        return int(room.power_levels.get_user_level(user_id))

    async def members(self, room_id: str) -> list[str]:
        """Joined members now (invited ones are not members yet)."""
        room = self.client.rooms.get(room_id)
        if room is None or room_id in self._left:
            return []
        return sorted(u for u in room.users if u not in room.invited_users)

    def joined_rooms(self) -> list[str]:
        return [room_id for room_id in self.client.rooms if room_id not in self._left]

    def room_name(self, room_id: str) -> str:
        room = self.client.rooms.get(room_id)
        if room is None:
            return room_id
        return str(room.display_name or room.name or room_id)

    def display_name(self, user_id: str) -> str:
        for room in self.client.rooms.values():
            user = room.users.get(user_id)
            if user is not None and user.display_name:
                return str(user.display_name)
        return user_id.split(":", 1)[0].lstrip("@")

    def room_state(self, room_id: str) -> dict[str, Any]:
        """Name, topic, encryption, power levels as the bot currently sees them."""
        room = self.client.rooms.get(room_id)
        if room is None:
            return {}
        return {
            "name": room.name,
            "topic": room.topic,
            "encrypted": room.encrypted,
            "users": dict(room.power_levels.users),
        }

    def is_encrypted(self, room_id: str) -> bool:
        room = self.client.rooms.get(room_id)
        return bool(room is not None and room.encrypted)

    async def direct_room(self, user_id: str) -> str:
        """The direct chat with a user: the remembered one, or a new one."""
        async with self._direct_lock:
            known = await self._direct_rooms.get(user_id)
            if known and known in self.client.rooms and known not in self._left:
                room = self.client.rooms[known]
                if user_id in room.users or user_id in room.invited_users:
                    return known
                # a room made moments ago may not show its invite in our sync yet
                state = await self.get_state(known, "m.room.member", user_id)
                if state is not None and state.get("membership") in ("invite", "join"):
                    return known
            room_id = await self.create_room(
                "",
                invite=[user_id],
                encrypted=self._direct_chats_encrypted,
                direct=True,
            )
            await self._direct_rooms.set(user_id, room_id)
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
        direct: bool = False,
    ) -> str:
        initial_state: list[dict[str, Any]] = []
        if encrypted:
            initial_state.append(
                {
                    "type": "m.room.encryption",
                    "state_key": "",
                    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
                }
            )
        override = None
        if power_users:
            # Room version 12 makes the creator all-powerful and forbids listing it.
            override = {"users": {u: p for u, p in power_users.items() if u != self.user_id}}
        preset = (
            RoomPreset.trusted_private_chat
            if direct
            else (RoomPreset.public_chat if public else RoomPreset.private_chat)
        )
        response = await self.client.room_create(
            visibility=RoomVisibility.private,
            name=name or None,
            topic=topic or None,
            invite=list(invite),
            is_direct=direct,
            preset=preset,
            initial_state=initial_state,
            power_level_override=override,
            space=space,
        )
        if not isinstance(response, RoomCreateResponse):
            raise MatrixError(f"could not create room: {getattr(response, 'message', response)}")
        self._joined_at[response.room_id] = int(time.time() * 1000)
        await self._wait_for_room(response.room_id)
        return str(response.room_id)

    async def invite(self, room_id: str, user_id: str) -> None:
        response = await self.client.room_invite(room_id, user_id)
        if isinstance(response, ErrorResponse):
            raise MatrixError(f"invite failed: {response.message}")

    async def redact(self, room_id: str, event_id: str, reason: str = "") -> None:
        response = await self.client.room_redact(room_id, event_id, reason or None)
        if isinstance(response, ErrorResponse):
            raise MatrixError(f"redaction in {room_id} failed: {response.message}")

    async def put_state(
        self, room_id: str, event_type: str, content: dict[str, Any], state_key: str = ""
    ) -> None:
        response = await self.client.room_put_state(room_id, event_type, content, state_key)
        if isinstance(response, ErrorResponse):
            raise MatrixError(f"state {event_type} in {room_id} failed: {response.message}")

    async def get_state(
        self, room_id: str, event_type: str, state_key: str = ""
    ) -> dict[str, Any] | None:
        response = await self.client.room_get_state_event(room_id, event_type, state_key)
        if isinstance(response, ErrorResponse):
            return None
        return dict(as_dict(getattr(response, "content", None)))


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

    Kept here because this is the only module that talks nio.
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
