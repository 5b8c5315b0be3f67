"""Fault drill: SIGKILLs while reminders fall due, then a 30 s homeserver outage.

Run: .venv/bin/python bench/crash.py [--kills 10] [--outage 30]

Phase 1: 10 meetings × 5 reminder offsets (50 reminders) fall due over about two
minutes; the bot (a real subprocess) is killed with SIGKILL at random moments and
restarted each time. Every reminder must be posted exactly once, or skipped per the
documented policy (missed while down and a later one of the same meeting was due).
Every RSVP (👍 reactions and !dabei) must be kept.
Phase 2: Synapse is stopped for N seconds while reminders fall due; afterwards every
due reminder is posted once, the bot answers, /healthz showed 503 during the outage.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.homeserver import LocalSynapse, free_port
from bot.matrix import PeerClient

BERLIN = ZoneInfo("Europe/Berlin")
OFFSETS = ["170s", "140s", "110s", "80s", "50s"]


class Room:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.replies: dict[str, dict[str, Any]] = {}

    async def on_message(
        self, room: str, sender: str, event_id: str, content: dict[str, Any]
    ) -> None:
        entry = {"room": room, "sender": sender, "event_id": event_id, **content}
        self.messages.append(entry)
        target = ((content.get("m.relates_to") or {}).get("m.in_reply_to") or {}).get("event_id")
        if target:
            self.replies[target] = entry

    async def reply_to(self, event_id: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while event_id not in self.replies:
            if time.monotonic() > deadline:
                raise TimeoutError(event_id)
            await asyncio.sleep(0.05)
        return self.replies[event_id]


class Bot:
    def __init__(self, config: Path, log: Path) -> None:
        self.config, self.log = config, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot",
                "run",
                "--config",
                str(self.config),
                "--log-level",
                "INFO",
            ],
            cwd=ROOT,
            stdout=open(self.log, "ab"),
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)


async def healthz(url: str) -> int:
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(url, timeout=aiohttp.ClientTimeout(total=2)) as r,
        ):
            return r.status
    except (aiohttp.ClientError, TimeoutError):
        return 0


async def main(kills: int, outage: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="koopbot-crash-"))
    hs = LocalSynapse(tmp / "hs")
    await hs.start()
    pw = secrets.token_hex(8)
    await hs.register_user("koopbot", pw)
    a = await hs.register_user("alice", "pw-alice")
    b = await hs.register_user("bob", "pw-bob")
    web = free_port()
    config = tmp / "koopbot.toml"
    config.write_text(
        f'[matrix]\nhomeserver = "{hs.base_url}"\nuser_id = "@koopbot:localhost"\npassword = "{pw}"\n'
        f'encryption = false\n[storage]\ndir = "{tmp / "data"}"\n'
        f'[network]\ncoordinators = ["{a.user_id}"]\nreminder_offsets = {OFFSETS!r}\n'
        "flood_user_limit = 0\nflood_room_limit = 0\n"
        f'[web]\nlisten = "127.0.0.1:{web}"\nhealthy_sync_age_seconds = 45\n',
        encoding="utf-8",
    )
    alice = PeerClient(hs.base_url, a.user_id, a.device_id, a.access_token)
    bob = PeerClient(hs.base_url, b.user_id, b.device_id, b.access_token)
    room = Room()
    room_id = await alice.create_room(invite=["@koopbot:localhost", b.user_id])
    await bob.join(room_id)
    await alice.prime()
    listener = asyncio.create_task(alice.listen(room.on_message))
    bot = Bot(config, tmp / "bot.log")
    bot.start()
    for _ in range(200):
        probe = await alice.send_text(room_id, "!hilfe")
        try:
            await room.reply_to(probe, 1)
            break
        except TimeoutError:
            continue

    # --- phase 1: meetings, RSVPs, SIGKILLs ---------------------------------------
    now = datetime.now(BERLIN)
    first = (now + timedelta(minutes=3)).replace(second=0, microsecond=0)
    meeting_ids: list[int] = []
    announcements: list[str] = []
    for i in range(10):
        start = first + timedelta(minutes=i % 2)
        sent = await alice.send_text(room_id, f"!termin neu {start:%d.%m.%Y %H:%M} 30min Drill {i}")
        reply = await room.reply_to(sent)
        found = re.search(r"#(\d+)", reply["body"])
        assert found, reply["body"]
        meeting_ids.append(int(found.group(1)))
        announcements.append(reply["event_id"])
    for event_id in announcements:
        await alice._client.room_send(
            room_id,
            "m.reaction",
            {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": "👍"}},
        )
    for meeting in meeting_ids[::2]:
        await bob.send_text(room_id, f"!dabei {meeting}")
    await asyncio.sleep(2)

    last_due = first + timedelta(minutes=1) - timedelta(seconds=50)
    window = max(10.0, (last_due - datetime.now(BERLIN)).total_seconds())
    moments = sorted(random.uniform(0, window) for _ in range(kills))
    began = time.monotonic()
    for moment in moments:
        await asyncio.sleep(max(0.0, moment - (time.monotonic() - began)))
        bot.kill()
        bot.start()
    await asyncio.sleep(max(0.0, window - (time.monotonic() - began)) + 20)

    db = sqlite3.connect(tmp / "data" / "koopbot.db")
    states = Counter(
        state for (state,) in db.execute("SELECT state FROM jobs WHERE kind = 'meeting.reminder'")
    )
    rsvps = db.execute("SELECT COUNT(*) FROM meeting_rsvps WHERE going = 1").fetchone()[0]
    reminders = [
        m
        for m in room.messages
        if m["sender"] == "@koopbot:localhost"
        and m.get("msgtype") == "m.text"
        and "Erinnerung" in m.get("body", "")
    ]
    per_meeting = Counter(
        found.group(0) for m in reminders if (found := re.search(r"Drill \d+", m["body"]))
    )
    mentions_ok = all(
        a.user_id in (m.get("m.mentions") or {}).get("user_ids", []) for m in reminders
    )
    print(
        f"phase 1: {len(meeting_ids)} meetings x {len(OFFSETS)} offsets = {len(meeting_ids) * len(OFFSETS)} reminders, {kills} SIGKILLs over {window:.0f} s"
    )
    print(f"  jobs: {dict(states)}")
    print(
        f"  reminder messages received: {len(reminders)} (jobs done: {states.get('done', 0)}) -> "
        f"{'exactly once' if len(reminders) == states.get('done', 0) and not states.get('pending') else 'MISMATCH'}"
    )
    print(f"  per meeting: {dict(sorted(per_meeting.items()))}")
    print(
        f"  RSVPs kept: {rsvps} (expected {len(meeting_ids) + len(meeting_ids[::2])}); "
        f"every reminder mentions alice: {mentions_ok}"
    )

    # --- phase 2: homeserver outage while reminders fall due ------------------------
    now = datetime.now(BERLIN)
    start = (now + timedelta(minutes=3)).replace(second=0, microsecond=0)
    sent = await alice.send_text(room_id, f"!termin neu {start:%d.%m.%Y %H:%M} 30min Outage-Drill")
    await room.reply_to(sent)
    before = len(room.messages)
    until_first_due = (start - timedelta(seconds=170) - datetime.now(BERLIN)).total_seconds()
    await asyncio.sleep(max(0.0, until_first_due - 5))
    health = []
    await hs.stop()
    t0 = time.monotonic()
    while time.monotonic() - t0 < outage:
        health.append(await healthz(f"http://127.0.0.1:{web}/healthz"))
        await asyncio.sleep(1)
    await hs.start()
    back = time.monotonic()
    probe = await alice.send_text(room_id, "!hilfe")
    await room.reply_to(probe, 60)
    answered_after = time.monotonic() - back
    await asyncio.sleep(
        max(0.0, (start - timedelta(seconds=50) - datetime.now(BERLIN)).total_seconds()) + 10
    )
    after = [
        m
        for m in room.messages[before:]
        if m["sender"] == "@koopbot:localhost"
        and m.get("msgtype") == "m.text"
        and "Outage-Drill" in m.get("body", "")
    ]
    states2 = Counter(
        state
        for (state,) in db.execute(
            "SELECT state FROM jobs WHERE kind = 'meeting.reminder' AND ref LIKE ?",
            (f"{meeting_ids[-1] + 1}:%",),
        )
    )
    print(f"phase 2: outage {outage} s; /healthz during outage: {sorted(Counter(health).items())}")
    print(f"  bot answered {answered_after:.1f} s after the homeserver was back")
    print(f"  reminders of the drill meeting received: {len(after)}; jobs: {dict(states2)}")
    listener.cancel()
    bot.stop()
    await alice.close()
    await bob.close()
    await hs.stop()
    print(f"(data in {tmp})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--outage", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(main(args.kills, args.outage))
