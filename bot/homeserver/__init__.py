"""A throw-away Synapse on loopback for ``koopbot demo`` and the integration tests.

Why a subprocess and not Docker: matrix-synapse installs from PyPI into the dev venv, starts
on a fresh SQLite database in about two seconds, and needs nothing but loopback. It is only
a dev/demo dependency, so ``synapse`` and ``signedjson`` are imported lazily, never at module
import time.

Errors: everything that goes wrong talking to or running the server raises
``HomeserverError`` (its ``status`` and ``errcode`` are set for HTTP answers).

One job per module: ``config`` (homeserver.yaml, signing key), ``process`` (start, stop,
kill, restart), ``users`` (registration, login, admin calls; ``LocalSynapse``).
"""

from bot.homeserver.config import build_config
from bot.homeserver.errors import HomeserverError
from bot.homeserver.process import free_port
from bot.homeserver.users import LocalSynapse, RegisteredUser

__all__ = [
    "HomeserverError",
    "LocalSynapse",
    "RegisteredUser",
    "build_config",
    "free_port",
]
