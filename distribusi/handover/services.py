"""Handing a signed recap to its courier partner and following the courier's acceptance scans."""
from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, or_, select, update
from sqlalchemy.orm import selectinload

from distribusi.auth.models import User
from distribusi.custody import CustodyEvent
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.letters.models import CoverLetter
from distribusi.letters.services import signed_letter_of
from distribusi.models import utcnow
from distribusi.recap.models import Parcel, Recap
from distribusi.workflow import DomainError, LetterStatus, Move, RecapStatus, check_all, lock_state, transition


def hand_over(user: User, recap: Recap, partner_id: int, received_by: str) -> Handover:
    """Record that a signed recap went to its letter's partner; its parcels become that partner's to scan."""
    lock_state(recap)  # a second click waits here and is then refused, instead of failing on the unique recap_id
    check_all([recap], RecapStatus.handed_over)
    letter = signed_letter_of(recap)
    if letter is None:
        raise DomainError(f"Rekapan {recap.number} belum memiliki surat pengantar yang ditandatangani.",
                          code="letter_not_signed")
    if letter.courier_partner_id != partner_id:
        raise DomainError(
            f"Surat pengantar {letter.letter_number} ditujukan kepada {letter.courier_partner.name}; "
            "serah terima hanya kepada mitra tersebut.",
            code="wrong_partner", fields={"courier_partner_id": ["Tidak sesuai dengan surat pengantar."]},
        )
    handover = Handover(
        office_id=user.office_id, recap=recap, letter=letter, courier_partner_id=partner_id,
        received_by=received_by, handed_over_by_id=user.id, handed_over_at=utcnow(),
    )
    db.session.add(handover)
    db.session.execute(update(Parcel).where(Parcel.recap_id == recap.id).values(courier_partner_id=partner_id))
    transition(recap, RecapStatus.handed_over, Move(
        actor_id=user.id, from_party=user.party, to_party=f"{letter.courier_partner.name}: {received_by}",
        data={"letter_number": letter.letter_number, "received_by": received_by},
    ))
    return handover


def handover_summary(handover: Handover) -> dict[str, Any]:
    """The handover with its recap, letter and partner named and the courier's acceptance so far."""
    return {
        "id": handover.id, "recap_id": handover.recap_id, "recap_number": handover.recap.number,
        "letter_number": handover.letter.letter_number, "courier_partner_id": handover.courier_partner_id,
        "courier_partner": handover.courier_partner.name, "received_by": handover.received_by,
        "handed_over_at": handover.handed_over_at, "acceptance": acceptance(handover),
    }


def acceptance(handover: Handover) -> dict[str, Any]:
    """How many of the handed-over parcels the courier has scanned in, and which are still missing."""
    parcels = handover.recap.parcels
    # An accept scan is the courier's acknowledgement; a parcel received back at the office without one
    # was never acknowledged, whatever its state now.
    scanned = set(db.session.scalars(
        select(CustodyEvent.subject_id).where(
            CustodyEvent.subject_type == "parcel", CustodyEvent.action == "accept",
            CustodyEvent.subject_id.in_(select(Parcel.id).where(Parcel.recap_id == handover.recap_id)))
    ))
    missing = [p for p in parcels if p.id not in scanned]
    return {
        "total": len(parcels),
        "accepted": len(parcels) - len(missing),
        "not_accepted": [p.tracking_code for p in missing],
    }


def ready_letters(office_id: int, partner_id: int | None = None, search: str | None = None):
    """A select() of the signed letters whose recap waits to be handed over, oldest signature first."""
    stmt = (select(CoverLetter).join(Recap, CoverLetter.recap_id == Recap.id)
            .where(CoverLetter.office_id == office_id, CoverLetter.status == LetterStatus.signed,
                   Recap.status == RecapStatus.signed))
    if partner_id:
        stmt = stmt.where(CoverLetter.courier_partner_id == partner_id)
    if search:
        like = f"%{search.strip()}%"
        stmt = stmt.where(or_(Recap.number.ilike(like), CoverLetter.letter_number.ilike(like)))
    return stmt.order_by(CoverLetter.signed_at, CoverLetter.id).options(
        selectinload(CoverLetter.recap).selectinload(Recap.parcels), selectinload(CoverLetter.courier_partner))


def handovers_of(office_id: int, partner_id: int | None = None, search: str | None = None):
    """A select() of the office's handovers, newest first, by partner and recap number or receiver's name."""
    stmt = select(Handover).join(Recap, Handover.recap_id == Recap.id).where(Handover.office_id == office_id)
    if partner_id:
        stmt = stmt.where(Handover.courier_partner_id == partner_id)
    if search:
        like = f"%{search.strip()}%"
        stmt = stmt.where(or_(Recap.number.ilike(like), Handover.received_by.ilike(like)))
    return stmt.order_by(Handover.handed_over_at.desc(), Handover.id.desc()).options(
        selectinload(Handover.recap), selectinload(Handover.courier_partner))


def acceptance_counts(handovers: list[Handover]) -> dict[int, tuple[int, int]]:
    """Parcels scanned in by the courier and parcels in all, per handover id, in two queries for a whole page."""
    recap_ids = [h.recap_id for h in handovers]
    if not recap_ids:
        return {}
    totals = dict(db.session.execute(
        select(Parcel.recap_id, func.count()).where(Parcel.recap_id.in_(recap_ids)).group_by(Parcel.recap_id)).all())
    accepted = dict(db.session.execute(
        select(Parcel.recap_id, func.count(distinct(Parcel.id)))
        .join(CustodyEvent, (CustodyEvent.subject_id == Parcel.id) & (CustodyEvent.subject_type == "parcel"))
        .where(Parcel.recap_id.in_(recap_ids), CustodyEvent.action == "accept").group_by(Parcel.recap_id)).all())
    return {h.id: (accepted.get(h.recap_id, 0), totals.get(h.recap_id, 0)) for h in handovers}
