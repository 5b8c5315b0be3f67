"""👎 on an answer: which bot reply carried which curated answer, and what members flagged."""

from storage.migrations import Migration

MIGRATION = Migration(
    version=14,
    name="feedback",
    statements=(
        # One row per curated answer the bot gave (not "Meinst du …?", not small talk):
        # the reply's event (for a 👎 reaction), who asked what, which entry answered.
        # Pruned after 30 days; flagged_at/question_id are set once, by the asker's 👎.
        "CREATE TABLE answered_questions ("
        " reply_event TEXT PRIMARY KEY, room_id TEXT NOT NULL, user_id TEXT NOT NULL,"
        " question TEXT NOT NULL, entry_id TEXT NOT NULL, lang TEXT NOT NULL,"
        " score INTEGER NOT NULL DEFAULT 0, answered_at TEXT NOT NULL,"
        " flagged_at TEXT, question_id INTEGER)",
        "CREATE INDEX answered_questions_asker ON answered_questions(room_id, user_id)",
        # every answer prunes the rows older than 30 days: by index, not a table scan
        "CREATE INDEX answered_questions_age ON answered_questions(answered_at)",
        # A flagged (entry, question) pair: a network refused question, loaded into the
        # search index at start beside the shipped ones (content/data/refused.yaml).
        "CREATE TABLE refused_questions ("
        " id INTEGER PRIMARY KEY, entry_id TEXT NOT NULL, question TEXT NOT NULL,"
        " user_id TEXT NOT NULL, added_at TEXT NOT NULL)",
        "CREATE INDEX refused_questions_user ON refused_questions(user_id)",
    ),
)
