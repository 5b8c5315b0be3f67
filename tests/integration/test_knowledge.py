"""Curated answers through the real path: checklist, free questions, abstentions."""

from __future__ import annotations

import re
from typing import Any

from tests.integration.test_backbone import ask, room_with_bot


async def test_checklist_and_free_question_in_direct_chat(
    client_factory: Any, bot_factory: Any
) -> None:
    bot = await bot_factory()
    member = await client_factory("member")
    room_id = await room_with_bot(member, bot, direct=True)

    checklist = await ask(member, room_id, "!checkliste 5")
    assert checklist.msgtype == "m.notice"
    assert "Phase 5" in checklist.body and "5.1" in checklist.body
    assert "001_5dc91feac3aa1d14.txt" in checklist.body

    misspelt = await ask(member, room_id, "!checkliste qualitat")
    assert "Phase 7" in misspelt.body

    answer = await ask(member, room_id, "Was gehört alles in eine Kooperationsvereinbarung?")
    meta = answer.content["koopbot.answer"]
    assert meta["source"].endswith(".txt") and 0 <= meta["score"] <= 100
    assert meta["source"] in answer.body
    assert answer.msgtype == "m.notice"

    english = await ask(
        member, room_id, "!ask how many municipalities does a learning cluster need?"
    )
    assert english.content["koopbot.answer"]["source"] == "004_d3f449c150c77208.txt"
    assert "Source:" in english.body


async def test_off_topic_question_abstains_and_reaches_coordinators(
    client_factory: Any, bot_factory: Any
) -> None:
    coordinator = await client_factory("koord", auto_join=True)
    member = await client_factory("member")
    bot = await bot_factory(
        coordinators=[coordinator.user_id],
        rooms=[{"key": "koordination", "name": "Koordination", "kind": "coordinators"}],
    )
    room_id = await room_with_bot(member, bot)
    mark = coordinator.mark()

    reply = await ask(member, room_id, "!frage Wer hat die Fußball-WM 2014 gewonnen?")
    assert reply.content["koopbot.answer"] == {"abstained": True}
    assert "keine kuratierte Antwort" in reply.body

    forwarded = await coordinator.wait_for(
        lambda r: r.sender == bot.user_id and "Fußball-WM" in (r.body or ""),
        timeout=15,
        since_index=mark,
    )
    assert member.user_id in forwarded.body

    listing = await ask(coordinator, forwarded.room_id, "!offene-fragen")
    assert "Fußball-WM" in listing.body
    # the asker by display name (Synapse's default: the localpart), the day in words
    assert member.user_id not in listing.body
    assert member.user_id.split(":")[0].lstrip("@") in listing.body
    assert not re.search(r"\d{4}-\d{2}-\d{2}", listing.body)
    assert re.search(r"(Mo|Di|Mi|Do|Fr|Sa|So)\., \d{2}\.\d{2}\.\d{4} – ", listing.body)


async def test_mention_in_group_room_is_a_question_plain_text_is_not(
    client_factory: Any, bot_factory: Any
) -> None:
    bot = await bot_factory()
    alice = await client_factory("alice")
    carol = await client_factory("carol", auto_join=True)
    room_id = await alice.create_room(invite=[bot.user_id, carol.user_id])
    await alice.wait_for_member(room_id, bot.user_id, timeout=15)
    await alice.wait_for_member(room_id, carol.user_id, timeout=15)

    mark = alice.mark()
    plain = await alice.send_text(room_id, "Was ist ein Lerncluster?")
    mentioned = await ask(
        alice,
        room_id,
        f"{bot.localpart}: Was ist ein Lerncluster?",  # as Element writes a mention
        html=f'<a href="https://matrix.to/#/{bot.user_id}">{bot.localpart}</a>: Was ist ein Lerncluster?',
        extra={"m.mentions": {"user_ids": [bot.user_id]}},
    )
    assert mentioned.content["koopbot.answer"]["source"] == "004_d3f449c150c77208.txt"
    answered = {
        m.in_reply_to
        for m in alice.messages(room_id, sender=bot.user_id)
        if alice.events.index(m) >= mark
    }
    assert plain not in answered
