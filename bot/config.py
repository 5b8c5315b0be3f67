"""The koopbot.toml model (pydantic), passed explicitly, never global.

Every key can be overridden by ``KOOPBOT_<SECTION>__<KEY>``; environment values win over
the file. A wrong or missing key stops the start with one line naming the key.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

_OFFSET = re.compile(r"^\s*(\d+)\s*([dhms])\s*$")  # s: for tests and drills
_LISTEN = re.compile(r"^[\w.\-\[\]:]+:\d{1,5}$")
# ISO 3166-2:DE without "DE-": the states whose school and public holidays are known
GERMAN_STATES = (
    "BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV",
    "NI", "NW", "RP", "SH", "SL", "SN", "ST", "TH",
)  # fmt: skip


class ConfigError(Exception):
    """A configuration problem, rendered as one line that names the key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatrixSettings(_Section):
    homeserver: str = "http://127.0.0.1:8008"
    user_id: str = Field(pattern=r"^@[^:\s]+:\S+$")
    password: SecretStr | None = None
    access_token: SecretStr | None = None
    device_name: str = "koopbot"
    encryption: bool = True
    allowed_inviters: list[str] = Field(default_factory=list)

    @property
    def server_name(self) -> str:
        return self.user_id.split(":", 1)[1]

    def inviter_patterns(self) -> list[str]:
        """Without explicit patterns, members of the bot's own server may invite it."""
        return self.allowed_inviters or [f"@*:{self.server_name}"]


class StorageSettings(_Section):
    dir: Path = Path("data")


class RoomSettings(_Section):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    name: str
    topic: str = ""
    kind: Literal["lobby", "topic", "coordinators", "other"] = "topic"
    public: bool = False
    encrypted: bool = False


