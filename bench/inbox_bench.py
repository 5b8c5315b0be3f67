"""Cost of the inbox's bookkeeping per command (storing, counting a try, closing).

Run: .venv/bin/python bench/inbox_bench.py [N]   (from the checkout to measure)

Each command costs Inbox.accept (with the sync token), Inbox.begin_attempt before it runs
and Inbox.done after it; the first two are on the path to the reply. Mean time per call
over N events on a fresh database in a temp directory.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.getcwd())

from storage import Database
from storage.core import Inbox


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "k.db")
        await db.open()
        inbox = Inbox(db)
        t0 = time.perf_counter()
        for i in range(n):
            await inbox.accept([(f"$e{i}", "!r:x", "message", "{}")], f"s{i}")
        t1 = time.perf_counter()
        for i in range(n):
            await inbox.begin_attempt(f"$e{i}")
        t2 = time.perf_counter()
        for i in range(n):
            await inbox.done(f"$e{i}")
        t3 = time.perf_counter()
        await db.close()
    per = [(b - a) / n * 1000 for a, b in ((t0, t1), (t1, t2), (t2, t3))]
    print(f"accept {per[0]:.3f} ms  begin_attempt {per[1]:.3f} ms  done {per[2]:.3f} ms")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
