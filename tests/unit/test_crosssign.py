"""The cross-signing identity: key objects, device signatures, the start-up decision."""

from __future__ import annotations

import stat
from pathlib import Path

from signedjson.sign import verify_signed_json

from bot.crosssign import Action, Identity, IdentityStore, ServerState, plan

USER = "@bot:localhost"


def device_key(identity: Identity | None = None) -> dict:
    key = {
        "user_id": USER,
        "device_id": "DEV",
        "algorithms": ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
        "keys": {"curve25519:DEV": "c", "ed25519:DEV": "e"},
        "signatures": {USER: {"ed25519:DEV": "device-own-signature"}},
        "unsigned": {"device_display_name": "koopbot"},
    }
    return identity.sign_device(key) if identity else key


def test_sub_keys_are_signed_by_the_master_key() -> None:
    identity = Identity.generate(USER)
    body = identity.upload_body()
    assert body["master_key"]["keys"] == {identity.master.key_id: identity.master.public}
    assert body["master_key"]["usage"] == ["master"]
    for name in ("self_signing_key", "user_signing_key"):
        verify_signed_json(body[name], USER, identity.master.verify_key())


def test_device_signature_keeps_the_device_own_and_verifies() -> None:
    identity = Identity.generate(USER)
    signed = device_key(identity)
    assert signed["signatures"][USER]["ed25519:DEV"] == "device-own-signature"
    assert identity.self_signing.key_id in signed["signatures"][USER]
    server = ServerState(identity.master.public, identity.self_signing.public, signed)
    assert server.device_signed_by(identity)
    tampered = {**signed, "keys": {"curve25519:DEV": "other", "ed25519:DEV": "e"}}
    assert not ServerState(identity.master.public, None, tampered).device_signed_by(identity)


def test_store_round_trip_is_private(tmp_path: Path) -> None:
    store = IdentityStore(tmp_path)
    identity = Identity.generate(USER)
    store.save(identity)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.load(USER) == identity


def test_another_account_keys_are_kept_aside_not_used(tmp_path: Path) -> None:
    store = IdentityStore(tmp_path)
    store.save(Identity.generate("@other:localhost"))
    assert store.load(USER) is None
    assert not store.path.exists()
    assert len(list(tmp_path.glob("cross_signing.json.*.other-account"))) == 1


def test_plan() -> None:
    ours = Identity.generate(USER)
    theirs = Identity.generate(USER)
    nothing = ServerState(None, None, device_key())
    published = ServerState(ours.master.public, ours.self_signing.public, device_key())
    signed = ServerState(ours.master.public, ours.self_signing.public, device_key(ours))
    foreign = ServerState(theirs.master.public, theirs.self_signing.public, device_key(theirs))

    assert plan(None, nothing, reset=False) is Action.CREATE
    assert plan(ours, nothing, reset=False) is Action.PUBLISH
    assert plan(ours, published, reset=False) is Action.SIGN_DEVICE
    assert plan(ours, signed, reset=False) is Action.NOTHING
    # never replaced silently
    assert plan(ours, foreign, reset=False) is Action.CONFLICT
    assert plan(None, foreign, reset=False) is Action.CONFLICT
    assert plan(ours, foreign, reset=True) is Action.REPLACE
    assert plan(None, foreign, reset=True) is Action.REPLACE
    # same master, another self-signing key: someone replaced part of the identity
    mixed = ServerState(ours.master.public, theirs.self_signing.public, device_key())
    assert plan(ours, mixed, reset=False) is Action.CONFLICT
