"""Room upgrades (m.room.tombstone): which room replaced which, and when the bot moved
the old room's data (cooperation, meetings, reminders, settings, registry) over."""

from storage.migrations import Migration

MIGRATION = Migration(
    version=9,
    name="room_upgrades",
    statements=(
        # moved_at is NULL while the bot waits to get into the new room (an invite).
        "CREATE TABLE room_upgrades ("
        " old_room_id TEXT PRIMARY KEY, new_room_id TEXT NOT NULL,"
        " seen_at TEXT NOT NULL, moved_at TEXT, moved_rows INTEGER)",
        "CREATE INDEX room_upgrades_new ON room_upgrades(new_room_id)",
    ),
)
