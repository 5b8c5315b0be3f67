"""What the bot receives and sends, as plain data: no nio here.

The sync loop (``bot.matrix``) turns nio events into these frozen dataclasses; the
dispatcher stores them in the inbox as JSON (``encode_inbound``/``decode_inbound``) and
handles them. Also the pure helpers of outgoing content: reply relations, reply-fallback
stripping, and defusing member text the bot echoes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

# --- inbound events (plain data, JSON-serialisable for the inbox) -------------------


@dataclass(frozen=True)
class Message:
    room_id: str
    event_id: str
    sender: str
    body: str
    timestamp_ms: int
    thread_root: str | None = None
    is_direct: bool = False
    mentions_bot: bool = False
    encrypted: bool = False
    kind: str = "message"


@dataclass(frozen=True)
class Reaction:
    room_id: str
    event_id: str
    sender: str
    target: str
    key: str
    kind: str = "reaction"


@dataclass(frozen=True)
class Redaction:
    room_id: str
    event_id: str
    sender: str
    redacts: str
    kind: str = "redaction"


@dataclass(frozen=True)
class MemberChange:
    room_id: str
    event_id: str
    user_id: str
    membership: str
    previous: str | None
    sender: str
    is_bot: bool
    kind: str = "member"


@dataclass(frozen=True)
class Undecryptable:
    """An encrypted message without its key (yet).

    ``source`` is the encrypted event, kept so that a key arriving late still opens it;
    ``withheld`` is the code of the sender's ``m.room_key.withheld`` (e.g.
    ``m.unverified``) once it said it will not share the key.
    """

    room_id: str
    event_id: str
    sender: str
    session_id: str = ""
    withheld: str = ""
    source: dict[str, Any] = field(default_factory=dict)
    kind: str = "undecryptable"


@dataclass(frozen=True)
class PollResponse:
    """A vote on a poll (MSC3381 ``poll.response``): the answer ids, as sent."""

    room_id: str
    event_id: str
    sender: str
    poll_event_id: str
    answers: tuple[str, ...]
    timestamp_ms: int
    kind: str = "poll_response"


@dataclass(frozen=True)
class RoomUpgrade:
    """``m.room.tombstone``: the room was upgraded and ``replacement`` replaces it."""

    room_id: str
    event_id: str
    sender: str
    replacement: str
    kind: str = "upgrade"


Inbound = Message | Reaction | Redaction | MemberChange | Undecryptable | PollResponse | RoomUpgrade
INBOUND_TYPES: dict[str, type] = {
    "message": Message,
    "reaction": Reaction,
    "redaction": Redaction,
    "member": MemberChange,
    "undecryptable": Undecryptable,
    "poll_response": PollResponse,
    "upgrade": RoomUpgrade,
}

POLL_RESPONSE_TYPES = ("org.matrix.msc3381.poll.response", "m.poll.response")
MAX_POLL_ANSWERS = 20  # MSC3381: a poll has at most 20 answers


def poll_response(
    room_id: str, event_id: str, sender: str, timestamp: int, event_type: Any, content: Any
) -> PollResponse | None:
    """A poll response event as plain data; anything malformed is None (ignored)."""
    if event_type not in POLL_RESPONSE_TYPES or not isinstance(content, dict):
        return None
    relates = content.get("m.relates_to")
    if not isinstance(relates, dict) or relates.get("rel_type") != "m.reference":
        return None
    target = relates.get("event_id")
    if not isinstance(target, str) or not target.startswith("$") or len(target) > 255:
        return None
    body = content.get(event_type)
    if not isinstance(body, dict):
        body = content.get("org.matrix.msc3381.poll.response") or content.get("m.poll.response")
    answers = body.get("answers") if isinstance(body, dict) else None
    if not isinstance(answers, list):
        return None
    ids = tuple(dict.fromkeys(a for a in answers if isinstance(a, str) and 0 < len(a) <= 100))[
        :MAX_POLL_ANSWERS
    ]
    return PollResponse(room_id, event_id, sender, target, ids, timestamp)


def encode_inbound(event: Inbound) -> str:
    return json.dumps(asdict(event))


def decode_inbound(kind: str, payload: str) -> Inbound:
    return INBOUND_TYPES[kind](**json.loads(payload))


BatchSink = Callable[[list[Inbound], str], Awaitable[None]]


def strip_reply_fallback(body: str) -> str:
    """Drop the quoted ``> `` lines a reply carries before its own text."""
    lines = body.splitlines()
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index and index < len(lines) and not lines[index].strip():
        index += 1
    return "\n".join(lines[index:]) if index else body


_ROOM_MENTION = re.compile(r"@(room)\b", re.IGNORECASE)
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def defuse(text: str) -> str:
    """Outgoing text that cannot notify a whole room or reorder itself.

    "@room" (from member text the bot echoes) gets an invisible word joiner after the
    "@", so no client or push rule reads it as a room mention; bidi overrides and
    isolates are dropped. The bot's own texts contain neither.
    """
    return _BIDI_CONTROLS.sub("", _ROOM_MENTION.sub("@\u2060\\1", text))


def relates_to(reply_to: str | None, thread_root: str | None) -> dict[str, Any]:
    """The relation of a reply: in the same thread (with reply fallback) or plain."""
    if thread_root:
        return {
            "rel_type": "m.thread",
            "event_id": thread_root,
            "is_falling_back": reply_to is None,
            "m.in_reply_to": {"event_id": reply_to or thread_root},
        }
    if reply_to:
        return {"m.in_reply_to": {"event_id": reply_to}}
    return {}
