"""FloodGuard: per-user and per-room budgets in a sliding window, one polite note."""

from __future__ import annotations

from bot.dispatch import FloodGuard


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_from_one_user_is_throttled_with_one_note_and_others_go_on() -> None:
    clock = Clock()
    guard = FloodGuard(user_limit=3, room_limit=0, window=30, clock=clock)
    results = [guard.check("@a:x", "!r:x") for _ in range(5)]
    assert results == [(True, False)] * 3 + [(False, True), (False, False)]
    assert guard.check("@b:x", "!r:x") == (True, False)


def test_budget_comes_back_after_the_window_and_the_note_once_per_window() -> None:
    clock = Clock()
    guard = FloodGuard(user_limit=2, room_limit=0, window=10, clock=clock)
    guard.check("@a:x", "!r:x")
    clock.now += 6
    guard.check("@a:x", "!r:x")
    assert guard.check("@a:x", "!r:x") == (False, True)
    clock.now += 4.5  # the first hit has left the window
    assert guard.check("@a:x", "!r:x") == (True, False)
    assert guard.check("@a:x", "!r:x") == (False, False)  # still inside the note's window
    clock.now += 11
    assert guard.check("@a:x", "!r:x") == (True, False)


def test_room_budget_is_shared_and_a_throttled_user_does_not_use_it_up() -> None:
    clock = Clock()
    guard = FloodGuard(user_limit=2, room_limit=3, window=60, clock=clock)
    assert [guard.check("@a:x", "!r:x")[0] for _ in range(4)] == [True, True, False, False]
    assert guard.check("@b:x", "!r:x") == (True, False)  # a's refused tries cost the room nothing
    assert guard.check("@c:x", "!r:x") == (False, True)
    assert guard.check("@c:x", "!other:x") == (True, False)


def test_zero_means_no_limit_and_idle_keys_are_forgotten() -> None:
    clock = Clock()
    guard = FloodGuard(user_limit=0, room_limit=0, window=1, clock=clock)
    assert all(guard.check("@a:x", "!r:x")[0] for _ in range(500))
    limited = FloodGuard(user_limit=5, room_limit=5, window=1, clock=clock)
    for n in range(100):
        limited.check(f"@u{n}:x", f"!r{n}:x")
    clock.now += 2
    limited.check("@z:x", "!z:x")  # sweeps once per window
    assert set(limited._hits) == {"u:@z:x", "r:!z:x"}
