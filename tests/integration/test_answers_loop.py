"""The FAQ that learns, through the real path: small talk, one tap, the coordinators' loop."""

from __future__ import annotations

import re
from typing import Any

from tests.integration.test_backbone import ask, room_with_bot


async def test_greeting_one_tap_and_coordinator_answer(
    client_factory: Any, bot_factory: Any
) -> None:
    coordinator = await client_factory("koord", auto_join=True)
    member = await client_factory("member", auto_join=True)
    other = await client_factory("other")
    bot = await bot_factory(
        coordinators=[coordinator.user_id],
        rooms=[{"key": "koordination", "name": "Koordination", "kind": "coordinators"}],
    )
    room_id = await room_with_bot(member, bot, direct=True)

    # a greeting gets a friendly line, is no abstention and reaches no coordinator
    hello = await ask(member, room_id, "hallo")
    assert "Hallo!" in hello.body and "keine kuratierte Antwort" not in hello.body
    thanks = await ask(member, room_id, "🎻🎻🎻")
    assert "!hilfe" in thanks.body
    about = await ask(member, room_id, "hallo bot, wer bist du eigentlich?")
    assert "Ich bin koopbot" in about.body and "koopbot.answer" not in about.content

    # below the answer threshold: "Meinst du …?" with numbered candidates; "1" answers
    offer = await ask(member, room_id, "Wann ist der nächste Lerncluster-Workshop?")
    assert "Meinst du eins davon?" in offer.body and "\n1. " in offer.body
    assert offer.content["koopbot.answer"] == {"abstained": True}
    first = offer.body.split("\n1. ", 1)[1].split("\n", 1)[0]
    picked = await ask(member, room_id, "1")
    assert picked.body.startswith(first)
    assert picked.content["koopbot.answer"]["source"] == "004_d3f449c150c77208.txt"
    assert "Quelle: Lerncluster der Transferagentur NRW" in picked.body

    # …or a reaction 2️⃣ on the offer
    offer = await ask(member, room_id, "Was kostet ein Austauschtreffen?")
    second = offer.body.split("\n2. ", 1)[1].split("\n", 1)[0]
    mark = member.mark()
    await member.react(room_id, offer.event_id, "2️⃣")
    by_reaction = await member.wait_for(
        lambda r: r.sender == bot.user_id and r.in_reply_to == offer.event_id,
        timeout=15,
        since_index=mark,
    )
    assert by_reaction.body.startswith(second)

    # an open question reaches the coordinators with its number
    mark = coordinator.mark()
    question = "Bekommen wir für die Austauschtreffen eine Teilnahmebescheinigung?"
    abstained = await ask(member, room_id, question)
    assert abstained.content["koopbot.answer"] == {"abstained": True}
    forwarded = await coordinator.wait_for(
        lambda r: r.sender == bot.user_id and "Teilnahmebescheinigung" in (r.body or ""),
        timeout=15,
        since_index=mark,
    )
    listing = await ask(coordinator, forwarded.room_id, "!offene-fragen")
    assert "Teilnahmebescheinigung" in listing.body
    assert "hallo" not in listing.body and "🎻" not in listing.body
    found = re.search(r"#(\d+)\b[^\n]*Bekommen wir", listing.body)
    assert found, listing.body
    number = found.group(1)

    # !antwort: the asker gets it in a direct chat, and it becomes content
    mark = member.mark()
    done = await ask(
        coordinator,
        forwarded.room_id,
        f"!antwort {number} Ja, der Landesverband stellt auf Nachfrage eine aus.",
    )
    assert "beantwortet" in done.body
    delivered = await member.wait_for(
        lambda r: r.sender == bot.user_id and "stellt auf Nachfrage eine aus" in (r.body or ""),
        timeout=15,
        since_index=mark,
    )
    assert "Teilnahmebescheinigung" in delivered.body
    listing = await ask(coordinator, forwarded.room_id, "!offene-fragen")
    assert "Teilnahmebescheinigung" not in listing.body

    # a reworded question of someone else is now answered from it, with its source
    other_room = await room_with_bot(other, bot, direct=True)
    reworded = await ask(
        other, other_room, "gibt es eine teilnahmebescheinigung für die austauschtreffen?"
    )
    meta = reworded.content["koopbot.answer"]
    assert meta["id"].startswith("koordination-") and meta["source"].startswith("koordination:")
    assert "stellt auf Nachfrage eine aus" in reworded.body
    assert "Quelle: Antwort der Koordination" in reworded.body

    # a member may not answer
    refused = await ask(member, room_id, f"!antwort {number} Nein.")
    assert "stellt auf Nachfrage" not in refused.body

    # the asker's !vergiss-mich takes their words out of the entry, live: the entry
    # keeps the coordinator's answer but no longer carries the member's question
    assert "Bekommen wir" in reworded.body  # the entry's title is the asker's question
    await ask(member, room_id, "!vergiss-mich")
    gone = await ask(member, room_id, "!vergiss-mich ja")
    assert "gelöscht" in gone.body
    again = await ask(
        other, other_room, "gibt es eine teilnahmebescheinigung für die austauschtreffen?"
    )
    assert "Bekommen wir" not in again.body
    listing = await ask(coordinator, forwarded.room_id, "!offene-fragen")
    assert "Bekommen wir" not in listing.body


