"""Rate limits, encryption and homeserver outages, through a real Synapse."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.homeserver import LocalSynapse
from tests.integration.botrunner import BotHarness
from tests.integration.matrix_client import TestClient
from tests.integration.test_backbone import ask, room_with_bot


@pytest.fixture
async def own_synapse(
    tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[LocalSynapse]:
    """A homeserver of this test alone (it will be rate limited or stopped); ``param``
    is ``rc_message`` as (per second, burst), or None for raised limits."""
    rate = getattr(request, "param", None)
    hs = LocalSynapse(tmp_path / "hs", raised_rate_limits=rate is None, message_rate=rate)
    await hs.start()
    try:
        yield hs
    finally:
        await hs.stop()


# Synapse's default rc_message (0.2/s, burst 10) would make this a two-minute wait; one a
# second after a burst of two refuses most of the 30 replies at first all the same, also
# on a slow, busy machine (three a second did not bite there: the bot sent more slowly).
@pytest.mark.slow
@pytest.mark.parametrize("own_synapse", [(1, 2)], indirect=True)
async def test_burst_of_30_replies_all_arrive_under_rate_limit(
    own_synapse: LocalSynapse, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    bot = BotHarness(own_synapse, tmp_path / "bot")
    await bot.start()
    client = await TestClient.create(own_synapse, "burster", store_dir=tmp_path / "c")
    try:
        await own_synapse.override_ratelimit(client.user_id)  # the asker may burst
        room_id = await client.create_room(invite=[bot.user_id])
        await client.wait_for_member(room_id, bot.user_id, timeout=15)
        mark = client.mark()
        sent = [await client.send_text(room_id, f"!hilfe status {i}") for i in range(30)]
        for event_id in sent:
            await client.wait_for_reply(room_id, event_id, 120, since_index=mark)
        replies = [m for m in client.messages(room_id, sender=bot.user_id) if m.in_reply_to in sent]
        assert len(replies) == 30
        assert len({m.in_reply_to for m in replies}) == 30
        # the limit really bit: the bot was refused and waited, and still lost nothing
        assert any("rate limited" in r.getMessage() for r in caplog.records)
    finally:
        await client.close()
        await bot.stop()


async def test_encrypted_room_is_answered_encrypted(synapse: LocalSynapse, tmp_path: Path) -> None:
    bot = BotHarness(synapse, tmp_path / "bot", encryption=True)
    await bot.start()
    client = await TestClient.create(synapse, "crypto", encryption=True, store_dir=tmp_path / "c")
    try:
        room_id = await client.create_room(invite=[bot.user_id], encrypted=True)
        await client.wait_for_member(room_id, bot.user_id, timeout=15)
        reply = await ask(client, room_id, "!hilfe", timeout=30)
        assert reply.sender == bot.user_id
        assert reply.decrypted, "the reply must arrive encrypted and be decrypted by the client"
        assert "!hilfe" in (reply.body or "")
    finally:
        await client.close()
        await bot.stop()


async def test_outage_healthz_goes_503_and_bot_answers_after_recovery(
    own_synapse: LocalSynapse, tmp_path: Path
) -> None:
    bot = BotHarness(own_synapse, tmp_path / "bot")
    await bot.start()
    client = await TestClient.create(own_synapse, "patient", store_dir=tmp_path / "c")
    try:
        room_id = await room_with_bot(client, bot)
        await ask(client, room_id, "!hilfe")
        assert await bot.healthy()

        await own_synapse.stop()
        deadline = time.monotonic() + 20
        while await bot.healthy():
            assert time.monotonic() < deadline, "/healthz stayed 200 during the outage"
            await asyncio.sleep(0.2)

        await own_synapse.start()
        back = time.monotonic()
        reply: Any = None
        while reply is None:
            try:
                reply = await ask(client, room_id, "!hilfe", timeout=5)
            except (TimeoutError, Exception):  # the client itself reconnects too
                assert time.monotonic() - back < 30
        deadline = time.monotonic() + 10
        while not await bot.healthy():
            assert time.monotonic() < deadline, "/healthz did not come back to 200"
            await asyncio.sleep(0.2)
        assert reply.sender == bot.user_id
    finally:
        await client.close()
        await bot.stop()
