"""Where the idle bot's memory goes: RSS split, import cost per package, live heap.

Run: .venv/bin/python bench/memory.py [--baseline DIR] [--top 25]
     (KOOPBOT_TRACEMALLOC=1 adds the live heap by allocating file, traced from the start)

Starts a local Synapse and the real bot (a subprocess, the same command line as
``koopbot run``), lets it answer a few commands, waits until it is idle and prints:

- RSS as anonymous memory (Python objects, malloc heap) and file-backed pages (shared
  libraries), from /proc/PID/smaps_rollup, and the largest mappings;
- the RSS each top-level package added while it was imported (exclusive: a package's
  own cost, not the cost of what it imports), measured inside the bot process;
- the live Python heap by top-level package of the allocating file (tracemalloc, started
  after the imports, so it shows what start-up and the commands built).

With ``--baseline DIR`` a second checkout is measured the same way in the same run.
The instrumented process is the bot itself: ``bench/memory.py --child`` imports
``bot.__main__`` behind an import hook and runs ``main()``; SIGUSR1 writes the report.
"""

from __future__ import annotations

# The child (the instrumented bot) imports only what it needs before the bot does.
import collections
import json
import os
import signal
import sys
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def smaps_rollup(pid: int | str = "self") -> dict[str, float]:
    values: dict[str, float] = {}
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        lines = handle.read().splitlines()
    for line in lines:
        parts = line.split()
        if parts[0] in ("Rss:", "Anonymous:"):
            values[parts[0].rstrip(":")] = int(parts[1]) / 1024
    values["File"] = values.get("Rss", 0.0) - values.get("Anonymous", 0.0)
    return values


def mappings(pid: int | str = "self", top: int = 12) -> list[tuple[str, float]]:
    """RSS per mapped file ([anon] for anonymous mappings), largest first."""
    per: dict[str, float] = collections.defaultdict(float)
    current = "[anon]"
    with open(f"/proc/{pid}/smaps") as handle:
        lines = handle.read().splitlines()
    for line in lines:
        parts = line.split()
        if not parts:
            continue
        if "-" in parts[0] and len(parts) >= 5 and not parts[0].endswith(":"):
            current = parts[5] if len(parts) > 5 else "[anon]"
            current = current.replace(ROOT, ".")
        elif parts[0] == "Rss:":
            per[current] += int(parts[1]) / 1024
    return sorted(per.items(), key=lambda kv: kv[1], reverse=True)[:top]


# --- the instrumented child (the bot itself) ----------------------------------------


def child(report: str) -> int:
    """Run the bot with an import hook that records the RSS each package adds."""
    import importlib._bootstrap as bootstrap

    exclusive: dict[str, float] = collections.defaultdict(float)
    stack: list[float] = []
    original = bootstrap._load_unlocked  # type: ignore[attr-defined]
    page_kb = os.sysconf("SC_PAGE_SIZE") / 1024

    def rss_kb() -> float:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * page_kb

    def load(spec: Any) -> Any:
        before = rss_kb()
        stack.append(0.0)
        try:
            return original(spec)
        finally:
            total = rss_kb() - before
            children = stack.pop()
            name = spec.name.split(".")[0]
            if name in ("bot", "commands", "content", "storage"):
                name = ".".join(spec.name.split(".")[:2])
            exclusive[name] += total - children
            if stack:
                stack[-1] += total

    start = smaps_rollup()
    # stays installed: the bot imports some modules on first use
    bootstrap._load_unlocked = load  # type: ignore[attr-defined]
    import bot.__main__ as cli

    def dump(signum: int, frame: Any) -> None:
        import gc

        gc.unfreeze()  # the bot froze its long-lived objects; they are counted here
        by_type: collections.Counter[str] = collections.Counter()
        counts: collections.Counter[str] = collections.Counter()
        for obj in gc.get_objects():
            name = type(obj).__name__
            by_type[name] += sys.getsizeof(obj)
            counts[name] += 1
        traced: list[tuple[str, float]] = []
        import tracemalloc

        if tracemalloc.is_tracing():  # KOOPBOT_TRACEMALLOC=1: live heap by allocating file
            stats = tracemalloc.take_snapshot().statistics("filename")
            traced = [
                (str(s.traceback[0].filename).replace(ROOT, "."), s.size / 1024 / 1024)
                for s in stats[:25]
            ]
        with open(report + ".tmp", "w") as handle:
            json.dump(
                {
                    "start": start,
                    "imports": {
                        k: v / 1024
                        for k, v in sorted(exclusive.items(), key=lambda kv: kv[1], reverse=True)
                    },
                    "imports_total": sum(exclusive.values()) / 1024,
                    "types": [(k, v / 1024 / 1024, counts[k]) for k, v in by_type.most_common(12)],
                    "modules": len(sys.modules),
                    "traced": traced,
                },
                handle,
            )
        os.replace(report + ".tmp", report)  # the driver never reads half a report

    signal.signal(signal.SIGUSR1, dump)
    return cli.main(sys.argv[sys.argv.index("--") + 1 :])


# --- the driver --------------------------------------------------------------------


