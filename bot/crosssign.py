"""Cross-signing of the bot's own device (matrix-nio has none: matrix-nio issue 229).

Element shares room keys only with devices their owner has cross-signed (MSC4153,
"exclude insecure devices"), and marks messages from unsigned devices with a red shield.
So the bot keeps a cross-signing identity of its own, the way Element sets one up:

- a *master* key (the account's identity), a *self-signing* key (signs the account's
  own devices) and a *user-signing* key (for verifying others; uploaded now so that
  adding it later needs no password), all Ed25519;
- the three public keys are published with ``POST /keys/device_signing/upload`` (the
  first upload needs no interactive auth on Synapse; a replacement needs the password:
  ``m.login.password``);
- the bot's device key, as the server holds it, is signed by the self-signing key and the
  signature published with ``POST /keys/signatures/upload``.

The private keys live in ``<storage>/matrix/cross_signing.json`` (mode 0600), so the
identity stays the same for years. At every start the server's master key is compared
with the stored one; an identity that differs is never replaced silently: the bot logs an
error and carries on without touching it, unless ``matrix.reset_cross_signing`` (or
``koopbot run --reset-cross-signing``) says to publish a new identity in its place (with
the password). A new one, because Synapse refuses a master key it has seen before; the
replaced key file is kept beside the new one.

Ed25519 and Matrix's canonical JSON come from ``signedjson`` (with PyNaCl and
``canonicaljson``): Synapse's own implementation of exactly these signatures. vodozemac's
Python bindings sign only with the Olm account's device key, not with a key of ours.

The requests go through the ``Post`` the caller hands in (``bot.matrix`` sends them with
nio's own session and its rate-limit retries), so this module holds no HTTP stack of its
own and does not import nio.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from signedjson.key import (
    decode_signing_key_base64,
    encode_signing_key_base64,
    encode_verify_key_base64,
    generate_signing_key,
    get_verify_key,
)
from signedjson.sign import SignatureVerifyException, sign_json, verify_signed_json

log = logging.getLogger(__name__)

KEY_FILE = "cross_signing.json"
USAGES = ("master", "self_signing", "user_signing")


class CrossSigningError(Exception):
    """Publishing the identity or the device signature failed."""


# --- keys ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPair:
    """One Ed25519 key: the unpadded-base64 seed and the public key it gives."""

    seed: str
    public: str

    @classmethod
    def generate(cls) -> KeyPair:
        return cls.from_seed(encode_signing_key_base64(generate_signing_key("0")))

    @classmethod
    def from_seed(cls, seed: str) -> KeyPair:
        key = decode_signing_key_base64("ed25519", "0", seed)
        return cls(seed, encode_verify_key_base64(get_verify_key(key)))

    @property
    def key_id(self) -> str:
        return f"ed25519:{self.public}"

    def signing_key(self) -> Any:
        # the key "version" becomes the key id in signatures: Matrix uses the public key
        return decode_signing_key_base64("ed25519", self.public, self.seed)

    def verify_key(self) -> Any:
        return get_verify_key(self.signing_key())


@dataclass(frozen=True)
class Identity:
    """The bot account's cross-signing keys (private halves included)."""

    user_id: str
    master: KeyPair
    self_signing: KeyPair
    user_signing: KeyPair

    @classmethod
    def generate(cls, user_id: str) -> Identity:
        return cls(user_id, KeyPair.generate(), KeyPair.generate(), KeyPair.generate())

    def key(self, usage: str) -> KeyPair:
        return {
            "master": self.master,
            "self_signing": self.self_signing,
            "user_signing": self.user_signing,
        }[usage]

    def public_key_object(self, usage: str) -> dict[str, Any]:
        """The key as uploaded: the sub-keys carry the master key's signature."""
        pair = self.key(usage)
        body: dict[str, Any] = {
            "user_id": self.user_id,
            "usage": [usage],
            "keys": {pair.key_id: pair.public},
        }
        if usage != "master":
            body = sign_json(body, self.user_id, self.master.signing_key())
        return body

    def upload_body(self) -> dict[str, Any]:
        return {f"{usage}_key": self.public_key_object(usage) for usage in USAGES}

    def sign_device(self, device_key: Mapping[str, Any]) -> dict[str, Any]:
        """The device key with the self-signing key's signature added.

        signedjson signs the canonical JSON without ``signatures`` and ``unsigned`` and
        keeps the signatures already there (the device's own).
        """
        signed = json.loads(json.dumps(dict(device_key)))
        signed.pop("unsigned", None)
        return sign_json(signed, self.user_id, self.self_signing.signing_key())

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": 1,
                "user_id": self.user_id,
                **{usage: self.key(usage).seed for usage in USAGES},
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> Identity:
        data = json.loads(text)
        return cls(
            data["user_id"],
            *(KeyPair.from_seed(data[usage]) for usage in USAGES),
        )