class NetworkSettings(_Section):
    name: str = "Netzwerk Kooperationen"
    language: Literal["de", "en"] = "de"
    timezone: str = "Europe/Berlin"
    # German state (two letters, e.g. "NW"): school and public holidays; none: no holidays
    state: str | None = None
    # series skip the state's holidays unless "mit Ferien" is said (default: only with
    # "ohne Ferien")
    series_skip_holidays: bool = False
    coordinators: list[str] = Field(default_factory=list)
    reminder_offsets: list[str] = Field(default_factory=lambda: ["7d", "1d", "1h"])
    rooms: list[RoomSettings] = Field(default_factory=list)
    # flood protection: commands per user / per room within the window (0 = no limit)
    flood_user_limit: int = Field(default=40, ge=0)
    flood_room_limit: int = Field(default=120, ge=0)
    flood_window_seconds: float = Field(default=60.0, gt=0)
    digest_weekday: int = Field(default=0, ge=0, le=6)  # 0 = Monday
    digest_time: str = Field(default="08:00", pattern=r"^\d{1,2}:\d{2}$")
    intro_every_weeks: int = Field(default=4, ge=1, le=52)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("state")
    @classmethod
    def _german_state(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        code = value.strip().upper().removeprefix("DE-")
        if code not in GERMAN_STATES:
            raise ValueError(
                f"{value!r} is not a German state; use one of {', '.join(GERMAN_STATES)}"
            )
        return code

    @field_validator("reminder_offsets")
    @classmethod
    def _valid_offsets(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _OFFSET.match(value):
                raise ValueError(f"{value!r} is not an offset like 7d, 1h or 15m")
        return values

    @field_validator("rooms")
    @classmethod
    def _unique_room_keys(cls, rooms: list[RoomSettings]) -> list[RoomSettings]:
        keys = [room.key for room in rooms]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"duplicate room key(s): {', '.join(duplicates)}")
        return rooms

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def offset_seconds(self) -> list[int]:
        units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
        result = []
        for value in self.reminder_offsets:
            match = _OFFSET.match(value)
            assert match is not None  # validated above
            result.append(int(match.group(1)) * units[match.group(2)])
        return sorted(result, reverse=True)


class ContentSettings(_Section):
    dirs: list[Path] = Field(default_factory=list)


class WebSettings(_Section):
    enabled: bool = True
    listen: str = "127.0.0.1:8080"
    calendar_token: SecretStr | None = None
    healthy_sync_age_seconds: float = 90.0

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        if not _LISTEN.match(value):
            raise ValueError("expected host:port, e.g. 127.0.0.1:8080")
        return value

    @property
    def host(self) -> str:
        return self.listen.rsplit(":", 1)[0].strip("[]")

    @property
    def port(self) -> int:
        return int(self.listen.rsplit(":", 1)[1])


ENV_PREFIX = "KOOPBOT_"


class Settings(BaseModel):
    """The whole configuration; environment variables override the TOML file."""

    model_config = ConfigDict(extra="forbid")

    matrix: MatrixSettings
    storage: StorageSettings = Field(default_factory=StorageSettings)
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    content: ContentSettings = Field(default_factory=ContentSettings)
    web: WebSettings = Field(default_factory=WebSettings)

    def __init__(self, **data: Any) -> None:
        super().__init__(**with_environment(data, os.environ))


def with_environment(data: dict[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """The file's data with ``KOOPBOT_<SECTION>[__<KEY>]`` variables laid over it.

    What pydantic-settings did here (env_prefix, env_nested_delimiter "__", names
    case-insensitive), without its import cost (≈ 4 MB resident): a list or table value
    is JSON (``KOOPBOT_NETWORK__REMINDER_OFFSETS='["15m"]'``, ``KOOPBOT_WEB='{...}'``),
    anything else is the plain string, which the model converts and checks as it does
    the file's values. Variables that name no section are not configuration
    (``KOOPBOT_LOG_LEVEL``); an unknown key inside a section is an error like in the file.
    """
    merged = {key: dict(value) if isinstance(value, dict) else value for key, value in data.items()}
    sections = Settings.model_fields
    for name, raw in sorted(environ.items()):
        if not name.upper().startswith(ENV_PREFIX):
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        if section not in sections:
            continue
        model = sections[section].annotation
        if not key:
            value = _decode(raw, f"{name}: expected a JSON object")
            if isinstance(value, dict) and isinstance(merged.get(section), dict):
                merged[section] = {**merged[section], **value}
            else:
                merged[section] = value
            continue
        field = (
            model.model_fields.get(key)
            if isinstance(model, type) and issubclass(model, BaseModel)
            else None
        )
        if field is not None and _is_structured(field.annotation):
            value = _decode(raw, f'{name}: expected JSON, e.g. ["a", "b"]')
        else:
            value = raw
        target = merged.setdefault(section, {})
        if isinstance(target, dict):
            target[key] = value
    return merged


def _is_structured(annotation: Any) -> bool:
    """A list, table or model field: its environment value is JSON."""
    origins = {get_origin(annotation), *(get_origin(a) for a in get_args(annotation))}
    candidates = {annotation, *get_args(annotation)}
    return bool(origins & {list, dict, tuple, set}) or any(
        isinstance(c, type) and issubclass(c, (BaseModel, list, dict)) for c in candidates
    )


def _decode(raw: str, problem: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(problem) from exc


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(root)"
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    elif first["type"] == "missing":
        message = "missing key"
    more = len(error.errors()) - 1
    suffix = f" (+{more} more)" if more else ""
    return f"{key}: {message}{suffix}"


def load_settings(path: Path | None, *, required: bool = False) -> Settings:
    """Read the TOML file (if any) and the environment into validated settings."""
    data: dict[str, Any] = {}
    if path is not None and path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    elif required and path is not None:
        raise ConfigError(f"{path}: config file not found (copy koopbot.example.toml)")
    try:
        return Settings(**data)
    except ValidationError as exc:
        where = str(path) if path is not None and path.exists() else "environment"
        raise ConfigError(f"{where}: {_describe(exc)}") from exc
