"""Room-key handling of the Matrix layer: withheld notices, one key request per session,
a late key still opening a message (nio's client replaced by a small fake)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from nio import EncryptionError, MegolmEvent, RoomMessageText

from bot.config import MatrixSettings
from bot.matrix import MatrixConnection, Message, Undecryptable

ROOM = "!room:localhost"
ENCRYPTED = {
    "type": "m.room.encrypted",
    "event_id": "$secret",
    "sender": "@alice:localhost",
    "origin_server_ts": 1,
    "content": {
        "algorithm": "m.megolm.v1.aes-sha2",
        "ciphertext": "AwgAEnB",
        "sender_key": "alicecurve",
        "session_id": "SESSION",
        "device_id": "ALICEDEV",
    },
}


class FakeClient:
    def __init__(self) -> None:
        self.rooms: dict[str, Any] = {}
        self.outgoing_key_requests: dict[str, Any] = {}
        self.key_requests: list[str] = []
        self.decryptable_after = 10**9
        self.decrypt_calls = 0

    async def request_room_key(self, event: Any) -> None:
        self.key_requests.append(event.session_id)

    def decrypt_event(self, event: Any) -> Any:
        self.decrypt_calls += 1
        if self.decrypt_calls < self.decryptable_after:
            raise EncryptionError("no session")
        return RoomMessageText.from_dict(
            {
                **ENCRYPTED,
                "type": "m.room.message",
                "content": {"msgtype": "m.text", "body": "!hilfe"},
            }
        )


def connection(
    tmp_path: Path, withheld: list[str] | None = None
) -> tuple[MatrixConnection, FakeClient]:
    conn = MatrixConnection(
        MatrixSettings(user_id="@bot:localhost", encryption=True),
        tmp_path,
        sent_log=None,  # type: ignore[arg-type]
        direct_rooms=None,  # type: ignore[arg-type]
        on_key_withheld=withheld.append if withheld is not None else None,
    )
    fake = FakeClient()
    conn._client = fake  # type: ignore[assignment]
    return conn, fake


def withheld_sync(code: str = "m.unverified") -> Any:
    notice = SimpleNamespace(
        source={
            "type": "m.room_key.withheld",
            "sender": "@alice:localhost",
            "content": {
                "algorithm": "m.megolm.v1.aes-sha2",
                "room_id": ROOM,
                "session_id": "SESSION",
                "sender_key": "alicecurve",
                "code": code,
                "reason": "The sender disabled sending keys to unverified devices.",
            },
        }
    )
    return SimpleNamespace(to_device_events=[notice])


async def test_withheld_counted_once_per_session(tmp_path: Path) -> None:
    counted: list[str] = []
    conn, _ = connection(tmp_path, counted)
    conn._note_withheld(withheld_sync())
    conn._note_withheld(withheld_sync())
    assert counted == ["m.unverified"]


async def test_one_key_request_per_session(tmp_path: Path) -> None:
    conn, fake = connection(tmp_path)
    event = MegolmEvent.from_dict(ENCRYPTED)
    for _ in range(3):
        conn._request_key(event)
    await asyncio.sleep(0)
    await asyncio.gather(*conn._background)
    assert fake.key_requests == ["SESSION"]


async def test_late_key_opens_the_message(tmp_path: Path) -> None:
    conn, fake = connection(tmp_path)
    fake.decryptable_after = 3  # the key arrives while the bot waits
    pending = Undecryptable(ROOM, "$secret", "@alice:localhost", "SESSION", source=ENCRYPTED)
    resolved = await conn.resolve_undecryptable(pending, grace=30)
    assert isinstance(resolved, Message)
    assert resolved.body == "!hilfe" and resolved.event_id == "$secret"


async def test_withheld_key_ends_the_wait(tmp_path: Path) -> None:
    conn, _ = connection(tmp_path)
    pending = Undecryptable(ROOM, "$secret", "@alice:localhost", "SESSION", source=ENCRYPTED)
    waiting = asyncio.create_task(conn.resolve_undecryptable(pending, grace=30))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    conn._note_withheld(withheld_sync())
    resolved = await asyncio.wait_for(waiting, 5)
    assert isinstance(resolved, Undecryptable) and resolved.withheld == "m.unverified"
