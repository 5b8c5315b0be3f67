"""Reply latency of koopbot beside the floor, cold start and idle memory.

Run: .venv/bin/python bench/latency.py [N] [--baseline DIR]   (default N=100)

With ``--baseline DIR`` a second bot, run from another checkout (e.g. ``git worktree add
/tmp/base main``), is measured in the same run, interleaved with the first: before/after
figures side by side on the same homeserver and the same machine load.

Floor: client A sends a plain message, client B answers it (two hops), A measures.
Shaped floor: the same, but B answers with the bot's own ``!hilfe`` reply (same size, HTML
and mentions), so Synapse's cost of such a reply is in the floor too.
Bot: client A sends `!hilfe`, koopbot (a real subprocess) answers, A measures.
Cold start: process start -> first answered command (homeserver already up).
Idle RSS: VmRSS of the bot process after it has been idle for a few seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.homeserver import LocalSynapse, free_port
from bot.matrix import PeerClient


class Waiter:
    """Collects replies (by the event they answer) for one listening client."""

    def __init__(self) -> None:
        self.replies: dict[str, float] = {}
        self.event = asyncio.Event()
        self.contents: dict[str, dict[str, Any]] = {}  # sender -> the last reply's content

    async def on_message(
        self, room: str, sender: str, event_id: str, content: dict[str, Any]
    ) -> None:
        target = ((content.get("m.relates_to") or {}).get("m.in_reply_to") or {}).get("event_id")
        if target:
            self.replies[target] = time.perf_counter()
            self.contents[sender] = content
            self.event.set()

    async def wait(self, event_id: str, timeout: float = 30) -> float:
        deadline = time.perf_counter() + timeout
        while event_id not in self.replies:
            self.event.clear()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(event_id)
            try:
                await asyncio.wait_for(self.event.wait(), remaining)
            except TimeoutError:
                pass
        return self.replies[event_id]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def smaps_mb(pid: int) -> dict[str, float]:
    """Rss, anonymous (heap) and file-backed (shared libraries) MB of a process."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        parts = line.split()
        if parts[0] in ("Rss:", "Anonymous:"):
            values[parts[0].rstrip(":")] = int(parts[1]) / 1024
    values["File"] = values.get("Rss", 0.0) - values.get("Anonymous", 0.0)
    return values


class BotUnderTest:
    """One bot account, its config and its process, run from a checkout (``root``)."""

    def __init__(self, label: str, root: Path, localpart: str, tmp: Path) -> None:
        self.label, self.root, self.localpart = label, root, localpart
        self.user_id = f"@{localpart}:localhost"
        self.password = secrets.token_hex(8)
        self.config = tmp / f"{localpart}.toml"
        self.data = tmp / f"data-{localpart}"
        self.log = tmp / f"{localpart}.log"
        self.room = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self.cold = 0.0
        self.latencies: list[float] = []

    def write_config(self, hs: LocalSynapse) -> None:
        self.config.write_text(
            f'[matrix]\nhomeserver = "{hs.base_url}"\nuser_id = "{self.user_id}"\n'
            f'password = "{self.password}"\nencryption = false\n'
            f'[storage]\ndir = "{self.data}"\n'
            f"[network]\nflood_user_limit = 0\nflood_room_limit = 0\n"
            f'[web]\nlisten = "127.0.0.1:{free_port()}"\n',
            encoding="utf-8",
        )

    def start(self) -> None:
        # KOOPBOT_PROFILE=FILE: this tree's bot runs under cProfile (written at its stop)
        target = os.environ.get("KOOPBOT_PROFILE")
        profile = ["-m", "cProfile", "-o", target] if target and self.root == ROOT else []
        cmd = [sys.executable, *profile, "-m", "bot", "run", "--config", str(self.config)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [*cmd, "--log-level", "WARNING"],
            cwd=self.root,
            env=env,
            stdout=open(self.log, "ab"),
            stderr=subprocess.STDOUT,
        )

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(20)