def _write_private(path: Path, text: str) -> None:
    """Write a secret file readable by the owner only (0600 from the start)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


class IdentityStore:
    """``cross_signing.json`` in the Matrix store directory."""

    def __init__(self, store_dir: Path) -> None:
        self.path = store_dir / KEY_FILE

    def load(self, user_id: str) -> Identity | None:
        if not self.path.exists():
            return None
        identity = Identity.from_json(self.path.read_text(encoding="utf-8"))
        if identity.user_id != user_id:
            # another account's keys: keep them aside, never use or overwrite them
            aside = self.keep_aside(identity, "other-account")
            self.path.unlink()
            log.warning(
                "cross-signing keys in the store belong to %s, not %s; moved to %s",
                identity.user_id,
                user_id,
                aside,
            )
            return None
        return identity

    def save(self, identity: Identity) -> None:
        _write_private(self.path, identity.to_json())

    def keep_aside(self, identity: Identity, why: str) -> Path:
        """Keep a copy of keys about to be replaced (private keys are never just lost)."""
        aside = self.path.with_name(f"{KEY_FILE}.{int(time.time())}.{why}")
        _write_private(aside, identity.to_json())
        return aside


# --- what the server has, and what to do about it -------------------------------------


@dataclass(frozen=True)
class ServerState:
    """The account's keys as ``/keys/query`` shows them."""

    master: str | None = None  # public key (unpadded base64)
    self_signing: str | None = None
    device_key: dict[str, Any] | None = None

    @classmethod
    def from_query(cls, answer: Mapping[str, Any], user_id: str, device_id: str) -> ServerState:
        def only_key(section: str) -> str | None:
            body = (answer.get(section) or {}).get(user_id) or {}
            keys = list((body.get("keys") or {}).values())
            return str(keys[0]) if keys else None

        devices = (answer.get("device_keys") or {}).get(user_id) or {}
        return cls(only_key("master_keys"), only_key("self_signing_keys"), devices.get(device_id))

    def device_signed_by(self, identity: Identity) -> bool:
        """True when the device key carries a valid signature of our self-signing key."""
        if self.device_key is None:
            return False
        signatures = (self.device_key.get("signatures") or {}).get(identity.user_id) or {}
        if identity.self_signing.key_id not in signatures:
            return False
        try:
            verify_signed_json(
                dict(self.device_key), identity.user_id, identity.self_signing.verify_key()
            )
        except SignatureVerifyException:
            return False
        return True


class Action(Enum):
    NOTHING = "nothing"  # identity published, device signed
    SIGN_DEVICE = "sign device"  # identity published, this device not yet signed
    CREATE = "create"  # nothing anywhere: new identity, first upload (no password)
    PUBLISH = "publish"  # the stored identity is missing on the server: upload it
    CONFLICT = "conflict"  # the server has another identity: leave it, log loudly
    REPLACE = "replace"  # conflict + reset: a new identity replaces the server's


def plan(local: Identity | None, server: ServerState, *, reset: bool) -> Action:
    """What to do at a start, from the stored identity and the server's keys."""
    if local is None:
        if server.master is None:
            return Action.CREATE
        return Action.REPLACE if reset else Action.CONFLICT
    if server.master is None:
        return Action.PUBLISH
    if server.master != local.master.public or server.self_signing != local.self_signing.public:
        return Action.REPLACE if reset else Action.CONFLICT
    return Action.NOTHING if server.device_signed_by(local) else Action.SIGN_DEVICE


# --- talking to the homeserver ---------------------------------------------------------


# POST a client-server API path (``/keys/query``) with a JSON body: (status, JSON answer).
# Raises CrossSigningError when the homeserver cannot be reached.
Post = Callable[[str, Mapping[str, Any]], Awaitable[tuple[int, dict[str, Any]]]]


