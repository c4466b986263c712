"""The freeze of signed recaps, enforced for every write: content of a signed recap cannot change."""
from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from distribusi.intake.models import ADDRESS_FIELDS, Document
from distribusi.recap.models import FROZEN_RECAP_STATES, Parcel, Recap
from distribusi.recap.services import RecapFrozen

# What a signature covers (letters.services.canonical_content) and what the label shows.
PARCEL_CONTENT = frozenset({"tracking_code", "recap_id", "position", "recipient_name", "phone", "kk_number",
                            *ADDRESS_FIELDS})
DOCUMENT_CONTENT = frozenset({"doc_type", "doc_number", "nik", "kk_number", "owner_name", "recipient_name",
                              "phone", *ADDRESS_FIELDS})
RECAP_CONTENT = frozenset({"number", "courier_partner_id"})


def _changed(obj, names: frozenset[str]) -> list[str]:
    state = inspect(obj)
    return [name for name in names if state.attrs[name].history.has_changes()]


def _frozen_recap_of_document(session: Session, document: Document) -> Recap | None:
    parcel = session.get(Parcel, document.parcel_id) if document.parcel_id else None
    return parcel.recap if parcel is not None and parcel.recap.frozen else None


@event.listens_for(Session, "before_flush")
def refuse_changes_to_frozen_recaps(session: Session, _context, _instances) -> None:
    """Raise RecapFrozen before any content of a signed recap is written."""
    for obj in session.dirty:
        if isinstance(obj, Recap) and _changed(obj, RECAP_CONTENT) and _was_frozen(obj):
            raise RecapFrozen(f"Rekapan {obj.number} sudah ditandatangani; isinya tidak dapat diubah.")
        if isinstance(obj, Parcel) and _changed(obj, PARCEL_CONTENT) and obj.recap.frozen:
            raise RecapFrozen(f"Kiriman {obj.tracking_code} termasuk rekapan {obj.recap.number} yang sudah "
                              "ditandatangani; isinya tidak dapat diubah.")
        if isinstance(obj, Document) and _changed(obj, DOCUMENT_CONTENT):
            recap = _frozen_recap_of_document(session, obj)
            if recap is not None:
                raise RecapFrozen(f"Dokumen {obj.doc_type} {obj.doc_number} termasuk rekapan {recap.number} yang "
                                  "sudah ditandatangani; isinya tidak dapat diubah.")


def _was_frozen(recap: Recap) -> bool:
    history = inspect(recap).attrs["status"].history
    return (history.deleted[0] if history.deleted else recap.status) in FROZEN_RECAP_STATES
