"""Runs koopbot against the test homeserver: in-process, or as a real subprocess.

In-process bots are fast to start and stop (restart tests); the subprocess variant is
what SIGKILL tests need.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.app import App
from bot.config import Settings
from bot.homeserver import LocalSynapse, free_port
from tests.integration.conftest import make_localpart

ROOT = Path(__file__).resolve().parents[2]


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


class BotHarness:
    """One bot account with its data dir; can be started, stopped and killed."""

    def reminder_soon(self, due_in: float, lead: float = 70) -> datetime:
        """A start time for a meeting (whole minutes, at least ``lead`` s ahead) whose one
        reminder falls due ``due_in`` seconds from now: sets a seconds-level reminder
        offset on the running bot (the config only knows d/h/m)."""
        assert self.app is not None and self.app.services is not None
        now = datetime.now(ZoneInfo("Europe/Berlin"))
        start = (now + timedelta(seconds=lead)).replace(second=0, microsecond=0)
        start += timedelta(minutes=1)
        due = now + timedelta(seconds=due_in)
        self.app.services.network.reminder_offsets = (
            timedelta(seconds=int((start - due).total_seconds())),
        )
        return start

    def __init__(
        self,
        hs: LocalSynapse,
        data_dir: Path,
        *,
        coordinators: list[str] | None = None,
        rooms: list[dict[str, Any]] | None = None,
        network: dict[str, Any] | None = None,
        matrix: dict[str, Any] | None = None,
        encryption: bool = False,
    ) -> None:
        self.hs = hs
        self.data_dir = data_dir
        self.localpart = make_localpart("koopbot")
        self.password = f"pw-{self.localpart}"
        self.user_id = f"@{self.localpart}:{hs.server_name}"
        self.web_port = free_port()
        self.coordinators = coordinators or []
        self.rooms = rooms or []
        self.network = {
            "flood_user_limit": 0,
            "flood_room_limit": 0,
            **(network or {}),
        }
        self.matrix = {
            "encryption": encryption,
            "allowed_inviters": ["@*:localhost"],
            **(matrix or {}),
        }
        self.app: App | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._registered = False

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def config_text(self) -> str:
        lines = [
            "[matrix]",
            f"homeserver = {toml_value(self.hs.base_url)}",
            f"user_id = {toml_value(self.user_id)}",
            f"password = {toml_value(self.password)}",
        ]
        lines += [f"{k} = {toml_value(v)}" for k, v in self.matrix.items()]
        lines += ["", "[storage]", f"dir = {toml_value(str(self.data_dir))}", "", "[network]"]
        lines.append(f"coordinators = {toml_value(self.coordinators)}")
        lines += [f"{k} = {toml_value(v)}" for k, v in self.network.items()]
        for room in self.rooms:
            lines += ["", "[[network.rooms]]"]
            lines += [f"{k} = {toml_value(v)}" for k, v in room.items()]
        lines += ["", "[web]", f'listen = "127.0.0.1:{self.web_port}"']
        return "\n".join(lines) + "\n"

    @property
    def config_path(self) -> Path:
        return self.data_dir / "koopbot.toml"

    def settings(self) -> Settings:
        import tomllib

        return Settings(**tomllib.loads(self.config_text()))

    async def _ensure_account(self) -> None:
        if not self._registered:
            await self.hs.register_user(self.localpart, self.password)
            self._registered = True
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(self.config_text(), encoding="utf-8")

    async def start(self) -> App:
        """Start in this event loop and wait until the first sync is through."""
        await self._ensure_account()
        self.app = App(self.settings())
        await self.app.start()
        await self.wait_synced()
        return self.app

    async def wait_synced(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.app is not None and self.app.matrix.health.last_ok is not None:
                return
            if self.process is not None and await self.healthy():
                return
            await asyncio.sleep(0.05)
        raise TimeoutError("bot did not complete its first sync")

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
            self.app = None
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(self.process.wait, 15)
            self.process = None

    async def restart(self) -> App:
        await self.stop()
        return await self.start()

    # --- subprocess variant ------------------------------------------------------

    async def start_process(self) -> None:
        await self._ensure_account()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        log = open(self.data_dir / "bot.log", "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--config", str(self.config_path)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        # a fresh interpreter imports everything first: on a busy 2-core machine (several
        # workers, each with a Synapse) 30 s were seen to be too short
        await self.wait_synced(60)

    def kill_process(self) -> None:
        """SIGKILL: no clean shutdown, as in a crash."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)
        self.process = None

    async def healthy(self) -> bool:
        try:
            async with aiohttp.ClientSession() as session:
                async with session.get(
                    f"{self.web_url}/healthz", timeout=aiohttp.ClientTimeout(total=2)
                ) as resp:
                    return resp.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False


@pytest.fixture
async def bot_factory(synapse: LocalSynapse, tmp_path: Path) -> AsyncIterator[Any]:
    """``bot = await bot_factory(coordinators=[...])`` — a started in-process bot."""
    harnesses: list[BotHarness] = []

    async def make(*, start: bool = True, **kwargs: Any) -> BotHarness:
        harness = BotHarness(synapse, tmp_path / f"bot{len(harnesses)}", **kwargs)
        harnesses.append(harness)
        if start:
            await harness.start()
        return harness

    try:
        yield make
    finally:
        for harness in harnesses:
            try:
                await harness.stop()
            except Exception:
                if harness.process is not None:
                    harness.process.kill()
