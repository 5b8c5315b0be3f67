"""Type-checked reads of raw Matrix event JSON (no nio here).

Why: event content is written by any member's client and is only loosely checked by
the homeserver; ``content["m.relates_to"]`` may be a string, ``formatted_body`` a
number, ``m.mentions`` a list. Every field the bot reads goes through one of these
helpers, which return the value only when it has the expected type and otherwise treat
it as absent. None of them raises on any JSON value.
"""

from __future__ import annotations

from typing import Any

# A Matrix event is at most 64 KiB; ids and keys the bot stores are far shorter. Longer
# values are not ids (and are not worth keeping in the inbox): treated as absent.
MAX_ID_LENGTH = 512
MAX_KEY_LENGTH = 64  # a reaction key is an emoji or a short word


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def get_dict(mapping: Any, key: str) -> dict[str, Any]:
    """The object under ``key``; {} when it is missing or not an object."""
    return as_dict(as_dict(mapping).get(key))


def get_str(mapping: Any, key: str, *, max_length: int | None = None) -> str | None:
    """The string under ``key``; None when missing, not a string, or longer than
    ``max_length``."""
    value = as_dict(mapping).get(key)
    if not isinstance(value, str):
        return None
    if max_length is not None and len(value) > max_length:
        return None
    return value


def get_id(mapping: Any, key: str) -> str | None:
    """An identifier (event, room or user id): a non-empty string of sane length."""
    value = get_str(mapping, key, max_length=MAX_ID_LENGTH)
    return value or None


def get_int(mapping: Any, key: str) -> int | None:
    """The integer under ``key`` (JSON numbers without fraction; never a bool)."""
    value = as_dict(mapping).get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return None


def get_str_list(mapping: Any, key: str, *, max_items: int = 1000) -> list[str]:
    """The strings of the list under ``key`` (other items dropped); [] if it is no list."""
    value = as_dict(mapping).get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value[:max_items] if isinstance(item, str)]


def relation(content: Any) -> dict[str, Any]:
    """``m.relates_to`` of a content, {} when missing or malformed."""
    return get_dict(content, "m.relates_to")


def thread_root_of(content: Any) -> str | None:
    """The thread root of a message in a thread, else None."""
    relates = relation(content)
    if get_str(relates, "rel_type") != "m.thread":
        return None
    return get_id(relates, "event_id")


def is_edit(content: Any) -> bool:
    return get_str(relation(content), "rel_type") == "m.replace"


def annotation(content: Any) -> tuple[str, str] | None:
    """(target event id, key) of an ``m.reaction``; None when it is no valid annotation."""
    relates = relation(content)
    if get_str(relates, "rel_type") != "m.annotation":
        return None
    target = get_id(relates, "event_id")
    key = get_str(relates, "key", max_length=MAX_KEY_LENGTH)
    if target is None or key is None:
        return None
    return target, key


def mentioned_user_ids(content: Any) -> list[str]:
    """``m.mentions.user_ids`` (strings only)."""
    return get_str_list(get_dict(content, "m.mentions"), "user_ids")


def redacted_id(event: Any, content: Any) -> str | None:
    """The id a redaction removes: top-level ``redacts`` (old rooms) or in content (v11+)."""
    return get_id(event, "redacts") or get_id(content, "redacts")