async def test_a_reworded_question_is_filed_under_the_earlier_answer(
    client_factory: Any, bot_factory: Any
) -> None:
    """`!antwort 2 siehe 1`: a reworded open question gets the answer of #1 by direct
    chat, and its wording answers the next member at once; a wrong number changes nothing."""
    coordinator = await client_factory("koord", auto_join=True)
    first = await client_factory("first", auto_join=True)
    second = await client_factory("second", auto_join=True)
    third = await client_factory("third")
    bot = await bot_factory(
        coordinators=[coordinator.user_id],
        rooms=[{"key": "koordination", "name": "Koordination", "kind": "coordinators"}],
    )
    answer = "Ja, der Landesverband stellt auf Nachfrage eine aus."
    reworded = "Gibt es eine schriftliche Bestätigung, dass ich bei einem Treffen dabei war?"

    # A asks; the coordinator answers #1 with a text
    mark = coordinator.mark()
    first_room = await room_with_bot(first, bot, direct=True)
    asked = await ask(
        first, first_room, "Bekommen wir für die Austauschtreffen eine Teilnahmebescheinigung?"
    )
    assert asked.content["koopbot.answer"] == {"abstained": True}
    forwarded = await coordinator.wait_for(
        lambda r: r.sender == bot.user_id and "Teilnahmebescheinigung" in (r.body or ""),
        timeout=15,
        since_index=mark,
    )
    coordination = forwarded.room_id
    done = await ask(coordinator, coordination, f"!antwort 1 {answer}")
    assert "Frage Nr. 1 ist beantwortet" in done.body

    # B asks in other words: not answered from #1, it becomes open question #2
    second_room = await room_with_bot(second, bot, direct=True)
    open_again = await ask(second, second_room, reworded)
    assert open_again.content["koopbot.answer"] == {"abstained": True}
    listing = await ask(coordinator, coordination, "!offene-fragen")
    assert re.search(r"#2\b[^\n]*schriftliche Bestätigung", listing.body), listing.body

    # a question that does not exist: the German error, #2 stays open
    wrong = await ask(coordinator, coordination, "!antwort 2 siehe 99")
    assert "Eine Frage Nr. 99 gibt es nicht" in wrong.body
    listing = await ask(coordinator, coordination, "!offene-fragen")
    assert "schriftliche Bestätigung" in listing.body

    # the coordinator files #2 under #1's answer: B gets it by direct chat
    mark = second.mark()
    filed = await ask(coordinator, coordination, "!antwort 2 siehe 1")
    assert "Frage Nr. 2 ist mit der Antwort auf Frage Nr. 1 beantwortet" in filed.body
    delivered = await second.wait_for(
        lambda r: r.sender == bot.user_id and answer in (r.body or ""),
        timeout=15,
        since_index=mark,
    )
    assert "schriftliche Bestätigung" in delivered.body
    listing = await ask(coordinator, coordination, "!offene-fragen")
    assert "schriftliche Bestätigung" not in listing.body

    # C asks B's wording in a group room: answered at once, from the same entry
    third_room = await room_with_bot(third, bot)
    direct = await ask(third, third_room, f"!frage {reworded}")
    assert direct.content["koopbot.answer"]["id"] == "koordination-1"
    assert answer in direct.body and "Quelle: Antwort der Koordination" in direct.body


