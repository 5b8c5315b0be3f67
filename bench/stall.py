"""Does one member's worst input make another member wait? The stall table.

Run: .venv/bin/python bench/stall.py [--timeout 180] [--only NAME ...]

A real Synapse (bot.homeserver.LocalSynapse), koopbot as a real subprocess of the tree
this file lies in, and two members: alice sends the worst inputs found (one 60 KB word,
60 KB of umlauts, 9,000 list items, 60 KB titles, notes and fields …) in her room, and
right after each one bob sends `!hilfe` in his own room, again and again until alice has
her answer. Printed per input: bob's usual `!hilfe` latency (p50 of 5 before the input),
his worst latency while the input was handled, and how long alice waited for her answer.

Every input gets a fresh bot (new account, data dir and rooms): an input that stalls the
bot past the timeout is cut off by killing the process, so that it cannot spoil the next
row (a stalled event would otherwise be replayed at the restart).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.homeserver import LocalSynapse, free_port
from bot.matrix import PeerClient

KB60 = 60_000


def worst_inputs() -> list[tuple[str, list[str], str]]:
    """(name, set-up commands of alice, the input). The set-up is answered first."""
    items = ",".join(f"t{i}" for i in range(9000))  # 9,000 list items, ~47 KB
    checks = " ".join(f"{i % 7 + 1}.{i}" for i in range(9000))
    coop = ["!kooperation neu Bench"]
    meeting = ["!termin neu morgen 16:00 Bench"]
    return [
        ("!frage + one 60 KB word", [], "!frage " + "a" * KB60),
        ("!frage + 60 KB of umlauts (30,000 Ä)", [], "!frage " + "Ä" * (KB60 // 2)),
        ("!frage + 20,000 letters", [], "!frage " + "b" * 20_000),
        ("direct chat: 60 KB of '@'", [], "@" * KB60),
        ("direct chat: '@a' x 30,000", [], "@a" * (KB60 // 2)),
        ("!profil interessen + 9,000 items", [], "!profil interessen " + items),
        ("!erledigt + 9,000 item ids", coop, "!erledigt " + checks),
        ("!kooperation neu + 60 KB title", [], "!kooperation neu " + "T" * KB60),
        (
            "!kooperation feld + 60 KB value",
            coop,
            "!kooperation feld ansprechpartner " + "x" * KB60,
        ),
        ("!termin neu + 60 KB title", [], "!termin neu morgen 16:00 " + "M" * KB60),
        ("!protokoll + 60 KB note", meeting, "!protokoll 1 " + "n" * KB60),
        ("!profil ort + 60 KB", [], "!profil ort " + "O" * KB60),
    ]


class Replies:
    """Arrival times of the bot's replies, by the event they answer."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.changed = asyncio.Event()

    async def on_message(
        self, room: str, sender: str, event_id: str, content: dict[str, Any]
    ) -> None:
        relates = content.get("m.relates_to")
        reply = relates.get("m.in_reply_to") if isinstance(relates, dict) else None
        target = reply.get("event_id") if isinstance(reply, dict) else None
        if isinstance(target, str):
            self.at.setdefault(target, time.perf_counter())
            self.changed.set()

    async def wait(self, event_id: str, timeout: float) -> float | None:
        """Arrival time, or None after ``timeout`` seconds."""
        deadline = time.perf_counter() + timeout
        while event_id not in self.at:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return None
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)
        return self.at[event_id]


