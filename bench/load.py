"""Burst load: 20 users in 10 rooms send 1,000 commands as fast as they can.

Run: .venv/bin/python bench/load.py [N] [--baseline DIR]   (default N=1000)

Prints the time until the last reply beside two floors: the time Synapse needs to deliver
the same number of plain messages to a listener, and the honest one, an echo client
(``echo_client`` below: a plain nio client in its own process) that answers each of the
N messages with one message, the same 2N sends. Checks that every command got exactly
one reply, and prints each responder's CPU time per command (utime+stime of its process)
and the bot's as a ratio to the echo client's.

Each responder (echo, this tree's bot, and with ``--baseline DIR`` the bot of another
checkout) has its own account and its own 10 rooms with the same members; the bursts
run one after the other on the same homeserver.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.homeserver import LocalSynapse, RegisteredUser, free_port
from bot.matrix import PeerClient

USERS, ROOMS = 20, 10
COMMANDS = [
    "!hilfe",
    "!phasen",
    "!checkliste 3",
    "!frage Was ist ein Lerncluster?",
    "!vereinbarung",
    "!themen",
    "!checkliste kontakt",
    "!frage wie lange läuft eine Vereinbarung",
]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def echo_client(homeserver: str, user_id: str, device_id: str, token: str) -> None:
    """The burst's honest floor: a plain client that answers every message once.

    Run as its own process (``load.py --echo-client …``) so that its CPU time can be read
    like the bot's. It syncs with the same client library as the bot (nio, through
    ``PeerClient``) and answers each ``!`` message from another user with one
    ``m.notice`` reply, one room at a time in order and the rooms in parallel, as the bot
    does; no parsing, no storage: everything the bot adds over this is the bot's cost.
    """
    peer = PeerClient(homeserver, user_id, device_id, token)
    locks: dict[str, asyncio.Lock] = {}
    tasks: set[asyncio.Task[None]] = set()

    async def answer(room: str, event_id: str) -> None:
        async with locks.setdefault(room, asyncio.Lock()):
            content = {
                "msgtype": "m.notice",
                "body": "echo",
                "m.mentions": {},
                "m.relates_to": {"m.in_reply_to": {"event_id": event_id}},
            }
            await peer._client.room_send(room, "m.room.message", content)

    async def on_message(room: str, sender: str, event_id: str, content: dict[str, Any]) -> None:
        if sender != user_id and str(content.get("body", "")).startswith("!"):
            task = asyncio.create_task(answer(room, event_id))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    await peer.prime()
    print("ready", flush=True)
    await peer.listen(on_message)


def profile_args(root: Path) -> list[str]:
    """KOOPBOT_PROFILE=FILE: run this tree's bot under cProfile (written at its stop)."""
    target = os.environ.get("KOOPBOT_PROFILE")
    return ["-m", "cProfile", "-o", target] if target and root == ROOT else []


class Responder:
    """Something that answers the burst: the echo client or a bot, in its own process."""

    def __init__(self, label: str, user_id: str) -> None:
        self.label, self.user_id = label, user_id
        self.rooms: list[str] = []
        self.proc: subprocess.Popen[bytes] | None = None
        self.times: list[float] = []
        self.cpus: list[float] = []
        self.answered = self.doubled = self.missing = 0

    @property
    def time(self) -> float:
        return sum(self.times) / len(self.times)

    @property
    def cpu(self) -> float:
        return sum(self.cpus) / len(self.cpus)


