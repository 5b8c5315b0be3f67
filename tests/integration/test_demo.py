"""``koopbot demo`` as a newcomer uses it: a subprocess fed through standard input.

The demo starts its own Synapse in a temporary folder, makes the sample data through
the bot, and is then driven like a terminal: ``!hilfe`` (readable, no Markdown), room
list and switch, acting as a sample member, a file saved, Ctrl-C. A second start on the
same folder must not duplicate the sample data.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("synapse", reason="matrix-synapse (dev extra) is not installed")

READY = "Schreib z. B. !hilfe"
FIRST_START = 240.0  # a fresh Synapse plus the sample data, on a busy machine
MARKS = re.compile(
    r"`|\*\*|^\s*#|\|\s*-{3}|</?(p|br|strong|em|code|ul|ol|li|h\d|table|tr|td|th|a|blockquote)\b"
)


class Demo:
    """The demo process; its output lines are collected by a reader thread."""

    def __init__(self, directory: Path) -> None:
        env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "demo", "--dir", str(directory)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            bufsize=1,
            env=env,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        """Read lines until one matches ``pattern``; fail with the output seen so far."""
        wanted = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            self.output.append(line)
            found = wanted.search(line)
            if found:
                return found
        tail = "\n".join(self.output[-40:])
        pytest.fail(f"no line matching {pattern!r}; last output:\n{tail}")

    def block(self, quiet: float = 2.0, timeout: float = 30.0) -> list[str]:
        """The lines that arrive until none has come for ``quiet`` seconds."""
        got: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=quiet)
            except queue.Empty:
                if got:
                    break
                continue
            if line is None:
                break
            self.output.append(line)
            got.append(line)
        return got

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def ask(self, line: str, until: str, timeout: float = 30.0) -> list[str]:
        """Send a line; the lines up to the first matching ``until`` plus what follows."""
        start = len(self.output)
        self.send(line)
        self.expect(until, timeout)
        self.block(quiet=1.0, timeout=10)
        return self.output[start:]

    def interrupt(self, timeout: float = 10.0) -> float:
        """Ctrl-C; the seconds until the whole demo has exited."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout)
        return time.monotonic() - started

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def readable(lines: list[str]) -> bool:
    return not any(MARKS.search(line) for line in lines)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="module")
def demo(demo_dir: Path) -> Iterator[Demo]:
    running = Demo(demo_dir)
    try:
        running.expect(re.escape(READY), timeout=FIRST_START)
        yield running
    finally:
        running.kill()


def test_start_screen_tells_how_to_log_in_and_where_things_are(demo: Demo) -> None:
    text = "\n".join(demo.output)
    homeserver = re.search(r"Homeserver:\s+(http://127\.0\.0\.1:\d+)", text)
    assert homeserver, text
    assert re.search(r"Benutzer demo, Passwort \S+", text)
    health = re.search(r"(http://127\.0\.0\.1:\d+/healthz)", text)
    assert health, text
    with urllib.request.urlopen(health.group(1), timeout=10) as answer:  # the bot's web port
        assert answer.status == 200
    assert "/metrics" in text and "/calendar.ics" in text
    log = re.search(r"Log des Bots:\s+(\S+)", text)
    assert log and Path(log.group(1)).exists()
    assert "Lege Beispieldaten an" in text


def test_help_reply_is_readable_text(demo: Demo) -> None:
    lines = demo.ask("!hilfe", r"^koopbot › ")
    reply = [line for line in lines if line.strip()]
    assert len(reply) >= 3, lines
    assert readable(reply), "\n".join(reply)


