"""Member profiles, the guided profile dialog, and introduction rounds.

Why plain values (no matching types): storage imports nothing of the project; the
commands turn a ``ProfileRow`` into the engine's ``Profile``.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime

from storage.db import Database

LIST_FIELDS = ("interests", "offers", "needs", "target_groups")


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class ProfileRow:
    """One member's profile as stored; ``kind`` is the institution kind's value,
    ``institution`` the institution's name as the member wrote it."""

    user_id: str
    kind: str | None = None
    place: str = ""
    region: str = ""
    interests: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    experience: int | None = None
    visible: bool = False
    intros: bool = False
    created_at: str = ""
    institution: str = ""

    def is_empty(self) -> bool:
        """Nothing described yet (the opt-ins alone do not count)."""
        return not (
            self.kind
            or self.institution
            or self.place
            or self.region
            or any(getattr(self, name) for name in LIST_FIELDS)
            or self.experience is not None
        )


def _row(row: sqlite3.Row) -> ProfileRow:
    return ProfileRow(
        user_id=row["user_id"],
        kind=row["kind"],
        place=row["place"],
        region=row["region"],
        interests=tuple(json.loads(row["interests"])),
        offers=tuple(json.loads(row["offers"])),
        needs=tuple(json.loads(row["needs"])),
        target_groups=tuple(json.loads(row["target_groups"])),
        experience=row["experience"],
        visible=bool(row["visible"]),
        intros=bool(row["intros"]),
        created_at=row["created_at"],
        institution=row["institution"],
    )


