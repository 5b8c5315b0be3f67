"""The one error of the local homeserver."""

from __future__ import annotations


class HomeserverError(Exception):
    """The local homeserver failed to start, or answered an API call with an error."""

    def __init__(self, message: str, *, status: int | None = None, errcode: str | None = None):
        super().__init__(message)
        self.status = status
        self.errcode = errcode
