"""Structured logging: one line per event, secrets never printed."""

from __future__ import annotations

import logging
import re
from pathlib import Path

_SECRET = re.compile(
    r"((?:access_token|password|pickle_key|refresh_token)[\"']?\s*[:=]\s*[\"']?|Bearer\s+)"
    r"[^\s\"'&,}]+",
    re.IGNORECASE,
)
_SYNAPSE_TOKEN = re.compile(r"\bsy[tr]_[A-Za-z0-9_\-]+")


class SecretFilter(logging.Filter):
    """Masks access tokens that a library might put into a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        lowered = message.lower()
        if any(word in lowered for word in ("token", "bearer", "password", "pickle", "syt_")):
            record.msg = _SYNAPSE_TOKEN.sub("***", _SECRET.sub(r"\1***", message))
            record.args = ()
        return True


def setup_logging(level: str = "INFO", path: Path | None = None) -> None:
    """One handler on the root logger: stderr, or the file ``path`` (the demo's log)."""
    handler: logging.Handler
    if path is None:
        handler = logging.StreamHandler()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(
        logging.Formatter("%(asctime)s level=%(levelname)s logger=%(name)s %(message)s")
    )
    handler.addFilter(SecretFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("nio", "apscheduler", "aiohttp.access", "peewee"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
