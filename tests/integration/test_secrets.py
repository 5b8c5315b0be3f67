"""Secrets never reach the log; secret files are readable by the owner only."""

from __future__ import annotations

import json
import logging
import stat
from typing import Any

import pytest

from bot.logsetup import SecretFilter
from tests.integration.test_backbone import ask, room_with_bot


async def test_no_secret_in_logs_and_files_are_0600(
    client_factory: Any, bot_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for handler in logging.getLogger().handlers:
        handler.addFilter(SecretFilter())
    bot = await bot_factory(encryption=True)
    alice = await client_factory("alice")
    room_id = await room_with_bot(alice, bot)
    await ask(alice, room_id, "!hilfe")
    await bot.restart()
    await ask(alice, room_id, "!hilfe")

    matrix_dir = bot.data_dir / "matrix"
    credentials = matrix_dir / "credentials.json"
    pickle_key = matrix_dir / "pickle.key"
    for path in (credentials, pickle_key):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    token = json.loads(credentials.read_text())["access_token"]
    secrets = [token, pickle_key.read_text().strip(), bot.password]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged, "the bot logged something"
    for secret in secrets:
        assert secret not in logged


def test_secret_filter_masks_tokens() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, "f", 1, "GET /sync?access_token=syt_abc123 done", (), None
    )
    SecretFilter().filter(record)
    assert "syt_abc123" not in record.getMessage()
