"""``koopbot content check``: validate content directories and report.

Why a report object: the CLI prints it and exits non-zero on errors; tests and the
bot's start-up inspect ``errors`` and ``warnings`` directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from content.loader import Problem, collect_content


@dataclass
class CheckReport:
    """Counts per kind, errors (fatal) and warnings (e.g. missing translations)."""

    counts: dict[str, int] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def render(self) -> str:
        """Plain text for the terminal."""
        lines = ["Inhalte / content:"]
        lines += [f"  {kind}: {n}" for kind, n in self.counts.items()]
        for title, problems in (
            ("Fehler / errors", self.errors),
            ("Warnungen / warnings", self.warnings),
        ):
            lines.append(f"{title}: {len(problems)}")
            lines += [f"  {p}" for p in problems]
        lines.append("OK" if self.ok else "FEHLER – content is invalid")
        return "\n".join(lines)


def check_content(dirs: Sequence[Path] = ()) -> CheckReport:
    """Check the shipped content together with ``dirs`` (a network's own directories)."""
    collected = collect_content(dirs)
    return CheckReport(
        counts=collected.content.counts,
        errors=list(collected.errors),
        warnings=list(collected.warnings),
    )