def test_rooms_are_listed_with_numbers_and_switching_shows_history(demo: Demo) -> None:
    lines = demo.ask("/räume", r"^\s*→?\s*1\s+Netzwerk Kooperationen")
    listing = "\n".join(lines)
    assert re.search(r"\d+\s+Direktchat mit koopbot", listing), listing
    assert re.search(r"\d+\s+Kooperation Musikschule Am Rhein", listing), listing
    assert re.search(r"\d+\s+Läuft!", listing), listing
    lines = demo.ask("/raum kooperation musikschule", r"^── Kooperation Musikschule")
    assert any(line.startswith("koopbot › ") for line in lines), lines  # its history


def test_cooperation_room_has_progress_and_a_draft_file_is_saved(demo: Demo) -> None:
    lines = demo.ask("!kooperation", r"^koopbot › Kooperation")
    text = "\n".join(lines)
    assert "✓" in text and "Laufzeit" in text, text
    assert readable(lines), text
    demo.send("!vereinbarung entwurf")
    saved = demo.expect(r"gespeichert: (\S+\.md)$")
    path = Path(saved.group(1))
    assert path.read_text(encoding="utf-8").startswith("# ")
    assert "Musikschule Am Rhein" in path.read_text(encoding="utf-8")


def test_acting_as_a_sample_member_in_her_direct_chat(demo: Demo) -> None:
    demo.ask("/als anna", r"Du schreibst jetzt als anna")
    lines = demo.ask("/raum direkt", r"^── Direktchat mit koopbot")
    assert any(line.startswith("koopbot › ") for line in lines), lines
    assert "!hilfe" in "\n".join(lines), lines  # the bot's welcome ends her direct chat
    lines = demo.ask("!profil", r"^koopbot › ")
    assert "Bonn" in "\n".join(lines), lines  # Anna's own profile, not the demo user's


def test_the_demo_user_finds_partners_peers_a_cluster_and_the_series(demo: Demo) -> None:
    demo.ask("/als demo", r"Du schreibst jetzt als demo")
    demo.ask("/raum direkt", r"^── Direktchat mit koopbot")  # suggestions are personal
    partners = "\n".join(demo.ask("!partner", r"^koopbot › "))
    # by id or by name: a sample member from another kind of institution
    assert re.search(r"(?i)\b(ben|carla)\b", partners), partners
    peers = "\n".join(demo.ask("!austausch", r"^koopbot › "))
    assert re.search(r"(?i)\b(anna|david)\b", peers), peers  # other music schools
    demo.ask("/raum 1", r"^── Netzwerk Kooperationen")
    clusters = "\n".join(demo.ask("!cluster", r"^koopbot › "))
    assert "Digitalisierung im Ganztag" in clusters, clusters
    meetings = "\n".join(demo.ask("!termine", r"^koopbot › "))
    assert "Netzwerktreffen" in meetings, meetings


def test_terminal_help_lists_its_commands(demo: Demo) -> None:
    text = "\n".join(demo.ask("/hilfe", r"/als"))
    for word in ("/räume", "/raum", "/als", "/ende"):
        assert word in text


def test_ctrl_c_ends_the_whole_demo(demo: Demo) -> None:
    seconds = demo.interrupt(timeout=10)
    print(f"\nCtrl-C to exit: {seconds:.2f} s")
    assert demo.proc.returncode == 0
    demo.block(quiet=0.5, timeout=2)
    assert "koopbot demo beendet." in demo.output


def test_a_second_start_keeps_the_sample_data_single(demo: Demo, demo_dir: Path) -> None:
    assert demo.proc.poll() is not None  # the first run has ended
    again = Demo(demo_dir)
    try:
        again.expect(re.escape(READY), timeout=FIRST_START)
        assert not any("Lege Beispieldaten an" in line for line in again.output)
        again.interrupt(timeout=10)
    finally:
        again.kill()
    db = sqlite3.connect(demo_dir / "data" / "koopbot.db")
    try:
        counts = {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("cooperations", "meetings", "profiles", "cluster_interests")
        }
    finally:
        db.close()
    assert counts == {"cooperations": 1, "meetings": 1, "profiles": 5, "cluster_interests": 3}