async def main(total: int, baseline: Path | None) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="koopbot-load-"))
    hs = LocalSynapse(tmp / "hs")
    await hs.start()
    observer_user = await hs.register_user("observer", "pw-observer")
    users = [await hs.register_user(f"user{i}", f"pw-{i}") for i in range(USERS)]
    echo_user: RegisteredUser = await hs.register_user("echo", "pw-echo")
    bots: list[tuple[Responder, Path, str]] = []
    for label, root, localpart in (
        ("bot (this tree)", ROOT, "koopbot"),
        *([(f"bot (baseline {baseline})", baseline, "koopbase")] if baseline else []),
    ):
        password = secrets.token_hex(8)
        await hs.register_user(localpart, password)
        bots.append((Responder(label, f"@{localpart}:localhost"), root, password))
    echo = Responder("echo client", echo_user.user_id)
    for user in (*users, observer_user, echo_user):
        await hs.override_ratelimit(user.user_id)
    for responder, _, _ in bots:
        await hs.override_ratelimit(responder.user_id)
    observer = PeerClient(
        hs.base_url, observer_user.user_id, observer_user.device_id, observer_user.access_token
    )
    echo_peer = PeerClient(
        hs.base_url, echo_user.user_id, echo_user.device_id, echo_user.access_token
    )
    peers = [PeerClient(hs.base_url, u.user_id, u.device_id, u.access_token) for u in users]
    responders = [echo, *(r for r, _, _ in bots)]
    plain_rooms: list[str] = []
    for target in (None, *responders):
        rooms = []
        for r in range(ROOMS):
            members = [users[(2 * r) % USERS].user_id, users[(2 * r + 1) % USERS].user_id]
            invite = [*members, target.user_id] if target else members
            rooms.append(await observer.create_room(invite=invite))
        for r, room in enumerate(rooms):
            await peers[(2 * r) % USERS].join(room)
            await peers[(2 * r + 1) % USERS].join(room)
            if target is echo:
                await echo_peer.join(room)
        if target is None:
            plain_rooms = rooms
        else:
            target.rooms = rooms
    await echo_peer.close()

    plain_seen: list[float] = []
    replies: dict[str, Counter[str]] = {r.user_id: Counter() for r in responders}
    last_reply: dict[str, float] = dict.fromkeys(replies, 0.0)

    async def on_message(room: str, sender: str, event_id: str, content: dict[str, Any]) -> None:
        if sender in replies:
            target = ((content.get("m.relates_to") or {}).get("m.in_reply_to") or {}).get(
                "event_id"
            )
            if target:
                replies[sender][target] += 1
                last_reply[sender] = time.perf_counter()
        elif content.get("body", "").startswith("plain"):
            plain_seen.append(time.perf_counter())

    echo.proc = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--echo-client",
            hs.base_url,
            echo_user.user_id,
            echo_user.device_id,
            echo_user.access_token,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=open(tmp / "echo.log", "ab"),
    )
    assert echo.proc.stdout is not None
    await asyncio.to_thread(echo.proc.stdout.readline)  # "ready"
    for responder, root, password in bots:
        localpart = responder.user_id[1:].split(":")[0]
        config = tmp / f"{localpart}.toml"
        config.write_text(
            f'[matrix]\nhomeserver = "{hs.base_url}"\nuser_id = "{responder.user_id}"\n'
            f'password = "{password}"\nencryption = false\n'
            f'[storage]\ndir = "{tmp / localpart}"\n'
            "[network]\nflood_user_limit = 0\nflood_room_limit = 0\n"
            f'[web]\nlisten = "127.0.0.1:{free_port()}"\n',
            encoding="utf-8",
        )
        responder.proc = subprocess.Popen(
            [
                sys.executable,
                *profile_args(root),
                "-m",
                "bot",
                "run",
                "--config",
                str(config),
                "--log-level",
                "WARNING",
            ],
            cwd=root,
            stdout=open(tmp / f"{localpart}.log", "ab"),
            stderr=subprocess.STDOUT,
        )
    await observer.prime()
    listener = asyncio.create_task(observer.listen(on_message))
    # wait until every responder answers in every room (joined and syncing)
    for responder in responders:
        for room in responder.rooms:
            for _ in range(300):
                probe = await observer.send_text(room, "!hilfe")
                await asyncio.sleep(0.2)
                if replies[responder.user_id][probe]:
                    break

    per_user = total // USERS

    async def burst(peer: PeerClient, index: int, rooms: list[str], plain: bool) -> list[str]:
        my_rooms = [
            rooms[r]
            for r in range(ROOMS)
            if peer.user_id in (users[(2 * r) % USERS].user_id, users[(2 * r + 1) % USERS].user_id)
        ]
        sent = []
        for k in range(per_user):
            body = f"plain {index}-{k}" if plain else COMMANDS[(index + k) % len(COMMANDS)]
            sent.append(await peer.send_text(my_rooms[k % len(my_rooms)], body))
        return sent

    start = time.perf_counter()
    await asyncio.gather(*(burst(p, i, plain_rooms, True) for i, p in enumerate(peers)))
    while len(plain_seen) < per_user * USERS:
        await asyncio.sleep(0.01)
    floor = max(plain_seen) - start

    # the echo client before and after the bots: its mean is the floor, its spread
    # shows how much the machine's load drifted during the run
    for responder in [*responders, echo]:
        assert responder.proc is not None
        if os.environ.get("KOOPBOT_PYSPY") and responder is not echo:
            subprocess.Popen(
                [
                    str(ROOT / ".venv/bin/py-spy"),
                    "record",
                    "--format",
                    "raw",
                    "-o",
                    f"{os.environ['KOOPBOT_PYSPY']}.{responder.user_id[1:5]}",
                    "--pid",
                    str(responder.proc.pid),
                    "-d",
                    "40",
                    "-r",
                    "200",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        seen = replies[responder.user_id]
        cpu_before = cpu_seconds(responder.proc.pid)
        start = time.perf_counter()
        sent_lists = await asyncio.gather(
            *(burst(p, i, responder.rooms, False) for i, p in enumerate(peers))
        )
        commands = [e for lst in sent_lists for e in lst]
        deadline = time.perf_counter() + 300
        while (
            sum(1 for e in commands if seen[e]) < len(commands) and time.perf_counter() < deadline
        ):
            await asyncio.sleep(0.05)
        await asyncio.sleep(1)  # late duplicates would show up here
        responder.times.append(last_reply[responder.user_id] - start)
        responder.cpus.append(cpu_seconds(responder.proc.pid) - cpu_before)
        responder.answered += sum(1 for e in commands if seen[e] == 1)
        responder.doubled += sum(1 for e in commands if seen[e] > 1)
        responder.missing += sum(1 for e in commands if seen[e] == 0)

    listener.cancel()
    for responder in responders:
        assert responder.proc is not None
        responder.proc.terminate()
        responder.proc.wait(20)
    for peer in (*peers, observer):
        await peer.close()
    await hs.stop()
    n = per_user * USERS
    print(f"machine: {os.cpu_count()} cores; {USERS} users, {ROOMS} rooms, {n} commands")
    print(f"floor (Synapse delivers {n} plain messages): {floor:.2f} s")
    print(
        f"echo client (answers each of the {n} messages once): {echo.time:.2f} s "
        f"(before the bots {echo.times[0]:.2f} s, after {echo.times[-1]:.2f} s), "
        f"CPU {echo.cpu / n * 1000:.2f} ms per message"
    )
    if echo.missing or echo.doubled:
        print(f"echo client: {echo.missing} unanswered, {echo.doubled} doubled")
    for responder, _, _ in bots:
        print(f"-- {responder.label}")
        print(
            f"last of {n} replies: {responder.time:.2f} s = {responder.time / echo.time:.2f} x echo"
            f" (target <= 1.15), {responder.time / floor:.2f} x plain delivery"
        )
        print(
            f"answered exactly once: {responder.answered}, doubled: {responder.doubled}, "
            f"missing: {responder.missing}"
        )
        print(
            f"CPU: {responder.cpu:.2f} s total, {responder.cpu / n * 1000:.2f} ms per command"
            f" = {responder.cpu / max(echo.cpu, 1e-9):.2f} x the echo client's"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--echo-client"]:
        asyncio.run(echo_client(*sys.argv[2:6]))
        sys.exit(0)
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--baseline", type=Path, help="another checkout, measured alongside")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.baseline.resolve() if args.baseline else None))
