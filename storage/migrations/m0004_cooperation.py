"""Cooperation tracker: one cooperation per room, its ticked checklist items, its
agreement fields and its review schedule.

User ids live in ``created_by``, ``ticked_by`` and ``set_by`` only, so "forget me" can
anonymise them without touching the cooperation itself.
"""

from storage.migrations import Migration

MIGRATION = Migration(
    version=4,
    name="cooperation",
    statements=(
        "CREATE TABLE cooperations ("
        " id INTEGER PRIMARY KEY, room_id TEXT NOT NULL UNIQUE, title TEXT NOT NULL,"
        " created_by TEXT, created_at TEXT NOT NULL,"
        # the command's event id: a replayed `!kooperation neu` finds its own row
        " source_event_id TEXT UNIQUE,"
        # end date (ISO date) read from the Laufzeit field, for the term-end reminder
        " term_end TEXT,"
        # quality-review schedule: first review (UTC), RRULE (NULL = once), its zone,
        # and a stamp that tells jobs of an older schedule apart
        " review_first TEXT, review_rrule TEXT, review_tz TEXT, review_stamp TEXT,"
        " updated_at TEXT NOT NULL)",
        "CREATE TABLE cooperation_ticks ("
        " cooperation_id INTEGER NOT NULL REFERENCES cooperations(id) ON DELETE CASCADE,"
        " item_id TEXT NOT NULL, ticked_by TEXT, ticked_at TEXT NOT NULL,"
        " PRIMARY KEY (cooperation_id, item_id))",
        "CREATE TABLE cooperation_fields ("
        " cooperation_id INTEGER NOT NULL REFERENCES cooperations(id) ON DELETE CASCADE,"
        " field TEXT NOT NULL, value TEXT NOT NULL, set_by TEXT, set_at TEXT NOT NULL,"
        " PRIMARY KEY (cooperation_id, field))",
    ),
)