async def test_a_bare_number_in_a_group_room_picks_from_ones_own_offer(
    client_factory: Any, bot_factory: Any
) -> None:
    """In a group room "1" needs no mention from the member who was just offered
    "Meinst du …?"; the same digit from anyone else is ordinary chat."""
    bot = await bot_factory()
    alice = await client_factory("alice")
    bob = await client_factory("bob", auto_join=True)
    room_id = await alice.create_room(invite=[bot.user_id, bob.user_id])
    await alice.wait_for_member(room_id, bot.user_id, timeout=15)
    await alice.wait_for_member(room_id, bob.user_id, timeout=15)

    offer = await ask(alice, room_id, "!frage Wann ist der nächste Lerncluster-Workshop?")
    assert "Meinst du eins davon?" in offer.body
    first = offer.body.split("\n1. ", 1)[1].split("\n", 1)[0]
    mark = alice.mark()
    by_bob = await bob.send_text(room_id, "1")
    picked = await ask(alice, room_id, "1")
    assert picked.body.startswith(first)
    assert picked.content["koopbot.answer"]["source"] == "004_d3f449c150c77208.txt"
    from_bot = [e for e in alice.events[mark:] if e.sender == bot.user_id]
    assert not [e for e in from_bot if e.in_reply_to == by_bob]


async def test_runner_ups_beside_an_answer_are_one_tap_away(
    client_factory: Any, bot_factory: Any
) -> None:
    """An answer whose runner-ups score close to it offers them by number; "1" answers
    with the first, and a later clear answer leaves no numbers to pick."""
    bot = await bot_factory()
    member = await client_factory("member", auto_join=True)
    room_id = await room_with_bot(member, bot, direct=True)

    answered = await ask(member, room_id, "Was ist ein Lerncluster?")
    assert answered.content["koopbot.answer"]["id"] == "lerncluster-was"
    assert "Nicht das, was du gesucht hast?" in answered.body and "\n1. " in answered.body
    first = answered.body.split("\n1. ", 1)[1].split("\n", 1)[0]
    picked = await ask(member, room_id, "1")
    assert picked.body.startswith(first)
    assert picked.content["koopbot.answer"]["id"] != "lerncluster-was"

    clear = await ask(member, room_id, "Wer sitzt in einer Steuerungsgruppe?")
    assert "Nicht das, was du gesucht hast?" not in clear.body
    nothing = await ask(member, room_id, "1")
    assert "keine Auswahl" in nothing.body


