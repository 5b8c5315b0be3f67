"""A small bounded memo for the answer path.

Why: one answer asks for the same pieces of a question (its asking parts, cased words,
terms) many times over; remembering the last few is cheaper than working them out again.
Bounded and cleared whole when full: whatever members send, it cannot grow.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_MISSING = object()


class Memo(Generic[K, V]):
    """Up to ``size`` values by key, worked out by ``compute`` when not remembered."""

    def __init__(self, compute: Callable[[K], V], size: int) -> None:
        self._compute = compute
        self._size = size
        self._values: dict[K, V] = {}

    def __call__(self, key: K) -> V:
        values = self._values
        found = values.get(key, _MISSING)
        if found is _MISSING:
            found = self._compute(key)
            if len(values) >= self._size:
                values.clear()
            values[key] = found
        return found  # type: ignore[return-value]

    def clear(self) -> None:
        self._values.clear()
