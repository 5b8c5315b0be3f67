"""Core tables: sync position, handled events, errors, jobs and their sent-log."""

from storage.migrations import Migration

MIGRATION = Migration(
    version=1,
    name="core",
    statements=(
        "CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        # Every event the bot must act on is stored here in the same transaction as the
        # sync token, then handled; a crash in between replays it, never loses it.
        "CREATE TABLE inbox ("
        " event_id TEXT PRIMARY KEY, room_id TEXT NOT NULL, kind TEXT NOT NULL,"
        " payload TEXT NOT NULL, received_at TEXT NOT NULL, done_at TEXT)",
        "CREATE INDEX inbox_open ON inbox(done_at, received_at)",
        "CREATE TABLE error_log ("
        " ref TEXT PRIMARY KEY, at TEXT NOT NULL, room_id TEXT, sender TEXT,"
        " command TEXT, error TEXT NOT NULL)",
        # Timed work (reminders, digests, reviews). The row is the truth; the scheduler
        # only mirrors pending rows. (kind, ref) is unique: scheduling twice is a no-op.
        "CREATE TABLE jobs ("
        " id INTEGER PRIMARY KEY, kind TEXT NOT NULL, ref TEXT NOT NULL,"
        " due_at TEXT NOT NULL, not_after TEXT, payload TEXT NOT NULL DEFAULT '{}',"
        " state TEXT NOT NULL DEFAULT 'pending', done_at TEXT, note TEXT,"
        " UNIQUE(kind, ref))",
        "CREATE INDEX jobs_pending ON jobs(state, due_at)",
        # Exactly-once: a message key is posted once; the txn id makes a retry idempotent.
        "CREATE TABLE sent_log ("
        " key TEXT PRIMARY KEY, room_id TEXT NOT NULL, event_id TEXT, sent_at TEXT NOT NULL)",
        "CREATE TABLE user_settings (user_id TEXT PRIMARY KEY, lang TEXT)",
        "CREATE TABLE direct_rooms (user_id TEXT PRIMARY KEY, room_id TEXT NOT NULL)",
    ),
)
