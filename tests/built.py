"""Expensive test objects built once per test run and handed out as copies."""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

_BUILT: dict[str, bytes] = {}

# the folder where the test workers of one run leave what they built (tests/conftest.py)
BUILT_DIR_ENV = "KOOPBOT_TEST_BUILT_DIR"


def _built_bytes(key: str, build: Callable[[], T]) -> bytes:
    """``build()`` pickled: by the first test process of the run that needs it, which
    leaves it in the run's folder for the other workers (each would otherwise spend the
    same seconds of the shared CPUs on it); the others wait for it and read it."""
    folder = os.environ.get(BUILT_DIR_ENV)
    if not folder or not Path(folder).is_dir():
        return pickle.dumps(build())
    name = hashlib.sha256(key.encode()).hexdigest()[:32]
    done = Path(folder) / f"{name}.pickle"
    with open(Path(folder) / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if done.exists():
            return done.read_bytes()
        data = pickle.dumps(build())
        part = done.with_suffix(f".{os.getpid()}.part")
        part.write_bytes(data)
        part.replace(done)  # a reader sees all of it or nothing
        return data


def built_once(key: str, build: Callable[[], T]) -> T:
    """``build()``, run once per test run for ``key`` and kept pickled: every caller
    gets its own unpickled copy (a content index: 0.1 s against a 3 s build; a test may
    change its copy, nothing is shared between tests)."""
    if key not in _BUILT:
        _BUILT[key] = _built_bytes(key, build)
    copy: T = pickle.loads(_BUILT[key])
    return copy
