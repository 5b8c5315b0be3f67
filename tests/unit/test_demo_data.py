"""The demo's sample data is made with chat commands: each must still be a valid command.

A renamed command or a changed argument would leave the demo without its sample
members or cooperation (the demo only logs a missing reply), so this is checked here.
"""

from __future__ import annotations

import pytest

from bot.demo_data import (
    COOP_COMMANDS,
    DEMO_PROFILE,
    MEMBERS,
    SERIES_COMMAND,
)
from commands import COMMAND_MODULES
from commands.profiles.fields import parse_field
from commands.registry import Registry

LINES = sorted(
    {
        *(line for member in MEMBERS for line in member.profile),
        *DEMO_PROFILE,
        *COOP_COMMANDS,
        SERIES_COMMAND,
        *(f"!cluster interesse {m.cluster_topic}" for m in MEMBERS if m.cluster_topic),
    }
)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.from_modules(COMMAND_MODULES)


@pytest.mark.parametrize("line", LINES)
def test_every_sample_line_is_a_command_with_valid_arguments(registry: Registry, line: str) -> None:
    parsed = registry.parse(line)
    assert parsed is not None, f"{line!r} names no command"
    registry.bind(parsed.spec, parsed.raw_args)  # raises UsageError on bad arguments


@pytest.mark.parametrize("line", sorted({*DEMO_PROFILE, *(p for m in MEMBERS for p in m.profile)}))
def test_profile_lines_name_real_fields(registry: Registry, line: str) -> None:
    parsed = registry.parse(line)
    assert parsed is not None
    field, _, _value = parsed.raw_args.partition(" ")
    if parsed.spec.name == "profil":
        assert parse_field(field) is not None, f"unknown profile field in {line!r}"
    else:
        assert parsed.spec.name == "profil sichtbar"


def test_every_member_makes_the_profile_visible() -> None:
    for profile in [DEMO_PROFILE, *(m.profile for m in MEMBERS)]:
        assert profile[-1] == "!profil sichtbar ja"
