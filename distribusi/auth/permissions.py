"""Who may do what: one table of role per action, read by the API, the pages and the templates."""
from __future__ import annotations

from typing import Any

from distribusi.auth.models import Role, User
from distribusi.problems import Forbidden

STAFF = frozenset(Role) - {Role.courier}
COMPLAINT_DESKS = frozenset({Role.operator, Role.kasi, Role.kabid, Role.secretary, Role.head})

PERMISSIONS: dict[str, frozenset[Role]] = {
    "view_documents": STAFF,
    "register_documents": frozenset({Role.clerk}),
    "flag_documents": frozenset({Role.clerk}),
    "create_recaps": frozenset({Role.clerk}),
    "submit_recaps": frozenset({Role.clerk}),
    "view_recaps": STAFF,
    "print_papers": STAFF,
    "issue_letters": frozenset({Role.kasubbag}),
    "sign_letters": frozenset({Role.secretary}),
    "hand_over": frozenset({Role.kasubbag}),
    "record_scans": frozenset({Role.courier}),
    "receive_returns": frozenset({Role.kasubbag}),
    "reset_delivery_codes": frozenset({Role.kasubbag}),
    "collect_parcels": frozenset({Role.clerk}),
    "view_custody": STAFF,
    "view_photos": STAFF,
    "lookup": STAFF,
    "administer": frozenset({Role.admin}),
    "answer_pdp_requests": frozenset({Role.operator, Role.admin}),
    "view_complaints": STAFF - {Role.admin},
    "register_complaints": frozenset({Role.operator}),
    "handle_complaints": COMPLAINT_DESKS,
    "escalate_complaints": COMPLAINT_DESKS,
    "view_reports": frozenset({Role.kasubbag, Role.secretary, Role.head, Role.kabid, Role.kasi, Role.admin}),
    "revoke_own_tokens": frozenset(Role),
}


class PermissionDenied(Forbidden):
    """The user's role may not do this; the web edge answers 403."""


def can(user: User | Any, verb: str) -> bool:
    """Whether an active user's role allows the action."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return user.role in PERMISSIONS[verb]


def ensure(user: User, verb: str) -> None:
    """Raise PermissionDenied unless the user may do the action."""
    if not can(user, verb):
        raise PermissionDenied()


def same_office(user: User, obj: Any) -> bool:
    """Whether the object belongs to the user's office (and, for couriers, to their partner where it says)."""
    if obj is None or getattr(obj, "office_id", None) != user.office_id:
        return False
    if user.role is Role.courier:
        partner_id = getattr(obj, "courier_partner_id", None)
        return partner_id is not None and partner_id == user.courier_partner_id
    return True