async def measure(root: Path, label: str, hs: Any, tmp: Path, top: int) -> dict[str, Any]:
    import asyncio
    import secrets
    import subprocess
    import time

    from bot.homeserver import free_port
    from bot.matrix import PeerClient

    localpart = "koop" + secrets.token_hex(3)
    password = secrets.token_hex(8)
    await hs.register_user(localpart, password)
    user = await hs.register_user("asker" + secrets.token_hex(3), "pw-asker")
    await hs.override_ratelimit(user.user_id)
    config = tmp / f"{localpart}.toml"
    config.write_text(
        f'[matrix]\nhomeserver = "{hs.base_url}"\nuser_id = "@{localpart}:localhost"\n'
        f'password = "{password}"\nencryption = false\n[storage]\ndir = "{tmp / localpart}"\n'
        f"[network]\nflood_user_limit = 0\nflood_room_limit = 0\n"
        f'[web]\nlisten = "127.0.0.1:{free_port()}"\n',
        encoding="utf-8",
    )
    asker = PeerClient(hs.base_url, user.user_id, user.device_id, user.access_token)
    room = await asker.create_room(invite=[f"@{localpart}:localhost"])
    replies: dict[str, int] = collections.Counter()

    async def on_message(room_id: str, sender: str, event_id: str, content: dict[str, Any]) -> None:
        target = ((content.get("m.relates_to") or {}).get("m.in_reply_to") or {}).get("event_id")
        if target:
            replies[target] += 1

    await asker.prime()
    listener = asyncio.create_task(asker.listen(on_message))
    report = tmp / f"{localpart}.json"
    env = {**os.environ, "PYTHONPATH": str(root)}
    if os.environ.get("KOOPBOT_TRACEMALLOC"):  # the bot only (Synapse would crawl)
        env["PYTHONTRACEMALLOC"] = "1"
    proc = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            str(report),
            "--",
            "run",
            "--config",
            str(config),
            "--log-level",
            "WARNING",
        ],
        cwd=root,
        env=env,
        stdout=open(tmp / f"{localpart}.log", "ab"),
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(300):  # until the bot has joined and answers
            probe = await asker.send_text(room, "!hilfe")
            await asyncio.sleep(0.3)
            if replies[probe]:
                break
        for command in ("!hilfe", "!phasen", "!frage Was ist ein Lerncluster?", "!status"):
            event_id = await asker.send_text(room, command)
            deadline = time.monotonic() + 30
            while not replies[event_id] and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        await asyncio.sleep(5)  # idle
        rollup = smaps_rollup(proc.pid)
        maps = mappings(proc.pid, top)
        proc.send_signal(signal.SIGUSR1)
        for _ in range(1200):  # a tracemalloc snapshot takes a while
            await asyncio.sleep(0.1)
            if report.exists():
                break
        data: dict[str, Any] = json.loads(report.read_text())
    finally:
        proc.terminate()
        proc.wait(20)
        listener.cancel()
        await asker.close()
    data.update(label=label, rollup=rollup, maps=maps)
    return data


def show(data: dict[str, Any], top: int) -> None:
    r, start = data["rollup"], data["start"]
    print(f"== {data['label']}")
    print(
        f"idle RSS {r['Rss']:.1f} MB = anonymous {r['Anonymous']:.1f} + file-backed {r['File']:.1f}"
    )
    print(
        f"  interpreter before the bot's imports {start['Rss']:.1f} MB; imports added "
        f"{data['imports_total']:.1f} MB ({len(data['imports'])} packages, "
        f"{data['modules']} modules); the rest ({r['Rss'] - start['Rss'] - data['imports_total']:.1f}"
        " MB) is what start-up and the commands built"
    )
    print("  largest mappings (MB):")
    for name, mb in data["maps"]:
        print(f"    {mb:6.1f}  {name}")
    print("  RSS added while importing, per package (MB, exclusive):")
    items = list(data["imports"].items())[:top]
    for name, mb in items:
        print(f"    {mb:6.1f}  {name}")
    print("  live objects tracked by the GC, by type (getsizeof, MB, count):")
    for name, mb, count in data["types"]:
        print(f"    {mb:6.2f}  {name} ({count})")
    if data.get("traced"):
        print("  live heap by allocating file (tracemalloc from the start, MB):")
        for name, mb in data["traced"]:
            print(f"    {mb:6.2f}  {name}")


async def main(baseline: Path | None, top: int) -> None:
    import tempfile

    sys.path.insert(0, ROOT)
    from bot.homeserver import LocalSynapse

    tmp = Path(tempfile.mkdtemp(prefix="koopbot-memory-"))
    hs = LocalSynapse(tmp / "hs")
    await hs.start()
    try:
        results = [await measure(Path(ROOT), "this tree", hs, tmp, top)]
        if baseline is not None:
            results.append(await measure(baseline, f"baseline {baseline}", hs, tmp, top))
    finally:
        await hs.stop()
    for data in results:
        show(data, top)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        sys.path.insert(0, os.getcwd())
        sys.exit(child(sys.argv[2]))
    import argparse
    import asyncio
    from pathlib import Path

    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", type=Path, help="another checkout, measured alongside")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    asyncio.run(main(args.baseline.resolve() if args.baseline else None, args.top))
