"""The numbered migration registry: each step runs in one transaction.

Numbers are assigned per feature so that features can be developed side by side:
1 core, 2 content, 3 meetings, 4 cooperations, 5 profiles/matching/clusters, 6 rooms,
7 inbox dead letters, 8 privacy (forwarded messages, calendar feeds), 9 room upgrades,
10 one-tap choices and coordinators' answers, 11 school year (holiday series, date polls),
12 the institution's name in profiles, 13 rewordings filed under a coordinators' answer,
14 answers flagged by their asker (👎) and the network's refused questions.
A step is never edited once released; a change is a new step.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def _collect() -> list[Migration]:
    from storage.migrations import m0001_core

    found = [m0001_core.MIGRATION]
    for name in (
        "m0002_content",
        "m0003_meetings",
        "m0004_cooperation",
        "m0005_profiles",
        "m0006_rooms",
        "m0007_inbox_dead_letter",
        "m0008_privacy",
        "m0009_room_upgrades",
        "m0010_answers",
        "m0011_schoolyear",
        "m0012_profile_institution",
        "m0013_rewordings",
        "m0014_feedback",
    ):
        try:
            module = __import__(f"storage.migrations.{name}", fromlist=["MIGRATION"])
        except ModuleNotFoundError:
            continue
        found.append(module.MIGRATION)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions: {versions}")
    return sorted(found, key=lambda m: m.version)


MIGRATIONS: list[Migration] = _collect()
