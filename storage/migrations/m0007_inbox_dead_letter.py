"""Dead letters of the inbox: attempts per event, and events parked after too many."""

from storage.migrations import Migration

MIGRATION = Migration(
    version=7,
    name="inbox_dead_letter",
    statements=(
        # attempts is counted up before each try (so a try that kills the process counts
        # too); after the last allowed try the event is parked: kept for inspection with
        # its reference id and error, never replayed again.
        "ALTER TABLE inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE inbox ADD COLUMN parked_at TEXT",
        "ALTER TABLE inbox ADD COLUMN parked_ref TEXT",
        "ALTER TABLE inbox ADD COLUMN error TEXT",
        "CREATE INDEX inbox_parked ON inbox(parked_at)",
    ),
)
