"""Declared commands: names, English aliases, typed arguments, permissions and help.

A command is a declaration, not a branch in an if-chain::

    @command("termin neu", aliases=("event new",), group="termine",
             summary="meetings.new_summary", usage="<datum> <uhrzeit> <titel>",
             args=(Arg("spec", rest=True),), permission=Permission.MODERATOR,
             examples=("!termin neu 03.12.2026 16:00 Austausch OGS",))
    async def new_meeting(ctx: Context, spec: str) -> None: ...

Lookup is by exact tokens (never ``startswith``); the longest declared name wins, so
``!termin neu …`` and ``!termin 12`` reach different handlers. Umlauts are folded
("prüfung" = "pruefung").
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from types import ModuleType
from typing import Any

from commands.context import JobContext
from commands.errors import UsageError
from content.normalize import normalize

PREFIXES = ("!", "/")
MAX_NAME_TOKENS = 3

Handler = Callable[..., Awaitable[Any]]
JobHandler = Callable[[JobContext, Any], Awaitable[None]]
EventHook = Callable[..., Awaitable[Any]]  # ``dialog`` hooks return a bool


class Scope(StrEnum):
    """What a command reaches; the privacy test is generated from this.

    ``ID``        a room's thing by its id (meetings, notes, RSVPs): checked by
                  ``commands.scope``; derived from an id argument (``*_id``)
    ``ROOM``      the things of the room it is sent in (its cooperation, its meetings)
    ``PERSONAL``  the sender's own data: asked in a group room, answered in the direct
                  chat, with one line in the room saying so
    ``NETWORK``   nothing of any room or person: curated content, help, the network's
                  own rooms and announcements
    """

    ID = "id"
    ROOM = "room"
    PERSONAL = "personal"
    NETWORK = "network"


class Permission(IntEnum):
    """Who may run a command; higher includes lower."""

    EVERYONE = 0
    MODERATOR = 1  # power level >= 50 in the room, or coordinator
    COORDINATOR = 2  # listed in [network] coordinators


@dataclass(frozen=True)
class Arg:
    """One typed argument. ``rest`` takes the remaining text, spaces included."""

    name: str
    convert: Callable[[str], Any] = str
    optional: bool = False
    rest: bool = False


@dataclass(frozen=True)
class CommandSpec:
    name: str
    aliases: tuple[str, ...]
    group: str
    summary: str
    usage: str
    examples: tuple[str, ...]
    permission: Permission
    args: tuple[Arg, ...]
    handler: Handler
    usage_en: str | None = None
    hidden: bool = False
    declared_scope: Scope | None = None

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def scope(self) -> Scope | None:
        """The declared scope; a command taking an id (``*_id``) acts by id. None: not
        classified (the generated privacy test fails until it is)."""
        if self.declared_scope is not None:
            return self.declared_scope
        if any(arg.name.endswith("_id") for arg in self.args):
            return Scope.ID
        return None

    def usage_tokens(self, lang: str = "de") -> list[str]:
        """The usage split into argument words, brackets kept together:
        ``"<id> [<alter tag> auf] <datum>"`` -> ``["<id>", "[<alter tag> auf]", "<datum>"]``."""
        usage = self.usage_en if lang == "en" and self.usage_en is not None else self.usage
        tokens: list[str] = []
        depth, current = 0, ""
        for char in usage:
            if char.isspace() and depth == 0:
                if current:
                    tokens.append(current)
                current = ""
                continue
            depth += {"[": 1, "]": -1}.get(char, 0)
            current += char
        if current:
            tokens.append(current)
        if len(tokens) < len(self.args):  # "[<feld> <wert>]": two optional arguments
            tokens = [w for t in tokens for w in t.removeprefix("[").removesuffix("]").split()]
        return tokens

    def arg_label(self, name: str, lang: str = "de", *, required_only: bool = False) -> str:
        """An argument as users know it from the usage ("<termin-nr>"), never its code name.

        Plain arguments take one usage word each, in order; a ``rest`` argument takes
        all that are left (only the required ones with ``required_only``).
        """
        tokens = self.usage_tokens(lang)
        for index, arg in enumerate(self.args):
            if arg.name != name:
                continue
            if index >= len(tokens):
                break
            if not arg.rest:
                return tokens[index]
            words = tokens[index:]
            required = [w for w in words if not w.startswith("[")]
            return " ".join(required if required_only and required else words)
        return "…"

    def usage_line(self, lang: str = "de") -> str:
        args = self.usage_en if lang == "en" and self.usage_en is not None else self.usage
        name = self.aliases[0] if lang == "en" and self.aliases else self.name
        return f"!{name} {args}".rstrip()


def fold(name: str) -> str:
    """The lookup form of a command name: lower case, umlauts folded, one space."""
    return " ".join(normalize(token) or token.casefold() for token in name.split())


def command(
    name: str,
    *,
    aliases: Iterable[str] = (),
    group: str,
    summary: str,
    usage: str = "",
    usage_en: str | None = None,
    examples: Iterable[str] = (),
    permission: Permission = Permission.EVERYONE,
    args: Iterable[Arg] = (),
    hidden: bool = False,
    scope: Scope | None = None,
) -> Callable[[Handler], Handler]:
    """Declare a command on its handler; collected by ``Registry.from_modules``.

    ``scope`` says what it reaches (see ``Scope``); needed unless it takes an id."""

    def decorate(handler: Handler) -> Handler:
        spec = CommandSpec(
            name=name,
            aliases=tuple(aliases),
            group=group,
            summary=summary,
            usage=usage,
            usage_en=usage_en,
            examples=tuple(examples),
            permission=permission,
            args=tuple(args),
            handler=handler,
            hidden=hidden,
            declared_scope=scope,
        )
        specs = [*getattr(handler, "__koopbot_commands__", []), spec]
        handler.__koopbot_commands__ = specs  # type: ignore[attr-defined]
        return handler

    return decorate


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Declare the function that runs jobs of one kind (e.g. ``meeting.reminder``)."""

    def decorate(handler: JobHandler) -> JobHandler:
        handler.__koopbot_job__ = kind  # type: ignore[attr-defined]
        return handler

    return decorate


