"""The ticket's transition table and the one function that moves a ticket, writing its history row."""
from __future__ import annotations

from datetime import datetime

from distribusi.complaints.models import STATUS_LABELS, Complaint, ComplaintEvent, ComplaintStatus, Level
from distribusi.workflow import InvalidTransition

S = ComplaintStatus
# (from, to) -> the actions that may make the move; None as "from" is registration.
TRANSITIONS: dict[tuple[ComplaintStatus | None, ComplaintStatus], frozenset[str]] = {
    (None, S.open): frozenset({"register"}),
    (S.open, S.answered): frozenset({"respond"}),
    (S.answered, S.answered): frozenset({"respond"}),
    (S.routed, S.answered): frozenset({"respond"}),
    (S.open, S.routed): frozenset({"route"}),
    (S.answered, S.routed): frozenset({"route"}),
    (S.open, S.open): frozenset({"escalate"}),
    (S.answered, S.open): frozenset({"escalate"}),
    (S.routed, S.open): frozenset({"escalate"}),
    (S.open, S.resolved): frozenset({"resolve"}),
    (S.answered, S.resolved): frozenset({"resolve"}),
    (S.routed, S.resolved): frozenset({"resolve"}),
}


def is_allowed(current: ComplaintStatus | None, target: ComplaintStatus, action: str) -> bool:
    return action in TRANSITIONS.get((current, target), frozenset())


def _label(state: ComplaintStatus | None) -> str:
    return STATUS_LABELS.get(state, "-") if state is not None else "-"


def move(complaint: Complaint, target: ComplaintStatus, action: str, *, actor_id: int | None, at: datetime,
         note: str | None = None, level: Level | None = None) -> ComplaintEvent:
    """Move the ticket (and its level) and append the history row; raises InvalidTransition for a forbidden move."""
    current = complaint.status
    if not is_allowed(current, target, action):
        raise InvalidTransition(
            f"Pengaduan {complaint.ticket_number}: tidak dapat {ACTION_VERBS.get(action, action)} dari status "
            f"\u201c{_label(current)}\u201d.")
    from_level = complaint.level
    complaint.status = target
    if level is not None:
        complaint.level = level
    event = ComplaintEvent(action=action, from_state=current.value if current else None, to_state=target.value,
                           from_level=from_level.value if from_level else None, to_level=complaint.level.value,
                           actor_id=actor_id, note=note, at=at)
    complaint.events.append(event)
    return event


ACTION_VERBS = {"respond": "dijawab", "route": "diteruskan", "escalate": "dinaikkan", "resolve": "diselesaikan",
                "register": "dicatat"}
