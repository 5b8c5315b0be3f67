"""Persistence: aiosqlite in WAL mode, migrations, one repository per aggregate."""

from storage.db import DATABASE_FILE, Database, StorageError, Tx
from storage.migrations import MIGRATIONS, Migration

__all__ = ["DATABASE_FILE", "MIGRATIONS", "Database", "Migration", "StorageError", "Tx"]
