"""Session-wide guards for the whole suite."""

from __future__ import annotations

import os
import sys
import threading

import pytest

EXIT_STATUS = pytest.StashKey[int]()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """A non-daemon thread left running (e.g. an unclosed aiosqlite connection) would
    keep the test process alive forever and CI would hang instead of reporting. Name the
    leak and leave with a failing status instead."""
    leaked = [
        t
        for t in threading.enumerate()
        if t is not threading.main_thread() and not t.daemon and t.is_alive()
    ]
    if not leaked:
        return
    names = ", ".join(t.name for t in leaked)
    sys.stderr.write(f"\nleaked non-daemon threads at exit: {names}\n")
    sys.stderr.flush()
    sys.stdout.flush()
    status = config.stash.get(EXIT_STATUS, 1) or 1
    os._exit(status)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[EXIT_STATUS] = exitstatus
