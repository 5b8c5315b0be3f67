"""What the bot posted on a member's behalf, and the members' personal calendar feeds.

Both tables carry the member's id in ``user_id`` (an owner column for
``storage.privacy``), so "forget me" deletes them and "my data" finds them.
"""

from storage.migrations import Migration

MIGRATION = Migration(
    version=8,
    name="privacy",
    statements=(
        # A message the bot sent for a member into another room (a question forwarded to
        # the coordinators): "forget me" redacts it there.
        "CREATE TABLE forwarded_messages ("
        " event_id TEXT PRIMARY KEY, room_id TEXT NOT NULL, user_id TEXT NOT NULL,"
        " kind TEXT NOT NULL, created_at TEXT NOT NULL)",
        "CREATE INDEX forwarded_messages_user ON forwarded_messages(user_id)",
        # One secret feed per member; only the SHA-256 of the token is stored.
        "CREATE TABLE calendar_feeds ("
        " user_id TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL UNIQUE,"
        " created_at TEXT NOT NULL)",
    ),
)
