"""Meetings: series with per-occurrence exceptions, RSVPs, notes, materials, reminders.

Times: ``start_utc`` is the instant of the first meeting, ``start_local`` its wall time
in ``tz``; a series is expanded on the wall time so 16:00 stays 16:00 across DST.
"""

from storage.migrations import Migration

MIGRATION = Migration(
    version=3,
    name="meetings",
    statements=(
        "CREATE TABLE meetings ("
        " id INTEGER PRIMARY KEY, room_id TEXT NOT NULL, title TEXT NOT NULL,"
        " start_utc TEXT NOT NULL, start_local TEXT NOT NULL, tz TEXT NOT NULL,"
        " duration_minutes INTEGER NOT NULL, rrule TEXT, link TEXT,"
        " created_by TEXT NOT NULL, created_at TEXT NOT NULL,"
        # the command's event id: a replayed command finds its meeting instead of a twin
        " source_event_id TEXT UNIQUE, announcement_event_id TEXT,"
        " cancelled INTEGER NOT NULL DEFAULT 0, sequence INTEGER NOT NULL DEFAULT 0,"
        " updated_at TEXT NOT NULL)",
        "CREATE INDEX meetings_room ON meetings(room_id, cancelled)",
        "CREATE INDEX meetings_announcement ON meetings(announcement_event_id)",
        # One row per changed occurrence of a series, keyed by its original start.
        "CREATE TABLE meeting_exceptions ("
        " meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
        " original_utc TEXT NOT NULL, cancelled INTEGER NOT NULL DEFAULT 0,"
        " new_start_utc TEXT, new_start_local TEXT,"
        " PRIMARY KEY (meeting_id, original_utc))",
        "CREATE TABLE meeting_rsvps ("
        " meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
        " user_id TEXT NOT NULL, going INTEGER NOT NULL, reaction_event_id TEXT,"
        " updated_at TEXT NOT NULL, PRIMARY KEY (meeting_id, user_id))",
        "CREATE INDEX meeting_rsvps_reaction ON meeting_rsvps(reaction_event_id)",
        # Notes and materials per occurrence ('' for a single meeting).
        "CREATE TABLE meeting_notes ("
        " id INTEGER PRIMARY KEY,"
        " meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
        " occurrence TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('note', 'material')),"
        " text TEXT NOT NULL, url TEXT, author TEXT NOT NULL, created_at TEXT NOT NULL,"
        " source_event_id TEXT UNIQUE)",
        "CREATE INDEX meeting_notes_occurrence ON meeting_notes(meeting_id, occurrence)",
        # Reminders actually posted (which one was the first of an occurrence).
        "CREATE TABLE meeting_reminders ("
        " meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
        " occurrence_utc TEXT NOT NULL, offset_seconds INTEGER NOT NULL,"
        " event_id TEXT, sent_at TEXT NOT NULL,"
        " PRIMARY KEY (meeting_id, occurrence_utc, offset_seconds))",
        "CREATE INDEX meeting_reminders_event ON meeting_reminders(event_id)",
    ),
)
