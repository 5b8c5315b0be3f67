"""LocalSynapse and the test client against a real Synapse: the ground the bot's
integration tests stand on. Waits are predicates with timeouts, never sleeps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import nio
import pytest

from bot.homeserver import LocalSynapse, build_config
from tests.integration.conftest import ClientFactory
from tests.integration.matrix_client import MatrixRequestError, TestClient


@pytest.fixture(scope="module")
async def limited_synapse(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[LocalSynapse]:
    """A second server with Synapse's default rate limits, also used for restarts so the
    session's shared server is never disturbed."""
    pytest.importorskip("synapse")
    hs = LocalSynapse(tmp_path_factory.mktemp("synapse-limited"), raised_rate_limits=False)
    await hs.start()
    try:
        yield hs
    finally:
        await hs.stop()


def _parsed_rate_limits(config_path: Path) -> dict[str, tuple[float, int]]:
    """Every rate limiter as Synapse itself reads our config."""
    from synapse.config.homeserver import HomeServerConfig
    from synapse.config.ratelimiting import RatelimitSettings

    config = HomeServerConfig.load_config("koopbot test", ["-c", str(config_path)])
    limits = {}
    for name in dir(config.ratelimiting):
        value = getattr(config.ratelimiting, name)
        if isinstance(value, RatelimitSettings) and name.startswith("rc_"):
            limits[name] = (value.per_second, value.burst_count)
    return limits


async def _raw_event(client: TestClient, room_id: str, event_id: str) -> dict[str, Any]:
    """The event as the server stores it, bypassing nio's automatic decryption."""
    path = f"/_matrix/client/v3/rooms/{quote(room_id)}/event/{quote(event_id)}"
    url = client.client.homeserver + path
    headers = {"Authorization": f"Bearer {client.user.access_token}"}
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as resp:
        assert resp.status == 200
        data: dict[str, Any] = await resp.json()
        return data


async def test_round_trip_between_two_clients(client_factory: ClientFactory) -> None:
    alice = await client_factory("alice")
    bob = await client_factory("bob", auto_join=True)

    room_id = await alice.create_room("round trip", invite=[bob.user_id])
    await alice.wait_for_member(room_id, bob.user_id)
    hello = await alice.send_text(room_id, "hallo bob")

    seen = await bob.wait_for(lambda r: r.event_id == hello)
    assert (seen.room_id, seen.sender, seen.body) == (room_id, alice.user_id, "hallo bob")
    assert isinstance(seen.event, nio.RoomMessageText)

    answer = await bob.send_text(room_id, "hallo alice", reply_to=hello)
    reply = await alice.wait_for_reply(room_id, hello)
    assert (reply.event_id, reply.sender) == (answer, bob.user_id)
    assert [m.body for m in alice.messages(room_id)] == ["hallo bob", "hallo alice"]


async def test_thread_reaction_and_redaction_arrive(client_factory: ClientFactory) -> None:
    alice = await client_factory("alice")
    bob = await client_factory("bob", auto_join=True)
    room_id = await alice.create_room(invite=[bob.user_id])
    await alice.wait_for_member(room_id, bob.user_id)

    root = await alice.send_text(room_id, "root")
    in_thread = await alice.send_text(room_id, "im thread", thread_root=root)
    reaction = await bob.react(room_id, root, "👍")
    redaction = await bob.redact(room_id, reaction)

    threaded = await bob.wait_for(lambda r: r.event_id == in_thread)
    assert threaded.relates_to["rel_type"] == "m.thread"
    assert threaded.relates_to["event_id"] == root
    seen = await alice.wait_for(lambda r: r.event_id == reaction)
    assert isinstance(seen.event, nio.ReactionEvent)
    assert seen.relates_to == {"rel_type": "m.annotation", "event_id": root, "key": "👍"}
    gone = await alice.wait_for(lambda r: r.event_id == redaction)
    assert isinstance(gone.event, nio.RedactionEvent)
    assert gone.event.redacts == reaction


async def test_encrypted_room_both_directions(client_factory: ClientFactory) -> None:
    alice = await client_factory("alice", encryption=True)
    bob = await client_factory("bob", encryption=True, auto_join=True)

    room_id = await alice.create_room("geheim", invite=[bob.user_id], encrypted=True)
    await alice.wait_for_member(room_id, bob.user_id)
    await bob.wait_for_room(room_id, encrypted=True)

    secret = await alice.send_text(room_id, "nur für bob")
    seen = await bob.wait_for(lambda r: r.event_id == secret and not r.undecryptable)
    assert seen.decrypted and isinstance(seen.event, nio.RoomMessageText)
    assert (seen.body, seen.sender) == ("nur für bob", alice.user_id)

    answer = await bob.send_text(room_id, "angekommen", reply_to=secret)
    reply = await alice.wait_for(lambda r: r.in_reply_to == secret and r.decrypted)
    assert (reply.event_id, reply.body) == (answer, "angekommen")
    # What the server stored is ciphertext.
    stored = await _raw_event(bob, room_id, answer)
    assert stored["type"] == "m.room.encrypted"
    assert "angekommen" not in str(stored["content"])


