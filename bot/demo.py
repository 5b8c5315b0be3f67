"""``koopbot demo``: a local Synapse, the bot, and a terminal chat as a demo user.

Everything lives under ``./.koopbot-demo/`` so a second run is fast and keeps its
history; delete the folder for a fresh start. Messages go both ways through a real
homeserver — the same path Element would use.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import sys
import tomllib
from pathlib import Path
from typing import Any

from bot.app import App
from bot.config import Settings
from bot.homeserver import LocalSynapse, free_port
from bot.matrix import PeerClient

EXAMPLE_CONFIG = Path(__file__).resolve().parent.parent / "koopbot.example.toml"
BOT_LOCALPART = "koopbot"
DEMO_LOCALPART = "demo"


def _secrets(path: Path) -> dict[str, Any]:
    """Passwords and the port of this demo folder, made once and kept."""
    if path.exists():
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    data = {
        "bot_password": secrets.token_urlsafe(16),
        "demo_password": secrets.token_urlsafe(16),
        "port": free_port(),
        "web_port": free_port(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    path.chmod(0o600)
    return data


def _network_rooms() -> list[dict[str, Any]]:
    """The sample network of the example config (lobby, topics, coordinators)."""
    if not EXAMPLE_CONFIG.exists():
        return [
            {
                "key": "lobby",
                "name": "Netzwerk Kooperationen",
                "kind": "lobby",
                "topic": "Austausch, Fragen, Termine",
            }
        ]
    data = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    rooms: list[dict[str, Any]] = data.get("network", {}).get("rooms", [])
    return rooms


def demo_settings(directory: Path, hs: LocalSynapse, data: dict[str, Any]) -> Settings:
    demo_user = f"@{DEMO_LOCALPART}:{hs.server_name}"
    return Settings.model_validate(
        {
            "matrix": {
                "homeserver": hs.base_url,
                "user_id": f"@{BOT_LOCALPART}:{hs.server_name}",
                "password": data["bot_password"],
                "encryption": False,
                "allowed_inviters": [f"@*:{hs.server_name}"],
            },
            "storage": {"dir": str(directory / "data")},
            "network": {
                "name": "Netzwerk Kooperationen (Demo)",
                "state": "NW",  # school and public holidays for !ferien and date polls
                "coordinators": [demo_user],
                "rooms": _network_rooms(),
            },
            "web": {"listen": f"127.0.0.1:{data['web_port']}"},
        }
    )


def _print(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def _read_lines(queue: asyncio.Queue[str | None]) -> None:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            await queue.put(None)
            return
        await queue.put(line.rstrip("\n"))


async def run_demo(directory: Path) -> int:
    directory = directory.resolve()  # noqa: ASYNC240 - once, at start
    data = _secrets(directory / "demo.json")
    hs = LocalSynapse(directory / "synapse", port=data["port"])
    _print(f"koopbot demo: starte Synapse auf {hs.base_url} (Daten in {directory}) …")
    await hs.start()
    app: App | None = None
    peer: PeerClient | None = None
    try:
        await hs.register_user(BOT_LOCALPART, data["bot_password"])
        demo = await hs.register_user(DEMO_LOCALPART, data["demo_password"])
        app = App(demo_settings(directory, hs, data))
        await app.start()
        peer = PeerClient(hs.base_url, demo.user_id, demo.device_id, demo.access_token)
        room_id = await _demo_room(app, peer)
        return await _chat(app, peer, room_id)
    finally:
        if peer is not None:
            await peer.close()
        if app is not None:
            await app.stop()
        await hs.stop()
        _print("koopbot demo beendet.")


async def _demo_room(app: App, peer: PeerClient) -> str:
    """The lobby the bot runs, or — without network rooms — a room with the bot."""
    assert app.services is not None
    lobby = app.services.network.lobby_room
    if lobby is None:
        return await peer.create_room(invite=[app.matrix.user_id], name="koopbot Demo")
    with contextlib.suppress(Exception):
        await app.matrix.invite(lobby, peer.user_id)
    await peer.join(lobby)
    return lobby


async def _chat(app: App, peer: PeerClient, room_id: str) -> int:
    bot_id = app.matrix.user_id
    name = app.matrix.room_name(room_id)
    _print(
        f"Du bist {peer.user_id} im Raum „{name}“. Schreib z. B. !hilfe — "
        "Strg-C oder Strg-D beendet."
    )

    async def show(room: str, sender: str, event_id: str, content: dict[str, Any]) -> None:
        if room != room_id or sender == peer.user_id:
            return
        who = "koopbot" if sender == bot_id else sender
        body = str(content.get("body", ""))
        _print(
            "\n".join(
                f"{who}> {line}" if i == 0 else f"    {line}"
                for i, line in enumerate(body.splitlines() or [""])
            )
        )

    await peer.prime()
    listener = asyncio.create_task(peer.listen(show))
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    reader = asyncio.create_task(_read_lines(lines))
    try:
        while True:
            line = await lines.get()
            if line is None:
                await asyncio.sleep(3)  # let the last answers arrive (piped input)
                return 0
            if line.strip():
                await peer.send_text(room_id, line)
    except (KeyboardInterrupt, asyncio.CancelledError):
        return 0
    finally:
        listener.cancel()
        reader.cancel()
