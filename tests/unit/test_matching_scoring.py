"""Partner and peer scoring: hand-checked scores, visibility, self, reasons, updates."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commands.matching import (
    Experience,
    InstitutionKind,
    MatchIndex,
    Profile,
    ProfileNotFound,
    Reason,
    ReasonKind,
    mutual_scores,
    top_partners,
    top_peers,
)

K = InstitutionKind
SYNONYMS = [["ogs", "ganztag", "offene ganztagsschule"], ["raeume", "raum", "proberaum"]]


def profile(user: str, kind: InstitutionKind | None, **fields: object) -> Profile:
    values: dict[str, object] = {"visible": True, **fields}
    for name in ("interests", "offers", "needs", "target_groups"):
        values[name] = tuple(values.get(name, ()))  # type: ignore[arg-type]
    return Profile(user, kind, **values)  # type: ignore[arg-type]


@pytest.fixture
def network() -> MatchIndex:
    return MatchIndex.build(
        [
            profile(
                "@ms",
                K.MUSIKSCHULE,
                place="Münster",
                region="Münsterland",
                offers=["Instrumente"],
                interests=["Schnittstelle OGS"],
                experience=Experience.EXPERIENCED,
            ),
            profile(
                "@ogs",
                K.OGS_TRAEGER,
                place="Dortmund",
                region="Ruhrgebiet",
                needs=["Musikinstrumente"],
            ),
            profile(
                "@ms2",
                K.MUSIKSCHULE,
                place="Münster",
                region="Münsterland",
                needs=["Instrumente"],
                interests=["Ganztag"],
                experience=Experience.NEW,
            ),
            profile("@kita", K.KITA, place="Bonn", interests=["OGS"]),
            profile("@gs", K.GRUNDSCHULE, place="Köln"),
            profile(
                "@hidden",
                K.OGS_TRAEGER,
                place="Münster",
                region="Münsterland",
                needs=["Instrumente"],
                visible=False,
            ),
        ],
        SYNONYMS,
    )


def test_music_school_offering_instruments_ranks_ogs_needing_them_first(
    network: MatchIndex,
) -> None:
    matches = top_partners(network, "@ms")
    assert [m.user_id for m in matches] == ["@ogs", "@kita"]
    # one offer meets one need: 40 / 2 = 20; one shared interest (OGS): 25 / 3 ≈ 8
    assert [m.score for m in matches] == [20, 8]
    assert matches[0].reasons == (
        Reason(ReasonKind.NEEDS_WHAT_YOU_OFFER, ("Instrumente",), ("instrumente",)),
    )


def test_partners_are_a_different_kind_peers_the_same(network: MatchIndex) -> None:
    assert "@ms2" not in [m.user_id for m in top_partners(network, "@ms")]
    peers = top_peers(network, "@ms")
    assert [m.user_id for m in peers] == ["@ms2"]
    # shared interest 45/3 = 15, experienced ↔ new 20, same place 15
    assert peers[0].score == 50
    assert [r.kind for r in peers[0].reasons] == [
        ReasonKind.SHARED_INTERESTS,
        ReasonKind.NEWCOMER,
        ReasonKind.SAME_PLACE,
    ]
    back = top_peers(network, "@ms2")[0]
    assert back.user_id == "@ms" and ReasonKind.EXPERIENCED in [r.kind for r in back.reasons]


def test_hidden_profiles_never_appear_but_may_search(network: MatchIndex) -> None:
    for user in network.user_ids():
        for query in (top_partners, top_peers):
            assert "@hidden" not in [m.user_id for m in query(network, user, 50)]
    assert [m.user_id for m in top_partners(network, "@hidden")] == ["@ms"]
    assert not network.is_visible("@hidden")


def test_never_matched_with_themself(network: MatchIndex) -> None:
    for user in network.user_ids():
        for query in (top_partners, top_peers):
            assert user not in [m.user_id for m in query(network, user, 50)]


def test_location_alone_is_no_reason_but_adds_to_a_reason() -> None:
    index = MatchIndex.build(
        [
            profile("@a", K.MUSIKSCHULE, place="Hamm", interests=["Inklusion"]),
            profile("@b", K.KITA, place="Hamm"),
            profile("@c", K.KITA, place="Hamm", interests=["Inklusion"]),
            profile("@d", K.KITA, region="Westfalen", interests=["Inklusion"]),
            profile("@e", K.KITA, place="Bonn", interests=["Inklusion"]),
        ]
    )
    matches = top_partners(index, "@a")
    assert [(m.user_id, m.score) for m in matches] == [("@c", 23), ("@d", 8), ("@e", 8)]
    assert matches[0].reasons[-1] == Reason(ReasonKind.SAME_PLACE, ("Hamm",))


def test_same_region_reason_names_the_region() -> None:
    index = MatchIndex.build(
        [
            profile("@a", K.MUSIKSCHULE, place="Münster", region="Münsterland", needs=["Räume"]),
            profile(
                "@b", K.GRUNDSCHULE, place="Telgte", region="Münsterland", offers=["Proberaum"]
            ),
        ],
        SYNONYMS,
    )
    (match,) = top_partners(index, "@a")
    assert match.score == 29  # 20 + 9
    assert match.reasons == (
        Reason(ReasonKind.OFFERS_WHAT_YOU_NEED, ("Räume",), ("raeume",)),
        Reason(ReasonKind.SAME_REGION, ("Münsterland",)),
    )


def test_scores_saturate_at_100() -> None:
    full = {
        "place": "Hamm",
        "interests": ["A-Thema", "B-Thema", "C-Thema", "D-Thema"],
        "target_groups": ["Kinder", "Eltern", "Senioren"],
    }
    index = MatchIndex.build(
        [
            profile("@a", K.MUSIKSCHULE, offers=["Räume", "Zeiten"], needs=["Geld"], **full),
            profile("@b", K.KITA, needs=["Räume", "Zeiten"], offers=["Geld"], **full),
        ]
    )
    assert top_partners(index, "@a")[0].score == 100


def test_k_limits_and_ties_follow_index_order() -> None:
    index = MatchIndex.build(
        [profile("@ms", K.MUSIKSCHULE, interests=["Tanz"])]
        + [profile(f"@k{i}", K.KITA, interests=["Tanz"]) for i in range(8)]
    )
    assert [m.user_id for m in top_partners(index, "@ms", k=3)] == ["@k0", "@k1", "@k2"]
    assert top_partners(index, "@ms", k=0) == []


def test_unknown_kind_has_no_peers_and_partners_of_any_kind() -> None:
    index = MatchIndex.build(
        [
            profile("@x", None, interests=["Tanz"]),
            profile("@ms", K.MUSIKSCHULE, interests=["Tanz"]),
        ]
    )
    assert top_peers(index, "@x") == []
    assert [m.user_id for m in top_partners(index, "@x")] == ["@ms"]


def test_unknown_user_raises() -> None:
    with pytest.raises(ProfileNotFound):
        top_partners(MatchIndex(), "@nobody")


def test_upsert_replaces_and_remove_drops(network: MatchIndex) -> None:
    network.upsert(profile("@ogs", K.OGS_TRAEGER, place="Dortmund", needs=["Geld"]))
    assert "@ogs" not in [m.user_id for m in top_partners(network, "@ms")]
    network.upsert(profile("@new", K.VEREIN, needs=["instrumente"]))
    assert top_partners(network, "@ms")[0].user_id == "@new"
    assert network.remove("@new") and not network.remove("@new")
    assert "@new" not in network and "@new" not in [m.user_id for m in top_partners(network, "@ms")]
    network.upsert(profile("@hidden", K.OGS_TRAEGER, needs=["Instrumente"], visible=True))
    assert "@hidden" in [m.user_id for m in top_partners(network, "@ms")]


def test_many_updates_compact_without_changing_results() -> None:
    base = [
        profile("@ms", K.MUSIKSCHULE, offers=["Instrumente"]),
        profile("@ogs", K.OGS_TRAEGER, needs=["Instrumente"]),
        profile("@kita", K.KITA, needs=["Zeiten"]),
    ]
    index = MatchIndex.build(base)
    for i in range(3000):
        index.upsert(profile("@kita", K.KITA, needs=["Zeiten"], place=f"Ort {i % 7}"))
    assert len(index) == 3 and index.size < 3000
    assert [m.user_id for m in top_partners(index, "@ms")] == ["@ogs"]


def random_profiles(seed: int, n: int) -> list[Profile]:
    rng = random.Random(seed)
    words = ["Tanz", "Inklusion", "MINT", "Räume", "Zeiten", "Geld", "Eltern", "Kinder"]
    kinds = [K.MUSIKSCHULE, K.GRUNDSCHULE, K.OGS_TRAEGER, K.KITA]
    return [
        Profile(
            f"@u{i}",
            rng.choice(kinds),
            place=rng.choice(["A", "B", "C", ""]),
            region=rng.choice(["R1", "R2", ""]),
            interests=tuple(rng.sample(words, rng.randint(0, 3))),
            offers=tuple(rng.sample(words, rng.randint(0, 2))),
            needs=tuple(rng.sample(words, rng.randint(0, 2))),
            target_groups=tuple(rng.sample(words, rng.randint(0, 2))),
            experience=rng.choice([*Experience, None]),
            visible=rng.random() < 0.8,
        )
        for i in range(n)
    ]


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 25))
def test_query_scores_agree_with_the_pair_matrix(seed: int, n: int) -> None:
    profiles = random_profiles(seed, n)
    index = MatchIndex.build(profiles)
    rows = np.array([index.row(p.user_id) for p in profiles])
    matrix = mutual_scores(index, rows)
    assert np.allclose(matrix, matrix.T)
    position = {p.user_id: i for i, p in enumerate(profiles)}
    for p in profiles:
        results = top_partners(index, p.user_id, n) + top_peers(index, p.user_id, n)
        for match in results:
            assert match.user_id != p.user_id
            assert index.is_visible(match.user_id)
            assert 0 < match.score <= 100
            expected = matrix[position[p.user_id], position[match.user_id]]
            assert match.score == min(100, round(float(expected)))
        scores = [m.score for m in top_partners(index, p.user_id, n)]
        assert scores == sorted(scores, reverse=True)
