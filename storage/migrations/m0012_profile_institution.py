"""The name of a member's institution, kept as written ("Musikschule Am Rhein"), apart
from its kind (``profiles.kind``, used for matching)."""

from storage.migrations import Migration

MIGRATION = Migration(
    version=12,
    name="profile_institution",
    statements=("ALTER TABLE profiles ADD COLUMN institution TEXT NOT NULL DEFAULT ''",),
)
