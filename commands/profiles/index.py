"""One ``MatchIndex`` per running bot, built lazily from storage and kept current.

Why not on ``Services``: only the profile commands need it. ``Services`` is an unhashable
dataclass, so the cache is keyed by its id and holds a weak reference to it; an entry of
a bot that is gone is dropped (tests start many bots in one process).

Hidden profiles stay in the index with ``visible=False``: the engine never shows them,
yet their owners may still search. A forgotten member is removed.
"""

from __future__ import annotations

import asyncio

from commands.context import Services
from commands.matching import MatchIndex
from storage.profiles import ProfileRow, Profiles

from .fields import to_profile


class ProfileIndex:
    """The lazily built index and the lock that keeps building and changes in order."""

    def __init__(self) -> None:
        self._index: MatchIndex | None = None
        self._lock = asyncio.Lock()

    async def get(self, services: Services) -> MatchIndex:
        async with self._lock:
            if self._index is None:
                rows = await Profiles(services.db).all()
                synonyms = getattr(services.content, "synonyms", None) or ()
                self._index = MatchIndex.build([to_profile(r) for r in rows], synonyms)
            return self._index

    async def upsert(self, row: ProfileRow) -> None:
        """After a stored change; before the first build there is nothing to update."""
        async with self._lock:
            if self._index is not None:
                self._index.upsert(to_profile(row))

    async def remove(self, user_id: str) -> None:
        async with self._lock:
            if self._index is not None:
                self._index.remove(user_id)


def profile_index(services: Services) -> ProfileIndex:
    """The index holder of this bot (created on first use)."""
    return services.shared(ProfileIndex)
