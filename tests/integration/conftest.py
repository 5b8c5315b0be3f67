"""Fixtures for tests against a real Synapse on loopback.

One homeserver serves the whole run (starting one costs ~2 s); tests stay independent by
using fresh users (``unique``) and fresh rooms. Every test in this directory gets the
``integration`` marker, so ``pytest -m "not integration"`` runs the unit tests alone.
"""

from __future__ import annotations

import hashlib
import itertools
import pickle
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.homeserver import LocalSynapse, RegisteredUser
from tests.fakes import built_once
from tests.integration.matrix_client import TestClient

HERE = Path(__file__).parent
_counter = itertools.count(1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests under tests/integration (this hook sees every collected item), and
    put the slow ones first: with parallel workers the run then ends with short tests
    instead of one worker finishing a long one alone."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.integration)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def content_index_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every bot a test starts would build the same index of the shipped content (about
    3 s of a 2-core machine each, a hundred bots a run). The product's ``load_answers``
    builds it the first time; every later bot of the same content gets its own unpickled
    copy (its own coordinators' answers and flags: nothing is shared between bots). Patched
    per test: a unit test later in the same worker sees the real ``load_answers``."""
    import bot.app

    build = bot.app.load_answers

    def load_answers(settings: Any) -> tuple[Any, Any]:
        from content import load_content

        content = load_content([Path(d) for d in settings.content.dirs])
        key = "bot:" + hashlib.sha256(pickle.dumps(content)).hexdigest()
        return built_once(key, lambda: build(settings))

    monkeypatch.setattr(bot.app, "load_answers", load_answers)


@pytest.fixture(scope="session")
async def synapse(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LocalSynapse]:
    """The run's homeserver: raised rate limits, data under pytest's temp dir."""
    pytest.importorskip("synapse", reason="matrix-synapse (dev extra) is not installed")
    hs = LocalSynapse(tmp_path_factory.mktemp("synapse"))
    await hs.start()
    try:
        yield hs
    finally:
        await hs.stop()


def make_localpart(prefix: str = "u") -> str:
    """A localpart no other test (or rerun against a kept data dir) has used."""
    return f"{prefix}{next(_counter)}x{secrets.token_hex(3)}".lower()


@pytest.fixture
def unique() -> Callable[..., str]:
    """``unique("alice")`` -> ``"alice7x1f2e3a"``."""
    return make_localpart


class ClientFactory:
    """Creates TestClients for one test and closes them all at its end."""

    def __init__(self, hs: LocalSynapse, store_root: Path) -> None:
        self.hs = hs
        self.store_root = store_root
        self.clients: list[TestClient] = []

    async def __call__(
        self,
        prefix: str = "user",
        *,
        encryption: bool = False,
        auto_join: bool = False,
        hs: LocalSynapse | None = None,
        max_limit_exceeded: int | None = None,
    ) -> TestClient:
        """A new user (localpart from ``prefix``) with a running sync loop."""
        localpart = make_localpart(prefix)
        client = await TestClient.create(
            hs or self.hs,
            localpart,
            encryption=encryption,
            store_dir=self.store_root / localpart,
            auto_join=auto_join,
            max_limit_exceeded=max_limit_exceeded,
        )
        self.clients.append(client)
        return client

    async def restore(
        self,
        user: RegisteredUser,
        *,
        encryption: bool = False,
        auto_join: bool = False,
        hs: LocalSynapse | None = None,
    ) -> TestClient:
        """A client for an existing login (same token and device; same E2EE store dir)."""
        client = await TestClient.from_user(
            hs or self.hs,
            user,
            encryption=encryption,
            store_dir=self.store_root / user.localpart,
            auto_join=auto_join,
        )
        self.clients.append(client)
        return client

    async def close_all(self) -> None:
        while self.clients:
            await self.clients.pop().close()


@pytest.fixture
async def client_factory(synapse: LocalSynapse, tmp_path: Path) -> AsyncIterator[ClientFactory]:
    """``await client_factory("alice", encryption=True)``; all closed after the test."""
    if not synapse.running:  # an earlier test stopped or killed the shared server
        await synapse.start()
    factory = ClientFactory(synapse, tmp_path / "stores")
    try:
        yield factory
    finally:
        await factory.close_all()


@pytest.fixture
async def synapse_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Callable[..., Awaitable[LocalSynapse]]]:
    """Private, started homeservers for tests that kill, restart or rate-limit one, so the
    shared ``synapse`` stays undisturbed; ``await synapse_factory(raised_rate_limits=False)``.
    Each costs a fresh start (~2 s). All are stopped after the test."""
    pytest.importorskip("synapse", reason="matrix-synapse (dev extra) is not installed")
    servers: list[LocalSynapse] = []

    async def make(*, raised_rate_limits: bool = True) -> LocalSynapse:
        hs = LocalSynapse(
            tmp_path_factory.mktemp("synapse-private"), raised_rate_limits=raised_rate_limits
        )
        servers.append(hs)
        await hs.start()
        return hs

    try:
        yield make
    finally:
        for hs in servers:
            await hs.stop()


# The bot fixture lives beside the harness it drives (imported last: botrunner imports
# make_localpart from this module).
from tests.integration.botrunner import bot_factory  # noqa: E402, F401
