"""A large network: 200 rooms, 5,000 members, 2,000 meetings.

Run: .venv/bin/python bench/large_network.py [--rooms 200] [--members 5000] [--meetings 2000]

First start: the bot creates the configured rooms (space + N rooms). Then, with the bot
stopped, members (network members + profiles) and meetings are written through the
storage repositories. Measured on the restart: process start -> first answered command,
idle RSS, and — while 500 messages arrive across the rooms — the sync handling time per
event (koopbot_sync_handling_seconds / koopbot_events_total from /metrics). Members are
database rows, not 5,000 Synapse accounts (registering and joining them would measure
Synapse, not the bot).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.homeserver import LocalSynapse, free_port
from bot.matrix import PeerClient
from storage import Database
from storage.meetings import Meetings, NewMeeting
from storage.profiles import ProfileRow, Profiles
from storage.rooms import NetworkMembers

BERLIN = ZoneInfo("Europe/Berlin")
KINDS = ["Musikschule", "Grundschule", "OGS-Träger", "Kita", "Kommune/Bildungsbüro", "Verein"]
TERMS = [
    "Singen",
    "Instrumente",
    "Räume",
    "Geld",
    "Fortbildung",
    "Schnittstelle OGS",
    "Inklusion",
    "Digitalisierung",
    "Bandprojekt",
    "Übergänge",
    "Tanz",
    "Theater",
]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def metric(url: str, name: str) -> float:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        text = await response.text()
    return sum(
        float(m.group(1)) for m in re.finditer(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+-]+)$", text, re.M)
    )


async def main(n_rooms: int, n_members: int, n_meetings: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="koopbot-large-"))
    hs = LocalSynapse(tmp / "hs")
    await hs.start()
    pw = secrets.token_hex(8)
    await hs.register_user("koopbot", pw)
    a = await hs.register_user("alice", "pw-alice")
    await hs.override_ratelimit("@koopbot:localhost")
    await hs.override_ratelimit(a.user_id)
    web = free_port()
    rooms = "".join(
        f'\n[[network.rooms]]\nkey = "r{i}"\nname = "Raum {i}"\ntopic = "Thema {i}"\n'
        f'kind = "{"lobby" if i == 0 else "topic"}"\n'
        for i in range(n_rooms)
    )
    config = tmp / "koopbot.toml"
    config.write_text(
        f'[matrix]\nhomeserver = "{hs.base_url}"\nuser_id = "@koopbot:localhost"\npassword = "{pw}"\n'
        f'encryption = false\n[storage]\ndir = "{tmp / "data"}"\n'
        f'[network]\ncoordinators = ["{a.user_id}"]\nflood_user_limit = 0\nflood_room_limit = 0\n'
        f'{rooms}\n[web]\nlisten = "127.0.0.1:{web}"\n',
        encoding="utf-8",
    )
    cmd = [sys.executable, "-m", "bot", "run", "--config", str(config), "--log-level", "WARNING"]
    log = open(tmp / "bot.log", "ab")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    while True:  # provisioning is done when the lobby exists in storage and /healthz is up
        await asyncio.sleep(1)
        db_path = tmp / "data" / "koopbot.db"
        try:
            count = (
                sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM network_rooms").fetchone()[0]
            )
        except sqlite3.Error:
            continue
        if count >= n_rooms + 1:  # the space counts too
            break
    first_start = time.perf_counter() - t0
    proc.terminate()
    proc.wait(30)

    db = Database(tmp / "data" / "koopbot.db")
    await db.open()
    room_ids = [
        r["room_id"]
        for r in await db.fetchall("SELECT room_id FROM network_rooms WHERE key != '_space'")
    ]
    members, profiles, meetings = NetworkMembers(db), Profiles(db), Meetings(db)
    rng = random.Random(7)
    t = time.perf_counter()
    for i in range(n_members):
        user = f"@member{i}:localhost"
        await members.record_join(user, rng.choice(room_ids))
        await profiles.save(
            ProfileRow(
                user_id=user,
                kind=rng.choice(KINDS),
                place=f"Ort {rng.randrange(120)}",
                interests=tuple(rng.sample(TERMS, 3)),
                offers=tuple(rng.sample(TERMS, 2)),
                needs=tuple(rng.sample(TERMS, 2)),
                experience=rng.randrange(3),
                visible=True,
            )
        )
    now = datetime.now(BERLIN)
    for i in range(n_meetings):
        start = (now + timedelta(days=rng.randrange(2, 120), hours=rng.randrange(8))).replace(
            minute=0, second=0, microsecond=0
        )
        await meetings.create(
            NewMeeting(
                room_id=rng.choice(room_ids),
                title=f"Treffen {i}",
                start=start,
                duration=timedelta(minutes=90),
                rrule="FREQ=WEEKLY;INTERVAL=2" if i % 3 == 0 else None,
                link=None,
                created_by=a.user_id,
            )
        )
    fill = time.perf_counter() - t
    await db.close()

    alice = PeerClient(hs.base_url, a.user_id, a.device_id, a.access_token)
    replies: dict[str, float] = {}

    async def on_message(room: str, sender: str, event_id: str, content: dict[str, Any]) -> None:
        target = ((content.get("m.relates_to") or {}).get("m.in_reply_to") or {}).get("event_id")
        if target:
            replies[target] = time.perf_counter()

    lobby = room_ids[0]
    await alice.join(lobby)
    await alice.prime()
    listener = asyncio.create_task(alice.listen(on_message))
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    if os.environ.get("KOOPBOT_PYSPY"):  # profile the restart and the message burst
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
                "25",
                "-r",
                "200",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    probe = await alice.send_text(lobby, "!termine alle")
    while probe not in replies:
        await asyncio.sleep(0.01)
        if time.perf_counter() - t0 > 300:
            raise TimeoutError("no answer after restart")
    restart = replies[probe] - t0
    await asyncio.sleep(5)
    rss = rss_mb(proc.pid)

    base_url = f"http://127.0.0.1:{web}/metrics"
    before_sum = await metric(base_url, "koopbot_sync_handling_seconds_sum")
    before_events = await metric(base_url, "koopbot_events_total")
    sent = []
    for i in range(500):
        sent.append(await alice.send_text(lobby, "!phasen" if i % 5 == 0 else f"Nachricht {i}"))
    deadline = time.perf_counter() + 120
    while sum(1 for e in sent[::5] if e in replies) < len(sent[::5]):
        if time.perf_counter() > deadline or listener.done():
            print(
                f"only {sum(1 for e in sent[::5] if e in replies)} of {len(sent[::5])} answers seen"
            )
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(1)
    spent = await metric(base_url, "koopbot_sync_handling_seconds_sum") - before_sum
    events = await metric(base_url, "koopbot_events_total") - before_events
    peak = rss_mb(proc.pid)
    listener.cancel()
    proc.terminate()
    proc.wait(30)
    await alice.close()
    await hs.stop()
    print(
        f"network: {n_rooms} rooms (+ space), {n_members} members with profiles, {n_meetings} meetings"
    )
    print(
        f"first start incl. creating {n_rooms} rooms: {first_start:.1f} s; writing members+meetings: {fill:.1f} s"
    )
    print(f"restart -> first answered command (!termine alle): {restart:.2f} s")
    print(f"idle RSS after restart: {rss:.1f} MB; after 500 messages: {peak:.1f} MB")
    print(
        f"sync handling: {spent * 1000:.1f} ms for {events:.0f} events = {spent / max(events, 1) * 1000:.3f} ms/event"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--meetings", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.rooms, args.members, args.meetings))
