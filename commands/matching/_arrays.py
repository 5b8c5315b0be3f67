"""Append-friendly numpy storage for the match index.

Why: the index must take one new profile cheaply (no full rebuild) while queries still
see plain contiguous numpy arrays.
"""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
else:  # numpy is imported at the first match, not when the bot starts (see _lazy)
    from ._lazy import numpy as np


class Growable:
    """A 1-d numpy array with amortised O(1) append; ``view()`` is the filled part."""

    __slots__ = ("_data", "_size")

    def __init__(self, dtype: npt.DTypeLike, capacity: int = 4) -> None:
        self._data = np.zeros(max(capacity, 1), dtype=dtype)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, value: int | float | bool) -> None:
        if self._size == len(self._data):
            self._grow(self._size + 1)
        self._data[self._size] = value
        self._size += 1

    def extend(self, values: npt.ArrayLike) -> None:
        values = np.asarray(values, dtype=self._data.dtype)
        end = self._size + len(values)
        if end > len(self._data):
            self._grow(end)
        self._data[self._size : end] = values
        self._size = end

    def view(self) -> np.ndarray:
        return self._data[: self._size]

    def set(self, index: int, value: int | float | bool) -> None:
        self._data[index] = value

    def _grow(self, needed: int) -> None:
        capacity = max(needed, 2 * len(self._data))
        data = np.zeros(capacity, dtype=self._data.dtype)
        data[: self._size] = self._data[: self._size]
        self._data = data


class Ragged:
    """Variable-length int tuples per row (term ids), stored flat: ~4 bytes per entry."""

    __slots__ = ("_flat", "_starts")

    def __init__(self) -> None:
        self._flat = array("i")
        self._starts = array("q", [0])

    def __len__(self) -> int:
        return len(self._starts) - 1

    def append(self, values: tuple[int, ...]) -> None:
        self._flat.extend(values)
        self._starts.append(len(self._flat))

    def extend(self, rows: list[tuple[int, ...]]) -> None:
        end = len(self._flat)
        for values in rows:
            self._flat.extend(values)
            end += len(values)
            self._starts.append(end)

    def get(self, row: int) -> tuple[int, ...]:
        return tuple(self._flat[self._starts[row] : self._starts[row + 1]])

    def rows_and_values(self, rows: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """(row position, value) pairs of the given rows, for building dense matrices."""
        rows = np.asarray(rows, dtype=np.int64)
        starts = np.frombuffer(self._starts, dtype=np.int64)
        begin = starts[rows]
        lengths = starts[rows + 1] - begin
        owner = np.repeat(np.arange(len(rows)), lengths)
        if not len(owner):
            return owner, np.zeros(0, dtype=np.int32)
        offsets = np.arange(len(owner)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        flat = np.frombuffer(self._flat, dtype=np.int32)
        values = flat[np.repeat(begin, lengths) + offsets]
        return owner, values
