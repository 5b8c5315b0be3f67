"""!hilfe and the lobby through a real Synapse: the short help depends on role and
room, and a plain sentence in the lobby is not answered, even when the lobby has only
the bot and one person (as in the demo)."""

from __future__ import annotations

from typing import Any

from tests.integration.test_backbone import ask

LOBBY = [
    {"key": "lobby", "name": "Netzwerk", "topic": "Austausch", "kind": "lobby", "public": True}
]


def listed(body: str) -> list[str]:
    return [line for line in body.splitlines() if line.startswith("• !")]


async def test_lobby_alone_with_the_bot_plain_text_is_no_question_and_help_fits_the_role(
    client_factory: Any, bot_factory: Any
) -> None:
    koord = await client_factory("koord", auto_join=True)
    bot = await bot_factory(coordinators=[koord.user_id], rooms=LOBBY)
    assert bot.app is not None and bot.app.services is not None
    lobby = bot.app.services.network.room_ids["lobby"]
    await koord.wait_for_room(lobby, timeout=15)

    mark = koord.mark()
    plain = await koord.send_text(lobby, "Was ist ein Lerncluster?")
    help_ = await ask(koord, lobby, "!hilfe")  # answered in order: after the plain text
    replies = {m.in_reply_to for m in koord.messages(lobby, sender=bot.user_id)[-5:]}
    assert plain not in replies
    assert not [
        m for m in koord.events[mark:] if m.sender == bot.user_id and m.in_reply_to == plain
    ]

    lines = help_.body.splitlines()
    assert len(lines) <= 12 and "!hilfe alles" in lines[-1]
    commands = listed(help_.body)
    assert any(c.startswith("• !status") for c in commands)
    assert any(c.startswith("• !ankündigung") for c in commands)
    assert not any(c.startswith("• !kooperation neu") for c in commands)

    member = await client_factory("member", auto_join=True)
    await member.join(lobby)
    await koord.wait_for_member(lobby, member.user_id, timeout=15)
    mine = await ask(member, lobby, "!hilfe")
    assert len(mine.body.splitlines()) <= 12
    own = listed(mine.body)
    assert own and not any(
        c.startswith(("• !status", "• !ankündigung", "• !termin neu")) for c in own
    )
    everything = await ask(member, lobby, "!hilfe alles")
    assert "!phasen" in everything.body and "!status" not in everything.body

    coop = await ask(member, lobby, "!kooperation")
    assert "eigenen Raum" in coop.body and "Legt sie an mit" not in coop.body
