"""Rewordings: later questions a coordinator filed under an earlier answer."""

from storage.migrations import Migration

MIGRATION = Migration(
    version=13,
    name="rewordings",
    statements=(
        # `!antwort <nr> siehe <m>`: open question <nr> gets the answer of question <m>;
        # its text becomes a further phrasing of that network answer (no second entry).
        "CREATE TABLE answer_rewordings ("
        " id INTEGER PRIMARY KEY, answer_id INTEGER NOT NULL, question_id INTEGER,"
        " question TEXT NOT NULL, added_at TEXT NOT NULL)",
        "CREATE INDEX answer_rewordings_answer ON answer_rewordings(answer_id)",
    ),
)
