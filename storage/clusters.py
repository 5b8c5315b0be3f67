"""Learning clusters: members' topic interests and the clusters founded from them.

Why ``announced`` per interest: the coordinators are told once when a topic group first
becomes ready; a group counts as announced when any of its interests is. The overflow
of a founded cluster is reset, so a second cluster is announced again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from storage.db import Database


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class StoredInterest:
    """One interest; ``place`` is the member's current profile place when they have one."""

    id: int
    user_id: str
    topic: str
    place: str
    announced: bool


@dataclass(frozen=True)
class FoundedCluster:
    id: int
    topic: str
    room_id: str | None
    members: tuple[str, ...]


class ClusterInterests:
    """Repository of ``!cluster interesse`` rows."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, user_id: str, topic: str, place: str) -> bool:
        """Record an interest; False if the member already named this topic."""
        return bool(
            await self._db.execute(
                "INSERT OR IGNORE INTO cluster_interests(user_id, topic, place, created_at)"
                " VALUES (?, ?, ?, ?)",
                (user_id, topic, place, _now()),
            )
        )

    async def all(self) -> list[StoredInterest]:
        """Oldest first (the order decides who is in a cluster first)."""
        rows = await self._db.fetchall(
            "SELECT ci.id, ci.user_id, ci.topic,"
            " COALESCE(NULLIF(p.place, ''), ci.place) AS place, ci.announced"
            " FROM cluster_interests ci LEFT JOIN profiles p ON p.user_id = ci.user_id"
            " ORDER BY ci.id"
        )
        return [
            StoredInterest(r["id"], r["user_id"], r["topic"], r["place"], bool(r["announced"]))
            for r in rows
        ]

    async def mark_announced(self, ids: Iterable[int], announced: bool = True) -> None:
        async with self._db.transaction() as tx:
            for interest_id in ids:
                await tx.execute(
                    "UPDATE cluster_interests SET announced = ? WHERE id = ?",
                    (int(announced), interest_id),
                )


class Clusters:
    """Founded clusters and their members."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def by_event(self, event_id: str) -> FoundedCluster | None:
        row = await self._db.fetchone(
            "SELECT id FROM clusters WHERE source_event_id = ?", (event_id,)
        )
        return None if row is None else await self.get(int(row["id"]))

    async def get(self, cluster_id: int) -> FoundedCluster | None:
        row = await self._db.fetchone("SELECT * FROM clusters WHERE id = ?", (cluster_id,))
        if row is None:
            return None
        members = await self._db.fetchall(
            "SELECT user_id FROM cluster_members WHERE cluster_id = ? ORDER BY rowid",
            (cluster_id,),
        )
        return FoundedCluster(
            row["id"], row["topic"], row["room_id"], tuple(m["user_id"] for m in members)
        )

    async def all(self) -> list[FoundedCluster]:
        rows = await self._db.fetchall("SELECT id FROM clusters ORDER BY id")
        found = [await self.get(int(r["id"])) for r in rows]
        return [c for c in found if c is not None]

    async def found(
        self,
        topic: str,
        members: list[tuple[str, str]],
        *,
        founded_by: str,
        event_id: str,
        taken_interests: Iterable[int],
        overflow_interests: Iterable[int],
    ) -> int:
        """Store the cluster, move the founded members' interests out, reset the rest.

        ``members`` are (user_id, place); a replayed command finds its own row.
        """
        async with self._db.transaction() as tx:
            existing = await tx.scalar(
                "SELECT id FROM clusters WHERE source_event_id = ?", (event_id,)
            )
            if existing is not None:
                return int(existing)
            cluster_id = await tx.execute(
                "INSERT INTO clusters(topic, founded_by, founded_at, source_event_id)"
                " VALUES (?, ?, ?, ?)",
                (topic, founded_by, _now(), event_id),
            )
            for user_id, place in members:
                await tx.execute(
                    "INSERT OR IGNORE INTO cluster_members(cluster_id, user_id, place)"
                    " VALUES (?, ?, ?)",
                    (cluster_id, user_id, place),
                )
            for interest_id in taken_interests:
                await tx.execute("DELETE FROM cluster_interests WHERE id = ?", (interest_id,))
            for interest_id in overflow_interests:
                await tx.execute(
                    "UPDATE cluster_interests SET announced = 0 WHERE id = ?", (interest_id,)
                )
            return cluster_id

    async def set_room(self, cluster_id: int, room_id: str) -> None:
        await self._db.execute(
            "UPDATE clusters SET room_id = ? WHERE id = ?", (room_id, cluster_id)
        )