class Bench:
    def __init__(self, hs: LocalSynapse, tmp: Path, timeout: float) -> None:
        self.hs = hs
        self.tmp = tmp
        self.timeout = timeout
        self.alice_replies = Replies()
        self.bob_replies = Replies()

    async def setup_members(self) -> None:
        a = await self.hs.register_user("alice", "pw-alice")
        b = await self.hs.register_user("bob", "pw-bob")
        for user in (a, b):
            await self.hs.override_ratelimit(user.user_id)
        self.alice_id = a.user_id
        self.alice = PeerClient(self.hs.base_url, a.user_id, a.device_id, a.access_token)
        self.bob = PeerClient(self.hs.base_url, b.user_id, b.device_id, b.access_token)
        for peer in (self.alice, self.bob):
            await peer.prime()
        self.listeners = [
            asyncio.create_task(self.alice.listen(self.alice_replies.on_message)),
            asyncio.create_task(self.bob.listen(self.bob_replies.on_message)),
        ]

    async def start_bot(self, n: int) -> tuple[subprocess.Popen[bytes], str, str]:
        """A fresh bot (account, data dir) with a room for alice and one for bob."""
        localpart = f"koopbot{n}x{secrets.token_hex(2)}"
        password = secrets.token_hex(8)
        await self.hs.register_user(localpart, password)
        bot_id = f"@{localpart}:{self.hs.server_name}"
        data = self.tmp / localpart
        data.mkdir()
        config = data / "koopbot.toml"
        config.write_text(
            f'[matrix]\nhomeserver = "{self.hs.base_url}"\nuser_id = "{bot_id}"\n'
            f'password = "{password}"\nencryption = false\n'
            f'[storage]\ndir = "{data}"\n'
            f'[network]\ncoordinators = ["{self.alice_id}"]\n'
            "flood_user_limit = 0\nflood_room_limit = 0\n"
            f'[web]\nlisten = "127.0.0.1:{free_port()}"\n',
            encoding="utf-8",
        )
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
        log = open(data / "bot.log", "ab")
        cmd = [sys.executable, "-m", "bot", "run", "--config", str(config)]
        cmd += ["--log-level", "WARNING"]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        alice_room = await self.alice.create_room(invite=[bot_id])
        bob_room = await self.bob.create_room(invite=[bot_id])
        for peer, room, replies in (
            (self.alice, alice_room, self.alice_replies),
            (self.bob, bob_room, self.bob_replies),
        ):
            for _ in range(300):
                probe = await peer.send_text(room, "!hilfe")
                if await replies.wait(probe, 1.0) is not None:
                    break
            else:
                raise RuntimeError("the bot did not answer in time; see " + str(data))
        return proc, alice_room, bob_room

    async def bob_help(self, room: str, timeout: float) -> float | None:
        start = time.perf_counter()
        event_id = await self.bob.send_text(room, "!hilfe")
        arrived = await self.bob_replies.wait(event_id, timeout)
        return None if arrived is None else arrived - start

    async def run_input(
        self, n: int, setup: list[str], text: str
    ) -> tuple[float, float | None, float | None]:
        """(bob's p50 before, bob's worst during, alice's wait); None: past the timeout."""
        proc, alice_room, bob_room = await self.start_bot(n)
        try:
            for command in setup:
                event_id = await self.alice.send_text(alice_room, command)
                if await self.alice_replies.wait(event_id, 30) is None:
                    raise RuntimeError(f"set-up {command!r} got no answer")
            baseline = [await self.bob_help(bob_room, 30) or 30.0 for _ in range(5)]
            start = time.perf_counter()
            event_id = await self.alice.send_text(alice_room, text)
            worst: float | None = 0.0
            probes = 0
            while True:
                remaining = self.timeout - (time.perf_counter() - start)
                if remaining <= 0:
                    break
                latency = await self.bob_help(bob_room, remaining)
                probes += 1
                if latency is None:
                    worst = None
                    break
                worst = max(worst or 0.0, latency)
                if event_id in self.alice_replies.at and probes >= 3:
                    break
            arrived = self.alice_replies.at.get(event_id)
            alice_wait = None if arrived is None else arrived - start
            return statistics.median(baseline), worst, alice_wait
        finally:
            proc.kill()
            proc.wait(10)

    async def close(self) -> None:
        for task in self.listeners:
            task.cancel()
        await self.alice.close()
        await self.bob.close()


def fmt(seconds: float | None, timeout: float) -> str:
    return f">{timeout:.0f} s" if seconds is None else f"{seconds * 1000:9.0f} ms"


async def main(timeout: float, only: Callable[[str], bool]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="koopbot-stall-"))
    hs = LocalSynapse(tmp / "hs")
    await hs.start()
    bench = Bench(hs, tmp, timeout)
    await bench.setup_members()
    rows = []
    try:
        head = f"{'input (alice)':40} {'bob !hilfe p50':>15} {'bob worst':>12}"
        head += f" {'delta':>12} {'alice answered':>15}"
        print(f"tree: {ROOT}  (timeout per input {timeout:.0f} s, {os.cpu_count()} cores)")
        print(head)
        print("-" * len(head))
        for n, (name, setup, text) in enumerate(worst_inputs()):
            if not only(name):
                continue
            base, worst, alice = await bench.run_input(n, setup, text)
            delta = "—" if worst is None else f"{(worst - base) * 1000:+9.0f} ms"
            row = f"{name:40} {fmt(base, timeout):>15} {fmt(worst, timeout):>12}"
            row += f" {delta:>12} {fmt(alice, timeout):>15}"
            print(row, flush=True)
            rows.append(row)
    finally:
        await bench.close()
        await hs.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per input")
    parser.add_argument("--only", nargs="*", default=[], help="substrings of input names")
    args = parser.parse_args()
    wanted = [w.casefold() for w in args.only]
    asyncio.run(
        main(args.timeout, lambda name: not wanted or any(w in name.casefold() for w in wanted))
    )
