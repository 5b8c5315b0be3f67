"""One-tap choices ("Meinst du …?") and the coordinators' answers to open questions."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from storage.db import Database

CHOICE_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class Choice:
    room_id: str
    sender: str
    candidates: list[str]
    lang: str
    reply_event: str | None
    question_id: int | None


@dataclass(frozen=True)
class NetworkAnswer:
    id: int
    question_id: int | None
    question: str
    answer: str
    lang: str
    answered_by: str
    answered_at: str
    # later questions a coordinator filed under this answer (`!antwort <nr> siehe <m>`),
    # oldest first: further phrasings of the same entry
    rewordings: tuple[str, ...] = ()


class AnswerChoices:
    """The last candidates offered per room and person, valid for ``CHOICE_TTL``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def offer(
        self,
        room_id: str,
        sender: str,
        candidates: list[str],
        lang: str,
        *,
        question_id: int | None,
        now: datetime | None = None,
    ) -> None:
        expires = (now or datetime.now(UTC)) + CHOICE_TTL
        await self._db.execute(
            "INSERT OR REPLACE INTO answer_choices(room_id, sender, candidates, lang,"
            " reply_event, question_id, expires_at) VALUES (?, ?, ?, ?, NULL, ?, ?)",
            (room_id, sender, json.dumps(candidates), lang, question_id, expires.isoformat()),
        )

    async def set_reply(self, room_id: str, sender: str, reply_event: str) -> None:
        await self._db.execute(
            "UPDATE answer_choices SET reply_event = ? WHERE room_id = ? AND sender = ?",
            (reply_event, room_id, sender),
        )

    async def current(
        self, room_id: str, sender: str, now: datetime | None = None
    ) -> Choice | None:
        row = await self._db.fetchone(
            "SELECT room_id, sender, candidates, lang, reply_event, question_id, expires_at"
            " FROM answer_choices WHERE room_id = ? AND sender = ?",
            (room_id, sender),
        )
        return self._valid(row, now)

    async def by_reply(self, reply_event: str, now: datetime | None = None) -> Choice | None:
        row = await self._db.fetchone(
            "SELECT room_id, sender, candidates, lang, reply_event, question_id, expires_at"
            " FROM answer_choices WHERE reply_event = ?",
            (reply_event,),
        )
        return self._valid(row, now)

    @staticmethod
    def _valid(row: sqlite3.Row | None, now: datetime | None) -> Choice | None:
        if row is None:
            return None
        values = tuple(row)
        if datetime.fromisoformat(values[6]) < (now or datetime.now(UTC)):
            return None
        return Choice(values[0], values[1], list(json.loads(values[2])), *values[3:6])

    async def clear(self, room_id: str, sender: str) -> None:
        await self._db.execute(
            "DELETE FROM answer_choices WHERE room_id = ? AND sender = ?", (room_id, sender)
        )


_ALL_ANSWERS = (
    "SELECT id, question_id, question, answer, lang, answered_by, answered_at"
    " FROM network_answers ORDER BY id"
)
_ALL_REWORDINGS = "SELECT answer_id, question FROM answer_rewordings ORDER BY id"


def _with_rewordings(answers: list[Any], rewordings: list[Any]) -> list[NetworkAnswer]:
    by_answer: dict[int, list[str]] = {}
    for row in rewordings:
        by_answer.setdefault(int(row[0]), []).append(str(row[1]))
    result = []
    for row in answers:
        answer = NetworkAnswer(*tuple(row))
        result.append(replace(answer, rewordings=tuple(by_answer.get(answer.id, ()))))
    return result


