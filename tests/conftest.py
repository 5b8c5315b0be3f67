"""Session-wide guards for the whole suite."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from typing import Any

import pytest

from tests.built import BUILT_DIR_ENV

EXIT_STATUS = pytest.StashKey[int]()
BUILT_DIR = pytest.StashKey[str]()


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


def pytest_configure(config: pytest.Config) -> None:
    """The run's folder for ``tests.built.built_once``: made by the main process, so that
    its xdist workers (which inherit the environment) share one build of an index."""
    if hasattr(config, "workerinput") or os.environ.get(BUILT_DIR_ENV):
        return
    os.environ[BUILT_DIR_ENV] = tempfile.mkdtemp(prefix="koopbot-built-")
    config.stash[BUILT_DIR] = os.environ[BUILT_DIR_ENV]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[EXIT_STATUS] = exitstatus
    folder = session.config.stash.get(BUILT_DIR, None)
    if folder is not None:  # the main process, after its workers have ended
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(BUILT_DIR_ENV, None)


# Test files whose tests share one expensive process or server and run in order (the demo's
# module ends and restarts its demo), or share a module fixture that costs far more than
# its tests (test_privacy_generated's world of seven clients and a bot: spread over the
# workers, each built it, about a minute apiece): `make test` (`--dist loadgroup`) sends
# all tests of such a file to one worker; every other test goes to whichever worker is
# free. By file, because pytest 9.2's structured node ids broke xdist's own `xdist_group`
# mark (pytest-xdist issue 1386: the tests are then spread silently).
ONE_WORKER_FILES = frozenset(
    {
        "tests/integration/test_demo.py",
        "tests/integration/test_homeserver.py",
        "tests/integration/test_privacy_generated.py",
    }
)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class FileGroups(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if path in ONE_WORKER_FILES else super()._split_scope(nodeid)

    return FileGroups(config, log)
