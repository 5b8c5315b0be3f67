"""!themen names each topic's room and its next meeting."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from commands.context import Context
from commands.knowledge import topics_command
from storage.meetings import Meetings, NewMeeting
from tests.fakes import FakeChat, make_services


async def test_topics_show_room_and_next_meeting(tmp_path: Path) -> None:
    services = await make_services(tmp_path)
    chat = services.chat
    assert isinstance(chat, FakeChat)
    try:
        services.network.room_ids = {"ogs": "!ogs:localhost"}
        services.network.room_kinds = {"ogs": "topic"}  # a network room: its meetings show
        services.network.topic_rooms = {"schnittstelle-ogs": "ogs"}
        chat.names["!ogs:localhost"] = "Schnittstelle OGS"
        start = (services.now() + timedelta(days=3)).replace(
            hour=16, minute=0, second=0, microsecond=0
        )
        await Meetings(services.db).create(
            NewMeeting(
                room_id="!ogs:localhost",
                title="Austausch OGS",
                start=start.astimezone(services.network.tz),
                duration=timedelta(minutes=90),
                rrule=None,
                link=None,
                created_by="@k:localhost",
            )
        )
        ctx = Context(
            services=services,
            sender="@m:localhost",
            room_id="!x",
            event_id="$1",
            thread_root=None,
            is_direct=True,
            lang="de",
        )
        await topics_command(ctx)
        text = chat.replies()[-1].text
        assert "Schnittstelle OGS" in text and "Raum „Schnittstelle OGS“." in text
        assert "Nächstes Treffen" in text and "Austausch OGS" in text
        assert "Läuft!" in text and "000_a10b21769f189de1.txt" in text
    finally:
        await services.db.close()
