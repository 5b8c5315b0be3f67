"""A room's things stay in the room, through the real Synapse: every case of issue 12.

Cast: ``alice`` creates a private cooperation room (version 12: she is its creator) with
``bob``; ``mallory`` is in the lobby and in a direct chat with the bot, never in the
private room; ``koord`` coordinates and is in the coordinators' room.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from commands.i18n import Catalog
from tests.integration.botrunner import BotHarness, bot_factory  # noqa: F401
from tests.integration.test_backbone import ask, room_with_bot

BERLIN = ZoneInfo("Europe/Berlin")
SECRET = "Geheimtreffen"
SECRET_LINK = "https://meet.example.org/geheim-4711"
ROOMS: list[dict[str, Any]] = [
    {"key": "lobby", "name": "Netzwerk", "topic": "Austausch", "kind": "lobby", "public": True},
    {"key": "koordination", "name": "Koordination", "kind": "coordinators"},
]
CATALOG = Catalog.load()


def unknown(meeting_id: int) -> str:
    return CATALOG.get("meetings.not_found", "de", id=meeting_id)


def meeting_id(body: str) -> int:
    found = re.search(r"#(\d+)", body)
    assert found, body
    return int(found.group(1))


@dataclass
class Cast:
    bot: BotHarness
    koord: Any
    alice: Any
    bob: Any
    mallory: Any
    lobby: str
    coordinators: str
    private: str
    alice_dm: str
    mallory_dm: str

    def db_rows(self, sql: str, *params: Any) -> Any:
        assert self.bot.app is not None
        return self.bot.app.db.fetchall(sql, params)


async def cast(client_factory: Any, bot_factory: Any) -> Cast:
    koord = await client_factory("koord", auto_join=True)
    alice = await client_factory("alice")
    bob = await client_factory("bob", auto_join=True)
    mallory = await client_factory("mallory")
    bot: BotHarness = await bot_factory(coordinators=[koord.user_id], rooms=ROOMS)
    assert bot.app is not None and bot.app.services is not None
    ids = bot.app.services.network.room_ids
    lobby, coordinators = ids["lobby"], ids["koordination"]
    await koord.wait_for_room(coordinators, timeout=15)
    for client in (alice, mallory):
        await client.join(lobby)
    private = await room_with_bot(alice, bot)
    await alice.invite(private, bob.user_id)
    await alice.wait_for_member(private, bob.user_id, timeout=15)
    alice_dm = await room_with_bot(alice, bot, direct=True)
    mallory_dm = await room_with_bot(mallory, bot, direct=True)
    return Cast(bot, koord, alice, bob, mallory, lobby, coordinators, private, alice_dm, mallory_dm)


async def fetch(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            return response.status, await response.text()


async def new_secret_meeting(c: Cast, when: datetime | None = None) -> int:
    start = when or (datetime.now(BERLIN) + timedelta(days=3))
    reply = await ask(
        c.alice, c.private, f"!termin neu {start:%d.%m.%Y} 16:00 {SECRET} link={SECRET_LINK}"
    )
    assert SECRET in reply.body, reply.body
    return meeting_id(reply.body)


def clean(reply: Any) -> bool:
    """Nothing of the secret meeting in a reply (text or HTML)."""
    html = reply.content.get("formatted_body", "")
    return all(s not in reply.body and s not in html for s in (SECRET, SECRET_LINK))


async def test_private_meeting_is_unknown_outside_its_room(
    client_factory: Any, bot_factory: Any
) -> None:
    c = await cast(client_factory, bot_factory)
    mid = await new_secret_meeting(c)
    public = await ask(
        c.koord,
        c.lobby,
        f"!termin neu {datetime.now(BERLIN) + timedelta(days=4):%d.%m.%Y} 10:00 Netzwerktreffen",
    )
    assert "Netzwerktreffen" in public.body

    # the room's members: everything
    assert SECRET_LINK in (await ask(c.bob, c.private, f"!termin {mid}")).body
    assert "Zusagen bisher" in (await ask(c.bob, c.private, f"!dabei {mid}")).body
    # a member from her direct chat with the bot (only she reads it): visible too
    assert SECRET in (await ask(c.alice, c.alice_dm, f"!termin {mid}")).body
    # but not from the lobby, where others read the answer
    from_lobby = await ask(c.alice, c.lobby, f"!termin {mid}")
    assert unknown(mid) in from_lobby.body and clean(from_lobby)

    # an outsider, from the lobby and from a direct chat: "unknown", as for a missing id
    for room in (c.lobby, c.mallory_dm):
        mark = c.mallory.mark()
        for command in (
            f"!termin {mid}",
            f"!dabei {mid}",
            f"!nicht-dabei {mid}",
            f"!protokoll {mid} Unterwandert",
            f"!material {mid} https://evil.example/phish",
        ):
            reply = await ask(c.mallory, room, command)
            assert reply.body == unknown(mid) and clean(reply), (command, reply.body)
        missing = await ask(c.mallory, room, "!termin 999")
        assert missing.body == unknown(999)
        await asyncio.sleep(0.3)
        files = [m for m in c.mallory.messages(room) if m.index >= mark and m.msgtype == "m.file"]
        assert not files  # no .ics of the private meeting
    rsvps = await c.db_rows("SELECT user_id FROM meeting_rsvps WHERE meeting_id = ?", mid)
    assert [r["user_id"] for r in rsvps] == [c.bob.user_id]
    assert not await c.db_rows("SELECT * FROM meeting_notes WHERE meeting_id = ?", mid)

    # lists and the public feed: the network's meetings only
    listing = await ask(c.mallory, c.mallory_dm, "!termine alle")
    assert "Netzwerktreffen" in listing.body and clean(listing)
    assert SECRET in (await ask(c.alice, c.alice_dm, "!termine alle")).body
    status, ics = await fetch(f"{c.bot.web_url}/calendar.ics")
    assert status == 200 and "Netzwerktreffen" in ics
    assert SECRET not in ics and "geheim-4711" not in ics

    # a member with no role in their own direct chat: a meeting only they see
    own = await ask(
        c.mallory,
        c.mallory_dm,
        f"!termin neu {datetime.now(BERLIN) + timedelta(days=5):%d.%m.%Y} 09:00 Privatsache",
    )
    assert "Privatsache" in own.body
    assert "Privatsache" not in (await ask(c.alice, c.alice_dm, "!termine alle")).body
    assert "Privatsache" not in (await ask(c.koord, c.lobby, "!termine alle")).body
    assert "Privatsache" not in (await fetch(f"{c.bot.web_url}/calendar.ics"))[1]


async def test_reminder_mentions_only_those_in_the_room_now(
    client_factory: Any, bot_factory: Any
) -> None:
    c = await cast(client_factory, bot_factory)
    assert c.bot.app is not None and c.bot.app.services is not None
    start = c.bot.reminder_soon(10)
    reply = await ask(c.alice, c.private, f"!termin neu {start:%d.%m.%Y %H:%M} Kurzfristig")
    mid = meeting_id(reply.body)
    await ask(c.alice, c.private, f"!dabei {mid}")
    await ask(c.bob, c.private, f"!dabei {mid}")
    # bob says yes, then leaves the room: the reminder must not mention him
    await c.bob.leave(c.private)
    await c.alice.wait_for(
        lambda r: (
            r.room_id == c.private
            and r.type == "m.room.member"
            and r.source.get("state_key") == c.bob.user_id
            and r.content.get("membership") == "leave"
        ),
        10,
    )
    reminder = await c.alice.wait_for(
        lambda r: (
            r.room_id == c.private
            and r.sender == c.bot.user_id
            and r.msgtype == "m.text"
            and "Kurzfristig" in r.body
        ),
        30,
    )
    assert reminder.content["m.mentions"]["user_ids"] == [c.alice.user_id]
    assert c.bob.user_id not in reminder.body


async def test_personal_data_goes_to_the_direct_chat(client_factory: Any, bot_factory: Any) -> None:
    c = await cast(client_factory, bot_factory)
    sent_direct = CATALOG.get("privacy.answered_direct", "de")

    # !meine-daten in the lobby: one line there, the file in the direct chat
    mark = c.alice.mark()
    line = await ask(c.alice, c.lobby, "!meine-daten")
    assert line.body == sent_direct
    exported = await c.alice.wait_for(
        lambda r: r.room_id == c.alice_dm and r.msgtype == "m.file", 15, since_index=mark
    )
    assert exported.body.endswith(".json")
    await asyncio.sleep(0.3)
    in_lobby = [m for m in c.alice.messages(c.lobby) if m.index >= mark]
    assert [m.body for m in in_lobby if m.sender == c.bot.user_id] == [sent_direct]

    # !profil in the lobby starts the dialog in the direct chat, not in the lobby
    mark = c.alice.mark()
    line = await ask(c.alice, c.lobby, "!profil")
    assert line.body == sent_direct
    first = await c.alice.wait_for(
        lambda r: r.room_id == c.alice_dm and r.sender == c.bot.user_id and "1/" in r.body,
        15,
        since_index=mark,
    )
    assert "Einrichtung" in first.body or "Art" in first.body
    # plain lobby messages are no answers
    await c.alice.send_text(c.lobby, "Musikschule")
    await asyncio.sleep(1.0)
    assert not await c.db_rows(
        "SELECT kind FROM profiles WHERE user_id = ? AND kind IS NOT NULL", c.alice.user_id
    )
    # the answer in the direct chat is taken
    mark = c.alice.mark()
    await c.alice.send_text(c.alice_dm, "Musikschule")
    await c.alice.wait_for(
        # the next question: (2/…), or (3/…) when the name already told the kind
        lambda r: (
            r.room_id == c.alice_dm
            and r.sender == c.bot.user_id
            and bool(re.search(r"\((2|3)/\d+\)", r.body))
        ),
        15,
        since_index=mark,
    )
    rows = await c.db_rows("SELECT kind FROM profiles WHERE user_id = ?", c.alice.user_id)
    assert rows and rows[0]["kind"]


async def test_forget_me_takes_back_forwarded_questions(
    client_factory: Any, bot_factory: Any
) -> None:
    c = await cast(client_factory, bot_factory)
    mark = c.koord.mark()
    await ask(c.alice, c.alice_dm, "!frage Wie viele Einhörner wohnen im Rathauskeller?")
    forwarded = await c.koord.wait_for(
        lambda r: r.room_id == c.coordinators and c.alice.user_id in (r.body or ""),
        15,
        since_index=mark,
    )
    assert "Einhörner" in forwarded.body
    await ask(c.alice, c.alice_dm, "!vergiss-mich")
    done = await ask(c.alice, c.alice_dm, "!vergiss-mich ja")
    assert "gelöscht" in done.body
    redaction = await c.koord.wait_for(
        lambda r: (
            r.room_id == c.coordinators
            and r.type == "m.room.redaction"
            and r.source.get("redacts", r.content.get("redacts")) == forwarded.event_id
        ),
        15,
        since_index=mark,
    )
    assert redaction.sender == c.bot.user_id
    response = await c.koord.client.room_get_event(c.coordinators, forwarded.event_id)
    assert c.alice.user_id not in str(response.event.source.get("content", {}))


async def test_personal_calendar_feed(client_factory: Any, bot_factory: Any) -> None:
    c = await cast(client_factory, bot_factory)
    await new_secret_meeting(c)
    day = datetime.now(BERLIN) + timedelta(days=4)
    await ask(c.koord, c.lobby, f"!termin neu {day:%d.%m.%Y} 10:00 Netzwerktreffen")

    def url_in(body: str) -> str:
        found = re.search(r"(http://\S+/calendar/\S+\.ics)", body)
        assert found, body
        return found.group(1)

    # asked in the lobby: one line there, the link in the direct chat
    mark = c.alice.mark()
    line = await ask(c.alice, c.lobby, "!kalender")
    assert line.body == CATALOG.get("privacy.answered_direct", "de") and "http" not in line.body
    sent = await c.alice.wait_for(
        lambda r: r.room_id == c.alice_dm and "/calendar/" in (r.body or ""),
        15,
        since_index=mark,
    )
    alice_url = url_in(sent.body)
    status, feed = await fetch(alice_url)
    assert status == 200 and SECRET in feed and "Netzwerktreffen" in feed
    token = alice_url.rsplit("/", 1)[1].removesuffix(".ics")
    stored = await c.db_rows("SELECT token_sha256 FROM calendar_feeds")
    assert token not in str([tuple(r) for r in stored])  # only the hash is kept

    mallory_url = url_in((await ask(c.mallory, c.mallory_dm, "!kalender")).body)
    status, feed = await fetch(mallory_url)
    assert status == 200 and "Netzwerktreffen" in feed and SECRET not in feed

    # a wrong token: the same 404 as a path that does not exist
    wrong = alice_url[:-10] + "AAAAAA.ics"
    assert (await fetch(wrong))[0] == 404
    assert (await fetch(f"{c.bot.web_url}/calendar/x.ics"))[0] == 404
    assert (await fetch(wrong))[1] == (await fetch(f"{c.bot.web_url}/nothing-here"))[1]

    # asked again: the link is not shown a second time; !kalender neu revokes it
    again = await ask(c.alice, c.alice_dm, "!kalender")
    assert "/calendar/" not in again.body and "!kalender neu" in again.body
    new_url = url_in((await ask(c.alice, c.alice_dm, "!kalender neu")).body)
    assert new_url != alice_url
    assert (await fetch(alice_url))[0] == 404
    assert SECRET in (await fetch(new_url))[1]

    # membership is checked at fetch time: after leaving the room, its meetings are gone
    await c.alice.leave(c.private)
    await asyncio.sleep(1.5)
    status, feed = await fetch(new_url)
    assert status == 200 and SECRET not in feed and "Netzwerktreffen" in feed