class NetworkAnswers:
    """Answers the coordinators gave to open questions: network content entries."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        question_id: int | None,
        question: str,
        answer: str,
        lang: str,
        answered_by: str,
        now: datetime | None = None,
    ) -> NetworkAnswer:
        at = (now or datetime.now(UTC)).isoformat()
        new_id = await self._db.execute(
            "INSERT INTO network_answers(question_id, question, answer, lang, answered_by,"
            " answered_at) VALUES (?, ?, ?, ?, ?, ?)",
            (question_id, question, answer, lang, answered_by, at),
        )
        if question_id is not None:
            await self._db.execute(
                "UPDATE unanswered_questions SET resolved = 1, answer_id = ? WHERE id = ?",
                (new_id, question_id),
            )
        return NetworkAnswer(new_id, question_id, question, answer, lang, answered_by, at)

    async def all(self) -> list[NetworkAnswer]:
        """Every answer with its rewordings."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(_ALL_ANSWERS)
            rewordings = await tx.fetchall(_ALL_REWORDINGS)
        return _with_rewordings(rows, rewordings)

    async def get(self, answer_id: int) -> NetworkAnswer | None:
        return next((a for a in await self.all() if a.id == answer_id), None)

    async def for_question(self, question_id: int) -> NetworkAnswer | None:
        """The answer a question received: typed for it, or filed under one (``siehe``).

        Also after the asker's ``!vergiss-mich`` deleted the question itself: the answer
        typed for it is the coordination's text and stays, still known by the question's
        number (and so does an answer the question was filed under by another member)."""
        row = await self._db.fetchone(
            "SELECT answer_id FROM unanswered_questions WHERE id = ?", (question_id,)
        )
        if row is not None:  # the question is there: open (no answer yet) or answered
            answer_id = row["answer_id"]
        else:
            answer_id = await self._db.scalar(
                "SELECT id FROM network_answers WHERE question_id = ?"
                " UNION ALL SELECT answer_id FROM answer_rewordings WHERE question_id = ?"
                " LIMIT 1",
                (question_id, question_id),
            )
        return None if answer_id is None else await self.get(int(answer_id))

    async def add_rewording(
        self, answer_id: int, question_id: int, question: str, now: datetime | None = None
    ) -> NetworkAnswer:
        """Question ``question_id`` is answered by answer ``answer_id``: its text becomes a
        further phrasing of that answer, and the question is resolved and linked to it."""
        at = (now or datetime.now(UTC)).isoformat()
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO answer_rewordings(answer_id, question_id, question, added_at)"
                " VALUES (?, ?, ?, ?)",
                (answer_id, question_id, question, at),
            )
            await tx.execute(
                "UPDATE unanswered_questions SET resolved = 1, answer_id = ? WHERE id = ?",
                (answer_id, question_id),
            )
        found = await self.get(answer_id)
        assert found is not None, "a rewording is filed under an existing answer"
        return found

    async def forget_asker(self, user_id: str) -> list[NetworkAnswer]:
        """``!vergiss-mich``: the asker's words leave the answers given to them.

        The coordinator's answer stays a network entry (it is the coordination's text),
        but the question it was given to is the member's own text, so it is blanked; the
        member's open and answered questions are blanked and closed (their numbers stay
        taken), and the member's questions filed under an answer as rewordings are
        deleted. Returns the changed answers.
        """
        asked = "question_id IN (SELECT id FROM unanswered_questions WHERE sender = ?)"
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(f"SELECT id FROM network_answers WHERE {asked}", (user_id,))
            ids = {int(row["id"]) for row in rows}
            rows = await tx.fetchall(
                f"SELECT answer_id FROM answer_rewordings WHERE {asked}", (user_id,)
            )
            ids |= {int(row["answer_id"]) for row in rows}
            await tx.execute(f"UPDATE network_answers SET question = '' WHERE {asked}", (user_id,))
            await tx.execute(f"DELETE FROM answer_rewordings WHERE {asked}", (user_id,))
            # blanked, not deleted: the row keeps its number, so the next question never
            # gets the number a coordinator knew for this one (SQLite reuses the highest
            # id of a deleted row), and "siehe <nr>" still finds the answer it received
            await tx.execute(
                "UPDATE unanswered_questions SET question = '', sender = NULL, room_id = NULL,"
                " suggestions = '[]', resolved = 1 WHERE sender = ?",
                (user_id,),
            )
        return [a for a in await self.all() if a.id in ids]


def read_network_answers(path: Path) -> list[NetworkAnswer]:
    """The coordinators' answers straight from the database file, read-only (for
    ``koopbot ask`` beside a running bot); empty when there is no database yet."""
    if not path.exists():
        return []
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return []
    try:
        rows = conn.execute(_ALL_ANSWERS).fetchall()
        try:
            rewordings = conn.execute(_ALL_REWORDINGS).fetchall()
        except sqlite3.Error:  # a schema older than the rewordings: answers alone
            rewordings = []
    except sqlite3.Error:  # an older schema: no answers yet
        return []
    finally:
        conn.close()
    return _with_rewordings(rows, rewordings)
