"""Matching engine: partners, peers, introduction rounds and learning clusters.

Pure computation (no Matrix, no database): commands load profiles from storage, build
a ``MatchIndex`` once and keep it current with ``upsert``/``remove``; queries are numpy
(imported at the first match, see ``_lazy``).

    index = MatchIndex.build(profiles, synonyms=content.synonyms)
    for match in top_partners(index, "@ms:example.org"):
        print(match.user_id, match.score, render_reasons(match, catalog, "de"))
"""

from .clusters import (
    MAX_MEMBERS,
    MIN_MEMBERS,
    MIN_PLACES,
    ClusterInterest,
    ClusterNotReady,
    ForminCluster,
    FormingCluster,
    forming_clusters,
    found_cluster,
)
from .index import Field, MatchIndex, ProfileNotFound
from .pairing import pair_round
from .profiles import Experience, InstitutionKind, Profile, parse_experience, parse_kind
from .render import kind_label, render_reason, render_reasons, visibility_hint
from .scoring import Match, Reason, ReasonKind, mutual_scores, top_partners, top_peers
from .vocabulary import RESOURCE_GROUPS, Vocabulary

__all__ = [
    "MAX_MEMBERS",
    "MIN_MEMBERS",
    "MIN_PLACES",
    "RESOURCE_GROUPS",
    "ClusterInterest",
    "ClusterNotReady",
    "Experience",
    "Field",
    "ForminCluster",
    "FormingCluster",
    "InstitutionKind",
    "Match",
    "MatchIndex",
    "Profile",
    "ProfileNotFound",
    "Reason",
    "ReasonKind",
    "Vocabulary",
    "forming_clusters",
    "found_cluster",
    "kind_label",
    "mutual_scores",
    "pair_round",
    "parse_experience",
    "parse_kind",
    "render_reason",
    "render_reasons",
    "top_partners",
    "top_peers",
    "visibility_hint",
]