async def test_a_near_miss_is_offered_not_answered(client_factory: Any, bot_factory: Any) -> None:
    """A member asks for a detail no document states (the hall of the workshops): the
    matcher's rules alone would answer with the workshops entry; the verifier refuses, so
    the reply is the one-tap offer, and tapping the entry gives its answer, which the
    member can flag with 👎 like any answer."""
    member = await client_factory("member", auto_join=True)
    bot = await bot_factory()
    room_id = await room_with_bot(member, bot, direct=True)

    offer = await ask(
        member, room_id, "wo genau treffen sich die lerncluster workshops, in welcher halle?"
    )
    assert offer.content["koopbot.answer"] == {"abstained": True}
    assert "Meinst du eins davon?" in offer.body
    titles = [
        line.split(". ", 1)[1] for line in offer.body.splitlines() if re.match(r"\d\. ", line)
    ]
    assert "Workshops eines Lernclusters" in titles
    picked = await ask(member, room_id, str(titles.index("Workshops eines Lernclusters") + 1))
    assert picked.content["koopbot.answer"]["id"] == "lerncluster-workshops"

    # the picked answer does not name the hall either: the member's 👎 on it is noted
    mark = member.mark()
    await member.react(room_id, picked.event_id, "👎")
    noted = await member.wait_for(
        lambda r: r.sender == bot.user_id and r.in_reply_to == picked.event_id,
        timeout=15,
        since_index=mark,
    )
    assert "nicht gepasst" in noted.body

    # a plain question of the same topic is still answered at once
    plain = await ask(member, room_id, "Was kostet die Teilnahme am Lerncluster?")
    assert plain.content["koopbot.answer"]["id"] == "lerncluster-kosten"


async def test_thumbs_down_by_the_asker_forwards_the_question_once(
    client_factory: Any, bot_factory: Any
) -> None:
    """An answer is flagged by the one who asked: B's 👎 does nothing; A's 👎 thanks A,
    forwards the question to the coordinators naming the entry, and lists it among the
    open questions; A's second 👎 (another skin tone) forwards nothing more."""
    coordinator = await client_factory("koord", auto_join=True)
    alice = await client_factory("alice")
    bob = await client_factory("bob", auto_join=True)
    bot = await bot_factory(
        coordinators=[coordinator.user_id],
        rooms=[{"key": "koordination", "name": "Koordination", "kind": "coordinators"}],
    )
    room_id = await alice.create_room(invite=[bot.user_id, bob.user_id])
    await alice.wait_for_member(room_id, bot.user_id, timeout=15)
    await alice.wait_for_member(room_id, bob.user_id, timeout=15)
    question = "Was kostet die Teilnahme am Lerncluster?"

    answer = await ask(alice, room_id, f"!frage {question}")
    assert answer.content["koopbot.answer"]["id"] == "lerncluster-kosten"
    title = answer.body.split("\n", 1)[0]  # the entry's title heads the answer

    mark = alice.mark()
    koord_mark = coordinator.mark()
    await bob.react(room_id, answer.event_id, "👎")  # not B's answer: ignored
    await alice.react(room_id, answer.event_id, "👎🏽")
    thanks = await alice.wait_for(
        lambda r: r.sender == bot.user_id and r.in_reply_to == answer.event_id,
        timeout=15,
        since_index=mark,
    )
    assert "Danke für deine Rückmeldung" in thanks.body
    assert "an die Koordination weitergegeben" in thanks.body
    forwarded = await coordinator.wait_for(
        lambda r: r.sender == bot.user_id and question in (r.body or ""),
        timeout=15,
        since_index=koord_mark,
    )
    assert f"„{title}“ hat nicht gepasst" in forwarded.body
    assert "!antwort" in forwarded.body
    coordination = forwarded.room_id
    listing = await ask(coordinator, coordination, "!offene-fragen")
    assert question in listing.body

    # the second 👎 of A, then a command after it in the same room: no second thanks,
    # and the coordinators' room (seen up to a later reply there) has one forward only
    await alice.react(room_id, answer.event_id, "👎🏿")
    again = await ask(alice, room_id, "!passt-nicht")
    assert "schon gesagt" in again.body
    listing = await ask(coordinator, coordination, "!offene-fragen")
    assert listing.body.count(question) == 1
    replies = [e for e in alice.events[mark:] if e.in_reply_to == answer.event_id]
    assert [e.event_id for e in replies if e.sender == bot.user_id] == [thanks.event_id]
    forwards = [
        e
        for e in coordinator.messages(coordination, sender=bot.user_id)
        if "hat nicht gepasst" in (e.body or "")
    ]
    assert len(forwards) == 1
