"""Reply latency of koopbot beside the floor, cold start and idle memory.

Run: .venv/bin/python bench/latency.py [N]   (default N=100)

Floor: client A sends a plain message, client B answers it (two hops), A measures.
Bot: client A sends `!hilfe`, koopbot (a real subprocess) answers, A measures.
Cold start: process start -> first answered command (homeserver already up).
Idle RSS: VmRSS of the bot process after it has been idle for a few seconds.
"""

from __future__ import annotations

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

    async def on_message(
        self, room: str, sender: str, event_id: str, content: dict[str, Any]
    ) -> None:
        target = ((content.get("m.relates_to") or {}).get("m.in_reply_to") or {}).get("event_id")
        if target:
            self.replies[target] = time.perf_counter()
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


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def main(n: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="koopbot-bench-"))
    hs = LocalSynapse(tmp / "hs")
    await hs.start()
    bot_pw = secrets.token_hex(8)
    await hs.register_user("koopbot", bot_pw)
    a = await hs.register_user("alice", "pw-alice")
    b = await hs.register_user("bob", "pw-bob")
    for user in (a, b):
        await hs.override_ratelimit(user.user_id)
    config = tmp / "koopbot.toml"
    config.write_text(
        f'[matrix]\nhomeserver = "{hs.base_url}"\nuser_id = "@koopbot:localhost"\n'
        f'password = "{bot_pw}"\nencryption = false\n'
        f'[storage]\ndir = "{tmp / "data"}"\n'
        f"[network]\nflood_user_limit = 0\nflood_room_limit = 0\n"
        f'[web]\nlisten = "127.0.0.1:{free_port()}"\n',
        encoding="utf-8",
    )
    alice = PeerClient(hs.base_url, a.user_id, a.device_id, a.access_token)
    bob = PeerClient(hs.base_url, b.user_id, b.device_id, b.access_token)
    alice_waiter = Waiter()
    floor_room = await alice.create_room(invite=[b.user_id])
    await bob.join(floor_room)
    bot_room = await alice.create_room(invite=["@koopbot:localhost"])

    async def bob_echo(room: str, sender: str, event_id: str, content: dict[str, Any]) -> None:
        if room == floor_room and sender == a.user_id:
            await bob_client_send(room, event_id)

    async def bob_client_send(room: str, event_id: str) -> None:
        content = {
            "msgtype": "m.notice",
            "body": "pong",
            "m.relates_to": {"m.in_reply_to": {"event_id": event_id}},
        }
        await bob._client.room_send(room, "m.room.message", content)

    for peer in (alice, bob):
        await peer.prime()
    tasks = [
        asyncio.create_task(alice.listen(alice_waiter.on_message)),
        asyncio.create_task(bob.listen(bob_echo)),
    ]

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    log = open(tmp / "bot.log", "ab")
    cmd = [sys.executable, "-m", "bot", "run", "--config", str(config), "--log-level", "WARNING"]
    # first start: login, join the room; then stop, so the measured start is a resume
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(200):
        await asyncio.sleep(0.1)
        probe = await alice.send_text(bot_room, "!hilfe")
        try:
            await alice_waiter.wait(probe, 2)
            break
        except TimeoutError:
            continue
    proc.terminate()
    proc.wait(20)

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    first = await alice.send_text(bot_room, "!hilfe")
    cold = await alice_waiter.wait(first, 60) - t0

    floor: list[float] = []
    botlat: list[float] = []
    for i in range(n):
        start = time.perf_counter()
        event_id = await alice.send_text(floor_room, f"ping {i}")
        floor.append(await alice_waiter.wait(event_id) - start)
        start = time.perf_counter()
        event_id = await alice.send_text(bot_room, "!hilfe")
        botlat.append(await alice_waiter.wait(event_id) - start)

    await asyncio.sleep(5)
    rss = rss_mb(proc.pid)
    rollup = Path(f"/proc/{proc.pid}/smaps_rollup").read_text().splitlines()
    anon = next((int(x.split()[1]) for x in rollup if x.startswith("Anonymous:")), 0) / 1024
    proc.terminate()
    proc.wait(20)
    for task in tasks:
        task.cancel()
    await alice.close()
    await bob.close()
    await hs.stop()

    fp50, bp50 = statistics.median(floor) * 1000, statistics.median(botlat) * 1000
    print(f"commands: {n} (interleaved floor/bot), machine: {os.cpu_count()} cores")
    print(f"floor  p50 {fp50:6.1f} ms  p95 {pct(floor, 95) * 1000:6.1f} ms")
    print(f"!hilfe p50 {bp50:6.1f} ms  p95 {pct(botlat, 95) * 1000:6.1f} ms")
    print(f"ratio  p50 {bp50 / fp50:.2f} x floor (target <= 1.3)")
    print(f"cold start (process start -> first answered command): {cold:.2f} s (target <= 3 s)")
    print(f"idle RSS: {rss:.1f} MB, of which anonymous (heap) {anon:.1f} MB (target <= 80 MB)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
