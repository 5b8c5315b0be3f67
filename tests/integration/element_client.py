"""Drives tests/js/element_client.mjs: matrix-js-sdk with Rust crypto, as in Element.

One Node process per client; one JSON request per line on its stdin, one JSON answer per
line on its stdout. Node and the npm packages are installed by ``make test`` (``npm ci``
in tests/js); a machine without Node fails the test with one line saying what to install.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

JS_DIR = Path(__file__).resolve().parents[1] / "js"
SCRIPT = JS_DIR / "element_client.mjs"


def node_or_fail() -> str:
    """The node binary and installed packages, or a failed test that says what to do."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "Node.js (>= 20) is missing: install it (Debian/Ubuntu: `apt-get install nodejs npm`), "
            "then run `make test`",
            pytrace=False,
        )
    if not (JS_DIR / "node_modules" / "matrix-js-sdk").is_dir():
        pytest.fail(
            "tests/js has no node_modules: run `make test` (or `npm ci --prefix tests/js`)",
            pytrace=False,
        )
    return node


class ElementClientError(Exception):
    pass


class ElementClient:
    """One matrix-js-sdk client in a Node subprocess."""

    def __init__(self, process: asyncio.subprocess.Process, log_path: Path) -> None:
        self._process = process
        self._ids = itertools.count(1)
        self.log_path = log_path

    @classmethod
    async def start(cls, log_path: Path) -> ElementClient:
        node = node_or_fail()
        log = open(log_path, "ab")
        process = await asyncio.create_subprocess_exec(
            node,
            str(SCRIPT),
            cwd=JS_DIR,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
            limit=1 << 20,
        )
        log.close()
        client = cls(process, log_path)
        hello = await client._read(0, 60)
        if not hello.get("ready"):
            raise ElementClientError(f"driver did not start: {hello}")
        return client

    async def _read(self, request_id: int, timeout: float) -> dict[str, Any]:
        assert self._process.stdout is not None
        while True:
            line = await asyncio.wait_for(self._process.stdout.readline(), timeout)
            if not line:
                raise ElementClientError(f"driver ended; see {self.log_path}")
            answer: dict[str, Any] = json.loads(line)
            if answer.get("id") == request_id:
                return answer

    async def request(self, op: str, timeout: float = 60, **args: Any) -> dict[str, Any]:
        request_id = next(self._ids)
        assert self._process.stdin is not None
        self._process.stdin.write(
            (json.dumps({"id": request_id, "op": op, **args}) + "\n").encode()
        )
        await self._process.stdin.drain()
        answer = await self._read(request_id, timeout)
        if not answer.get("ok"):
            raise ElementClientError(f"{op} failed: {answer.get('error')}")
        return answer

    async def close(self) -> None:
        if self._process.returncode is not None:
            return
        try:
            await self.request("stop", timeout=10)
            await asyncio.wait_for(self._process.wait(), 10)
        except (ElementClientError, TimeoutError, BrokenPipeError, ConnectionResetError):
            self._process.kill()
            await self._process.wait()
