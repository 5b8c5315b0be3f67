"""Network rooms (config key -> room id), the space, members seen, welcomes sent."""

from storage.migrations import Migration

MIGRATION = Migration(
    version=6,
    name="rooms",
    statements=(
        # One row per room the bot created for the network: config rooms, rooms from
        # "!raum neu" (source 'command') and the space itself (key '_space'). The key is
        # the identity, so a renamed room keeps its id. removed_* is set when the bot was
        # kicked or banned: provisioning then never recreates or rejoins the room.
        "CREATE TABLE network_rooms ("
        " key TEXT PRIMARY KEY, room_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
        " name TEXT NOT NULL, topic TEXT NOT NULL DEFAULT '', source TEXT NOT NULL,"
        " created_by TEXT, created_at TEXT NOT NULL,"
        " removed_at TEXT, removed_by TEXT, removed_how TEXT)",
        # First time a person was seen in any network room (read by the weekly digest).
        "CREATE TABLE network_members ("
        " user_id TEXT PRIMARY KEY, first_room TEXT, first_seen TEXT)",
        "CREATE INDEX network_members_seen ON network_members(first_seen)",
        # The welcome went out (once per person, ever).
        "CREATE TABLE member_welcomes ("
        " user_id TEXT PRIMARY KEY, room_id TEXT NOT NULL, sent_at TEXT NOT NULL)",
    ),
)
