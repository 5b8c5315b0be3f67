"""Persistence: aiosqlite in WAL mode, migrations, one repository per aggregate."""

from storage.db import Database, StorageError, Tx
from storage.migrations import MIGRATIONS, Migration

__all__ = ["MIGRATIONS", "Database", "Migration", "StorageError", "Tx"]
