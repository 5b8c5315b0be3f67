"""The Synapse process: a free port, start (config written, wait until it serves), stop,
kill, restart. Synapse dies with its parent (Linux) instead of lingering.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

import aiohttp

from bot.homeserver.config import CONFIG_FILE, LOG_FILE, write_files
from bot.homeserver.errors import HomeserverError


def free_port(host: str = "127.0.0.1") -> int:
    """Ask the kernel for a free TCP port; other engineers run servers on this machine too."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _parent_death_signal() -> Callable[[], None] | None:
    """A pre-exec hook so that Synapse dies with us instead of lingering after a crash.

    Resolved before the fork, so the child only makes one foreign call. Linux only.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def hook() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))

    return hook


class SynapseProcess:
    """The Synapse process over ``data_dir`` (see ``LocalSynapse`` for the arguments):
    writes the config, starts, stops, kills and restarts it; the data survives all four."""

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        *,
        raised_rate_limits: bool = True,
        message_rate: tuple[float, int] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self._auto_port = port is None
        self.port: int = free_port() if port is None else port
        self.raised_rate_limits = raised_rate_limits
        self.message_rate = message_rate
        self._proc: subprocess.Popen[bytes] | None = None

    # -- paths and state ---------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def config_path(self) -> Path:
        return self.data_dir / CONFIG_FILE

    @property
    def log_path(self) -> Path:
        return self.data_dir / LOG_FILE

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- process lifecycle ---------------------------------------------------------------
    async def start(self, timeout: float = 30) -> None:  # noqa: ASYNC109
        """Write the config (and signing key) if needed, launch Synapse, wait until it serves.

        Raises:
            HomeserverError: Synapse exited or did not answer within ``timeout`` seconds;
                the message holds the tail of its log.
        """
        if self.running:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        attempts = 3 if self._auto_port else 1
        for attempt in range(attempts):
            write_files(
                self.data_dir,
                self.port,
                raised_rate_limits=self.raised_rate_limits,
                message_rate=self.message_rate,
            )
            log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
            self._spawn()
            try:
                await self._wait_ready(timeout, log_offset)
                return
            except _PortTaken:
                if attempt == attempts - 1:
                    raise HomeserverError(
                        f"port {self.port} is in use; see {self.log_path}"
                    ) from None
                self.port = free_port()

    async def stop(self, timeout: float = 10) -> None:  # noqa: ASYNC109
        """SIGTERM by pid and wait; SIGKILL if it has not exited after ``timeout`` seconds."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            # A Popen has no awaitable exit; polling keeps us independent of the event loop.
            while proc.poll() is None and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
            if proc.poll() is None:
                self.kill()
        self._proc = None

    def kill(self) -> None:
        """SIGKILL, for outage tests: no shutdown, in-flight requests just break."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()  # SIGKILL cannot be ignored; reaping takes milliseconds
        self._proc = None

    async def restart(self) -> None:
        """Stop and start again on the same data dir and port (users and tokens survive)."""
        self._auto_port = False  # clients hold base_url: never move on restart
        await self.stop()
        await self.start()

    def _spawn(self) -> None:
        with self.log_path.open("ab") as log:
            log.write(f"--- koopbot: starting Synapse on port {self.port}\n".encode())
            log.flush()
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_parent_death_signal(),
                # Ctrl-C in a terminal reaches the whole process group: Synapse must not
                # go down before the bot that still talks to it; ``stop`` ends it
                start_new_session=True,
            )

    async def _wait_ready(self, timeout: float, log_offset: int) -> None:  # noqa: ASYNC109
        """Poll /_matrix/client/versions until it answers 200, Synapse exits, or time is up."""
        proc = self._proc
        assert proc is not None
        deadline = time.monotonic() + timeout
        url = f"{self.base_url}/_matrix/client/versions"
        probe_timeout = aiohttp.ClientTimeout(total=2)
        async with aiohttp.ClientSession(timeout=probe_timeout) as session:
            while True:
                if proc.poll() is not None:
                    self._proc = None
                    tail = self._log_since(log_offset)
                    if "Address already in use" in tail or "CannotListenError" in tail:
                        raise _PortTaken
                    raise HomeserverError(
                        f"Synapse exited with code {proc.returncode} during start; "
                        f"log {self.log_path}:\n{_tail(tail)}"
                    )
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.get(url) as resp:
                        if resp.status == 200:
                            return
                if time.monotonic() >= deadline:
                    self.kill()
                    raise HomeserverError(
                        f"Synapse did not answer within {timeout} s; log {self.log_path}:\n"
                        f"{_tail(self._log_since(log_offset))}"
                    )
                await asyncio.sleep(0.05)

    def _log_since(self, offset: int) -> str:
        try:
            with self.log_path.open("rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""


class _PortTaken(Exception):
    """Another process bound our port between free_port() and Synapse's listen()."""


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.splitlines()[-lines:])
