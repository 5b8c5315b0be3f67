"""The cooperation tracker: one cooperation per room, its checklist progress through
the seven phases, the agreement fields, the draft agreement and the review reminders.

The registry collects the declarations re-exported here:

    tracker     !kooperation neu / (overview) / feld / alle
    checklist   !erledigt, !offen
    agreement   !vereinbarung entwurf (message + Markdown file)
    review      !kooperation prüfung, jobs ``coop.review`` and ``coop.term_end``,
                start-up re-arming of both
"""

# Import order is the order of the commands in !hilfe.
from commands.cooperation.tracker import (  # noqa: I001
    show_cooperation,
    new_cooperation,
    set_field,
    all_cooperations,
)
from commands.cooperation.checklist import tick_items, untick_items
from commands.cooperation.agreement import agreement_draft
from commands.cooperation.review import (
    ensure_cooperation_jobs,
    schedule_review,
    send_review_reminder,
    send_term_end_reminder,
)

__all__ = [
    "agreement_draft",
    "all_cooperations",
    "ensure_cooperation_jobs",
    "new_cooperation",
    "schedule_review",
    "send_review_reminder",
    "send_term_end_reminder",
    "set_field",
    "show_cooperation",
    "tick_items",
    "untick_items",
]
