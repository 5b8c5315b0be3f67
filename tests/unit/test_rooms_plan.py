"""The provisioning plan: what to create or update from config + storage + current state."""

from __future__ import annotations

from typing import Any

from bot.config import RoomSettings
from bot.rooms import (
    MEGOLM,
    CreateRoom,
    CreateSpace,
    DesiredRoom,
    Invite,
    LinkChild,
    LinkParent,
    MarkRemoved,
    Observed,
    PutState,
    desired_rooms,
    plan_rooms,
    power_levels_update,
)
from storage.rooms import SPACE_KEY, StoredRoom

BOT = "@koopbot:localhost"
KOORD = "@koord:localhost"
SPACE = "!space:localhost"

LOBBY = DesiredRoom("lobby", "Netzwerk Kooperationen", "Austausch, Fragen, Termine", "lobby", True)
LAEUFT = DesiredRoom("laeuft", "Läuft!", "Berichte über gelingende Kooperationen")
KOORDS = DesiredRoom("koordination", "Koordination", "", "coordinators")


def power(**users: int) -> dict[str, Any]:
    return {
        "users": {BOT: 100, **{f"@{k}:localhost": v for k, v in users.items()}},
        "users_default": 0,
        "events": {"m.room.power_levels": 100},
        "state_default": 50,
    }


def settled(room: DesiredRoom, **changes: Any) -> Observed:
    """The observation of a room that is exactly as described."""
    values: dict[str, Any] = {
        "membership": "join",
        "name": room.name,
        "topic": room.topic,
        "join_rule": "public" if room.public else "invite",
        "encrypted": room.encrypted,
        "power_levels": power(koord=50),
        "space_child": {"via": ["localhost"]},
        "space_parent": {"via": ["localhost"], "canonical": True},
        "members": {KOORD: "join"},
    }
    values.update(changes)
    return Observed(**values)


def stored_for(
    *rooms: DesiredRoom, space: bool = True, **extra: StoredRoom
) -> dict[str, StoredRoom]:
    result = {r.key: StoredRoom(r.key, f"!{r.key}:localhost", r.kind, r.name) for r in rooms}
    if space:
        result[SPACE_KEY] = StoredRoom(SPACE_KEY, SPACE, "space", "Netz", source="space")
    result.update(extra)
    return result


def observed_for(*rooms: DesiredRoom, **changes: Observed) -> dict[str, Observed]:
    result = {f"!{r.key}:localhost": settled(r) for r in rooms}
    public = any(r.public for r in rooms)
    result[SPACE] = settled(
        DesiredRoom(SPACE_KEY, "Netz", None, "space", public), topic=None, space_child=None
    )
    for key, seen in changes.items():
        result[f"!{key}:localhost"] = seen
    return result


def plan(
    desired: list[DesiredRoom], stored: dict[str, StoredRoom], observed: dict[str, Observed]
) -> Any:
    return plan_rooms(
        desired, stored, observed, space_name="Netz", coordinators=[KOORD, BOT], bot_user=BOT
    )


def test_fresh_start_creates_the_space_then_every_room_in_config_order() -> None:
    result = plan([LOBBY, LAEUFT, KOORDS], {}, {})
    assert result.actions == [
        CreateSpace("Netz", public=True),
        CreateRoom(LOBBY),
        CreateRoom(LAEUFT),
        CreateRoom(KOORDS),
    ]


def test_no_rooms_configured_means_no_space() -> None:
    assert plan([], {}, {}).empty


def test_second_start_changes_nothing() -> None:
    rooms = [LOBBY, LAEUFT, KOORDS]
    result = plan(rooms, stored_for(*rooms), observed_for(*rooms))
    assert result.actions == []
    assert result.notes == []


def test_renamed_room_keeps_its_id_and_only_the_name_is_sent() -> None:
    renamed = DesiredRoom("laeuft", "Läuft! – Gelingende Kooperationen", LAEUFT.topic)
    result = plan([renamed], stored_for(LAEUFT), observed_for(LAEUFT))
    assert result.actions == [
        PutState("laeuft", "!laeuft:localhost", "m.room.name", {"name": renamed.name})
    ]


