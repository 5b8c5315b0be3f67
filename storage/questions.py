"""Unanswered questions: what members asked that the curated content did not cover."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from storage.db import Database


@dataclass(frozen=True)
class UnansweredQuestion:
    id: int
    asked_at: str
    sender: str | None
    room_id: str | None
    question: str
    lang: str
    best_score: int


@dataclass(frozen=True)
class StoredQuestion(UnansweredQuestion):
    resolved: bool = False


class UnansweredQuestions:
    """Repository of questions the bot abstained on."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        question: str,
        *,
        sender: str | None,
        room_id: str | None,
        lang: str,
        best_score: int,
        suggestions: list[str],
    ) -> int:
        return await self._db.execute(
            "INSERT INTO unanswered_questions(asked_at, sender, room_id, question, lang,"
            " best_score, suggestions) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                datetime.now(UTC).isoformat(),
                sender,
                room_id,
                question,
                lang,
                best_score,
                json.dumps(suggestions, ensure_ascii=False),
            ),
        )

    async def open_questions(self, limit: int = 20) -> list[UnansweredQuestion]:
        rows = await self._db.fetchall(
            "SELECT id, asked_at, sender, room_id, question, lang, best_score"
            " FROM unanswered_questions WHERE resolved = 0 ORDER BY asked_at DESC LIMIT ?",
            (limit,),
        )
        return [UnansweredQuestion(*tuple(row)) for row in rows]

    async def get(self, question_id: int) -> StoredQuestion | None:
        row = await self._db.fetchone(
            "SELECT id, asked_at, sender, room_id, question, lang, best_score, resolved"
            " FROM unanswered_questions WHERE id = ?",
            (question_id,),
        )
        if row is None:
            return None
        v = tuple(row)
        return StoredQuestion(v[0], v[1], v[2], v[3], v[4], v[5], v[6], bool(v[7]))

    async def count_open(self) -> int:
        return int(
            await self._db.scalar("SELECT COUNT(*) FROM unanswered_questions WHERE resolved = 0")
        )

    async def resolve(self, question_id: int) -> bool:
        return bool(
            await self._db.execute(
                "UPDATE unanswered_questions SET resolved = 1 WHERE id = ?", (question_id,)
            )
        )
