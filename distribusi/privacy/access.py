"""Recording staff reads of personal data: one call where staff look up, open or print citizens' data."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any

from flask import has_request_context, request
from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite

from distribusi.extensions import db
from distribusi.privacy.models import AccessEvent, AccessPurpose, AccessSubject, DigestKey

_DIALECT_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def office_key(office_id: int) -> bytes:
    """The office's digest key, made once (a concurrent first use keeps whichever key was stored first)."""
    key = db.session.scalar(select(DigestKey.key).where(DigestKey.office_id == office_id))
    if key is None:
        dialect_insert = _DIALECT_INSERT[db.session.get_bind().dialect.name]
        db.session.execute(dialect_insert(DigestKey).values(office_id=office_id, key=secrets.token_hex(32))
                           .on_conflict_do_nothing(index_elements=["office_id"]))
        key = db.session.scalar(select(DigestKey.key).where(DigestKey.office_id == office_id))
    return bytes.fromhex(key)


def nik_digest(office_id: int, nik: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 of a NIK under the office's key: the access log finds a citizen without holding their NIK."""
    return hmac.new(key or office_key(office_id), nik.strip().encode(), hashlib.sha256).hexdigest()


def _channel() -> str:
    if not has_request_context():
        return "cli"
    return "api" if request.path.startswith("/api/") else "page"


def record_access(user: Any, purpose: AccessPurpose | str, documents: Iterable[Any] = (), *,
                  nik: str | None = None, context: str | None = None) -> AccessEvent:
    """Append one access event for the documents read (and a NIK searched for); the caller commits."""
    documents = list({d.id: d for d in documents}.values())
    key = office_key(user.office_id)
    subjects = [{"office_id": user.office_id, "nik_digest": nik_digest(user.office_id, d.nik, key),
                 "document_id": d.id} for d in documents]
    if nik and nik.strip() and not any(d.nik == nik.strip() for d in documents):
        subjects.append({"office_id": user.office_id, "nik_digest": nik_digest(user.office_id, nik, key),
                         "document_id": None})
    access = AccessEvent(office_id=user.office_id, actor_id=user.id, purpose=AccessPurpose(purpose),
                         channel=_channel(), context=(context or "")[:200] or None, subject_count=len(subjects))
    db.session.add(access)
    db.session.flush()
    if subjects:
        db.session.execute(insert(AccessSubject), [{**row, "event_id": access.id} for row in subjects])
    return access


def documents_of_parcels(parcels: Iterable[Any]) -> list[Any]:
    """Every document in some parcels (loaded with their documents)."""
    return [document for parcel in parcels for document in parcel.documents]


def record_lookup(user: Any, criteria: dict[str, Any], found: dict[str, list]) -> AccessEvent:
    """A staff lookup: every document found (alone or in a parcel found) and the NIK searched for."""
    named = ", ".join(name for name, value in criteria.items() if value)
    return record_access(user, AccessPurpose.lookup, [*found["documents"], *documents_of_parcels(found["parcels"])],
                         nik=criteria.get("nik"), context=f"Kriteria: {named}")


def record_parcel_read(user: Any, purpose: AccessPurpose | str, parcels: Iterable[Any], context: str | None = None):
    """A control card, paper or export showing some parcels: every document in them."""
    parcels = list(parcels)
    return record_access(user, purpose, documents_of_parcels(parcels),
                         context=context or ", ".join(p.tracking_code for p in parcels[:5]))
