"""Inbox.begin_attempt counts tries the same way with and without UPDATE … RETURNING."""

from __future__ import annotations

from pathlib import Path

import pytest

import storage.core
from storage import Database
from storage.core import Inbox, KeyValue


@pytest.mark.parametrize("returning", [True, False])
async def test_each_try_is_counted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, returning: bool
) -> None:
    monkeypatch.setattr(storage.core, "_RETURNING", returning)
    db = Database(tmp_path / "k.db")
    await db.open()
    try:
        inbox = Inbox(db)
        rows = [("$e", "!r:x", "message", "{}"), ("$f", "!r:x", "message", "{}")]
        assert await inbox.accept(rows, "s1") == ["$e", "$f"]
        # a sync that brings them again (a replay) stores nothing new, but the token
        assert await inbox.accept([*rows, ("$g", "!r:x", "message", "{}")], "s2") == ["$g"]
        assert await KeyValue(db).get("next_batch") == "s2"
        assert [await inbox.begin_attempt("$e") for _ in range(3)] == [1, 2, 3]
        assert await inbox.begin_attempt("$f") == 1
        assert await inbox.begin_attempt("$unknown") == 0
        async with db.transaction():  # inside a command's transaction it joins it
            assert await inbox.begin_attempt("$f") == 2
    finally:
        await db.close()