async def test_restore_login_keeps_device_count(
    synapse: LocalSynapse, client_factory: ClientFactory, unique: Callable[..., str]
) -> None:
    user = await synapse.register_user(unique("carol"), "pw")
    assert await synapse.device_count(user.user_id) == 1

    for _ in range(2):
        client = await client_factory.restore(user, encryption=True)
        assert client.device_id == user.device_id
        room_id = await client.create_room(encrypted=True)
        await client.send_text(room_id, "noch da")
        await client.close()

    assert await synapse.device_count(user.user_id) == 1


async def test_existing_user_logs_in_instead(
    synapse: LocalSynapse, unique: Callable[..., str]
) -> None:
    localpart = unique("dave")
    first = await synapse.register_user(localpart, "pw")
    again = await synapse.register_user(localpart, "pw")
    assert again.user_id == first.user_id == f"@{localpart}:localhost"
    assert again.device_id != first.device_id
    assert await synapse.device_count(first.user_id) == 2


async def test_config_raises_every_rate_limit(synapse: LocalSynapse) -> None:
    limits = _parsed_rate_limits(synapse.config_path)
    assert "rc_message" in limits and "rc_login_address" in limits
    too_low = {k: v for k, v in limits.items() if v[0] < 1000 or v[1] < 1000}
    assert too_low == {}, f"limiters left at their defaults: {too_low}"


def test_default_config_keeps_synapse_rate_limits(tmp_path: Path) -> None:
    secrets_ = dict.fromkeys(
        ("registration_shared_secret", "macaroon_secret_key", "form_secret"), "s"
    )
    config = build_config(tmp_path, 8008, secrets_, raised_rate_limits=False)
    assert not [key for key in config if key.startswith("rc_")]
    assert config["listeners"][0]["bind_addresses"] == ["127.0.0.1"]
    assert config["enable_registration"] is False


async def test_rate_limit_and_override(
    limited_synapse: LocalSynapse, client_factory: ClientFactory
) -> None:
    limited = await client_factory("limited", hs=limited_synapse, max_limit_exceeded=0)
    exempt = await client_factory("exempt", hs=limited_synapse, max_limit_exceeded=0)
    await limited_synapse.override_ratelimit(exempt.user_id)
    room_id = await limited.create_room(invite=[exempt.user_id])
    await exempt.join(room_id)

    with pytest.raises(MatrixRequestError) as caught:
        for i in range(30):  # burst is 10 at 0.2/s: fails long before 30
            await limited.send_text(room_id, f"spam {i}")
    assert caught.value.errcode == "M_LIMIT_EXCEEDED"
    assert caught.value.retry_after_ms and caught.value.retry_after_ms > 0

    for i in range(30):
        await exempt.send_text(room_id, f"erlaubt {i}")


async def test_restart_and_kill_keep_users_and_tokens(
    limited_synapse: LocalSynapse, client_factory: ClientFactory
) -> None:
    hs = limited_synapse
    alice = await client_factory("alice", hs=hs)
    bob = await client_factory("bob", hs=hs, auto_join=True)
    await hs.override_ratelimit(alice.user_id)
    room_id = await alice.create_room(invite=[bob.user_id])
    await alice.wait_for_member(room_id, bob.user_id)
    port, pid = hs.port, hs.pid

    await hs.restart()
    assert hs.port == port and hs.pid != pid
    # The running clients reconnect by themselves with their old tokens.
    after_restart = await alice.send_text(room_id, "nach dem Neustart")
    await bob.wait_for(lambda r: r.event_id == after_restart, timeout=20)

    hs.kill()
    assert not hs.running
    await hs.start()
    after_kill = await alice.send_text(room_id, "nach dem Absturz")
    await bob.wait_for(lambda r: r.event_id == after_kill, timeout=20)

    # Users survive: registering again logs in to the same account.
    again = await hs.register_user(alice.user.localpart, alice.user.password)
    assert again.user_id == alice.user_id
    assert await hs.device_count(alice.user_id) == 2
