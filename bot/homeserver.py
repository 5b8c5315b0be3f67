"""A throw-away Synapse on loopback for ``koopbot demo`` and the integration tests.

Why a subprocess and not Docker: matrix-synapse installs from PyPI into the dev venv, starts
on a fresh SQLite database in about two seconds, and needs nothing but loopback. It is only
a dev/demo dependency, so ``synapse`` and ``signedjson`` are imported lazily, never at module
import time.

Errors: everything that goes wrong talking to or running the server raises
``HomeserverError`` (its ``status`` and ``errcode`` are set for HTTP answers).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import hashlib
import hmac
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import aiohttp
import yaml

__all__ = [
    "HomeserverError",
    "LocalSynapse",
    "RegisteredUser",
    "build_config",
    "free_port",
]

SERVER_NAME = "localhost"
CONFIG_FILE = "homeserver.yaml"
LOG_FILE = "homeserver.log"
SIGNING_KEY_FILE = f"{SERVER_NAME}.signing.key"
_ADMIN_LOCALPART = "koopbot-hs-admin"
_SECRET_KEYS = ("registration_shared_secret", "macaroon_secret_key", "form_secret")
_RAISED = {"per_second": 1000, "burst_count": 1000}
# Every rate limiter Synapse 1.163 reads (synapse/config/ratelimiting.py). Nested keys are
# dotted. A test parses the written config with Synapse itself and checks that none is left
# at its default, so a new limiter in a later Synapse shows up there.
_RATE_LIMIT_KEYS = (
    "rc_message",
    "rc_registration",
    "rc_registration_token_validity",
    "rc_login.address",
    "rc_login.account",
    "rc_login.failed_attempts",
    "rc_admin_redaction",
    "rc_joins.local",
    "rc_joins.remote",
    "rc_joins_per_room",
    "rc_key_requests",
    "rc_3pid_validation",
    "rc_invites.per_room",
    "rc_invites.per_user",
    "rc_invites.per_issuer",
    "rc_third_party_invite",
    "rc_media_create",
    "rc_presence.per_user",
    "rc_delayed_event_mgmt",
    "rc_room_creation",
    "rc_reports",
    "rc_user_directory",
    "rc_profile",
)


class HomeserverError(Exception):
    """The local homeserver failed to start, or answered an API call with an error."""

    def __init__(self, message: str, *, status: int | None = None, errcode: str | None = None):
        super().__init__(message)
        self.status = status
        self.errcode = errcode


@dataclass(frozen=True, slots=True)
class RegisteredUser:
    """What a client needs for ``restore_login``, plus the password to log in again."""

    user_id: str
    access_token: str
    device_id: str
    password: str

    @property
    def localpart(self) -> str:
        return self.user_id[1:].split(":", 1)[0]


def free_port(host: str = "127.0.0.1") -> int:
    """Ask the kernel for a free TCP port; other engineers run servers on this machine too."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def build_config(
    data_dir: Path,
    port: int,
    secrets_: dict[str, str],
    *,
    raised_rate_limits: bool = True,
    message_rate: tuple[float, int] | None = None,
) -> dict[str, Any]:
    """The homeserver.yaml content: loopback only, SQLite, no federation, no registration.

    ``message_rate`` (per second, burst) sets ``rc_message`` alone, for tests that need
    Synapse's rate limiting to refuse sends within seconds rather than a minute.

    Kept a pure function so that it can be checked without starting anything.
    """
    data_dir = data_dir.resolve()
    config: dict[str, Any] = {
        "server_name": SERVER_NAME,
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                # "client" also mounts /_synapse/admin (synapse/app/homeserver.py).
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(data_dir / "homeserver.db")}},
        "media_store_path": str(data_dir / "media_store"),
        "signing_key_path": str(data_dir / SIGNING_KEY_FILE),
        **{key: secrets_[key] for key in _SECRET_KEYS},
        "enable_registration": False,
        "report_stats": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "presence": {"enabled": False},
        "bcrypt_rounds": 4,
        "federation_domain_whitelist": [],
        "url_preview_enabled": False,
        "enable_metrics": False,
    }
    if raised_rate_limits:
        for dotted in _RATE_LIMIT_KEYS:
            node = config
            *parents, leaf = dotted.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = dict(_RAISED)
    if message_rate is not None:
        config["rc_message"] = {"per_second": message_rate[0], "burst_count": message_rate[1]}
    return config


