"""Everything stored about one person: export it, or erase it.

Why generic: features add tables over time; a per-table list would silently miss a new
one. Every table and text column is inspected. Rows *owned* by the person (the user id
is in the primary key or in an owner column) are deleted; everywhere else the id is
replaced by a neutral marker, so shared records (who ticked an item) stay consistent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storage.db import Database, Tx

ANONYMOUS = "[gelöscht]"
OWNER_COLUMNS = {"user_id", "member", "member_id", "sender_id", "owner"}
SKIP_TABLES = {"schema_migrations", "sqlite_sequence"}


@dataclass(frozen=True)
class Column:
    name: str
    primary: bool
    text: bool


async def _tables(tx: Tx) -> dict[str, list[Column]]:
    rows = await tx.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    tables: dict[str, list[Column]] = {}
    for row in rows:
        name = row["name"]
        if name in SKIP_TABLES:
            continue
        info = await tx.fetchall(f'PRAGMA table_info("{name}")')
        tables[name] = [
            Column(c["name"], bool(c["pk"]), (c["type"] or "").upper() in ("TEXT", ""))
            for c in info
        ]
    return tables


async def export_user(db: Database, user_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every row that mentions the user, per table."""
    result: dict[str, list[dict[str, Any]]] = {}
    async with db.transaction() as tx:
        for table, columns in (await _tables(tx)).items():
            text_columns = [c.name for c in columns if c.text]
            if not text_columns:
                continue
            where = " OR ".join(f'instr("{c}", ?) > 0' for c in text_columns)
            rows = await tx.fetchall(
                f'SELECT * FROM "{table}" WHERE {where}', [user_id] * len(text_columns)
            )
            if rows:
                result[table] = [dict(row) for row in rows]
    return result


async def forget_user(db: Database, user_id: str) -> dict[str, int]:
    """Delete owned rows and anonymise every other mention; returns counts per table."""
    counts: dict[str, int] = {}
    async with db.transaction() as tx:
        for table, columns in (await _tables(tx)).items():
            owners = [c.name for c in columns if c.text and (c.primary or c.name in OWNER_COLUMNS)]
            changed = 0
            for column in owners:
                changed += await tx.execute(
                    f'DELETE FROM "{table}" WHERE "{column}" = ?', (user_id,)
                )
            for column in (c.name for c in columns if c.text):
                try:
                    changed += await tx.execute(
                        f'UPDATE "{table}" SET "{column}" = replace("{column}", ?, ?)'
                        f' WHERE instr("{column}", ?) > 0',
                        (user_id, ANONYMOUS, user_id),
                    )
                except Exception:  # a unique key may collide: then the row goes
                    changed += await tx.execute(
                        f'DELETE FROM "{table}" WHERE instr("{column}", ?) > 0', (user_id,)
                    )
            if changed:
                counts[table] = changed
    return counts


async def mentions(db: Database, user_id: str) -> int:
    """How many rows still mention the user anywhere (0 after ``forget_user``)."""
    return sum(len(rows) for rows in (await export_user(db, user_id)).values())
