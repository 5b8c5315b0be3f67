"""Users on the local homeserver: registration (shared-secret admin API), password login
and the admin calls the tests need. ``LocalSynapse`` is the process (process.py) with
these calls.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.homeserver.config import SERVER_NAME, registration_secret
from bot.homeserver.errors import HomeserverError
from bot.homeserver.process import SynapseProcess

_ADMIN_LOCALPART = "koopbot-hs-admin"


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


class LocalSynapse(SynapseProcess):
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
    _admin: RegisteredUser | None = None  # registered at the first admin call

    def __repr__(self) -> str:
        return f"LocalSynapse({str(self.data_dir)!r}, port={self.port}, running={self.running})"

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
        secret = registration_secret(self.config_path)
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
            secret = registration_secret(self.config_path)
            password = hmac.new(secret.encode(), b"admin-password", hashlib.sha256).hexdigest()
            self._admin = await self.register_user(_ADMIN_LOCALPART, password, admin=True)
        return self._admin
