"""Learning clusters: 5–20 people from at least three municipalities, fuzzy topics."""

from __future__ import annotations

import pytest

from commands.matching import (
    ClusterInterest,
    ClusterNotReady,
    ForminCluster,
    FormingCluster,
    forming_clusters,
    found_cluster,
)


def interests(topic: str, places: list[str], prefix: str = "@u") -> list[ClusterInterest]:
    return [ClusterInterest(f"{prefix}{i}", topic, place) for i, place in enumerate(places)]


def only(clusters: list[FormingCluster]) -> FormingCluster:
    assert len(clusters) == 1
    return clusters[0]


def test_four_people_are_not_ready() -> None:
    cluster = only(forming_clusters(interests("Inklusion", ["A", "B", "C", "D"]), 0.85))
    assert not cluster.ready and len(cluster.members) == 4


def test_five_people_in_two_places_are_not_ready() -> None:
    cluster = only(forming_clusters(interests("Inklusion", ["A", "A", "A", "B", "B"]), 0.85))
    assert not cluster.ready and cluster.places == ("A", "B")


def test_five_people_in_three_places_are_ready() -> None:
    cluster = only(forming_clusters(interests("Inklusion", ["A", "A", "B", "B", "C"]), 0.85))
    assert cluster.ready
    assert cluster.members == ("@u0", "@u1", "@u2", "@u3", "@u4")
    assert cluster.places == ("A", "B", "C")


def test_topic_spellings_group_together() -> None:
    items = [
        ClusterInterest("@a", "Digitalisierung", "Münster"),
        ClusterInterest("@b", "digitalisierung in der schule", "Bonn"),
        ClusterInterest("@c", "Digitalisierrung", "Hamm"),
        ClusterInterest("@d", "Digitalisierung", "Köln"),
        ClusterInterest("@e", "Inklusion", "Köln"),
        ClusterInterest("@f", "Bildung für nachhaltige Entwicklung", "Köln"),
        ClusterInterest("@g", "Bildungsmonitoring", "Köln"),
    ]
    clusters = forming_clusters(items, 0.85)
    assert [c.topic for c in clusters] == [
        "Digitalisierung",
        "Bildung für nachhaltige Entwicklung",
        "Bildungsmonitoring",
        "Inklusion",
    ]
    assert clusters[0].members == ("@a", "@b", "@c", "@d")


def test_a_member_counts_once_and_places_fold_exactly() -> None:
    items = [
        ClusterInterest("@a", "MINT", "Münster"),
        ClusterInterest("@a", "mint", "Münster"),
        ClusterInterest("@b", "MINT", "Muenster"),
        ClusterInterest("@c", "MINT", "Herne"),
        ClusterInterest("@d", "MINT", "Herten"),
        ClusterInterest("@e", "MINT", ""),
    ]
    cluster = only(forming_clusters(items, 0.85))
    assert cluster.members == ("@a", "@b", "@c", "@d", "@e")
    assert cluster.places == ("Münster", "Herne", "Herten")
    assert cluster.ready


def test_ready_clusters_come_first() -> None:
    items = interests("Tanz", ["A", "B"]) + interests("Theater", ["A", "B", "C", "D", "E"], "@t")
    assert [c.ready for c in forming_clusters(items)] == [True, False]


def test_twenty_five_found_twenty_and_keep_five() -> None:
    places = [f"Ort {i % 5}" for i in range(25)]
    cluster = only(forming_clusters(interests("Elternarbeit", places), 0.85))
    founded, overflow = found_cluster(cluster, max_size=20)
    assert len(founded.members) == 20 and len(overflow.members) == 5
    assert founded.members == tuple(f"@u{i}" for i in range(20))
    assert overflow.members == tuple(f"@u{i}" for i in range(20, 25))
    assert founded.ready and len(founded.places) == 5
    assert overflow.ready  # five people from five places can start a second cluster
    assert set(founded.members).isdisjoint(overflow.members)


def test_founding_keeps_three_places_even_if_one_place_came_first() -> None:
    places = ["Hamm"] * 22 + ["Unna", "Soest"]
    cluster = only(forming_clusters(interests("Sprachförderung", places), 0.85))
    founded, overflow = found_cluster(cluster)
    assert len(founded.members) == 20 and set(founded.places) == {"Hamm", "Unna", "Soest"}
    assert overflow.members == ("@u18", "@u19", "@u20", "@u21")
    assert not overflow.ready


def test_only_ready_clusters_can_be_founded() -> None:
    cluster = only(forming_clusters(interests("Tanz", ["A", "B", "C", "D"])))
    with pytest.raises(ClusterNotReady):
        found_cluster(cluster)
    with pytest.raises(ValueError):
        found_cluster(cluster, max_size=4)


def test_empty_and_alias() -> None:
    assert forming_clusters([], 0.85) == []
    assert forming_clusters([ClusterInterest("@a", " !! ", "A")]) == []
    assert ForminCluster is FormingCluster