def on_event(kind: str) -> Callable[[EventHook], EventHook]:
    """Declare a hook for non-command events: ``reaction``, ``redaction``, ``member``,
    ``bot_removed``, ``startup``; ``dialog`` (``ctx=``: plain direct-chat text, return
    True when consumed) and ``forget`` (``user_id=``, after ``!vergiss-mich``)."""

    def decorate(hook: EventHook) -> EventHook:
        kinds = [*getattr(hook, "__koopbot_events__", []), kind]
        hook.__koopbot_events__ = kinds  # type: ignore[attr-defined]
        return hook

    return decorate


@dataclass(frozen=True)
class ParsedCommand:
    spec: CommandSpec
    invoked_as: str
    raw_args: str
    english: bool


@dataclass
class Registry:
    """All commands, job handlers and event hooks of one bot."""

    commands: list[CommandSpec] = field(default_factory=list)
    jobs: dict[str, JobHandler] = field(default_factory=dict)
    hooks: dict[str, list[EventHook]] = field(default_factory=dict)
    _lookup: dict[str, tuple[CommandSpec, bool]] = field(default_factory=dict)

    @classmethod
    def from_modules(cls, modules: Iterable[ModuleType | str]) -> Registry:
        registry = cls()
        for module in modules:
            mod = importlib.import_module(module) if isinstance(module, str) else module
            for value in vars(mod).values():
                for spec in getattr(value, "__koopbot_commands__", []):
                    registry.add(spec)
                kind = getattr(value, "__koopbot_job__", None)
                if kind is not None:
                    if kind in registry.jobs:
                        raise ValueError(f"job kind {kind!r} declared twice")
                    registry.jobs[kind] = value
                for event in getattr(value, "__koopbot_events__", []):
                    registry.hooks.setdefault(event, []).append(value)
        return registry

    def add(self, spec: CommandSpec) -> None:
        for index, name in enumerate(spec.names()):
            key = fold(name)
            if len(key.split()) > MAX_NAME_TOKENS:
                raise ValueError(f"command name {name!r} has too many words")
            if key in self._lookup:
                raise ValueError(f"command name {name!r} declared twice")
            self._lookup[key] = (spec, index > 0)
        self.commands.append(spec)

    def find(self, name: str) -> CommandSpec | None:
        found = self._lookup.get(fold(name))
        return None if found is None else found[0]

    def related(self, name: str) -> list[CommandSpec]:
        """The command called ``name`` and its subcommands (for ``!hilfe termin``)."""
        key = fold(name)
        result = []
        for spec in self.commands:
            if any(fold(n) == key or fold(n).startswith(key + " ") for n in spec.names()):
                result.append(spec)
        return result

    def parse(self, body: str) -> ParsedCommand | None:
        """Find the command a message invokes, or None if it names no known command."""
        text = body.strip()
        if not text.startswith(PREFIXES):
            return None
        text = text.lstrip("!/").lstrip()
        tokens = text.split()
        if not tokens:
            return None
        for size in range(min(MAX_NAME_TOKENS, len(tokens)), 0, -1):
            candidate = fold(" ".join(tokens[:size]))
            found = self._lookup.get(candidate)
            if found is None:
                continue
            spec, english = found
            rest = text
            for token in tokens[:size]:
                rest = rest[rest.index(token) + len(token) :]
            return ParsedCommand(spec, " ".join(tokens[:size]), rest.strip(), english)
        return None

    @staticmethod
    def bind(spec: CommandSpec, raw_args: str, lang: str = "de") -> dict[str, Any]:
        """Turn the argument text into typed keyword arguments or raise UsageError.

        Errors name an argument as the usage does ("<termin-nr>"), never by code name.
        """
        values: dict[str, Any] = {}
        remaining = raw_args.strip()
        for arg in spec.args:
            if arg.rest:
                text = remaining
                remaining = ""
            else:
                parts = remaining.split(maxsplit=1)
                text = parts[0] if parts else ""
                remaining = parts[1] if len(parts) > 1 else ""
            if not text:
                if arg.optional:
                    values[arg.name] = None
                    continue
                label = spec.arg_label(arg.name, lang, required_only=True)
                raise UsageError("core.missing_argument", name=label)
            try:
                values[arg.name] = arg.convert(text)
            except UsageError:
                raise
            except ValueError as exc:
                label = spec.arg_label(arg.name, lang)
                raise UsageError("core.bad_argument", name=label, value=text) from exc
        if remaining:
            raise UsageError("core.too_many_arguments", extra=remaining)
        return values


_MAX_ID = 2**63 - 1  # SQLite's INTEGER: a larger number can name no row


def int_arg(text: str) -> int:
    """A positive whole number (ids of meetings, cooperations, questions); a number no
    row can have ("99999999999999999999") is as wrong as a word, not a database error."""
    digits = text.lstrip("#")
    if len(digits) > len(str(_MAX_ID)):
        raise ValueError(text)
    value = int(digits)
    if not 0 < value <= _MAX_ID:
        raise ValueError(text)
    return value
