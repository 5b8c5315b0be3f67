"""One-tap choices ("Meinst du …?") and the coordinators' answers to open questions."""

from storage.migrations import Migration

MIGRATION = Migration(
    version=10,
    name="answers",
    statements=(
        # The last "Meinst du …?" offered to a person in a room: the numbered candidate
        # entries (JSON list of ids), the reply's event (for 1️⃣-3️⃣ reactions) and the
        # open question it came from; replaced by the next offer, void after expires_at.
        "CREATE TABLE answer_choices ("
        " room_id TEXT NOT NULL, sender TEXT NOT NULL, candidates TEXT NOT NULL,"
        " lang TEXT NOT NULL, reply_event TEXT, question_id INTEGER,"
        " expires_at TEXT NOT NULL, PRIMARY KEY (room_id, sender))",
        "CREATE INDEX answer_choices_reply ON answer_choices(reply_event)",
        # A coordinator's answer (!antwort) to an open question: a network content entry
        # (source: the coordination, dated), loaded into the search index at start.
        "CREATE TABLE network_answers ("
        " id INTEGER PRIMARY KEY, question_id INTEGER, question TEXT NOT NULL,"
        " answer TEXT NOT NULL, lang TEXT NOT NULL, answered_by TEXT NOT NULL,"
        " answered_at TEXT NOT NULL)",
        "ALTER TABLE unanswered_questions ADD COLUMN answer_id INTEGER",
    ),
)
