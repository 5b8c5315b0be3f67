"""!hilfe is short and role-aware; !hilfe alles lists what the sender may use; commands
suggested in a room work in that room."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from commands.context import Context, Services
from commands.registry import Registry
from storage.cooperations import Cooperations
from tests.fakes import FakeChat, make_services

LOBBY = "!lobby:localhost"
TOPIC = "!topic:localhost"
COOP = "!coop:localhost"
OWN = "!own:localhost"
DM = "!dm:localhost"
COORD = "@koord:localhost"
MEMBER = "@member:localhost"
MOD = "@mod:localhost"


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    services = await make_services(tmp_path, coordinators=(COORD,))
    services.network.room_ids = {"lobby": LOBBY, "laeuft": TOPIC}
    services.network.room_kinds = {"lobby": "lobby", "laeuft": "topic"}
    chat = services.chat
    assert isinstance(chat, FakeChat)
    chat.power[(OWN, MOD)] = 50
    chat.power[(COOP, MOD)] = 50
    await Cooperations(services.db).create(
        COOP, "Singpause", created_by=MEMBER, source_event_id=None, fields={}, now=datetime.now(UTC)
    )
    try:
        yield services
    finally:
        await services.db.close()


async def say(services: Services, sender: str, room: str, body: str, lang: str = "de") -> str:
    registry: Registry = services.registry
    parsed = registry.parse(body)
    assert parsed is not None
    ctx = Context(services, sender, room, f"$e{body}{room}{sender}", None, room == DM, lang, body)
    chat = services.chat
    assert isinstance(chat, FakeChat)
    before = len(chat.sent)
    from commands.errors import CommandError

    try:
        await parsed.spec.handler(ctx, **registry.bind(parsed.spec, parsed.raw_args, lang))
    except CommandError as error:
        return ctx.t(error.key, **error.params)
    return "\n".join(s.reply.text for s in chat.sent[before:] if s.reply is not None)


REFUSALS = ("Das darf nur", "Das dürfen nur", "Raum des ganzen Netzwerks", "keinen Platz")


def commands_in(text: str) -> set[str]:
    return {line.split(" – ")[0].removeprefix("• ") for line in text.splitlines() if "• !" in line}


CASES = [
    (MEMBER, LOBBY, {"!frage <text>", "!checkliste <phase>", "!profil [<feld> <wert>]"},
     {"!status", "!ankündigung", "!termin neu", "!kooperation neu", "!erledigt"}),
    (COORD, LOBBY, {"!ankündigung <text>", "!status", "!offene-fragen"},
     {"!kooperation neu", "!erledigt"}),
    (MOD, OWN, {"!kooperation neu <titel>"}, {"!status", "!ankündigung", "!erledigt"}),
    (MEMBER, COOP, {"!kooperation", "!kooperation prüfung <datum|intervall|aus>"},
     {"!kooperation neu", "!termin neu", "!status"}),
    (MEMBER, DM, {"!meine-daten", "!themen"}, {"!termin neu", "!kooperation neu", "!status"}),
]  # fmt: skip


@pytest.mark.parametrize(("sender", "room", "shown", "absent"), CASES)
async def test_short_help_shows_what_this_person_can_do_here(
    services: Services, sender: str, room: str, shown: set[str], absent: set[str]
) -> None:
    text = await say(services, sender, room, "!hilfe")
    lines = text.splitlines()
    assert len(lines) <= 12, text
    assert "was du hier tun kannst" in lines[0] and "!hilfe alles" in lines[-1]
    listed = commands_in(text)
    assert shown <= listed, text
    assert not any(line.startswith(tuple(absent)) for line in listed), text
    registry: Registry = services.registry
    for usage in listed:  # every suggestion works here: its example is not refused
        parsed = registry.parse(usage.split(" <")[0].split(" [")[0])
        assert parsed is not None, usage
        example = (parsed.spec.examples or (usage,))[0]
        answer = await say(services, sender, room, example)
        for refusal in REFUSALS:
            assert refusal not in answer, f"{example} in {room}: {answer}"


async def test_moderator_commands_only_where_the_sender_moderates(services: Services) -> None:
    assert any(
        c.startswith("!termin neu") for c in commands_in(await say(services, MOD, OWN, "!hilfe"))
    )
    assert not any(
        c.startswith("!termin neu") for c in commands_in(await say(services, MOD, LOBBY, "!hilfe"))
    )


async def test_help_all_lists_the_rest_but_not_what_the_sender_may_not_use(
    services: Services,
) -> None:
    member = await say(services, MEMBER, LOBBY, "!hilfe alles")
    assert "!phasen" in member and "!vereinbarung" in member and "!status" not in member
    assert "nur für die Koordination bzw. die Moderation eines Raums" in member
    coordinator = await say(services, COORD, LOBBY, "!hilfe alles")
    assert "!status" in coordinator and "!ankündigung" in coordinator
    english = await say(services, MEMBER, LOBBY, "!help all", "en")
    assert "what I can do" in english and "!match" in english


async def test_help_for_one_command_is_unchanged(services: Services) -> None:
    text = await say(services, MEMBER, LOBBY, "!hilfe termin")
    assert (
        "!termin neu <datum> <uhrzeit>" in text and "nur Koordination und Raum-Moderation" in text
    )


async def test_coop_status_in_the_lobby_does_not_suggest_what_is_refused_there(
    services: Services,
) -> None:
    lobby = await say(services, MEMBER, LOBBY, "!kooperation")
    assert "eigenen Raum" in lobby and "dort !kooperation neu" in lobby
    refused = await say(services, MEMBER, LOBBY, "!kooperation neu Test")
    assert "Raum des ganzen Netzwerks" in refused
    own = await say(services, MEMBER, OWN, "!kooperation")
    assert "Legt sie an mit !kooperation neu" in own  # works there


async def test_empty_meeting_list_suggests_new_meetings_only_to_moderators(
    services: Services,
) -> None:
    member = await say(services, MEMBER, OWN, "!termine")
    assert "keine Termine" in member and "!termin neu" not in member
    moderator = await say(services, MOD, OWN, "!termine")
    assert "Neu anlegen: !termin neu" in moderator