class Profiles:
    """Repository of profiles and of the profile dialog state."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: str) -> ProfileRow | None:
        row = await self._db.fetchone("SELECT * FROM profiles WHERE user_id = ?", (user_id,))
        return None if row is None else _row(row)

    async def get_or_empty(self, user_id: str) -> ProfileRow:
        return await self.get(user_id) or ProfileRow(user_id)

    async def all(self) -> list[ProfileRow]:
        rows = await self._db.fetchall("SELECT * FROM profiles ORDER BY created_at, user_id")
        return [_row(row) for row in rows]

    async def with_intros(self) -> list[str]:
        rows = await self._db.fetchall(
            "SELECT user_id FROM profiles WHERE intros = 1 ORDER BY user_id"
        )
        return [str(row["user_id"]) for row in rows]

    async def save(self, profile: ProfileRow) -> ProfileRow:
        """Insert or replace the whole profile; returns it as stored."""
        now = _now()
        await self._db.execute(
            "INSERT INTO profiles(user_id, kind, place, region, interests, offers, needs,"
            " target_groups, experience, visible, intros, created_at, updated_at, institution)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET kind = excluded.kind,"
            " institution = excluded.institution,"
            " place = excluded.place, region = excluded.region,"
            " interests = excluded.interests, offers = excluded.offers,"
            " needs = excluded.needs, target_groups = excluded.target_groups,"
            " experience = excluded.experience, visible = excluded.visible,"
            " intros = excluded.intros, updated_at = excluded.updated_at",
            (
                profile.user_id,
                profile.kind,
                profile.place,
                profile.region,
                *(
                    json.dumps(list(getattr(profile, name)), ensure_ascii=False)
                    for name in LIST_FIELDS
                ),
                profile.experience,
                int(profile.visible),
                int(profile.intros),
                profile.created_at or now,
                now,
                profile.institution,
            ),
        )
        stored = await self.get(profile.user_id)
        assert stored is not None
        return stored

    # -- the guided dialog ------------------------------------------------------------

    async def dialog(self, user_id: str) -> tuple[str, str, str] | None:
        """(room_id, step, started_at) of a running dialog, or None."""
        row = await self._db.fetchone(
            "SELECT room_id, step, started_at FROM profile_dialogs WHERE user_id = ?", (user_id,)
        )
        return None if row is None else (row["room_id"], row["step"], row["started_at"])

    async def set_dialog(self, user_id: str, room_id: str, step: str) -> None:
        await self._db.execute(
            "INSERT INTO profile_dialogs(user_id, room_id, step, started_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET room_id = excluded.room_id,"
            " step = excluded.step",
            (user_id, room_id, step, _now()),
        )

    async def end_dialog(self, user_id: str) -> bool:
        return bool(
            await self._db.execute("DELETE FROM profile_dialogs WHERE user_id = ?", (user_id,))
        )


@dataclass(frozen=True)
class IntroGroup:
    """One introduction: a pair, a trio, or a leftover of one."""

    id: int
    round_id: int
    members: tuple[str, ...]
    room_id: str | None = None
    met: dict[str, bool | None] = field(default_factory=dict)


class Introductions:
    """Introduction rounds and their groups (the past pairs are never repeated)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def round_id(self, ref: str) -> int | None:
        value = await self._db.scalar("SELECT id FROM intro_rounds WHERE ref = ?", (ref,))
        return None if value is None else int(value)

    async def create_round(self, ref: str, groups: list[tuple[str, ...]]) -> int:
        """Store a round and its groups at once; an existing ``ref`` is kept as it is."""
        async with self._db.transaction() as tx:
            existing = await tx.scalar("SELECT id FROM intro_rounds WHERE ref = ?", (ref,))
            if existing is not None:
                return int(existing)
            now = _now()
            round_id = await tx.execute(
                "INSERT INTO intro_rounds(ref, started_at) VALUES (?, ?)", (ref, now)
            )
            for members in groups:
                group_id = await tx.execute(
                    "INSERT INTO intro_groups(round_id, created_at) VALUES (?, ?)",
                    (round_id, now),
                )
                for user_id in members:
                    await tx.execute(
                        "INSERT INTO intro_members(group_id, user_id) VALUES (?, ?)",
                        (group_id, user_id),
                    )
            return round_id

    async def groups(self, round_id: int) -> list[IntroGroup]:
        return await self._groups("WHERE g.round_id = ?", (round_id,))

    async def _groups(self, where: str, params: tuple[object, ...]) -> list[IntroGroup]:
        rows = await self._db.fetchall(
            "SELECT g.id, g.round_id, g.room_id, m.user_id, m.met FROM intro_groups g"
            f" JOIN intro_members m ON m.group_id = g.id {where} ORDER BY g.id, m.user_id",
            params,
        )
        found: dict[int, IntroGroup] = {}
        for row in rows:
            group = found.get(row["id"])
            if group is None:
                group = found[row["id"]] = IntroGroup(
                    row["id"], row["round_id"], (), row["room_id"], {}
                )
            met = None if row["met"] is None else bool(row["met"])
            found[row["id"]] = IntroGroup(
                group.id,
                group.round_id,
                (*group.members, row["user_id"]),
                group.room_id,
                {**group.met, row["user_id"]: met},
            )
        return list(found.values())

    async def past_pairs(self) -> set[frozenset[str]]:
        """Every earlier group of two or three (pairs that must not meet again)."""
        groups = await self._groups("", ())
        return {frozenset(g.members) for g in groups if len(g.members) > 1}

    async def last_leftovers(self) -> list[str]:
        """Members left alone in the latest round: served first in the next one."""
        latest = await self._db.scalar("SELECT MAX(id) FROM intro_rounds")
        if latest is None:
            return []
        return [g.members[0] for g in await self.groups(int(latest)) if len(g.members) == 1]

    async def set_room(self, group_id: int, room_id: str) -> None:
        await self._db.execute(
            "UPDATE intro_groups SET room_id = ? WHERE id = ?", (room_id, group_id)
        )

    async def group_in_room(self, user_id: str, room_id: str) -> IntroGroup | None:
        """The user's group whose room this is; else their latest group of two or more."""
        groups = await self._groups(
            "WHERE g.id IN (SELECT group_id FROM intro_members WHERE user_id = ?)", (user_id,)
        )
        groups = [g for g in groups if len(g.members) > 1]
        in_room = [g for g in groups if g.room_id == room_id]
        if in_room:
            return in_room[-1]
        return groups[-1] if groups else None

    async def set_met(self, group_id: int, user_id: str, met: bool) -> None:
        await self._db.execute(
            "UPDATE intro_members SET met = ? WHERE group_id = ? AND user_id = ?",
            (int(met), group_id, user_id),
        )
