"""Member profiles, matching opt-ins, introductions, check-ins and learning clusters.

Privacy: every row about a person carries their id in a column named ``user_id`` (an
owner column for ``storage.privacy``), so "forget me" deletes it and "my data" finds it.
Lists are JSON text inside the owner's row; no personal data lives elsewhere.
"""

from storage.migrations import Migration

MIGRATION = Migration(
    version=5,
    name="profiles",
    statements=(
        # one row per member; kind = InstitutionKind value, experience = 0|1|2
        "CREATE TABLE profiles ("
        " user_id TEXT PRIMARY KEY, kind TEXT, place TEXT NOT NULL DEFAULT '',"
        " region TEXT NOT NULL DEFAULT '', interests TEXT NOT NULL DEFAULT '[]',"
        " offers TEXT NOT NULL DEFAULT '[]', needs TEXT NOT NULL DEFAULT '[]',"
        " target_groups TEXT NOT NULL DEFAULT '[]', experience INTEGER,"
        " visible INTEGER NOT NULL DEFAULT 0, intros INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
        # the guided profile questions: which step a member is at, in which direct chat
        "CREATE TABLE profile_dialogs ("
        " user_id TEXT PRIMARY KEY, room_id TEXT NOT NULL, step TEXT NOT NULL,"
        " started_at TEXT NOT NULL)",
        # introduction rounds; ref = the job ref or the command's event (replay-safe)
        "CREATE TABLE intro_rounds ("
        " id INTEGER PRIMARY KEY, ref TEXT NOT NULL UNIQUE, started_at TEXT NOT NULL)",
        "CREATE TABLE intro_groups ("
        " id INTEGER PRIMARY KEY,"
        " round_id INTEGER NOT NULL REFERENCES intro_rounds(id) ON DELETE CASCADE,"
        " room_id TEXT, created_at TEXT NOT NULL)",
        # members of a group; a group of one is a leftover served first next round;
        # met = the check-in answer (NULL: not answered)
        "CREATE TABLE intro_members ("
        " group_id INTEGER NOT NULL REFERENCES intro_groups(id) ON DELETE CASCADE,"
        " user_id TEXT NOT NULL, met INTEGER, PRIMARY KEY (group_id, user_id))",
        "CREATE INDEX intro_members_user ON intro_members(user_id)",
        # !cluster interesse; announced = the coordinators were told it is ready
        "CREATE TABLE cluster_interests ("
        " id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, topic TEXT NOT NULL,"
        " place TEXT NOT NULL, announced INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, UNIQUE (user_id, topic))",
        "CREATE TABLE clusters ("
        " id INTEGER PRIMARY KEY, topic TEXT NOT NULL, room_id TEXT,"
        " founded_by TEXT, founded_at TEXT NOT NULL, source_event_id TEXT UNIQUE)",
        "CREATE TABLE cluster_members ("
        " cluster_id INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,"
        " user_id TEXT NOT NULL, place TEXT NOT NULL DEFAULT '',"
        " PRIMARY KEY (cluster_id, user_id))",
    ),
)