def test_changed_topic_is_sent_and_an_absent_topic_equals_an_empty_one() -> None:
    new_topic = DesiredRoom("laeuft", "Läuft!", "Neues Thema")
    result = plan([new_topic], stored_for(LAEUFT), observed_for(LAEUFT))
    assert result.actions == [
        PutState("laeuft", "!laeuft:localhost", "m.room.topic", {"topic": "Neues Thema"})
    ]
    no_topic = plan(
        [KOORDS], stored_for(KOORDS), observed_for(koordination=settled(KOORDS, topic=None))
    )
    assert no_topic.empty


def test_coordinator_without_power_gets_moderator_and_others_stay() -> None:
    levels = power(koord=0, someone=20)
    result = plan(
        [LAEUFT], stored_for(LAEUFT), observed_for(laeuft=settled(LAEUFT, power_levels=levels))
    )
    [action] = result.actions
    assert isinstance(action, PutState) and action.event_type == "m.room.power_levels"
    assert action.content["users"] == {BOT: 100, KOORD: 50, "@someone:localhost": 20}
    assert action.content["events"] == levels["events"]


def test_power_is_never_lowered() -> None:
    assert power_levels_update(power(koord=100), [KOORD], BOT) is None
    assert power_levels_update({"users": {BOT: 100}, "users_default": 50}, [KOORD], BOT) is None


def test_bot_without_power_notes_instead_of_failing() -> None:
    levels = {"users": {BOT: 50, KOORD: 0}, "events": {"m.room.power_levels": 100}}
    result = plan(
        [LAEUFT], stored_for(LAEUFT), observed_for(laeuft=settled(LAEUFT, power_levels=levels))
    )
    assert result.actions == []
    assert any("power" in n for n in result.notes)


def test_removed_room_is_never_recreated_or_touched() -> None:
    gone = StoredRoom("laeuft", "!laeuft:localhost", "topic", "Läuft!", removed_at="2026-01-01")
    result = plan(
        [LAEUFT],
        stored_for(laeuft=gone),
        {SPACE: observed_for()[SPACE]},
    )
    assert result.actions == []
    assert any("removed" in n for n in result.notes)


def test_kick_while_down_is_marked_not_recreated() -> None:
    result = plan([LAEUFT], stored_for(LAEUFT), observed_for(laeuft=Observed("leave")))
    assert result.actions == [MarkRemoved("laeuft", "!laeuft:localhost", "leave")]
    banned = plan([LAEUFT], stored_for(LAEUFT), observed_for(laeuft=Observed("ban")))
    assert banned.actions == [MarkRemoved("laeuft", "!laeuft:localhost", "ban")]


def test_unreadable_room_is_left_alone() -> None:
    result = plan([LAEUFT], stored_for(LAEUFT), observed_for(laeuft=Observed(None)))
    assert result.actions == []
    assert result.notes


def test_missing_space_links_are_added() -> None:
    seen = settled(LAEUFT, space_child=None, space_parent={})
    result = plan([LAEUFT], stored_for(LAEUFT), observed_for(laeuft=seen))
    assert result.actions == [
        LinkChild("laeuft", "!laeuft:localhost"),
        LinkParent("laeuft", "!laeuft:localhost"),
    ]


def test_new_config_room_is_created_next_to_existing_ones() -> None:
    result = plan([LOBBY, LAEUFT], stored_for(LOBBY), observed_for(LOBBY))
    assert result.actions == [CreateRoom(LAEUFT)]


def test_coordinators_are_invited_where_they_never_were_but_not_back_after_leaving() -> None:
    never = settled(LAEUFT, members={KOORD: None})
    assert plan([LAEUFT], stored_for(LAEUFT), observed_for(laeuft=never)).actions == [
        Invite("laeuft", "!laeuft:localhost", KOORD)
    ]
    left = settled(LAEUFT, members={KOORD: "leave"})
    assert plan([LAEUFT], stored_for(LAEUFT), observed_for(laeuft=left)).empty


