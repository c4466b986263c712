"""Delivery codes (office setting `delivery_code`): a 6-digit code sent to the recipient when the parcel goes out,
which the courier must enter to record `delivered`. Only a keyed hash is stored; five wrong codes lock the parcel
until the office resets it.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from distribusi import problems
from distribusi.extensions import db
from distribusi.models import Base, Office, OfficeScoped, utcnow

MAX_WRONG = 5
log = logging.getLogger(__name__)


class DeliveryCode(OfficeScoped, Base):
    """The current code of a parcel out for delivery: its hash, the wrong tries and the lock."""

    __tablename__ = "delivery_codes"

    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id"), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    wrong_attempts: Mapped[int] = mapped_column(default=0)
    locked_at: Mapped[datetime | None]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)


class WrongDeliveryCode(problems.Refused):
    code = "wrong_delivery_code"
    message = "Kode serah terima salah. Minta penerima membaca kode dari pesan yang diterimanya."
    field = "delivery_code"


class DeliveryCodeRequired(problems.Refused):
    code = "delivery_code_required"
    message = "Kode serah terima wajib diisi: minta kode 6 digit yang dikirim kepada penerima."
    field = "delivery_code"


class DeliveryLocked(problems.Refused):
    code = "delivery_locked"
    message = (f"Kiriman dikunci setelah {MAX_WRONG} kali kode serah terima salah. "
               "Hubungi Dinas untuk membuka kuncinya.")
    field = "delivery_code"


def required(office: Office) -> bool:
    """Whether the office asks for delivery codes (off by default)."""
    return bool((office.settings or {}).get("delivery_code"))


def _digest(parcel_id: int, code: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"delivery-code:{parcel_id}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_code(parcel) -> str:
    """A fresh code for a parcel going out (replacing an earlier one; a lock stays); returns the code to send."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = db.session.get(DeliveryCode, parcel.id)
    if row is None:
        row = DeliveryCode(parcel_id=parcel.id, office_id=parcel.office_id, wrong_attempts=0)
        db.session.add(row)
    row.code_hash, row.issued_at = _digest(parcel.id, code), utcnow()
    db.session.flush()
    return code


def check_code(parcel, given: str | None) -> None:
    """Let a delivery through when the parcel has no code or the right one is given; otherwise refuse.

    A wrong code is counted and committed before the refusal, so the count survives the rolled-back request.
    """
    row = db.session.get(DeliveryCode, parcel.id, with_for_update=True)
    if row is None:
        return  # went out before the office turned codes on
    if row.locked_at is not None:
        raise DeliveryLocked()
    if not given:
        raise DeliveryCodeRequired()
    if hmac.compare_digest(row.code_hash, _digest(parcel.id, given.strip())):
        return
    row.wrong_attempts += 1
    if row.wrong_attempts >= MAX_WRONG:
        row.locked_at = utcnow()
    db.session.commit()  # the refusal below rolls the request back; the count must stay
    if row.locked_at is not None:
        raise DeliveryLocked()
    left = MAX_WRONG - row.wrong_attempts
    raise WrongDeliveryCode(f"{WrongDeliveryCode.message} Sisa percobaan: {left}.")


def lock_state(parcel) -> dict:
    """What the office sees of a parcel's code: whether one was issued, wrong tries and the lock."""
    row = db.session.get(DeliveryCode, parcel.id)
    return {"issued": row is not None, "wrong_attempts": row.wrong_attempts if row else 0,
            "locked": bool(row and row.locked_at), "locked_at": row.locked_at if row else None}


def reset_lock(parcel, actor) -> DeliveryCode:
    """Unlock a parcel after wrong codes (the office checked with the recipient); the same code stays valid."""
    row = db.session.get(DeliveryCode, parcel.id, with_for_update=True)
    if row is None or (row.locked_at is None and row.wrong_attempts == 0):
        raise problems.Conflict("Kiriman ini tidak terkunci.", code="not_locked")
    row.locked_at, row.wrong_attempts = None, 0
    db.session.flush()
    log.info("delivery code of parcel %s unlocked by user %s", parcel.id, actor.id)
    return row
