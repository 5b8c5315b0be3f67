"""Shared look-ups of the cooperation commands: content, this room's cooperation."""

from __future__ import annotations

from typing import Any

from commands.context import Context
from commands.cooperation.progress import Progress, progress
from commands.errors import UserError
from storage.cooperations import Cooperation, Cooperations

MAX_VALUE = 2000
MAX_TITLE = 200


def content_of(ctx: Context) -> Any:
    """The curated content (phases, checklist, agreement elements)."""
    if ctx.services.content is None:
        raise UserError("cooperation.no_content")
    return ctx.services.content


def checklist_of(content: Any) -> list[tuple[int, list[str]]]:
    return [(phase.number, [item.id for item in phase.items]) for phase in content.phases]


def progress_of(content: Any, ticked: set[str] | list[str] | Any) -> Progress:
    return progress(checklist_of(content), ticked)


async def cooperation_here(ctx: Context) -> Cooperation:
    """This room's cooperation; only ever ``ctx.room_id``, so nothing leaks elsewhere."""
    coop = await Cooperations(ctx.db).by_room(ctx.room_id)
    if coop is None:
        if ctx.room_id in ctx.services.network.network_rooms():
            # "!kooperation neu" would be refused here: point to a room of its own
            raise UserError("cooperation.none_in_network_room")
        raise UserError("cooperation.none_here")
    return coop
