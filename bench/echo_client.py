"""The burst's honest floor: a plain Matrix client that answers every message once.

Run by bench/load.py as a subprocess (so its CPU time can be read like the bot's):
    python bench/echo_client.py HOMESERVER USER_ID DEVICE_ID ACCESS_TOKEN

It syncs with the same client library as the bot (nio, through ``PeerClient``) and answers
each ``!`` message from another user with one ``m.notice`` reply, one room at a time in
order and the rooms in parallel, as the bot does. No parsing, no storage, no
rate-limit handling beyond nio's: everything the bot adds over this is the bot's cost.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.matrix import PeerClient


async def main(homeserver: str, user_id: str, device_id: str, token: str) -> None:
    peer = PeerClient(homeserver, user_id, device_id, token)
    locks: dict[str, asyncio.Lock] = {}
    tasks: set[asyncio.Task[None]] = set()

    async def answer(room: str, event_id: str) -> None:
        async with locks.setdefault(room, asyncio.Lock()):
            content = {
                "msgtype": "m.notice",
                "body": "echo",
                "m.mentions": {},
                "m.relates_to": {"m.in_reply_to": {"event_id": event_id}},
            }
            await peer._client.room_send(room, "m.room.message", content)

    async def on_message(room: str, sender: str, event_id: str, content: dict[str, Any]) -> None:
        if sender != user_id and str(content.get("body", "")).startswith("!"):
            task = asyncio.create_task(answer(room, event_id))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    await peer.prime()
    print("ready", flush=True)
    await peer.listen(on_message)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
