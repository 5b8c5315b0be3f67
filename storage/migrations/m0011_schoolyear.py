"""School year: series that skip the holidays, and date polls (native Matrix polls).

``meetings.holiday_state`` is the German state whose school and public holidays a
series leaves out (NULL: none). A date poll keeps its dates (one answer each), the last
response of each member, and how it ended: ``closing`` is written before the poll end
event is sent and the meeting created, so a crash in between is finished at the next
start, exactly once (the meeting's ``source_event_id`` is ``date-poll:<id>``).
"""

from storage.migrations import Migration

MIGRATION = Migration(
    version=11,
    name="schoolyear",
    statements=(
        "ALTER TABLE meetings ADD COLUMN holiday_state TEXT",
        "CREATE TABLE date_polls ("
        " id INTEGER PRIMARY KEY, room_id TEXT NOT NULL, title TEXT NOT NULL,"
        " duration_minutes INTEGER NOT NULL, tz TEXT NOT NULL,"
        " created_by TEXT NOT NULL, created_at TEXT NOT NULL,"
        " source_event_id TEXT UNIQUE, start_event_id TEXT UNIQUE,"
        " deadline_utc TEXT,"
        " state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closing', 'closed')),"
        " ended_at_ms INTEGER, closed_by TEXT, winner TEXT, end_event_id TEXT,"
        " meeting_id INTEGER)",
        "CREATE INDEX date_polls_room ON date_polls(room_id, state)",
        "CREATE TABLE date_poll_options ("
        " poll_id INTEGER NOT NULL REFERENCES date_polls(id) ON DELETE CASCADE,"
        " answer_id TEXT NOT NULL, position INTEGER NOT NULL, start_utc TEXT NOT NULL,"
        " PRIMARY KEY (poll_id, answer_id))",
        # the last response of each member; answers is a JSON list of answer ids
        "CREATE TABLE date_poll_votes ("
        " poll_id INTEGER NOT NULL REFERENCES date_polls(id) ON DELETE CASCADE,"
        " user_id TEXT NOT NULL, answers TEXT NOT NULL, event_id TEXT NOT NULL,"
        " ts_ms INTEGER NOT NULL, PRIMARY KEY (poll_id, user_id))",
        "CREATE INDEX date_poll_votes_event ON date_poll_votes(event_id)",
    ),
)
