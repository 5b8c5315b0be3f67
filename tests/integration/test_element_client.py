"""The bot as Element users meet it: a matrix-js-sdk client with the Rust crypto stack,
its own cross-signing set up, in "exclude insecure devices" mode (MSC4153)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.crosssign import CrossSigning
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
        assert "what you can do here" in reply["body"]
        assert_clean(reply)


async def test_withheld_key_is_counted_and_the_sender_told_once(
    synapse: LocalSynapse,
    bot_factory: Any,
    client_factory: Any,
    element: ElementClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bot whose device is not cross-signed (as before cross-signing existed): Element
    withholds the key; the bot says once, in plain German, what to do."""

    async def not_signed(self: CrossSigning) -> bool:
        return False

    monkeypatch.setattr(CrossSigning, "ensure", not_signed)
    bot = await bot_factory(encryption=True)
    # a member whose client shares keys with every device and so can read the bot
    bystander = await client_factory("bystander", encryption=True, auto_join=True)
    room_id = (
        await element.request(
            "create_room", invite=[bot.user_id, bystander.user_id], name="Kooperation Tanz"
        )
    )["room_id"]
    for user_id in (bot.user_id, bystander.user_id):
        await element.request("wait_member", room_id=room_id, user_id=user_id)

    first = (await element.request("send", room_id=room_id, body="!hilfe"))["event_id"]
    second = (await element.request("send", room_id=room_id, body="!termine"))["event_id"]

    notice = await bystander.wait_for(
        lambda r: r.room_id == room_id and r.sender == bot.user_id and r.in_reply_to == first,
        timeout=30,
    )
    assert notice.msgtype == "m.notice"
    assert "Quersignierung" in (notice.body or "")
    assert "Koordination" in (notice.body or "")

    async def metrics() -> str:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{bot.web_url}/metrics") as resp:
                return await resp.text()

    # both messages were counted once handled (the second after its grace period)
    deadline = asyncio.get_running_loop().time() + 30
    while "koopbot_decryption_failures_total 2.0" not in (text := await metrics()):
        assert asyncio.get_running_loop().time() < deadline, text
        await asyncio.sleep(0.2)
    assert 'koopbot_room_keys_withheld_total{code="m.unverified"} 1.0' in text

    # the bystander's own command is answered after everything before it: by then the
    # bot had told the sender once (one key session), not once per message
    mark = bystander.mark()
    asked = await bystander.send_text(room_id, "!hilfe")
    await bystander.wait_for_reply(room_id, asked, 20, since_index=mark)
    told = [
        r.in_reply_to
        for r in bystander.messages(room_id, sender=bot.user_id)
        if r.in_reply_to in (first, second)
    ]
    assert told == [first]
