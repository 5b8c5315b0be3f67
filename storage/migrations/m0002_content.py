"""Questions the bot could not answer from curated content, for the curators."""

from storage.migrations import Migration

MIGRATION = Migration(
    version=2,
    name="content",
    statements=(
        "CREATE TABLE unanswered_questions ("
        " id INTEGER PRIMARY KEY, asked_at TEXT NOT NULL, sender TEXT, room_id TEXT,"
        " question TEXT NOT NULL, lang TEXT NOT NULL, best_score INTEGER NOT NULL,"
        " suggestions TEXT NOT NULL DEFAULT '[]', resolved INTEGER NOT NULL DEFAULT 0)",
        "CREATE INDEX unanswered_open ON unanswered_questions(resolved, asked_at)",
    ),
)
