"""Storage round trips of profiles, dialogs, introductions and cluster interests."""

from __future__ import annotations

from pathlib import Path

from storage import Database
from storage.clusters import ClusterInterests, Clusters
from storage.profiles import Introductions, ProfileRow, Profiles


async def _db(tmp_path: Path) -> Database:
    db = Database(tmp_path / "p.db")
    await db.open()
    return db


async def test_profile_round_trip(tmp_path: Path) -> None:
    db = await _db(tmp_path)
    repo = Profiles(db)
    row = ProfileRow(
        "@a:x",
        kind="Musikschule",
        place="Bochum",
        region="Ruhr",
        interests=("Singen", "Ä"),
        offers=("Räume",),
        needs=("Zeiten",),
        target_groups=("Kinder",),
        experience=2,
        visible=True,
        intros=True,
    )
    stored = await repo.save(row)
    assert stored.created_at and stored == ProfileRow(
        **{**row.__dict__, "created_at": stored.created_at}
    )
    assert await repo.all() == [stored]
    assert await repo.with_intros() == ["@a:x"]
    assert not stored.is_empty() and ProfileRow("@b:x", visible=True).is_empty()
    await repo.set_dialog("@a:x", "!dm", "ort")
    dialog = await repo.dialog("@a:x")
    assert dialog is not None and dialog[:2] == ("!dm", "ort")
    assert await repo.end_dialog("@a:x") and await repo.dialog("@a:x") is None
    await db.close()


async def test_introductions_round_trip(tmp_path: Path) -> None:
    db = await _db(tmp_path)
    intros = Introductions(db)
    first = await intros.create_round("r1", [("@a:x", "@b:x"), ("@c:x",)])
    assert await intros.create_round("r1", []) == first  # replay keeps the round
    groups = await intros.groups(first)
    assert [g.members for g in groups] == [("@a:x", "@b:x"), ("@c:x",)]
    assert await intros.past_pairs() == {frozenset({"@a:x", "@b:x"})}
    assert await intros.last_leftovers() == ["@c:x"]
    await intros.set_room(groups[0].id, "!intro")
    found = await intros.group_in_room("@a:x", "!elsewhere")
    assert found is not None and found.room_id == "!intro"
    await intros.set_met(found.id, "@a:x", True)
    assert (await intros.groups(first))[0].met == {"@a:x": True, "@b:x": None}
    await db.close()


async def test_cluster_round_trip(tmp_path: Path) -> None:
    db = await _db(tmp_path)
    await Profiles(db).save(ProfileRow("@a:x", place="Herne"))
    interests = ClusterInterests(db)
    assert await interests.add("@a:x", "Inklusion", "Bochum")
    assert not await interests.add("@a:x", "Inklusion", "Bochum")
    await interests.add("@b:x", "Inklusion", "Witten")
    rows = await interests.all()
    assert [(r.user_id, r.place) for r in rows] == [("@a:x", "Herne"), ("@b:x", "Witten")]
    await interests.mark_announced([rows[0].id])
    assert [r.announced for r in await interests.all()] == [True, False]
    clusters = Clusters(db)
    cluster_id = await clusters.found(
        "Inklusion",
        [("@a:x", "Herne")],
        founded_by="@k:x",
        event_id="$e",
        taken_interests=[rows[0].id],
        overflow_interests=[rows[1].id],
    )
    assert (
        await clusters.found(
            "x", [], founded_by="@k:x", event_id="$e", taken_interests=[], overflow_interests=[]
        )
        == cluster_id
    )
    await clusters.set_room(cluster_id, "!room")
    founded = await clusters.by_event("$e")
    assert founded is not None and founded.members == ("@a:x",) and founded.room_id == "!room"
    assert [r.user_id for r in await interests.all()] == ["@b:x"]
    await db.close()