class CrossSigning:
    """Makes sure the bot's device is cross-signed by the bot's stored identity."""

    def __init__(
        self,
        post: Post,
        user_id: str,
        device_id: str,
        store_dir: Path,
        *,
        password: str | None = None,
        reset: bool = False,
    ) -> None:
        self._post = post
        self.user_id = user_id
        self.device_id = device_id
        self._password = password
        self._reset = reset
        self.store = IdentityStore(store_dir)
        self.master_key: str | None = None  # the published master key once all is well

    async def ensure(self) -> bool:
        """Bootstrap or check; True when the device is signed by the stored identity.

        A conflict (the server has another identity) is logged as an error and left
        alone; so is a failure to reach or convince the server. The bot runs on either
        way (unsigned, as before), and the next start tries again.
        """
        try:
            return await self._ensure()
        except CrossSigningError as exc:
            log.error("cross-signing not set up: %s", exc)
            return False

    async def _ensure(self) -> bool:
        local = self.store.load(self.user_id)
        server = await self.query()
        action = plan(local, server, reset=self._reset)
        if action is Action.CONFLICT:
            self._log_conflict(local, server)
            return False
        if action is Action.REPLACE and local is not None:
            self.store.keep_aside(local, "replaced")
        if action in (Action.CREATE, Action.REPLACE):
            local = Identity.generate(self.user_id)
            # stored before the upload: a crash in between leaves keys we can publish
            self.store.save(local)
        assert local is not None
        if action is Action.REPLACE:
            log.warning(
                "reset_cross_signing: replacing the server's cross-signing identity "
                "(master key %s) with a new one (%s); other users will see a changed "
                "identity. Remove the reset setting again.",
                server.master,
                local.master.public,
            )
        if action in (Action.CREATE, Action.PUBLISH, Action.REPLACE):
            await self.upload_identity(local)
            log.info("published cross-signing identity, master key %s", local.master.public)
            server = await self.query()
        if not server.device_signed_by(local):
            if server.device_key is None:
                raise CrossSigningError(f"the server has no keys of device {self.device_id}")
            await self.upload_device_signature(local, server.device_key)
            server = await self.query()
            if not server.device_signed_by(local):
                raise CrossSigningError("the device signature did not arrive on the server")
            log.info("device %s signed by the self-signing key", self.device_id)
        self.master_key = local.master.public
        log.info("cross-signing ready: master key %s", local.master.public)
        return True

    def _log_conflict(self, local: Identity | None, server: ServerState) -> None:
        stored = local.master.public if local else "none"
        log.error(
            "CROSS-SIGNING IDENTITY MISMATCH for %s: the homeserver has master key %s, "
            "the store (%s) has %s. The bot leaves the server's identity alone and its "
            "device stays unsigned, so Element clients that exclude insecure devices "
            "will not share keys with it. If the server's identity is not yours to keep, "
            "start once with `koopbot run --reset-cross-signing` (or "
            "matrix.reset_cross_signing = true) to publish a new identity.",
            self.user_id,
            server.master,
            self.store.path,
            stored,
        )

    async def query(self) -> ServerState:
        status, data = await self._post("/keys/query", {"device_keys": {self.user_id: []}})
        if status != 200:
            raise CrossSigningError(f"/keys/query: {status} {data.get('errcode')}")
        return ServerState.from_query(data, self.user_id, self.device_id)

    async def upload_identity(self, identity: Identity) -> None:
        """``/keys/device_signing/upload``; with the password when the server asks."""
        body = identity.upload_body()
        status, data = await self._post("/keys/device_signing/upload", body)
        if status == 401 and "flows" in data:
            if not any("m.login.password" in flow.get("stages", []) for flow in data["flows"]):
                raise CrossSigningError("the homeserver offers no password login to confirm")
            if self._password is None:
                raise CrossSigningError(
                    "the homeserver asks for the bot's password to publish cross-signing "
                    "keys; set matrix.password (it is used for this and the first login only)"
                )
            auth = {
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": self.user_id},
                "password": self._password,
                "session": data.get("session"),
            }
            status, data = await self._post("/keys/device_signing/upload", {**body, "auth": auth})
        if status != 200:
            raise CrossSigningError(
                f"/keys/device_signing/upload: {status} {data.get('errcode')} {data.get('error')}"
            )

    async def upload_device_signature(self, identity: Identity, device_key: dict[str, Any]) -> None:
        signed = identity.sign_device(device_key)
        status, data = await self._post(
            "/keys/signatures/upload", {self.user_id: {self.device_id: signed}}
        )
        failures = data.get("failures") or {}
        if status != 200 or failures:
            raise CrossSigningError(f"/keys/signatures/upload: {status} {failures or data}")
