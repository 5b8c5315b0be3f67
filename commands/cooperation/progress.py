"""Progress maths of a cooperation: done/total per phase, the current phase, bars.

Pure functions over item ids, so the rules ("the first phase not complete is the
current one") are tested without a database or Matrix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FULL = "▓"
EMPTY = "░"
MAX_BAR = 10


@dataclass(frozen=True)
class PhaseProgress:
    number: int
    done: int
    total: int
    open_items: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return self.done >= self.total


@dataclass(frozen=True)
class Progress:
    phases: tuple[PhaseProgress, ...]

    @property
    def current(self) -> PhaseProgress | None:
        """The first phase not complete; None when every phase is complete."""
        return next((p for p in self.phases if not p.complete), None)

    @property
    def done(self) -> int:
        return sum(p.done for p in self.phases)

    @property
    def total(self) -> int:
        return sum(p.total for p in self.phases)


def progress(checklist: Sequence[tuple[int, Sequence[str]]], ticked: Iterable[str]) -> Progress:
    """Progress of every phase; ``checklist`` is (phase number, item ids in order).

    Ticked ids that are not (or no longer) in the checklist are ignored, so curated
    content may drop an item without breaking the count.
    """
    ticked_set = set(ticked)
    phases = []
    for number, items in checklist:
        open_items = tuple(item for item in items if item not in ticked_set)
        phases.append(PhaseProgress(number, len(items) - len(open_items), len(items), open_items))
    return Progress(tuple(phases))


def bar(done: int, total: int, width: int | None = None) -> str:
    """ "▓▓▓░░ 3/5": one cell per item up to ``MAX_BAR`` cells, then scaled.

    A started phase never shows an empty bar and an unfinished one never a full bar.
    """
    if total <= 0:
        return "0/0"
    cells = width if width is not None else min(total, MAX_BAR)
    filled = round(done / total * cells)
    if done > 0:
        filled = max(filled, 1)
    if done < total:
        filled = min(filled, cells - 1)
    filled = max(0, min(filled, cells))
    return f"{FULL * filled}{EMPTY * (cells - filled)} {done}/{total}"
