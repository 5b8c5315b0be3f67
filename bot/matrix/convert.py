"""nio events become the plain inbound dataclasses of ``bot.events`` (also an
undecryptable message once its late key arrived, and room upgrades). Every field is
type-checked (``bot.eventfields``); no content a member sends can end the sync loop.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import replace
from typing import Any

from nio import EncryptionError, MegolmEvent, SyncResponse

from bot.eventfields import (
    annotation,
    as_dict,
    get_dict,
    get_id,
    get_int,
    get_str,
    is_edit,
    mentioned_user_ids,
    redacted_id,
    thread_root_of,
)
from bot.events import (
    POLL_RESPONSE_TYPES,
    Inbound,
    MemberChange,
    Message,
    Reaction,
    Redaction,
    RoomUpgrade,
    Undecryptable,
    poll_response,
    strip_reply_fallback,
)
from bot.matrix.base import MatrixError
from bot.matrix.keys import KeysMixin

log = logging.getLogger(__name__)


# how long an undecryptable message waits for a late room key before the sender is told
DECRYPT_GRACE_SECONDS = 10.0


def _text_attr(event: Any, name: str) -> str | None:
    """A string attribute nio set on a parsed event (e.g. of a decrypted one), or None."""
    value = getattr(event, name, None)
    return value if isinstance(value, str) and value else None


class ConvertMixin(KeysMixin):
    """nio events of a sync as the plain dataclasses of ``bot.events``."""

    async def resolve_undecryptable(
        self, event: Undecryptable, grace: float = DECRYPT_GRACE_SECONDS
    ) -> Inbound | None:
        """Wait up to ``grace`` seconds for the key of an undecryptable message.

        Returns the message as it would have arrived had the key been there (None when it
        is nothing the bot acts on), or the Undecryptable with the withheld code when the
        sender refused the key or the time is up. Raises a transient MatrixError when the
        bot stops meanwhile (the event stays open and is decided at the next start).
        """
        if not event.source or not self.settings.encryption:
            return event
        parsed = MegolmEvent.from_dict(event.source)
        if not isinstance(parsed, MegolmEvent):
            return event
        parsed.room_id = event.room_id
        deadline = time.monotonic() + grace
        while True:
            try:
                decrypted = self.client.decrypt_event(parsed)
            except EncryptionError:
                decrypted = None
            if decrypted is not None and not isinstance(decrypted, MegolmEvent):
                log.info("late room key opened %s in %s", event.event_id, event.room_id)
                return self._convert(event.room_id, decrypted, 0)
            if self._stop.is_set():
                raise MatrixError("stopping; decided at the next start", transient=True)
            withheld = self._withheld_code(parsed.session_id, parsed.sender_key)
            if withheld or time.monotonic() >= deadline:
                return replace(event, withheld=withheld)
            await asyncio.sleep(0.2)

    def _tombstones(self, response: SyncResponse) -> list[Inbound]:
        """``m.room.tombstone`` in a joined room (timeline or state): the room was
        upgraded. Seen again after every full-state resume; the handler is idempotent."""
        found: list[Inbound] = []
        for room_id, info in response.rooms.join.items():
            for event in [*info.state, *info.timeline.events]:
                source = getattr(event, "source", {}) or {}
                if source.get("type") != "m.room.tombstone" or source.get("state_key") != "":
                    continue
                replacement = (source.get("content") or {}).get("replacement_room")
                if isinstance(replacement, str) and replacement and replacement != room_id:
                    found.append(
                        RoomUpgrade(
                            room_id,
                            str(source.get("event_id", "")),
                            str(source.get("sender", "")),
                            replacement,
                        )
                    )
        return found

    def _invites(self, response: SyncResponse) -> list[tuple[str, str, bool]]:
        """(room id, inviter, is direct) of each invite of the bot in a sync."""
        found = []
        for room_id, info in response.rooms.invite.items():
            inviter = None
            is_direct = False
            for event in info.invite_state:
                # nio keeps content on the parsed event, not in its source dict
                if (
                    getattr(event, "state_key", None) == self.user_id
                    and getattr(event, "membership", None) == "invite"
                ):
                    sender = getattr(event, "sender", None)
                    inviter = sender if isinstance(sender, str) and sender else None
                    is_direct = as_dict(getattr(event, "content", None)).get("is_direct") is True
            if inviter is not None:
                found.append((room_id, inviter, is_direct))
        return found

    def _inbound(self, response: SyncResponse, not_before: int = 0) -> list[Inbound]:
        """Plain events of a sync; nothing older than ``not_before`` (ms) or than the
        bot's join of the room. An event that cannot be converted is skipped with one
        log line (reference id): no content a member sends can end the sync loop."""
        events: list[Inbound] = []
        for room_id, info in response.rooms.join.items():
            cutoff = max(self._joined_at.get(room_id, 0), not_before)
            for event in info.timeline.events:
                joined = self._own_join_ts(event)
                if joined is not None and room_id in self._joined_at:
                    # the server's own time of the bot's join: history ends there,
                    # whatever the bot's clock said when it asked to join
                    self._joined_at[room_id] = min(self._joined_at[room_id], joined)
                    cutoff = max(self._joined_at[room_id], not_before)
                converted = self._safe_convert(room_id, event, cutoff)
                if converted is not None:
                    events.append(converted)
        for room_id, info in response.rooms.leave.items():
            for event in info.timeline.events:
                source = as_dict(getattr(event, "source", None))
                if (
                    get_str(source, "type") == "m.room.member"
                    and get_str(source, "state_key") == self.user_id
                    and (get_int(source, "origin_server_ts") or 0) >= not_before
                ):
                    member = self._member(room_id, source)
                    if member is not None:
                        self._left.add(room_id)
                        events.append(member)
        return events

    def _own_join_ts(self, event: Any) -> int | None:
        """The server's timestamp of the bot's own join (not of a profile change while
        joined), or None for any other event."""
        source = as_dict(getattr(event, "source", None))
        if (
            get_str(source, "type") != "m.room.member"
            or get_str(source, "state_key") != self.user_id
        ):
            return None
        if get_str(get_dict(source, "content"), "membership", max_length=32) != "join":
            return None
        previous = get_dict(get_dict(source, "unsigned"), "prev_content")
        if get_str(previous, "membership", max_length=32) == "join":
            return None
        return get_int(source, "origin_server_ts") or None

    def _safe_convert(self, room_id: str, event: Any, joined_at: int) -> Inbound | None:
        try:
            return self._convert(room_id, event, joined_at)
        except Exception as exc:  # a bug here must cost one event, not the bot
            source = as_dict(getattr(event, "source", None))
            log.error(
                "skipped event %s in %s: %s: %s [ref %s]",
                get_id(source, "event_id"),
                room_id,
                type(exc).__name__,
                exc,
                secrets.token_hex(4),
            )
            return None

    def _member(self, room_id: str, source: dict[str, Any]) -> MemberChange | None:
        user_id = get_id(source, "state_key")
        event_id = get_id(source, "event_id")
        membership = get_str(get_dict(source, "content"), "membership", max_length=32)
        if user_id is None or event_id is None or not membership:
            return None
        previous = get_dict(get_dict(source, "unsigned"), "prev_content")
        return MemberChange(
            room_id=room_id,
            event_id=event_id,
            user_id=user_id,
            membership=membership,
            previous=get_str(previous, "membership", max_length=32),
            sender=get_id(source, "sender") or "",
            is_bot=user_id == self.user_id,
        )

    def _convert(self, room_id: str, event: Any, joined_at: int) -> Inbound | None:
        """One nio event as plain data. Every field is type-checked (bot.eventfields):
        a malformed one counts as absent, or the event is ignored."""
        source = as_dict(getattr(event, "source", None))
        sender = get_id(source, "sender") or _text_attr(event, "sender")
        event_id = get_id(source, "event_id") or _text_attr(event, "event_id")
        if sender is None or event_id is None:
            return None
        timestamp = get_int(source, "origin_server_ts") or 0
        event_type = get_str(source, "type")
        content = get_dict(source, "content")
        too_old = bool(joined_at and timestamp and timestamp < joined_at)
        if event_type == "m.room.member":
            return None if too_old else self._member(room_id, source)
        if sender == self.user_id or too_old:
            return None
        if isinstance(event, MegolmEvent):
            log.warning("undecryptable event %s in %s from %s", event_id, room_id, sender)
            self._request_key(event)
            return Undecryptable(
                room_id,
                event_id,
                sender,
                session_id=event.session_id,
                withheld=self._withheld_code(event.session_id, event.sender_key),
                source=source,
            )
        if event_type == "m.reaction":
            found = annotation(content)
            if found is None:
                return None
            target, key = found
            return Reaction(room_id, event_id, sender, target, key)
        if event_type == "m.room.redaction":
            redacts = redacted_id(source, content)
            return Redaction(room_id, event_id, sender, redacts) if redacts else None
        if event_type in POLL_RESPONSE_TYPES:
            return poll_response(room_id, event_id, sender, timestamp, event_type, content)
        if event_type != "m.room.message":
            return None
        body = get_str(content, "body")
        if get_str(content, "msgtype") not in ("m.text", "m.emote") or body is None:
            return None  # notices (other bots), files, images
        if is_edit(content):
            return None  # edits are not commands
        formatted = get_str(content, "formatted_body") or ""
        mentions_bot = (
            self.user_id in mentioned_user_ids(content)
            or f"matrix.to/#/{self.user_id}" in formatted
        )
        room = self.client.rooms.get(room_id)
        is_direct = room is not None and room.member_count <= 2
        return Message(
            room_id=room_id,
            event_id=event_id,
            sender=sender,
            body=strip_reply_fallback(body),
            timestamp_ms=timestamp,
            thread_root=thread_root_of(content),
            is_direct=is_direct,
            mentions_bot=mentions_bot,
            encrypted=getattr(event, "decrypted", False) is True,
        )
