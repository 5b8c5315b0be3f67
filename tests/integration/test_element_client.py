"""The bot as Element users meet it: a matrix-js-sdk client with the Rust crypto stack,
its own cross-signing set up, in "exclude insecure devices" mode (MSC4153)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.homeserver import LocalSynapse
from tests.integration.botrunner import BotHarness
from tests.integration.conftest import make_localpart
from tests.integration.element_client import ElementClient


@pytest.fixture
async def element(synapse: LocalSynapse, tmp_path: Path) -> AsyncIterator[ElementClient]:
    client = await ElementClient.start(tmp_path / "element-client.log")
    try:
        localpart = make_localpart("elena")
        user = await synapse.register_user(localpart, f"pw-{localpart}")
        login = await client.request(
            "login",
            homeserver=synapse.base_url,
            user_id=user.user_id,
            device_id=user.device_id,
            access_token=user.access_token,
            password=user.password,
        )
        assert login["cross_signing_ready"]
        yield client
    finally:
        await client.close()


async def ask(client: ElementClient, room_id: str, text: str, bot: BotHarness) -> dict[str, Any]:
    sent = await client.request("send", room_id=room_id, body=text)
    return await client.request(
        "wait_reply", room_id=room_id, event_id=sent["event_id"], sender=bot.user_id
    )


def assert_clean(reply: dict[str, Any]) -> None:
    """Decrypted, and no shield: Element shows the message without any warning."""
    assert reply["encrypted"], reply
    assert reply["msgtype"] == "m.notice", reply
    assert (reply["shield_colour"], reply["shield_reason"]) == ("NONE", None), reply


async def test_element_client_talks_to_bot_in_encrypted_dm_and_group_across_restart(
    synapse: LocalSynapse, bot_factory: Any, element: ElementClient
) -> None:
    bot = await bot_factory(encryption=True)
    bystander = await synapse.register_user(make_localpart("bystander"), "pw")

    dm = (await element.request("create_room", invite=[bot.user_id], direct=True))["room_id"]
    group = (
        await element.request(
            "create_room", invite=[bot.user_id, bystander.user_id], name="Kooperation Musik"
        )
    )["room_id"]
    for room_id in (dm, group):
        await element.request("wait_member", room_id=room_id, user_id=bot.user_id)

    for room_id in (dm, group):
        reply = await ask(element, room_id, "!hilfe", bot)
        assert "!hilfe" in reply["body"]
        assert_clean(reply)

    # the bot's device counts as cross-signed by its owner
    device_id = bot.app.matrix.client.device_id
    status = await element.request("device_status", user_id=bot.user_id, device_id=device_id)
    assert status["signed_by_owner"] is True

    await bot.restart()

    for room_id in (dm, group):
        reply = await ask(element, room_id, "!help", bot)
        assert "what I can do" in reply["body"]
        assert_clean(reply)