def test_join_rule_follows_public_but_keeps_restricted() -> None:
    made_public = DesiredRoom("laeuft", "Läuft!", LAEUFT.topic, public=True)
    result = plan([made_public], stored_for(LAEUFT), observed_for(LAEUFT))
    assert (
        PutState("laeuft", "!laeuft:localhost", "m.room.join_rules", {"join_rule": "public"})
        in result.actions
    )
    restricted = settled(LAEUFT, join_rule="restricted")
    assert plan([LAEUFT], stored_for(LAEUFT), observed_for(laeuft=restricted)).empty


def test_encryption_is_switched_on_but_never_off() -> None:
    secret = DesiredRoom("laeuft", "Läuft!", LAEUFT.topic, encrypted=True)
    result = plan([secret], stored_for(LAEUFT), observed_for(LAEUFT))
    assert result.actions == [
        PutState("laeuft", "!laeuft:localhost", "m.room.encryption", {"algorithm": MEGOLM})
    ]
    already = settled(LAEUFT, encrypted=True)
    kept = plan([LAEUFT], stored_for(LAEUFT), observed_for(laeuft=already))
    assert kept.actions == [] and any("encryption" in n for n in kept.notes)


def test_command_rooms_keep_their_name_but_get_power_and_links() -> None:
    row = StoredRoom(
        "musik-kita", "!musik-kita:localhost", "topic", "Musik & Kita", source="command"
    )
    desired = desired_rooms([], [row])
    assert desired == [DesiredRoom("musik-kita", "Musik & Kita", None, "topic", manage_meta=False)]
    seen = settled(
        desired[0], name="Umbenannt in Element", power_levels=power(koord=0), space_child=None
    )
    result = plan(
        desired,
        {"musik-kita": row, SPACE_KEY: stored_for()[SPACE_KEY]},
        {
            "!musik-kita:localhost": seen,
            SPACE: observed_for()[SPACE],
        },
    )
    kinds = [type(a).__name__ for a in result.actions]
    assert kinds == ["PutState", "LinkChild"]


def test_config_rooms_come_before_command_rooms_and_win_a_shared_key() -> None:
    config = [RoomSettings(key="lobby", name="Lobby", kind="lobby")]
    rows = [
        StoredRoom("lobby", "!a:x", "topic", "Alt", source="command"),
        StoredRoom("extra", "!b:x", "topic", "Extra", source="command"),
    ]
    assert [d.key for d in desired_rooms(config, rows)] == ["lobby", "extra"]
    assert desired_rooms(config, rows)[0].manage_meta


def test_space_that_the_bot_lost_stops_linking() -> None:
    result = plan(
        [LAEUFT],
        stored_for(LAEUFT),
        {
            SPACE: Observed("ban"),
            "!laeuft:localhost": settled(LAEUFT, space_child=None),
        },
    )
    assert result.actions == [MarkRemoved(SPACE_KEY, SPACE, "ban")]


def test_config_rooms_dropped_from_the_config_are_only_noted() -> None:
    result = plan([LOBBY], stored_for(LOBBY, LAEUFT), observed_for(LOBBY, LAEUFT))
    assert result.actions == []
    assert any(n.startswith("laeuft:") for n in result.notes)


def test_room_version_12_creator_bot_is_not_listed_and_may_promote() -> None:
    levels = {"users": {}, "events": {"m.room.power_levels": 100}, "state_default": 50}
    seen = settled(LAEUFT, power_levels=levels, room_version="12")
    [action] = plan([LAEUFT], stored_for(LAEUFT), observed_for(laeuft=seen)).actions
    assert isinstance(action, PutState)
    assert action.content["users"] == {KOORD: 50}
    co_creator = settled(
        LAEUFT, power_levels=levels, room_version="12", additional_creators=(KOORD,)
    )
    assert plan([LAEUFT], stored_for(LAEUFT), observed_for(laeuft=co_creator)).empty
