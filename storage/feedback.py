"""👎 on an answer: the curated answers the bot gave, and the ones their asker flagged.

``AnsweredQuestions`` remembers which bot reply carried which entry for whom (30 days),
so that the asker's 👎 on it (or ``!passt-nicht``) finds the question again; a reply is
flagged once. ``RefusedQuestions`` keeps the flagged (entry id, question) pairs: the
network's own near-misses, which the search index reads beside the shipped ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.db import Database

ANSWERED_TTL = timedelta(days=30)


@dataclass(frozen=True)
class AnsweredQuestion:
    reply_event: str
    room_id: str
    user_id: str
    question: str
    entry_id: str
    lang: str
    score: int
    answered_at: str
    flagged: bool


_PRUNE = "DELETE FROM answered_questions WHERE answered_at < ?"
_COLUMNS = (
    "reply_event, room_id, user_id, question, entry_id, lang, score, answered_at,"
    " flagged_at IS NOT NULL"
)


class AnsweredQuestions:
    """Which bot reply answered whose question with which entry (bounded to 30 days)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        reply_event: str,
        *,
        room_id: str,
        user_id: str,
        question: str,
        entry_id: str,
        lang: str,
        score: int = 0,
        now: datetime | None = None,
    ) -> None:
        """Remember an answer; rows older than ``ANSWERED_TTL`` go at the same time."""
        at = now or datetime.now(UTC)
        async with self._db.transaction() as tx:
            await tx.execute(_PRUNE, ((at - ANSWERED_TTL).isoformat(),))
            await tx.execute(
                "INSERT OR REPLACE INTO answered_questions(reply_event, room_id, user_id,"
                " question, entry_id, lang, score, answered_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (reply_event, room_id, user_id, question, entry_id, lang, score, at.isoformat()),
            )

    async def by_reply(self, reply_event: str) -> AnsweredQuestion | None:
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM answered_questions WHERE reply_event = ?", (reply_event,)
        )
        return None if row is None else _answered(tuple(row))

    async def last(self, room_id: str, user_id: str) -> AnsweredQuestion | None:
        """The member's latest answered question in the room."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM answered_questions WHERE room_id = ? AND user_id = ?"
            " ORDER BY answered_at DESC, rowid DESC LIMIT 1",
            (room_id, user_id),
        )
        return None if row is None else _answered(tuple(row))

    async def flag(self, reply_event: str, now: datetime | None = None) -> bool:
        """Mark the answer as not fitting; True only the first time (a second 👎, in
        another skin tone or by command, changes nothing)."""
        at = (now or datetime.now(UTC)).isoformat()
        changed = await self._db.execute(
            "UPDATE answered_questions SET flagged_at = ?"
            " WHERE reply_event = ? AND flagged_at IS NULL",
            (at, reply_event),
        )
        return changed > 0

    async def set_question(self, reply_event: str, question_id: int) -> None:
        """The open question a flagged answer became."""
        await self._db.execute(
            "UPDATE answered_questions SET question_id = ? WHERE reply_event = ?",
            (question_id, reply_event),
        )

    async def count(self) -> int:
        return int(await self._db.scalar("SELECT COUNT(*) FROM answered_questions"))

    async def prune(self, now: datetime | None = None) -> int:
        """Drop answers older than ``ANSWERED_TTL``, also when nobody asks anything (the
        bot's daily housekeeping): a question is kept 30 days, not until the next one."""
        at = now or datetime.now(UTC)
        return await self._db.execute(_PRUNE, ((at - ANSWERED_TTL).isoformat(),))

    async def forget(self, user_id: str) -> int:
        """``!vergiss-mich``: the member's answered questions and flags go."""
        return await self._db.execute(
            "DELETE FROM answered_questions WHERE user_id = ?", (user_id,)
        )


def _answered(row: Any) -> AnsweredQuestion:
    """A row of ``_COLUMNS``: the first eight as stored, the flag as a bool."""
    values = list(row)
    values[8] = bool(values[8])
    return AnsweredQuestion(*values)


class RefusedQuestions:
    """(entry id, question) pairs members flagged: the network's refused questions."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, entry_id: str, question: str, user_id: str, now: datetime | None = None
    ) -> None:
        await self._db.execute(
            "INSERT INTO refused_questions(entry_id, question, user_id, added_at)"
            " VALUES (?, ?, ?, ?)",
            (entry_id, question, user_id, (now or datetime.now(UTC)).isoformat()),
        )

    async def count_by(self, user_id: str) -> int:
        """How many pairs this member has filed."""
        found = await self._db.scalar(
            "SELECT COUNT(*) FROM refused_questions WHERE user_id = ?", (user_id,)
        )
        return int(found or 0)

    async def all(self) -> list[tuple[str, str]]:
        rows = await self._db.fetchall(
            "SELECT entry_id, question FROM refused_questions ORDER BY id"
        )
        return [(str(r[0]), str(r[1])) for r in rows]

    async def forget(self, user_id: str) -> list[tuple[str, str]]:
        """``!vergiss-mich``: delete the member's pairs; returns them (for the live index)."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT entry_id, question FROM refused_questions WHERE user_id = ? ORDER BY id",
                (user_id,),
            )
            await tx.execute("DELETE FROM refused_questions WHERE user_id = ?", (user_id,))
        return [(str(r[0]), str(r[1])) for r in rows]
