"""Login and restore of the bot's device: credentials, pickle key, cross-signing."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from aiohttp import ClientConnectionError, ServerDisconnectedError
from nio import AsyncClient, AsyncClientConfig, LoginResponse, WhoamiResponse

from bot.crosssign import CrossSigning, CrossSigningError
from bot.eventfields import get_int
from bot.matrix.base import (
    MAX_RATE_LIMIT_WAIT,
    RETRY_CAP_SECONDS,
    SEND_GIVE_UP_SECONDS,
    ConnectionState,
    MatrixError,
)

log = logging.getLogger(__name__)


def _write_private(path: Path, text: str) -> None:
    """Write a secret file readable by the owner only (0600 from the start)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


@dataclass
class Credentials:
    user_id: str
    device_id: str
    access_token: str
    homeserver: str


class LoginMixin(ConnectionState):
    """Login or restore of the bot's device (credentials stored 0600), and its
    cross-signing."""

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
