"""Member profiles, matching, introductions (issue 6); the registry collects these:

edit     !profil [<feld> <wert>], !profil sichtbar, the guided dialog (``dialog``
         hook), the ``forget`` hook that drops a forgotten member from the index
match    !partner, !austausch
intros   !vernetzen [ja|nein], !vernetzen runde, !vernetzen getroffen,
         jobs ``intros.round`` / ``intros.checkin``, start-up round planning
"""

# Import order is the order of the commands in !hilfe.
from commands.profiles.edit import (  # noqa: I001
    forget_profile,
    profile_command,
    profile_dialog,
    visible_command,
)
from commands.profiles.match import partner_command, peers_command
from commands.profiles.intros import (
    checkin_job,
    ensure_round_job,
    intros_command,
    met_command,
    round_command,
    round_job,
)

__all__ = [
    "checkin_job",
    "ensure_round_job",
    "forget_profile",
    "intros_command",
    "met_command",
    "partner_command",
    "peers_command",
    "profile_command",
    "profile_dialog",
    "round_command",
    "round_job",
    "visible_command",
]
