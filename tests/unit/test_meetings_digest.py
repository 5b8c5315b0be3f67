"""The weekly digest: new members, and open questions without leaking direct chats."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from commands.context import JobContext
from commands.meetings.digest import build_digest
from storage.questions import UnansweredQuestions
from storage.rooms import NetworkMembers
from tests.fakes import make_services


async def test_digest_lists_new_members_and_only_public_questions(tmp_path: Path) -> None:
    services = await make_services(tmp_path, with_content=False)
    try:
        services.network.room_ids = {"lobby": "!lobby:localhost"}
        services.network.room_kinds = {"lobby": "lobby"}
        await NetworkMembers(services.db).record_join("@neu:localhost", "!lobby:localhost")
        questions = UnansweredQuestions(services.db)
        await questions.add(
            "Gibt es Fördergeld für Instrumente?",
            sender="@a:localhost",
            room_id="!lobby:localhost",
            lang="de",
            best_score=10,
            suggestions=[],
        )
        await questions.add(
            "Meine private Frage zu Frau Müller",
            sender="@b:localhost",
            room_id="!dm-b:localhost",
            lang="de",
            best_score=5,
            suggestions=[],
        )
        reply = (await build_digest(JobContext(services, "de"), datetime.now(UTC))).build()
        assert "@neu:localhost" in reply.text
        assert "Fördergeld" in reply.text
        assert "Müller" not in reply.text and "1 Frage" in reply.text
    finally:
        await services.db.close()
