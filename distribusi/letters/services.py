"""Issuing, signing, rejecting and verifying cover letters."""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from typing import Any

from sqlalchemy import select

from distribusi.auth.models import User
from distribusi.extensions import db
from distribusi.letters import numbers
from distribusi.letters.models import CoverLetter
from distribusi.models import CourierPartner, Office, utcnow
from distribusi.numbering import next_number
from distribusi.recap.models import Recap
from distribusi.workflow import DomainError, LetterStatus, Move, RecapStatus, check_all, lock_state, transition_each

DEFAULT_SUBJECT = "Penyerahan Dokumen Kependudukan dan Pencatatan Sipil"
VERIFICATION_CODE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def format_letter_number(office: Office, seq: int, when) -> str:
    """The office's letter-number format filled in (e.g. 470/JASA-DUKCAPIL/7/2026); raises DomainError if broken."""
    pattern = (office.settings or {}).get("letter_number_format") or numbers.DEFAULT_FORMAT
    if numbers.format_problem(pattern) is not None:  # settings written before the check, or by hand
        raise DomainError("Format nomor surat pada pengaturan kantor tidak sah; minta Admin memperbaikinya.",
                          code="bad_letter_number_format")
    return numbers.fill(pattern, seq, when)


def canonical_content(letter: CoverLetter) -> dict[str, Any]:
    """What the signature covers: the letter's fields and the recap's parcels and documents in order."""
    recap = letter.recap
    partner = letter.courier_partner
    return {
        "office_id": letter.office_id,
        "letter_number": letter.letter_number,
        "letter_date": letter.letter_date.isoformat(),
        "subject": letter.subject,
        "addressee": {"name": partner.name, "contract_number": partner.contract_number},
        "recap_number": recap.number,
        "parcels": [
            {"tracking_code": parcel.tracking_code,
             "documents": [f"{d.doc_type}:{d.doc_number}" for d in parcel.documents]}
            for parcel in recap.parcels
        ],
    }


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a letter's content."""
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


def issue_letter(user: User, recap: Recap, partner_id: int) -> CoverLetter:
    """A numbered letter awaiting signature for a submitted recap; raises DomainError or InvalidTransition."""
    partner = db.session.get(CourierPartner, partner_id)
    if partner is None or partner.office_id != user.office_id or not partner.active:
        raise DomainError("Mitra kurir tidak ditemukan atau tidak aktif.", code="unknown_partner",
                          fields={"courier_partner_id": ["Pilih mitra kurir aktif kantor ini."]})
    lock_state(recap)
    check_all([recap], RecapStatus.letter_pending)  # before a number is taken
    today = user.office.local_now()
    seq = next_number(user.office_id, "letter", today.year)
    letter = CoverLetter(
        office_id=user.office_id, recap=recap, courier_partner=partner, year=today.year, seq=seq,
        letter_number=format_letter_number(user.office, seq, today), letter_date=today.date(),
        subject=DEFAULT_SUBJECT, issued_by_id=user.id,
    )
    db.session.add(letter)
    recap.courier_partner_id = partner.id
    move = Move(actor_id=user.id, from_party=user.party, to_party="Sekretaris Dinas",
                data={"letter_number": letter.letter_number, "partner": partner.name})
    transition_each([(letter, LetterStatus.awaiting_signature), (recap, RecapStatus.letter_pending)], move)
    return letter


def sign_letter(user: User, letter: CoverLetter) -> CoverLetter:
    """Sign: store signer, time, content hash and a random verification code; the recap is frozen from now on."""
    lock_state(letter)
    move = Move(actor_id=user.id, from_party=user.party, to_party="Kasubbag Umum",
                data={"letter_number": letter.letter_number})
    transition_each([(letter, LetterStatus.signed), (letter.recap, RecapStatus.signed)], move)
    content = canonical_content(letter)
    letter.signer_id = user.id
    letter.signed_at = utcnow()
    letter.signed_content = content
    letter.content_sha256 = content_hash(content)
    letter.verification_code = secrets.token_urlsafe(18)  # 144 bits
    return letter


def reject_letter(user: User, letter: CoverLetter, note: str) -> CoverLetter:
    """Reject with the secretary's note; the recap goes back to the Kasubbag for a new letter."""
    lock_state(letter)
    move = Move(actor_id=user.id, from_party=user.party, to_party="Kasubbag Umum",
                data={"letter_number": letter.letter_number, "note": note})
    transition_each([(letter, LetterStatus.rejected), (letter.recap, RecapStatus.submitted)], move)
    letter.rejected_by_id = user.id
    letter.rejected_at = utcnow()
    letter.rejection_note = note
    return letter


def signed_letter_of(recap: Recap) -> CoverLetter | None:
    """The recap's signed letter, if any."""
    return db.session.scalar(
        select(CoverLetter).where(CoverLetter.recap_id == recap.id, CoverLetter.status == LetterStatus.signed)
    )


def verify_letter(verification_code: str) -> dict[str, Any] | None:
    """Public facts of a signed letter and whether its content is unchanged, or None for an unknown code."""
    if not VERIFICATION_CODE.fullmatch(verification_code):
        return None  # not a code this module issues (and PostgreSQL refuses NUL characters in a query)
    letter = db.session.scalar(select(CoverLetter).where(CoverLetter.verification_code == verification_code))
    if letter is None or letter.status is not LetterStatus.signed:
        return None
    signer = db.session.get(User, letter.signer_id)
    office = db.session.get(Office, letter.office_id)
    return {
        "letter_number": letter.letter_number,
        "letter_date": letter.letter_date,
        "signed_at": letter.signed_at,
        "signer": signer.full_name if signer else None,
        "signer_position": "Sekretaris Dinas",
        "office": office.name,
        "zone": office.zone,
        "parcel_count": len(letter.recap.parcels),
        "intact": content_hash(canonical_content(letter)) == letter.content_sha256,
    }