def _parent_death_signal() -> Callable[[], None] | None:
    """A pre-exec hook so that Synapse dies with us instead of lingering after a crash.

    Resolved before the fork, so the child only makes one foreign call. Linux only.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def hook() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))

    return hook


class LocalSynapse:
    """One Synapse process on 127.0.0.1 with its data (DB, key, log, config) in ``data_dir``.

    The data directory survives ``stop``/``restart``/``kill``; pointing a new instance at the
    same directory keeps users, rooms and tokens. With ``port=None`` a free port is chosen,
    and chosen again if another process takes it before Synapse binds.

    Args:
        data_dir: where homeserver.yaml, homeserver.db, the signing key and the log live.
        port: fixed port, or None for a free one.
        raised_rate_limits: lift every ``rc_*`` limit; False keeps Synapse's defaults
            (``rc_message`` 0.2/s, burst 10) for tests that exercise rate limiting.
        message_rate: ``rc_message`` as (per second, burst), overriding the above.
    """

    server_name = SERVER_NAME

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        *,
        raised_rate_limits: bool = True,
        message_rate: tuple[float, int] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self._auto_port = port is None
        self.port: int = free_port() if port is None else port
        self.raised_rate_limits = raised_rate_limits
        self.message_rate = message_rate
        self._proc: subprocess.Popen[bytes] | None = None
        self._admin: RegisteredUser | None = None

    # -- paths and state ---------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def config_path(self) -> Path:
        return self.data_dir / CONFIG_FILE

    @property
    def log_path(self) -> Path:
        return self.data_dir / LOG_FILE

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __repr__(self) -> str:
        return f"LocalSynapse({str(self.data_dir)!r}, port={self.port}, running={self.running})"

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- process lifecycle ---------------------------------------------------------------

    async def start(self, timeout: float = 30) -> None:  # noqa: ASYNC109
        """Write the config (and signing key) if needed, launch Synapse, wait until it serves.

        Raises:
            HomeserverError: Synapse exited or did not answer within ``timeout`` seconds;
                the message holds the tail of its log.
        """
        if self.running:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        attempts = 3 if self._auto_port else 1
        for attempt in range(attempts):
            self._write_files()
            log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
            self._spawn()
            try:
                await self._wait_ready(timeout, log_offset)
                return
            except _PortTaken:
                if attempt == attempts - 1:
                    raise HomeserverError(
                        f"port {self.port} is in use; see {self.log_path}"
                    ) from None
                self.port = free_port()

    async def stop(self, timeout: float = 10) -> None:  # noqa: ASYNC109
        """SIGTERM by pid and wait; SIGKILL if it has not exited after ``timeout`` seconds."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            # A Popen has no awaitable exit; polling keeps us independent of the event loop.
            while proc.poll() is None and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
            if proc.poll() is None:
                self.kill()
        self._proc = None

    def kill(self) -> None:
        """SIGKILL, for outage tests: no shutdown, in-flight requests just break."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()  # SIGKILL cannot be ignored; reaping takes milliseconds
        self._proc = None

    async def restart(self) -> None:
        """Stop and start again on the same data dir and port (users and tokens survive)."""
        self._auto_port = False  # clients hold base_url: never move on restart
        await self.stop()
        await self.start()

    def _write_files(self) -> None:
        """Write the signing key once, and homeserver.yaml whenever its content changes.

        Secrets are kept from an existing config so that a reused data dir stays valid.
        """
        key_path = self.data_dir / SIGNING_KEY_FILE
        if not key_path.exists():
            # In-process instead of `--generate-keys`: saves a second Synapse start (~1.5 s).
            from signedjson.key import generate_signing_key, write_signing_keys

            key = generate_signing_key("a_" + secrets.token_hex(2))
            with key_path.open("w") as f:
                write_signing_keys(f, [key])
            key_path.chmod(0o600)

        old: dict[str, Any] = {}
        if self.config_path.exists():
            old = yaml.safe_load(self.config_path.read_text()) or {}
        secrets_ = {k: str(old.get(k) or secrets.token_urlsafe(32)) for k in _SECRET_KEYS}
        text = yaml.safe_dump(
            build_config(
                self.data_dir,
                self.port,
                secrets_,
                raised_rate_limits=self.raised_rate_limits,
                message_rate=self.message_rate,
            ),
            sort_keys=False,
        )
        if not self.config_path.exists() or self.config_path.read_text() != text:
            self.config_path.write_text(text)
            self.config_path.chmod(0o600)

    def _spawn(self) -> None:
        with self.log_path.open("ab") as log:
            log.write(f"--- koopbot: starting Synapse on port {self.port}\n".encode())
            log.flush()
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_parent_death_signal(),
                # Ctrl-C in a terminal reaches the whole process group: Synapse must not
                # go down before the bot that still talks to it; ``stop`` ends it
                start_new_session=True,
            )

    async def _wait_ready(self, timeout: float, log_offset: int) -> None:  # noqa: ASYNC109
        """Poll /_matrix/client/versions until it answers 200, Synapse exits, or time is up."""
        proc = self._proc
        assert proc is not None
        deadline = time.monotonic() + timeout
        url = f"{self.base_url}/_matrix/client/versions"
        probe_timeout = aiohttp.ClientTimeout(total=2)
        async with aiohttp.ClientSession(timeout=probe_timeout) as session:
            while True:
                if proc.poll() is not None:
                    self._proc = None
                    tail = self._log_since(log_offset)
                    if "Address already in use" in tail or "CannotListenError" in tail:
                        raise _PortTaken
                    raise HomeserverError(
                        f"Synapse exited with code {proc.returncode} during start; "
                        f"log {self.log_path}:\n{_tail(tail)}"
                    )
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.get(url) as resp:
                        if resp.status == 200:
                            return
                if time.monotonic() >= deadline:
                    self.kill()
                    raise HomeserverError(
                        f"Synapse did not answer within {timeout} s; log {self.log_path}:\n"
                        f"{_tail(self._log_since(log_offset))}"
                    )
                await asyncio.sleep(0.05)

    def _log_since(self, offset: int) -> str:
        try:
            with self.log_path.open("rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    # -- HTTP API --------------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One JSON request; non-2xx answers raise HomeserverError with status and errcode."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        timeout = aiohttp.ClientTimeout(total=30)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.request(method, self.base_url + path, json=body, headers=headers) as resp,
        ):
            try:
                data = await resp.json(content_type=None)
            except ValueError:
                data = None
            if not isinstance(data, dict):
                data = {"error": str(data)}
            if resp.status >= 300:
                raise HomeserverError(
                    f"{method} {path} -> {resp.status} {data.get('errcode')}: {data.get('error')}",
                    status=resp.status,
                    errcode=data.get("errcode"),
                )
            return data

    async def register_user(
        self, localpart: str, password: str, *, admin: bool = False
    ) -> RegisteredUser:
        """Create a user with the shared-secret admin API; log in instead if it exists.

        Each call yields a fresh device (registration and login both make one). The
        shared-secret endpoint is not rate limited; the login fallback is (``rc_login``).
        """
        secret = self._registration_secret()
        nonce = (await self._request("GET", "/_synapse/admin/v1/register"))["nonce"]
        mac = hmac.new(secret.encode(), digestmod=hashlib.sha1)
        for part in (nonce, localpart, password):
            mac.update(part.encode())
            mac.update(b"\x00")
        mac.update(b"admin" if admin else b"notadmin")
        body = {
            "nonce": nonce,
            "username": localpart,
            "password": password,
            "admin": admin,
            "mac": mac.hexdigest(),
        }
        try:
            data = await self._request("POST", "/_synapse/admin/v1/register", body=body)
        except HomeserverError as exc:
            if exc.errcode != "M_USER_IN_USE":
                raise
            return await self.login(localpart, password)
        return RegisteredUser(data["user_id"], data["access_token"], data["device_id"], password)

    async def login(self, localpart: str, password: str) -> RegisteredUser:
        """Password login: a new device and token for an existing user."""
        data = await self._request(
            "POST",
            "/_matrix/client/v3/login",
            body={
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": localpart},
                "password": password,
                "initial_device_display_name": "koopbot LocalSynapse",
            },
        )
        return RegisteredUser(data["user_id"], data["access_token"], data["device_id"], password)

    async def override_ratelimit(self, user_id: str) -> None:
        """Exempt ``user_id`` from message rate limiting (``messages_per_second`` 0)."""
        await self._request(
            "POST",
            f"/_synapse/admin/v1/users/{quote(user_id, safe='')}/override_ratelimit",
            token=(await self._admin_user()).access_token,
            body={"messages_per_second": 0, "burst_count": 0},
        )

    async def device_count(self, user_id: str) -> int:
        """How many devices the user has; a bot that re-logs in on every start grows this."""
        data = await self._request(
            "GET",
            f"/_synapse/admin/v2/users/{quote(user_id, safe='')}/devices",
            token=(await self._admin_user()).access_token,
        )
        return len(data.get("devices", []))

    async def _admin_user(self) -> RegisteredUser:
        """An internal admin for the admin API; its password derives from the shared secret."""
        if self._admin is None:
            secret = self._registration_secret()
            password = hmac.new(secret.encode(), b"admin-password", hashlib.sha256).hexdigest()
            self._admin = await self.register_user(_ADMIN_LOCALPART, password, admin=True)
        return self._admin

    def _registration_secret(self) -> str:
        try:
            config = yaml.safe_load(self.config_path.read_text())
        except OSError as exc:
            raise HomeserverError(f"no config at {self.config_path}: start() first") from exc
        return str(config["registration_shared_secret"])


class _PortTaken(Exception):
    """Another process bound our port between free_port() and Synapse's listen()."""


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.splitlines()[-lines:])
