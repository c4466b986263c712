"""State enums in flow order, their transition tables, and transition(), the only code that changes a state."""
from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from distribusi import custody
from distribusi.database import insert_rows
from distribusi.extensions import db
from distribusi.problems import Conflict


class DocumentStatus(enum.StrEnum):
    registered = "registered"
    needs_fix = "needs_fix"
    in_recap = "in_recap"


class ParcelStatus(enum.StrEnum):
    packed = "packed"
    with_courier = "with_courier"
    out_for_delivery = "out_for_delivery"
    delivered = "delivered"
    failed_attempt = "failed_attempt"
    returning = "returning"
    returned = "returned"
    collected = "collected"
    repacked = "repacked"


class RecapStatus(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    letter_pending = "letter_pending"
    signed = "signed"
    handed_over = "handed_over"
    closed = "closed"


class LetterStatus(enum.StrEnum):
    awaiting_signature = "awaiting_signature"
    signed = "signed"
    rejected = "rejected"


LABELS: dict[enum.Enum, str] = {
    DocumentStatus.registered: "Terdaftar",
    DocumentStatus.needs_fix: "Perlu perbaikan",
    DocumentStatus.in_recap: "Dalam rekapan",
    ParcelStatus.packed: "Dikemas",
    ParcelStatus.with_courier: "Diterima kurir",
    ParcelStatus.out_for_delivery: "Sedang diantar",
    ParcelStatus.delivered: "Sudah diterima",
    ParcelStatus.failed_attempt: "Gagal diantar",
    ParcelStatus.returning: "Dalam perjalanan kembali ke Dinas",
    ParcelStatus.returned: "Kembali di Dinas",
    ParcelStatus.collected: "Diambil di loket",
    ParcelStatus.repacked: "Dikemas ulang",
    RecapStatus.draft: "Draf",
    RecapStatus.submitted: "Diajukan",
    RecapStatus.letter_pending: "Menunggu tanda tangan",
    RecapStatus.signed: "Ditandatangani",
    RecapStatus.handed_over: "Diserahkan ke kurir",
    RecapStatus.closed: "Selesai",
    LetterStatus.awaiting_signature: "Menunggu tanda tangan",
    LetterStatus.signed: "Ditandatangani",
    LetterStatus.rejected: "Ditolak",
}

# (from, to) -> the action that makes the move; None as "from" is creation.
TRANSITIONS: dict[type[enum.Enum], dict[tuple[Any, Any], str]] = {
    DocumentStatus: {
        (None, DocumentStatus.registered): "register",
        (DocumentStatus.registered, DocumentStatus.needs_fix): "flag",
        (DocumentStatus.needs_fix, DocumentStatus.registered): "resolve",
        (DocumentStatus.registered, DocumentStatus.in_recap): "pack",
        (DocumentStatus.in_recap, DocumentStatus.in_recap): "repack",
    },
    ParcelStatus: {
        (None, ParcelStatus.packed): "pack",
        (ParcelStatus.packed, ParcelStatus.with_courier): "accept",
        (ParcelStatus.with_courier, ParcelStatus.out_for_delivery): "out_for_delivery",
        (ParcelStatus.failed_attempt, ParcelStatus.out_for_delivery): "out_for_delivery",
        (ParcelStatus.out_for_delivery, ParcelStatus.delivered): "delivered",
        (ParcelStatus.out_for_delivery, ParcelStatus.failed_attempt): "failed",
        (ParcelStatus.with_courier, ParcelStatus.returning): "return",
        (ParcelStatus.failed_attempt, ParcelStatus.returning): "return",
        (ParcelStatus.packed, ParcelStatus.returned): "receive_return",  # handed over but never scanned in
        (ParcelStatus.with_courier, ParcelStatus.returned): "receive_return",
        (ParcelStatus.out_for_delivery, ParcelStatus.returned): "receive_return",
        (ParcelStatus.failed_attempt, ParcelStatus.returned): "receive_return",
        (ParcelStatus.returning, ParcelStatus.returned): "receive_return",
        (ParcelStatus.returned, ParcelStatus.collected): "collect",
        (ParcelStatus.returned, ParcelStatus.repacked): "repack",
    },
    RecapStatus: {
        (None, RecapStatus.draft): "create",
        (RecapStatus.draft, RecapStatus.submitted): "submit",
        (RecapStatus.submitted, RecapStatus.letter_pending): "issue_letter",
        (RecapStatus.letter_pending, RecapStatus.submitted): "reject_letter",
        (RecapStatus.letter_pending, RecapStatus.signed): "sign_letter",
        (RecapStatus.signed, RecapStatus.handed_over): "hand_over",
        (RecapStatus.handed_over, RecapStatus.closed): "close",
    },
    LetterStatus: {
        (None, LetterStatus.awaiting_signature): "issue",
        (LetterStatus.awaiting_signature, LetterStatus.signed): "sign",
        (LetterStatus.awaiting_signature, LetterStatus.rejected): "reject",
    },
}

FINAL_PARCEL_STATES = frozenset({ParcelStatus.delivered, ParcelStatus.collected, ParcelStatus.repacked})

SUBJECT_NAMES = {
    "document": "Dokumen",
    "parcel": "Kiriman",
    "recap": "Rekapan",
    "letter": "Surat pengantar",
}


class DomainError(Conflict):
    """A business rule refused the operation in the object's current state; the web edge answers 409."""


class InvalidTransition(DomainError):
    """The requested move is not in the transition table for the object's state."""

    code = "invalid_transition"


def label(state: enum.Enum | None) -> str:
    """The Indonesian name of a state."""
    return LABELS.get(state, "-") if state is not None else "-"


def is_allowed(current: enum.Enum | None, target: enum.Enum) -> bool:
    """Whether the table allows moving from current to target."""
    return (current, target) in TRANSITIONS[type(target)]


def action_for(current: enum.Enum | None, target: enum.Enum) -> str:
    """The action name of an allowed move; raises InvalidTransition for a forbidden one."""
    try:
        return TRANSITIONS[type(target)][(current, target)]
    except KeyError:
        raise InvalidTransition(_refusal(current, target)) from None


def _refusal(current: enum.Enum | None, target: enum.Enum) -> str:
    return (
        f"Status tidak dapat diubah dari \u201c{label(current)}\u201d "
        f"menjadi \u201c{label(target)}\u201d."
    )


@dataclass
class Move:
    """Who makes a move and the facts recorded with it in the custody log."""

    actor_id: int | None
    from_party: str | None = None
    to_party: str | None = None
    device_at: Any = None
    lat: float | None = None
    lon: float | None = None
    device_id: str | None = None
    idempotency_key: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def lock_state(subject: Any) -> None:
    """Re-read the subject's status under a row lock, so concurrent requests move it one after the other."""
    db.session.refresh(subject, attribute_names=["status"], with_for_update=True)


def transition(subject: Any, target: enum.Enum, move: Move) -> dict[str, Any]:
    """Move one object to target and append its custody event, which is returned; raises InvalidTransition."""
    return transition_each([(subject, target)], move)[0]


def transition_many(subjects: Sequence[Any], target: enum.Enum, move: Move) -> list[dict[str, Any]]:
    """Move several objects to the same target, each with its custody event."""
    return transition_each([(subject, target) for subject in subjects], move)


def transition_each(moves: Sequence[tuple[Any, enum.Enum]], move: Move) -> list[dict[str, Any]]:
    """Check every move against its table first, then apply them all and append their events in one chain append."""
    if not moves:
        return []
    planned = [(subject, subject.status, target, action_for(subject.status, target)) for subject, target in moves]
    for subject, _current, target, _action in planned:
        subject.status = target
    db.session.flush()  # new subjects need their ids for the custody events
    return custody.append_events(
        [custody.event_for(subject, current, target, action, move) for subject, current, target, action in planned]
    )


def create_many(model: type, rows: list[dict[str, Any]], initial: enum.Enum, move: Move) -> list[int]:
    """Bulk-insert new rows of one office in their initial state, each with its creation event; returns their ids."""
    if not rows:
        return []
    action = action_for(None, initial)
    ids = insert_rows(model, [{**row, "status": initial} for row in rows])
    custody.append_events([
        custody.event_values(row["office_id"], model.__custody_subject__, subject_id, None, initial, action, move)
        for row, subject_id in zip(rows, ids, strict=True)
    ])
    return ids


def check_all(subjects: Iterable[Any], target: enum.Enum) -> None:
    """Raise InvalidTransition naming the first object that may not move to target."""
    for subject in subjects:
        if not is_allowed(subject.status, target):
            name = SUBJECT_NAMES.get(subject.__custody_subject__, "Objek")
            raise InvalidTransition(f"{name} {subject.custody_label()}: {_refusal(subject.status, target)}")


# How each custody action reads on the control card and in the citizen's processing trail.
ACTION_LABELS = {
    ("document", "register"): "Didaftarkan",
    ("document", "flag"): "Ditandai perlu perbaikan",
    ("document", "resolve"): "Perbaikan selesai",
    ("document", "pack"): "Dimasukkan ke kiriman",
    ("document", "repack"): "Dikemas ulang ke kiriman baru",
    ("parcel", "pack"): "Dikemas dalam rekapan",
    ("parcel", "accept"): "Diterima kurir (pindai)",
    ("parcel", "out_for_delivery"): "Dibawa untuk diantar",
    ("parcel", "delivered"): "Diserahkan kepada penerima",
    ("parcel", "failed"): "Gagal diantar",
    ("parcel", "return"): "Dikembalikan ke Dinas",
    ("parcel", "receive_return"): "Diterima kembali di Dinas",
    ("parcel", "collect"): "Diambil di loket",
    ("parcel", "repack"): "Dikemas ulang",
    ("recap", "create"): "Rekapan dibuat",
    ("recap", "submit"): "Rekapan diajukan",
    ("recap", "issue_letter"): "Surat pengantar dibuat",
    ("recap", "reject_letter"): "Surat pengantar ditolak",
    ("recap", "sign_letter"): "Surat pengantar ditandatangani",
    ("recap", "hand_over"): "Diserahkan ke mitra kurir",
    ("recap", "close"): "Rekapan selesai",
    ("letter", "issue"): "Surat diterbitkan",
    ("letter", "sign"): "Surat ditandatangani",
    ("letter", "reject"): "Surat ditolak",
}


def action_label(subject_type: str, action: str) -> str:
    """The Indonesian words for a custody event's action ("Diterima kurir (pindai)"), else its code."""
    return ACTION_LABELS.get((subject_type, action), action)
