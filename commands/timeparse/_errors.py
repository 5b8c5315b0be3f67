"""The one error type of date parsing: a catalog key plus the parameters to render it."""

from __future__ import annotations

from commands.errors import UserError


class DateError(UserError, ValueError):
    """A date, time, duration or repetition the user wrote that we cannot accept.

    ``key`` is a full catalog key (``dates.<name>``, see ``commands/locales/dates.yaml``)
    and ``params`` fills its placeholders. It is a ``UserError`` so that a handler can
    let it propagate and the registry shows it, and a ``ValueError`` for callers that
    only care that the input was bad.
    """

    def __init__(self, name: str, /, **params: object) -> None:
        super().__init__(f"dates.{name}", **params)
