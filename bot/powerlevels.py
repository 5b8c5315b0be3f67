"""Room power as the Matrix spec defines it per room version.

Why a module of its own: who counts as a moderator decides every permission check, and
the rule changed with room version 12 (MSC4289), Synapse's default: the room's creators
(the create event's sender and ``additional_creators``) outrank everyone and are not
listed in the power-levels event's ``users``. Pure data, no nio.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Room versions in which the power-levels event alone decides. From version 12 on
# (MSC4289) the creators (the create event's sender and ``additional_creators``) have
# unlimited power and are not listed in ``users``.
LEGACY_ROOM_VERSIONS = frozenset(str(n) for n in range(1, 12))
CREATOR_LEVEL = 2**53  # above any level a power-levels event can hold


@dataclass(frozen=True)
class RoomCreation:
    """What the room's create event says about power: its version and its creators."""

    room_version: str
    creators: frozenset[str]

    @property
    def creators_privileged(self) -> bool:
        return self.room_version not in LEGACY_ROOM_VERSIONS

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> RoomCreation:
        content = event.get("content") or {}
        extra = content.get("additional_creators")
        creators = {str(event.get("sender", ""))}
        if isinstance(extra, list):
            creators |= {str(u) for u in extra if isinstance(u, str)}
        return cls(str(content.get("room_version", "1")), frozenset(creators - {""}))
