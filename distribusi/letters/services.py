"""Issuing, signing, rejecting and verifying cover letters."""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections import Counter
from typing import Any

from sqlalchemy import Select, func, or_, select

from distribusi.auth.models import User
from distribusi.auth.passwords import check_password
from distribusi.database import contains_text
from distribusi.extensions import db
from distribusi.letters import numbers
from distribusi.letters.models import CoverLetter
from distribusi.models import CourierPartner, Office, utcnow
from distribusi.problems import Refused
from distribusi.numbering import next_number
from distribusi.printing.data import doc_type_label
from distribusi.recap.models import Recap
from distribusi.recap.services import load_recap, recap_groups
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


def sign_letter_with_password(user: User, letter: CoverLetter, password: str) -> CoverLetter:
    """Sign after the signer typed their password again; raises Refused (field `password`) when it is wrong."""
    if not password or not check_password(user.password_hash, password):
        raise Refused("Kata sandi salah; surat belum ditandatangani.",
                      fields={"password": ["Kata sandi salah. Ketik kata sandi Anda untuk menandatangani."]})
    return sign_letter(user, letter)


# --- what the letter pages list -------------------------------------------------------------------------------


def recaps_awaiting_letter(office_id: int, search: str | None = None) -> Select:
    """The office's submitted recaps that wait for a cover letter, the longest waiting first."""
    stmt = select(Recap).where(Recap.office_id == office_id, Recap.status == RecapStatus.submitted)
    if search:
        stmt = stmt.where(contains_text(Recap.number, search.strip()))
    return stmt.order_by(Recap.submitted_at, Recap.id)


def office_letters(office_id: int, statuses: list[LetterStatus], search: str | None = None, *,
                   newest_first: bool = False) -> Select:
    """The office's letters in some states, searchable by letter or recap number; oldest first unless asked."""
    stmt = (select(CoverLetter).join(Recap, Recap.id == CoverLetter.recap_id)
            .where(CoverLetter.office_id == office_id, CoverLetter.status.in_(statuses)))
    if search:
        term = search.strip()
        stmt = stmt.where(or_(contains_text(CoverLetter.letter_number, term), contains_text(Recap.number, term)))
    decided = func.coalesce(CoverLetter.signed_at, CoverLetter.rejected_at, CoverLetter.created_at)
    order = (decided.desc(), CoverLetter.id.desc()) if newest_first else (CoverLetter.created_at, CoverLetter.id)
    return stmt.order_by(*order)


def last_rejections(recap_ids: list[int]) -> dict[int, CoverLetter]:
    """The latest rejected letter of each of these recaps, so the Kasubbag sees the secretary's note."""
    if not recap_ids:
        return {}
    rejected = db.session.scalars(
        select(CoverLetter).where(CoverLetter.recap_id.in_(recap_ids), CoverLetter.status == LetterStatus.rejected)
        .order_by(CoverLetter.rejected_at, CoverLetter.id)
    )
    return {letter.recap_id: letter for letter in rejected}


def people(user_ids: set[int | None]) -> dict[int, User]:
    """The users with these ids (issuer, signer, rejecter of listed letters), by id."""
    ids = {user_id for user_id in user_ids if user_id}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def letter_summary(letter: CoverLetter) -> dict[str, Any]:
    """What the signer reads beside the letter: the recap, its parcels and documents by type and by kecamatan."""
    recap = load_recap(letter.recap_id)
    documents = [document for parcel in recap.parcels for document in parcel.documents]
    return {
        "recap": recap,
        "groups": recap_groups(recap),
        "parcel_count": len(recap.parcels),
        "document_count": len(documents),
        "by_type": sorted(Counter(doc_type_label(d.doc_type) for d in documents).items()),
        "by_kecamatan": sorted(Counter(p.kecamatan for p in recap.parcels).items()),
    }


def letters_of_recap(recap_id: int) -> list[CoverLetter]:
    """Every letter issued for a recap (rejected ones too), oldest first."""
    return list(db.session.scalars(select(CoverLetter).where(CoverLetter.recap_id == recap_id)
                                   .order_by(CoverLetter.id)))
