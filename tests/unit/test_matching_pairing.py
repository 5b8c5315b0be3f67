"""Introduction rounds: best mutual pairs, no repeats, odd counts, carry-over."""

from __future__ import annotations

import random
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from commands.matching import InstitutionKind, MatchIndex, Profile, pair_round

K = InstitutionKind


def p(user: str, kind: InstitutionKind, **fields: tuple[str, ...]) -> Profile:
    return Profile(user, kind, visible=True, **fields)  # type: ignore[arg-type]


COMPLEMENTS = [
    p("@ms", K.MUSIKSCHULE, offers=("Instrumente",), interests=("Tanz",)),
    p("@ogs", K.OGS_TRAEGER, needs=("Instrumente",), interests=("Tanz",)),
    p("@kita", K.KITA, interests=("Inklusion", "MINT")),
    p("@gs", K.GRUNDSCHULE, interests=("Inklusion", "MINT")),
]


def pairs_of(groups: list[tuple[str, ...]]) -> set[frozenset[str]]:
    return {frozenset(pair) for group in groups for pair in combinations(group, 2)}


def members_of(groups: list[tuple[str, ...]]) -> list[str]:
    return sorted(user for group in groups for user in group)


def test_best_mutual_pairs() -> None:
    assert pair_round(COMPLEMENTS, set(), []) == [("@gs", "@kita"), ("@ms", "@ogs")]


def test_input_order_does_not_change_the_result() -> None:
    shuffled = list(reversed(COMPLEMENTS))
    assert pair_round(shuffled, set(), []) == pair_round(COMPLEMENTS, set(), [])


def test_earlier_pairs_are_not_repeated() -> None:
    past = {frozenset({"@ms", "@ogs"})}
    groups = pair_round(COMPLEMENTS, past, [])
    assert members_of(groups) == sorted(x.user_id for x in COMPLEMENTS)
    assert not pairs_of(groups) & past
    assert all(len(group) == 2 for group in groups)


def test_odd_one_out_joins_a_group_of_three() -> None:
    five = [*COMPLEMENTS, p("@verein", K.VEREIN, interests=("Tanz",))]
    groups = pair_round(five, set(), [])
    assert sorted(len(g) for g in groups) == [2, 3]
    assert members_of(groups) == sorted(x.user_id for x in five)
    # the Verein shares "Tanz" with both the music school and the OGS
    assert ("@ms", "@ogs", "@verein") in groups


def test_tiny_rounds() -> None:
    assert pair_round([], set(), []) == []
    assert pair_round(COMPLEMENTS[:1], set(), []) == [("@ms",)]
    assert pair_round(COMPLEMENTS[:3], set(), []) == [("@kita", "@ms", "@ogs")]


def test_stuck_members_come_back_alone_and_are_served_first_next_time() -> None:
    two = COMPLEMENTS[:2]
    assert pair_round(two, {frozenset({"@ms", "@ogs"})}, []) == [("@ms",), ("@ogs",)]
    # a trio of the past forbids all three of its pairs
    past = {frozenset({"@ms", "@ogs", "@kita"})}
    groups = pair_round(COMPLEMENTS[:3], past, [])
    assert groups == [("@kita",), ("@ms",), ("@ogs",)]


def test_carry_first_members_choose_first() -> None:
    # a carried member takes its best partner before anyone else chooses:
    # @c's best is @a, which plain greedy gives to @b (a–b scores higher)
    profiles = [
        p("@a", K.MUSIKSCHULE, offers=("Instrumente", "Räume")),
        p("@b", K.OGS_TRAEGER, needs=("Instrumente", "Räume")),
        p("@c", K.KITA, needs=("Instrumente",)),
        p("@d", K.VEREIN),
    ]
    assert pair_round(profiles, set(), [], improve_rounds=0) == [("@a", "@b"), ("@c", "@d")]
    assert pair_round(profiles, set(), ["@c"], improve_rounds=0) == [("@a", "@c"), ("@b", "@d")]


def test_swaps_improve_on_plain_greedy() -> None:
    profiles = [
        p("@a", K.MUSIKSCHULE, offers=("Instrumente", "Räume"), interests=("Tanz",)),
        p("@b", K.OGS_TRAEGER, needs=("Instrumente", "Räume", "Geld"), interests=("MINT",)),
        p("@c", K.GRUNDSCHULE, needs=("Instrumente",), interests=("Tanz",)),
        p("@d", K.KITA, offers=("Geld",), interests=("MINT",)),
    ]
    # greedy: a–b (40) leaves c–d (0); swapping gives a–c (28) + b–d (28)
    assert pair_round(profiles, set(), [], improve_rounds=0) == [("@a", "@b"), ("@c", "@d")]
    assert pair_round(profiles, set(), []) == [("@a", "@c"), ("@b", "@d")]


def test_members_select_opted_in_and_may_lack_a_profile() -> None:
    index = MatchIndex.build(COMPLEMENTS)
    groups = pair_round(index, set(), [], members=["@ms", "@kita", "@no-profile"])
    assert members_of(groups) == ["@kita", "@ms", "@no-profile"]
    assert len(groups) == 1


def test_repeated_rounds_never_repeat_a_pair() -> None:
    rng = random.Random(1)
    kinds = list(K)
    words = ["Tanz", "MINT", "Inklusion", "Räume", "Zeiten"]
    profiles = [
        p(
            f"@u{i}",
            rng.choice(kinds),
            interests=tuple(rng.sample(words, 2)),
            offers=tuple(rng.sample(words, 1)),
            needs=tuple(rng.sample(words, 1)),
        )
        for i in range(10)
    ]
    index = MatchIndex.build(profiles)
    past: set[frozenset[str]] = set()
    carry: list[str] = []
    for _ in range(6):
        groups = pair_round(index, past, carry)
        assert members_of(groups) == sorted(x.user_id for x in profiles)
        new_pairs = pairs_of(groups)
        assert not new_pairs & past
        past |= {frozenset(g) for g in groups if len(g) > 1}
        carry = [g[0] for g in groups if len(g) == 1]


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 40),
    st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39)), max_size=200),
    st.integers(0, 1000),
)
def test_every_member_once_and_no_forbidden_pair(
    n: int, past_indices: list[tuple[int, int]], seed: int
) -> None:
    rng = random.Random(seed)
    kinds = list(K)
    profiles = [
        p(f"@m{i}", rng.choice(kinds), interests=(rng.choice(["Tanz", "MINT", "Kunst"]),))
        for i in range(n)
    ]
    past = {frozenset({f"@m{a}", f"@m{b}"}) for a, b in past_indices if a != b}
    groups = pair_round(profiles, past, [f"@m{i}" for i in range(0, n, 7)])
    assert members_of(groups) == sorted(x.user_id for x in profiles)
    assert not pairs_of(groups) & past
    assert all(1 <= len(g) <= 3 for g in groups)
    if not past:
        assert sum(len(g) == 1 for g in groups) == (1 if n == 1 else 0)
        assert sum(len(g) == 3 for g in groups) == (n % 2 if n > 1 else 0)
