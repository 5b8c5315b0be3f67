"""``koopbot demo``: a local Synapse, the bot, sample members and a terminal chat.

Everything lives under ``./.koopbot-demo/`` so a second run is fast and keeps its
history; delete the folder for a fresh start. Messages go both ways through a real
homeserver — the same path Element would use, and Element can log in too (the start
screen prints the address, user and password).

The terminal shows replies as text (``bot.terminal``), lists and switches rooms, acts as
a sample member (``/als anna``) and saves the files the bot sends. Standard input is read
by a daemon thread, so Ctrl-C (or ``/ende``) ends the demo at once: no thread is left
waiting for a line.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import json
import logging
import os
import re
import secrets
import signal
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from bot.app import App
from bot.config import Settings
from bot.demo_data import MEMBERS, Seeder
from bot.homeserver import LocalSynapse, free_port
from bot.logsetup import setup_logging
from bot.matrix import MatrixError, PeerClient, PeerRoom
from bot.terminal import (
    BOLD,
    DIM,
    RESET,
    Send,
    TerminalCommand,
    fold,
    parse_input,
    pick,
    render_content,
)
from commands.i18n import DEFAULT_LANGUAGE, Catalog
from storage.meetings import Meetings

EXAMPLE_CONFIG = Path(__file__).resolve().parent.parent / "koopbot.example.toml"
BOT_LOCALPART = "koopbot"
DEMO_LOCALPART = "demo"
LOG_FILE = "koopbot.log"
FILES_DIR = "dateien"
SHOWN_ON_SWITCH = 6

log = logging.getLogger(__name__)


def _secrets(path: Path) -> dict[str, Any]:
    """Passwords, ports and the sample steps done in this demo folder, made once and kept."""
    data: dict[str, Any] = {}
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
    fresh: dict[str, Callable[[], Any]] = {
        "bot_password": lambda: secrets.token_urlsafe(16),
        "demo_password": lambda: secrets.token_urlsafe(12),
        "member_password": lambda: secrets.token_urlsafe(12),
        "port": free_port,
        "web_port": free_port,
    }
    missing = [key for key in fresh if key not in data]
    for key in missing:
        data[key] = fresh[key]()
    if missing:
        _save(path, data)
    return data


def _save(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    path.chmod(0o600)


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


def _print(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _start_reader(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    """Read standard input in a daemon thread: lines into ``queue``, None at its end.

    Why not ``run_in_executor(None, sys.stdin.readline)``: at exit asyncio waits for the
    default executor, and a thread blocked in ``readline`` held the terminal until the
    next Enter (Ctrl-C took over a minute). A daemon thread on ``os.read`` holds nothing.
    """

    def put(item: str | None) -> bool:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: the demo is over
            return False
        return True

    def run() -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        pending = ""
        while True:
            try:
                chunk = os.read(sys.stdin.fileno(), 4096)
            except (OSError, ValueError):
                chunk = b""
            if not chunk:
                if pending:
                    put(pending)
                put(None)
                return
            pending += decoder.decode(chunk)
            *lines, pending = pending.split("\n")
            for line in lines:
                if not put(line.rstrip("\r")):
                    return

    threading.Thread(target=run, name="demo-stdin", daemon=True).start()


def exit_at_once(code: int) -> NoReturn:
    """End the process now that the demo has closed everything it opened.

    Why: after ``run_demo`` the interpreter's own teardown (freeing the modules of nio,
    numpy, Babel … one object at a time) took 0.3–0.8 s, on a busy machine most of the
    2 s a Ctrl-C may take. Synapse is stopped, the database closed, files written; the
    log and the standard streams are flushed here.
    """
    logging.shutdown()
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


async def run_demo(directory: Path, log_level: str = "INFO") -> int:
    directory = directory.resolve()  # noqa: ASYNC240 - once, at start
    setup_logging(log_level, directory / LOG_FILE)
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    interrupted = False

    def interrupt() -> None:
        nonlocal interrupted
        interrupted = True
        if main is not None:
            main.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, interrupt)
    try:
        return await _run(directory)
    except asyncio.CancelledError:
        if not interrupted:
            raise
        return 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)


Say = Callable[..., str]  # a demo message by key, filled in


def _speaker(catalog: Catalog, lang: str = DEFAULT_LANGUAGE) -> Say:
    """What the terminal prints comes from the message catalog (``terminal.*``)."""
    return lambda key, **params: catalog.get(f"terminal.{key}", lang, **params)


async def _run(directory: Path) -> int:
    data_path = directory / "demo.json"
    data = _secrets(data_path)
    if not (directory / "synapse" / "homeserver.db").exists():
        data.pop("users", None)  # a new homeserver: the kept logins are void
    hs = LocalSynapse(directory / "synapse", port=data["port"])
    t = _speaker(Catalog.load())
    _print(t("starting", url=hs.base_url, directory=directory))
    app: App | None = None
    peers: dict[str, PeerClient] = {}
    started = time.monotonic()
    try:
        await hs.start()
        users = await _users(hs, data, data_path, directory)
        peers = {
            name: PeerClient(hs.base_url, u["user_id"], u["device_id"], u["access_token"])
            for name, u in users.items()
        }
        log.info("demo: Synapse and users ready after %.1f s", time.monotonic() - started)
        app = App(demo_settings(directory, hs, data))
        await app.start()
        log.info("demo: bot started after %.1f s", time.monotonic() - started)
        await _sample_data(app, peers, data, data_path, t)
        _banner(app, hs, data, directory, t)
        log.info("demo: ready after %.1f s", time.monotonic() - started)
        chat = Chat(app, peers, directory / FILES_DIR, t, color=_color())
        return await chat.run()
    finally:
        stopping = time.monotonic()
        for peer in peers.values():
            with contextlib.suppress(Exception):
                await peer.close()
        if app is not None:
            await app.stop()
        await hs.stop()
        log.info("demo: stopped in %.2f s", time.monotonic() - stopping)
        _print(t("stopped"))


async def _users(
    hs: LocalSynapse, data: dict[str, Any], data_path: Path, directory: Path
) -> dict[str, dict[str, str]]:
    """The demo user's and the sample members' logins, kept in demo.json across starts.

    Logging in again at every start would add a device per user and start. The bot
    registers once; it keeps its own device in its storage dir.
    """
    known: dict[str, dict[str, str]] = data.get("users", {})
    if not known or not (directory / "data" / "matrix" / "credentials.json").exists():
        await hs.register_user(BOT_LOCALPART, data["bot_password"])
    wanted = {DEMO_LOCALPART: data["demo_password"]}
    wanted.update({m.localpart: data["member_password"] for m in MEMBERS})
    missing = [name for name in wanted if name not in known]
    made = await asyncio.gather(*(hs.register_user(name, wanted[name]) for name in missing))
    for name, user in zip(missing, made, strict=True):
        known[name] = {
            "user_id": user.user_id,
            "device_id": user.device_id,
            "access_token": user.access_token,
        }
    if missing:
        data["users"] = known
        _save(data_path, data)
    return {name: known[name] for name in wanted}


async def _sample_data(
    app: App, peers: dict[str, PeerClient], data: dict[str, Any], data_path: Path, t: Say
) -> None:
    assert app.services is not None
    lobby = app.services.network.lobby_room
    if lobby is None:
        return
    done: list[str] = list(data.get("sample_steps", []))
    members = {m.localpart: peers[m.localpart] for m in MEMBERS if m.localpart in peers}
    if all(
        step in done
        for step in [f"member:{m}" for m in members] + ["profile:demo", "cooperation", "series"]
    ):
        return
    _print(t("seeding"))

    def save(steps: list[str]) -> None:
        data["sample_steps"] = steps
        _save(data_path, data)

    async def meeting_ids(room_id: str) -> list[int]:
        return [m.id for m in await Meetings(app.db).active(room_id)]

    seeder = Seeder(
        bot_id=app.matrix.user_id,
        lobby=lobby,
        invite=app.matrix.invite,
        open_direct=app.matrix.direct_room,
        bot_in_room=lambda room_id: room_id in app.matrix.joined_rooms(),
        meeting_ids=meeting_ids,
        done=done,
        save=save,
    )
    try:
        await seeder.run(peers[DEMO_LOCALPART], members)
    except (MatrixError, TimeoutError) as exc:  # the demo still works without them
        log.warning("sample data incomplete: %s", exc)
        _print(t("seeding_incomplete", error=exc))


def _banner(app: App, hs: LocalSynapse, data: dict[str, Any], directory: Path, t: Say) -> None:
    web = app.settings.web
    names = ", ".join(m.localpart for m in MEMBERS)
    lines = [
        "",
        t("running"),
        t("banner_homeserver", url=hs.base_url),
        t("banner_element", url=hs.base_url, user=DEMO_LOCALPART, password=data["demo_password"]),
        t("banner_members", names=names, password=data["member_password"]),
    ]
    if app.web is not None:
        base = f"http://{web.host}:{web.port}"
        urls = "  ".join(base + path for path in ("/healthz", "/metrics", "/calendar.ics"))
        lines.append(t("banner_web", urls=urls))
    else:
        lines.append(t("banner_no_web", port=web.port))
    lines += [
        t("banner_bot_log", path=directory / LOG_FILE),
        t("banner_synapse_log", path=hs.log_path),
        t("banner_files", path=directory / FILES_DIR),
        "",
    ]
    _print("\n".join(lines))


def _color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@dataclass
class _Seen:
    sender: str
    content: dict[str, Any]
    saved: Path | None = None


@dataclass
class Chat:
    """The terminal chat: one user at a time (``/als``), one room at a time (``/raum``)."""

    app: App
    peers: dict[str, PeerClient]
    files: Path
    say: Say
    color: bool = False
    user: str = DEMO_LOCALPART
    room_id: str = ""
    unread: dict[str, int] = field(default_factory=dict)
    _seen: set[str] = field(default_factory=set)
    _listener: asyncio.Task[None] | None = None
    _last_message: float = 0.0

    @property
    def peer(self) -> PeerClient:
        return self.peers[self.user]

    @property
    def bot_id(self) -> str:
        return self.app.matrix.user_id

    async def run(self) -> int:
        await self._become(DEMO_LOCALPART)
        assert self.app.services is not None
        lobby = self.app.services.network.lobby_room
        if lobby is None:
            lobby = await self.peer.create_room(invite=[self.bot_id], name="koopbot Demo")
            await self._wait_rooms(lambda rooms: lobby in {r.room_id for r in rooms})
        self.room_id = lobby
        self._greeting()
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        _start_reader(asyncio.get_running_loop(), lines)
        try:
            while True:
                line = await lines.get()
                if line is None:
                    if not sys.stdin.isatty():
                        await self._settle()  # piped input: let the last answers arrive
                    return 0
                if not await self._handle(line):
                    return 0
        finally:
            await self._stop_listening()

    # users -----------------------------------------------------------------------

    async def _become(self, user: str) -> None:
        await self._stop_listening()
        self.user = user
        self.unread.clear()
        await self.peer.prime()
        self._listener = asyncio.create_task(self.peer.listen(self._on, join_invites=True))

    async def _stop_listening(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None

    async def _wait_rooms(self, check: Any, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        # nio has no event for "a sync changed the room list": poll it
        while not check(self.peer.rooms()) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)

    # incoming --------------------------------------------------------------------

    async def _on(self, room_id: str, sender: str, event_id: str, content: dict[str, Any]) -> None:
        if event_id in self._seen:
            return
        self._seen.add(event_id)
        self._last_message = time.monotonic()
        seen = _Seen(sender, content)
        if content.get("msgtype") == "m.file":
            seen.saved = await self._save_file(content)
        if sender == self.peer.user_id and content.get("msgtype") != "m.file":
            return
        if room_id == self.room_id:
            _print(self._format(seen))
            return
        self.unread[room_id] = self.unread.get(room_id, 0) + 1
        number, name = self._number(room_id)
        note = f"  · neu in [{number}] {name} von {self._who(sender)}"
        if seen.saved is not None:
            note += f" – Datei gespeichert: {seen.saved}"
        _print(self._dim(note + f"  (/raum {number})"))

    async def _save_file(self, content: dict[str, Any]) -> Path | None:
        url = content.get("url")
        if not isinstance(url, str) or not url.startswith("mxc://"):
            return None
        name = str(content.get("filename") or content.get("body") or "datei")
        name = re.sub(r"[^\w.\-äöüÄÖÜß ]+", "_", Path(name).name).strip() or "datei"
        try:
            data = await self.peer.download(url)
        except (MatrixError, Exception):
            return None
        self.files.mkdir(parents=True, exist_ok=True)
        target = self.files / name
        stem, suffix, n = target.stem, target.suffix, 1
        while target.exists() and target.read_bytes() != data:
            n += 1
            target = self.files / f"{stem}-{n}{suffix}"
        target.write_bytes(data)
        return target

    def _who(self, sender: str) -> str:
        if sender == self.bot_id:
            return "koopbot"
        if sender == self.peer.user_id:
            return "du"
        return sender[1:].split(":", 1)[0]

    def _format(self, seen: _Seen) -> str:
        who = self._who(seen.sender)
        if seen.saved is not None:
            text = f"📎 {seen.content.get('body', 'Datei')} – gespeichert: {seen.saved}"
        else:
            text = render_content(seen.content, color=self.color)
        lines = text.splitlines() or [""]
        head = f"{who} › "
        if self.color:
            head = f"{BOLD}{who}{RESET} › "
        pad = " " * (len(who) + 3)
        return "\n".join(
            ((head if i == 0 else pad) + line).rstrip() for i, line in enumerate(lines)
        )

    def _dim(self, text: str) -> str:
        return f"{DIM}{text}{RESET}" if self.color else text

    async def _settle(self, quiet: float = 1.5, limit: float = 8.0) -> None:
        """Wait until no message has come for ``quiet`` seconds (at most ``limit``)."""
        end = time.monotonic() + limit
        self._last_message = max(self._last_message, time.monotonic())
        while time.monotonic() < end and time.monotonic() - self._last_message < quiet:  # noqa: ASYNC110
            await asyncio.sleep(0.1)

    # rooms -----------------------------------------------------------------------

    def _rooms(self) -> list[tuple[str, str]]:
        """(room id, shown name) of the joined rooms, in a stable order: lobby first."""
        assert self.app.services is not None
        network = self.app.services.network
        lobby = network.lobby_room
        ordered = {room_id: i for i, room_id in enumerate(network.room_ids.values())}
        shown: list[tuple[tuple[int, int, str], str, str]] = []
        for room in self.peer.rooms():
            if room.is_space:
                continue
            name = _room_name(room)
            if room.room_id == lobby:
                rank = (0, 0, "")
            elif room.room_id in ordered:
                rank = (1, ordered[room.room_id], "")
            elif room.members <= 2 and not room.name:
                rank = (2, 0, name)
            else:
                rank = (3, 0, fold(name))
            shown.append((rank, room.room_id, name))
        return [(room_id, name) for _, room_id, name in sorted(shown)]

    def _number(self, room_id: str) -> tuple[int, str]:
        for i, (rid, name) in enumerate(self._rooms(), 1):
            if rid == room_id:
                return i, name
        return 0, room_id

    def _list_rooms(self) -> None:
        _print(self.say("rooms"))
        for i, (room_id, name) in enumerate(self._rooms(), 1):
            mark = "→" if room_id == self.room_id else " "
            new = self.unread.get(room_id, 0)
            extra = "  " + self.say("unread", n=new) if new else ""
            _print(f" {mark}{i:>2}  {name}{extra}")

    async def _switch(self, query: str) -> None:
        rooms = self._rooms()
        index = pick(query, [name for _, name in rooms])
        if index is None:
            _print(self.say("no_room", query=query))
            return
        await self._enter(*rooms[index])

    async def _enter(self, room_id: str, name: str) -> None:
        """Switch rooms and show its last messages (as the homeserver has them)."""
        self.room_id = room_id
        _print(f"── {name} ──")
        try:
            recent = await self.peer.recent(
                room_id, max(SHOWN_ON_SWITCH, self.unread.get(room_id, 0))
            )
        except MatrixError as exc:
            _print(self.say("history_failed", error=exc))
            recent = []
        for sender, event_id, content in recent:
            self._seen.add(event_id)
            seen = _Seen(sender, content)
            if content.get("msgtype") == "m.file":
                seen.saved = await self._save_file(content)
            _print(self._format(seen))
        self.unread.pop(room_id, None)

    def _greeting(self) -> None:
        _number, name = self._number(self.room_id)
        _print(self.say("greeting", user=self.peer.user_id, room=name))

    # input -----------------------------------------------------------------------

    async def _handle(self, line: str) -> bool:
        """Act on one typed line; False ends the chat."""
        parsed = parse_input(line)
        if parsed is None:
            return True
        if isinstance(parsed, Send):
            try:
                await self.peer.send_text(self.room_id, parsed.text)
            except MatrixError as exc:
                _print(self.say("not_sent", error=exc))
            return True
        return await self._command(parsed)

    async def _command(self, command: TerminalCommand) -> bool:
        if command.name == "quit":
            return False
        if command.name == "help":
            _print(self.say("help"))
        elif command.name == "rooms":
            self._list_rooms()
        elif command.name == "room":
            await self._switch(command.arg)
        elif command.name == "who":
            others = ", ".join(n for n in self.peers if n != self.user)
            _print(self.say("who", name=self.user, user=self.peer.user_id, others=others))
        elif command.name == "as":
            await self._act_as(command.arg)
        return True

    async def _act_as(self, query: str) -> None:
        names = list(self.peers)
        index = pick(query, names)
        if index is None:
            _print(self.say("no_member", query=query, names=", ".join(names)))
            return
        previous_room = self.room_id
        await self._become(names[index])
        await self._wait_rooms(lambda rooms: bool(rooms))
        joined = {room_id for room_id, _ in self._rooms()}
        assert self.app.services is not None
        lobby = self.app.services.network.lobby_room or previous_room
        self.room_id = previous_room if previous_room in joined else lobby
        _number, name = self._number(self.room_id)
        _print(self.say("acting_as", name=self.user, user=self.peer.user_id, room=name))


def _room_name(room: PeerRoom) -> str:
    if room.name:
        return room.name
    if room.members <= 2:
        return f"Direktchat mit {room.display_name}"
    return room.display_name
