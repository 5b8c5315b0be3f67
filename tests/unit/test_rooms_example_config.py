"""koopbot.example.toml: valid, covers every config key, ships the network's rooms."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from bot.config import (
    ContentSettings,
    MatrixSettings,
    NetworkSettings,
    RoomSettings,
    StorageSettings,
    WebSettings,
    load_settings,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "koopbot.example.toml"
TOPICS = (
    "Läuft!",
    "Gemeinsam!",
    "Bildungspartner",
    "Von Schritt zu Schritt",
    "Gut vernetzt",
    "Schnittstelle OGS",
    "Da geht noch mehr!",
)
# lines of the config contract in PRODUCT.md that must appear as written
CONTRACT_LINES = (
    'password = "..."            # or access_token; used for the first login only',
    'allowed_inviters = ["@*:localhost"]   # glob patterns; other invites are rejected',
    'dir = "data"                # SQLite database, session, E2EE store live here',
    'reminder_offsets = ["7d", "1d", "1h"]   # d, h, m units: "15m" works too',
    'key = "lobby"               # stable identity; renaming keeps the room',
    'kind = "lobby"              # lobby | topic | coordinators | other',
    'listen = "127.0.0.1:8080"   # /healthz, /metrics, /calendar.ics',
)


def test_example_loads_with_lobby_seven_topics_and_coordinators_room() -> None:
    settings = load_settings(EXAMPLE, required=True)
    rooms = settings.network.rooms
    assert [r.kind for r in rooms].count("lobby") == 1
    assert [r.kind for r in rooms].count("coordinators") == 1
    topics = [r for r in rooms if r.kind == "topic"]
    assert tuple(r.name for r in topics) == TOPICS
    assert all(r.topic for r in rooms)


def test_example_mentions_every_config_key() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    section_models: tuple[type[BaseModel], ...] = (
        MatrixSettings,
        StorageSettings,
        NetworkSettings,
        RoomSettings,
        ContentSettings,
        WebSettings,
    )
    for model in section_models:
        for name in model.model_fields:
            if name == "rooms":
                assert "[[network.rooms]]" in text
                continue
            assert re.search(rf"^#? ?{name} = ", text, re.MULTILINE), f"{model.__name__}.{name}"
    for line in CONTRACT_LINES:
        assert line in text
