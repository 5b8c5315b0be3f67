"""The exception tree of command handling.

    CommandError            base: something the user should hear about
    ├── UserError           shown to the user as is (catalog key + params)
    └── UsageError          shows the command's usage and an example

Anything else raised by a handler is unexpected: it is logged with a reference id and
the user is told that id.
"""

from __future__ import annotations


class CommandError(Exception):
    """Base of errors that end a command with a message to the user."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class UserError(CommandError):
    """A clear message for the user; the data stays as it was."""


class UsageError(CommandError):
    """The arguments do not fit; the usage and an example follow the message."""

    def __init__(self, key: str = "core.bad_arguments", /, **params: object) -> None:
        super().__init__(key, **params)
