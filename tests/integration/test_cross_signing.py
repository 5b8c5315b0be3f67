"""The bot's cross-signed identity, as any other user sees it through /keys/query."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import aiohttp
import pytest
from signedjson.key import decode_verify_key_base64
from signedjson.sign import verify_signed_json

from bot.crosssign import CrossSigning, Identity
from bot.homeserver import LocalSynapse
from tests.integration.botrunner import BotHarness
from tests.integration.conftest import make_localpart


async def published(hs: LocalSynapse, token: str, bot: BotHarness) -> dict[str, Any]:
    """The bot's master key, self-signing key and device key as another user sees them."""
    answer = await hs._request(
        "POST",
        "/_matrix/client/v3/keys/query",
        token=token,
        body={"device_keys": {bot.user_id: []}},
    )
    master = (answer.get("master_keys") or {}).get(bot.user_id)
    self_signing = (answer.get("self_signing_keys") or {}).get(bot.user_id)
    devices = answer["device_keys"][bot.user_id]
    return {"master": master, "self_signing": self_signing, "devices": devices}


def only_key(key_object: dict[str, Any]) -> tuple[str, str]:
    ((key_id, public),) = key_object["keys"].items()
    return key_id, public


def assert_device_cross_signed(keys: dict[str, Any], bot: BotHarness, device_id: str) -> None:
    assert keys["master"] is not None, "no master key published"
    assert keys["self_signing"] is not None, "no self-signing key published"
    _master_id, master_public = only_key(keys["master"])
    ssk_id, ssk_public = only_key(keys["self_signing"])
    # the self-signing key is signed by the master key, the device by the self-signing key
    verify_signed_json(
        keys["self_signing"],
        bot.user_id,
        decode_verify_key_base64("ed25519", master_public, master_public),
    )
    device = keys["devices"][device_id]
    assert ssk_id in device["signatures"][bot.user_id]
    verify_signed_json(
        device, bot.user_id, decode_verify_key_base64("ed25519", ssk_public, ssk_public)
    )


async def test_device_is_cross_signed_and_identity_stays_across_restarts(
    synapse: LocalSynapse, bot_factory: Any
) -> None:
    bot = await bot_factory(encryption=True)
    observer = await synapse.register_user(make_localpart("observer"), "pw")
    device_id = bot.app.matrix.client.device_id

    first = await published(synapse, observer.access_token, bot)
    assert_device_cross_signed(first, bot, device_id)
    key_file = bot.data_dir / "matrix" / "cross_signing.json"
    assert key_file.stat().st_mode & 0o077 == 0

    for _ in range(3):
        await bot.restart()
        assert bot.app.matrix.client.device_id == device_id
        again = await published(synapse, observer.access_token, bot)
        assert again["master"] == first["master"]
        assert again["self_signing"] == first["self_signing"]
        assert (
            again["devices"][device_id]["signatures"] == first["devices"][device_id]["signatures"]
        )
        assert_device_cross_signed(again, bot, device_id)


async def test_foreign_identity_is_never_replaced_silently(
    synapse: LocalSynapse, bot_factory: Any, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await bot_factory(encryption=True)
    observer = await synapse.register_user(make_localpart("observer"), "pw")
    ours = await published(synapse, observer.access_token, bot)
    await bot.stop()

    # someone else (another client of the bot's account) publishes another identity;
    # replacing an existing one needs the password (interactive auth)
    other_login = await synapse.login(bot.localpart, bot.password)
    async with aiohttp.ClientSession(
        headers={"Authorization": f"Bearer {other_login.access_token}"}
    ) as session:

        async def post(path: str, body: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
            url = f"{synapse.base_url}/_matrix/client/v3{path}"
            async with session.post(url, json=body) as resp:
                return resp.status, dict(await resp.json(content_type=None))

        other = CrossSigning(
            post,
            bot.user_id,
            other_login.device_id,
            tmp_path / "other-client",
            password=bot.password,
        )
        await other.upload_identity(Identity.generate(bot.user_id))
    theirs = await published(synapse, observer.access_token, bot)
    assert theirs["master"] != ours["master"]

    with caplog.at_level(logging.ERROR, logger="bot.crosssign"):
        await bot.start()
    assert "CROSS-SIGNING IDENTITY MISMATCH" in caplog.text
    assert not bot.app.matrix.cross_signed
    assert (await published(synapse, observer.access_token, bot))["master"] == theirs["master"]

    # told to reset, the bot publishes a new identity and signs its device with it
    await bot.stop()
    bot.matrix["reset_cross_signing"] = True
    await bot.start()
    assert bot.app.matrix.cross_signed
    replaced = await published(synapse, observer.access_token, bot)
    assert replaced["master"] not in (ours["master"], theirs["master"])
    assert_device_cross_signed(replaced, bot, bot.app.matrix.client.device_id)
    assert list((bot.data_dir / "matrix").glob("cross_signing.json.*.replaced"))


async def test_existing_installation_gets_cross_signed_at_its_first_start_after_upgrade(
    synapse: LocalSynapse, bot_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bot that ran before cross-signing existed keeps its device and gets it signed."""
    observer = await synapse.register_user(make_localpart("observer"), "pw")
    with monkeypatch.context() as before_upgrade:

        async def no_cross_signing(self: CrossSigning) -> bool:
            return False

        before_upgrade.setattr(CrossSigning, "ensure", no_cross_signing)
        bot = await bot_factory(encryption=True)
        device_id = bot.app.matrix.client.device_id
        assert (await published(synapse, observer.access_token, bot))["master"] is None
        await bot.stop()

    await bot.start()
    assert bot.app.matrix.client.device_id == device_id
    assert_device_cross_signed(await published(synapse, observer.access_token, bot), bot, device_id)
