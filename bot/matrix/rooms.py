"""Room operations: what the bot's rooms look like (members, power, state) and what it
does to them (create, join, invite, redact, state, direct chats).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from nio import ErrorResponse, JoinResponse, RoomCreateResponse
from nio.api import RoomPreset, RoomVisibility

from bot.eventfields import as_dict
from bot.matrix.base import ConnectionState, MatrixError
from bot.powerlevels import CREATOR_LEVEL, RoomCreation

log = logging.getLogger(__name__)


class RoomsMixin(ConnectionState):
    """Rooms as the bot sees them and changes them: membership, power, state, direct
    chats, creating, joining, inviting, redacting."""

    def is_active(self, room_id: str) -> bool:
        """False once the bot was removed from a room: it never posts there again."""
        return room_id not in self._left and room_id in self.client.rooms

    def mark_left(self, room_id: str) -> None:
        self._left.add(room_id)

    async def join_room(self, room_id: str) -> bool:
        """Join a room (the successor of an upgraded one); False when not allowed yet."""
        if room_id in self.client.rooms and room_id not in self._left:
            return True
        requested = int(time.time() * 1000)  # before the request: see _handle_invites
        result = await self.client.join(room_id)
        if not isinstance(result, JoinResponse):
            log.info("could not join %s: %s", room_id, getattr(result, "message", result))
            return False
        self._joined_at[room_id] = requested
        self._left.discard(room_id)
        await self._wait_for_room(room_id)
        return True

    async def room_creation(self, room_id: str) -> RoomCreation | None:
        """The room's version and creators (the create event never changes: cached)."""
        known = self._creation.get(room_id)
        if known is not None:
            return known
        response = await self.client.room_get_state(room_id)
        if isinstance(response, ErrorResponse):
            log.warning("could not read the state of %s: %s", room_id, response.message)
            return None
        for event in response.events:
            if event.get("type") == "m.room.create" and event.get("state_key", "") == "":
                found = RoomCreation.from_event(event)
                self._creation[room_id] = found
                return found
        return None

    async def power_level(self, room_id: str, user_id: str) -> int:
        """The user's power level as the room's version defines it, from the current
        state (a changed power-levels event counts from the next sync on): in version
        12+ the creators outrank everyone; otherwise ``users``, then ``users_default``."""
        room = self.client.rooms.get(room_id)
        if room is None:
            return 0
        creation = await self.room_creation(room_id)
        if creation is not None and creation.creators_privileged and user_id in creation.creators:
            return CREATOR_LEVEL
        return int(room.power_levels.get_user_level(user_id))

    async def members(self, room_id: str) -> list[str]:
        """Joined members now (invited ones are not members yet)."""
        room = self.client.rooms.get(room_id)
        if room is None or room_id in self._left:
            return []
        return sorted(u for u in room.users if u not in room.invited_users)

    def joined_rooms(self) -> list[str]:
        return [room_id for room_id in self.client.rooms if room_id not in self._left]

    def room_name(self, room_id: str) -> str:
        room = self.client.rooms.get(room_id)
        if room is None:
            return room_id
        return str(room.display_name or room.name or room_id)

    def display_name(self, user_id: str) -> str:
        for room in self.client.rooms.values():
            user = room.users.get(user_id)
            if user is not None and user.display_name:
                return str(user.display_name)
        return user_id.split(":", 1)[0].lstrip("@")

    def room_state(self, room_id: str) -> dict[str, Any]:
        """Name, topic, encryption, power levels as the bot currently sees them."""
        room = self.client.rooms.get(room_id)
        if room is None:
            return {}
        return {
            "name": room.name,
            "topic": room.topic,
            "encrypted": room.encrypted,
            "users": dict(room.power_levels.users),
        }

    def is_encrypted(self, room_id: str) -> bool:
        room = self.client.rooms.get(room_id)
        return bool(room is not None and room.encrypted)

    async def direct_room(self, user_id: str) -> str:
        """The direct chat with a user: the remembered one, or a new one."""
        async with self._direct_lock:
            known = await self._direct_rooms.get(user_id)
            if known and known in self.client.rooms and known not in self._left:
                room = self.client.rooms[known]
                if user_id in room.users or user_id in room.invited_users:
                    return known
                # a room made moments ago may not show its invite in our sync yet
                state = await self.get_state(known, "m.room.member", user_id)
                if state is not None and state.get("membership") in ("invite", "join"):
                    return known
            room_id = await self.create_room(
                "",
                invite=[user_id],
                encrypted=self._direct_chats_encrypted,
                direct=True,
            )
            await self._direct_rooms.set(user_id, room_id)
            return room_id

    async def create_room(
        self,
        name: str,
        *,
        topic: str = "",
        invite: Sequence[str] = (),
        encrypted: bool = False,
        public: bool = False,
        space: bool = False,
        power_users: dict[str, int] | None = None,
        direct: bool = False,
    ) -> str:
        initial_state: list[dict[str, Any]] = []
        if encrypted:
            initial_state.append(
                {
                    "type": "m.room.encryption",
                    "state_key": "",
                    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
                }
            )
        override = None
        if power_users:
            # Room version 12 makes the creator all-powerful and forbids listing it.
            override = {"users": {u: p for u, p in power_users.items() if u != self.user_id}}
        preset = (
            RoomPreset.trusted_private_chat
            if direct
            else (RoomPreset.public_chat if public else RoomPreset.private_chat)
        )
        requested = int(time.time() * 1000)  # before the request: see _handle_invites
        response = await self.client.room_create(
            visibility=RoomVisibility.private,
            name=name or None,
            topic=topic or None,
            invite=list(invite),
            is_direct=direct,
            preset=preset,
            initial_state=initial_state,
            power_level_override=override,
            space=space,
        )
        if not isinstance(response, RoomCreateResponse):
            raise MatrixError(f"could not create room: {getattr(response, 'message', response)}")
        self._joined_at[response.room_id] = requested
        await self._wait_for_room(response.room_id)
        return str(response.room_id)

    async def invite(self, room_id: str, user_id: str) -> None:
        response = await self.client.room_invite(room_id, user_id)
        if isinstance(response, ErrorResponse):
            raise MatrixError(f"invite failed: {response.message}")

    async def redact(self, room_id: str, event_id: str, reason: str = "") -> None:
        response = await self.client.room_redact(room_id, event_id, reason or None)
        if isinstance(response, ErrorResponse):
            raise MatrixError(f"redaction in {room_id} failed: {response.message}")

    async def put_state(
        self, room_id: str, event_type: str, content: dict[str, Any], state_key: str = ""
    ) -> None:
        response = await self.client.room_put_state(room_id, event_type, content, state_key)
        if isinstance(response, ErrorResponse):
            raise MatrixError(f"state {event_type} in {room_id} failed: {response.message}")

    async def get_state(
        self, room_id: str, event_type: str, state_key: str = ""
    ) -> dict[str, Any] | None:
        response = await self.client.room_get_state_event(room_id, event_type, state_key)
        if isinstance(response, ErrorResponse):
            return None
        return dict(as_dict(getattr(response, "content", None)))
