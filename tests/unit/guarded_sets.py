"""The evaluation sets no data file may learn from, named here once for the tests.

Sealed sets are scored, never read; the unread sets measure generalisation. The list is
the tests' own, not read from ``bench/harvest_asked.py``: shortening the tool's list must
fail a test, not quietly shorten what the tests guard.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "bench" / "eval"
UNREAD = (
    "holdout10.yaml",
    "holdout11.yaml",
    "holdout12.yaml",
    "holdout13.yaml",
    "holdout14.yaml",
    "holdout15.yaml",
    "holdout16.yaml",
    "holdout17.yaml",
    "holdout18.yaml",
    "holdout19.yaml",
    "holdout20.yaml",
    "holdout21.yaml",
    "holdout22.yaml",
    "holdout23.yaml",
    "holdout24.yaml",
    "holdout25.yaml",
    "holdout26.yaml",
    "holdout27.yaml",
    "holdout28.yaml",
    "holdout29.yaml",
    "holdout30.yaml",
    "holdout31.yaml",
    "nearmiss10.yaml",
    "nearmiss11.yaml",
    "nearmiss20.yaml",
    "nearmiss29.yaml",
    "nearmiss30.yaml",
    "nearmiss45.yaml",
    "nearmiss46.yaml",
    "nearmiss47.yaml",
    "nearmiss48.yaml",
    "nearmiss53.yaml",
    "nearmiss57.yaml",
    "nearmiss59.yaml",
)


def sealed_and_unread() -> list[Path]:
    """Every sealed set and every set kept unread."""
    return [*sorted(EVAL.glob("sealed*.yaml")), *(EVAL / name for name in UNREAD)]
