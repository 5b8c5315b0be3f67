"""Burst load: 20 users in 10 rooms send 1,000 commands as fast as they can.

Run: .venv/bin/python bench/load.py [N]   (default N=1000)

Prints the time until the last reply beside the floor (the time Synapse needs to deliver
the same number of plain messages to a listener), checks that every command got exactly
one reply, and the bot's CPU time per command (utime+stime of the bot process).
"""

from __future__ import annotations

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

from bot.homeserver import LocalSynapse, free_port
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


async def main(total: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="koopbot-load-"))
    hs = LocalSynapse(tmp / "hs")
    await hs.start()
    bot_pw = secrets.token_hex(8)
    await hs.register_user("koopbot", bot_pw)
    observer_user = await hs.register_user("observer", "pw-observer")
    users = [await hs.register_user(f"user{i}", f"pw-{i}") for i in range(USERS)]
    for user in (*users, observer_user):
        await hs.override_ratelimit(user.user_id)
    await hs.override_ratelimit("@koopbot:localhost")
    config = tmp / "koopbot.toml"
    config.write_text(
        f'[matrix]\nhomeserver = "{hs.base_url}"\nuser_id = "@koopbot:localhost"\n'
        f'password = "{bot_pw}"\nencryption = false\n[storage]\ndir = "{tmp / "data"}"\n'
        "[network]\nflood_user_limit = 0\nflood_room_limit = 0\n"
        f'[web]\nlisten = "127.0.0.1:{free_port()}"\n',
        encoding="utf-8",
    )
    observer = PeerClient(
        hs.base_url, observer_user.user_id, observer_user.device_id, observer_user.access_token
    )
    peers = [PeerClient(hs.base_url, u.user_id, u.device_id, u.access_token) for u in users]
    rooms = []
    for r in range(ROOMS):
        members = [users[(2 * r) % USERS].user_id, users[(2 * r + 1) % USERS].user_id]
        rooms.append(await observer.create_room(invite=[*members, "@koopbot:localhost"]))
    for r, room in enumerate(rooms):
        await peers[(2 * r) % USERS].join(room)
        await peers[(2 * r + 1) % USERS].join(room)

    seen: Counter[str] = Counter()
    plain_seen: list[float] = []
    bot_replies: Counter[str] = Counter()
    last_reply = [0.0]

    async def on_message(room: str, sender: str, event_id: str, content: dict[str, Any]) -> None:
        if sender == "@koopbot:localhost":
            target = ((content.get("m.relates_to") or {}).get("m.in_reply_to") or {}).get(
                "event_id"
            )
            if target:
                bot_replies[target] += 1
                last_reply[0] = time.perf_counter()
        elif content.get("body", "").startswith("plain"):
            plain_seen.append(time.perf_counter())
        seen[room] += 1

    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--config", str(config), "--log-level", "WARNING"],
        cwd=ROOT,
        stdout=open(tmp / "bot.log", "ab"),
        stderr=subprocess.STDOUT,
    )
    await observer.prime()
    listener = asyncio.create_task(observer.listen(on_message))
    # wait until the bot answers in every room (joined and syncing)
    for room in rooms:
        for _ in range(300):
            probe = await observer.send_text(room, "!hilfe")
            await asyncio.sleep(0.2)
            if bot_replies[probe]:
                break

    per_user = total // USERS

    async def burst(peer: PeerClient, index: int, plain: bool) -> list[str]:
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
    await asyncio.gather(*(burst(p, i, True) for i, p in enumerate(peers)))
    while len(plain_seen) < per_user * USERS:
        await asyncio.sleep(0.01)
    floor = max(plain_seen) - start

    if os.environ.get("KOOPBOT_PYSPY"):
        subprocess.Popen(
            [
                str(ROOT / ".venv/bin/py-spy"),
                "record",
                "--format",
                "raw",
                "-o",
                os.environ["KOOPBOT_PYSPY"],
                "--pid",
                str(proc.pid),
                "-d",
                "40",
                "-r",
                "200",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    cpu_before = cpu_seconds(proc.pid)
    start = time.perf_counter()
    sent_lists = await asyncio.gather(*(burst(p, i, False) for i, p in enumerate(peers)))
    commands = [e for lst in sent_lists for e in lst]
    deadline = time.perf_counter() + 300
    while (
        sum(1 for e in commands if bot_replies[e]) < len(commands)
        and time.perf_counter() < deadline
    ):
        await asyncio.sleep(0.05)
    await asyncio.sleep(1)  # late duplicates would show up here
    bot_time = last_reply[0] - start
    cpu = cpu_seconds(proc.pid) - cpu_before
    answered = sum(1 for e in commands if bot_replies[e] == 1)
    doubled = sum(1 for e in commands if bot_replies[e] > 1)
    missing = sum(1 for e in commands if bot_replies[e] == 0)

    listener.cancel()
    proc.terminate()
    proc.wait(20)
    for peer in (*peers, observer):
        await peer.close()
    await hs.stop()
    print(
        f"machine: {os.cpu_count()} cores; {USERS} users, {ROOMS} rooms, {len(commands)} commands"
    )
    print(f"floor (Synapse delivers {per_user * USERS} plain messages): {floor:.2f} s")
    print(
        f"bot (last of {len(commands)} replies): {bot_time:.2f} s = {bot_time / floor:.2f} x floor"
    )
    print(f"answered exactly once: {answered}, doubled: {doubled}, missing: {missing}")
    print(
        f"bot CPU: {cpu:.2f} s total, {cpu / len(commands) * 1000:.2f} ms per command (target <= 3 ms)"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