async def main(n: int, baseline: Path | None) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="koopbot-bench-"))
    hs = LocalSynapse(tmp / "hs")
    await hs.start()
    bots = [BotUnderTest("this tree", ROOT, "koopbot", tmp)]
    if baseline is not None:
        bots.append(BotUnderTest(f"baseline {baseline}", baseline, "koopbase", tmp))
    for bot in bots:
        await hs.register_user(bot.localpart, bot.password)
        bot.write_config(hs)
    a = await hs.register_user("alice", "pw-alice")
    b = await hs.register_user("bob", "pw-bob")
    for user in (a, b):
        await hs.override_ratelimit(user.user_id)
    alice = PeerClient(hs.base_url, a.user_id, a.device_id, a.access_token)
    bob = PeerClient(hs.base_url, b.user_id, b.device_id, b.access_token)
    alice_waiter = Waiter()
    floor_room = await alice.create_room(invite=[b.user_id])
    await bob.join(floor_room)
    for bot in bots:
        bot.room = await alice.create_room(invite=[bot.user_id])

    # a second floor: the echo client answers with the bot's own !hilfe reply (same size,
    # HTML and mentions), so what Synapse spends on such a reply is in both
    shaped_room = await alice.create_room(invite=[b.user_id])
    await bob.join(shaped_room)
    shape: dict[str, Any] = {}

    async def bob_echo(room: str, sender: str, event_id: str, content: dict[str, Any]) -> None:
        if room in (floor_room, shaped_room) and sender == a.user_id:
            await bob_client_send(room, event_id)

    async def bob_client_send(room: str, event_id: str) -> None:
        content: dict[str, Any] = {"msgtype": "m.notice", "body": "pong"}
        if room == shaped_room:
            content = dict(shape)
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": event_id}}
        await bob._client.room_send(room, "m.room.message", content)

    for peer in (alice, bob):
        await peer.prime()
    tasks = [
        asyncio.create_task(alice.listen(alice_waiter.on_message)),
        asyncio.create_task(bob.listen(bob_echo)),
    ]

    # first start: login, join the room; then stop, so the measured start is a resume
    for bot in bots:
        bot.start()
        for _ in range(200):
            await asyncio.sleep(0.1)
            probe = await alice.send_text(bot.room, "!hilfe")
            try:
                await alice_waiter.wait(probe, 2)
                break
            except TimeoutError:
                continue
        bot.stop()

    for bot in bots:
        t0 = time.perf_counter()
        bot.start()
        first = await alice.send_text(bot.room, "!hilfe")
        bot.cold = await alice_waiter.wait(first, 60) - t0

    shape.update(alice_waiter.contents[bots[0].user_id])
    shape.pop("m.relates_to", None)
    floor: list[float] = []
    shaped: list[float] = []
    for i in range(n):
        start = time.perf_counter()
        event_id = await alice.send_text(floor_room, f"ping {i}")
        floor.append(await alice_waiter.wait(event_id) - start)
        start = time.perf_counter()
        event_id = await alice.send_text(shaped_room, f"ping {i}")
        shaped.append(await alice_waiter.wait(event_id) - start)
        for bot in bots if i % 2 == 0 else bots[::-1]:
            start = time.perf_counter()
            event_id = await alice.send_text(bot.room, "!hilfe")
            bot.latencies.append(await alice_waiter.wait(event_id) - start)

    await asyncio.sleep(5)
    memory = {}
    for bot in bots:
        assert bot.proc is not None
        memory[bot.label] = smaps_mb(bot.proc.pid)
        bot.stop()
    for task in tasks:
        task.cancel()
    await alice.close()
    await bob.close()
    await hs.stop()

    fp50 = statistics.median(floor) * 1000
    print(f"commands: {n} per bot (interleaved floor/bots), machine: {os.cpu_count()} cores")
    print(f"floor  p50 {fp50:6.1f} ms  p95 {pct(floor, 95) * 1000:6.1f} ms")
    sp50 = statistics.median(shaped) * 1000
    print(
        f"floor with the bot's reply as the echo's (same size, HTML, mentions): p50 {sp50:6.1f}"
        f" ms  p95 {pct(shaped, 95) * 1000:6.1f} ms"
    )
    for bot in bots:
        mem = memory[bot.label]
        bp50 = statistics.median(bot.latencies) * 1000
        print(f"-- {bot.label}")
        print(f"!hilfe p50 {bp50:6.1f} ms  p95 {pct(bot.latencies, 95) * 1000:6.1f} ms")
        print(f"ratio  p50 {bp50 / fp50:.2f} x floor (target <= 1.1)")
        print(f"ratio  p50 {bp50 / sp50:.2f} x the floor with the bot's reply shape")
        print(f"cold start (process start -> first answered command): {bot.cold:.2f} s")
        print(
            f"idle RSS: {mem['Rss']:.1f} MB = anonymous (heap) {mem['Anonymous']:.1f} MB"
            f" + file-backed (libraries) {mem['File']:.1f} MB (target <= 60 MB)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=100)
    parser.add_argument("--baseline", type=Path, help="another checkout, measured alongside")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.baseline.resolve() if args.baseline else None))
