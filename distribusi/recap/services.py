"""Packing documents into household parcels and numbered recaps, and moving recaps on."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby

from marshmallow import ValidationError
from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from distribusi.auth.models import User
from distribusi.extensions import db
from distribusi.intake.models import ADDRESS_FIELDS, Document
from distribusi.intake.services import doc_types
from distribusi.models import utcnow
from distribusi.numbering import next_number
from distribusi.recap import codes
import distribusi.printing.data as paper  # noqa: I001  (a module: printing.data imports recap while it loads)
from distribusi.recap.models import Parcel, Recap, parcel_documents
from distribusi.workflow import (
    FINAL_PARCEL_STATES, DocumentStatus, DomainError, Move, ParcelStatus, RecapStatus, transition, transition_each, transition_many,
)

MAX_DOCUMENTS_PER_RECAP = 5000


class RecapFrozen(DomainError):
    """The recap's letter is signed; its content may no longer change."""

    code = "recap_frozen"


def _load_documents(user: User, document_ids: Sequence[int], *, lock: bool = True) -> list[Document]:
    ids = list(dict.fromkeys(document_ids))
    if not ids:
        raise ValidationError({"document_ids": ["Pilih minimal satu dokumen."]})
    if len(ids) > MAX_DOCUMENTS_PER_RECAP:
        raise ValidationError({"document_ids": [f"Maksimal {MAX_DOCUMENTS_PER_RECAP} dokumen per rekapan."]})
    found: dict[int, Document] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        stmt = select(Document).where(Document.office_id == user.office_id, Document.id.in_(chunk))
        found.update((d.id, d) for d in db.session.scalars(stmt.with_for_update() if lock else stmt))
    unknown = [i for i in ids if i not in found]
    if unknown:
        shown = ", ".join(map(str, unknown[:20]))
        raise ValidationError({"document_ids": [f"Dokumen tidak ditemukan: {shown}."]})
    return [found[i] for i in ids]


def _packable(documents: list[Document]) -> tuple[list[Document], dict[int, Parcel]]:
    """Refuse documents that are flagged or already in a live parcel; returns the old parcels being repacked."""
    old_parcel_ids = {d.parcel_id for d in documents if d.parcel_id}
    old_parcels = {
        p.id: p for p in db.session.scalars(select(Parcel).where(Parcel.id.in_(old_parcel_ids)))
    } if old_parcel_ids else {}
    refused = []
    for document in documents:
        if document.status is DocumentStatus.registered:
            continue
        if document.status is DocumentStatus.in_recap and old_parcels[document.parcel_id].status is ParcelStatus.returned:
            continue
        reason = (
            "perlu perbaikan" if document.status is DocumentStatus.needs_fix
            else f"sudah dalam rekapan (kiriman {old_parcels[document.parcel_id].tracking_code})"
        )
        refused.append(f"{document.doc_type} {document.doc_number}: {reason}")
    if refused:
        raise DomainError(
            "Sebagian dokumen tidak dapat dimasukkan ke rekapan.",
            code="documents_not_packable",
            fields={"document_ids": refused[:50]},
        )
    return documents, old_parcels


def _fresh_codes(count: int) -> list[str]:
    result: set[str] = set()
    while len(result) < count:
        wanted = {codes.new_code() for _ in range(count - len(result))} - result
        taken = set(db.session.scalars(select(Parcel.tracking_code).where(Parcel.tracking_code.in_(wanted))))
        result |= wanted - taken
    return list(result)


def _households(documents: list[Document], type_order: dict[str, int]) -> list[list[Document]]:
    households: dict[tuple, list[Document]] = defaultdict(list)
    for document in documents:
        households[document.household_key()].append(document)
    groups = [sorted(docs, key=lambda d: (type_order.get(d.doc_type, 99), d.id)) for docs in households.values()]
    groups.sort(key=lambda docs: (
        type_order.get(docs[0].doc_type, 99), docs[0].kecamatan.upper(), docs[0].kelurahan.upper(),
        docs[0].street.upper(), docs[0].recipient_name.upper(),
    ))
    return groups


def preview_households(user: User, document_ids: Sequence[int]) -> list[list[Document]]:
    """The parcels create_recap would make of these documents, in its order, writing nothing; raises as it does."""
    documents, _old_parcels = _packable(_load_documents(user, document_ids, lock=False))
    return _households(documents, {t: i for i, t in enumerate(doc_types(user.office))})


def create_recap(user: User, document_ids: Sequence[int]) -> Recap:
    """A draft recap with one parcel per household; raises ValidationError or DomainError."""
    documents, old_parcels = _packable(_load_documents(user, document_ids))
    households = _households(documents, {t: i for i, t in enumerate(doc_types(user.office))})
    tracking_codes = _fresh_codes(len(households))
    now = user.office.local_now()  # numbered by the office's calendar year
    seq = next_number(user.office_id, "recap", now.year)
    recap = Recap(office_id=user.office_id, number=f"RKP/{now.year}/{seq:04d}", year=now.year, seq=seq,
                  created_by_id=user.id)
    parcels = []
    for position, (docs, code) in enumerate(zip(households, tracking_codes, strict=True), start=1):
        first = docs[0]
        parcels.append(Parcel(
            office_id=user.office_id, recap=recap, position=position, tracking_code=code, documents=docs,
            group_doc_type=first.doc_type, kk_number=first.kk_number, recipient_name=first.recipient_name,
            phone=first.phone, previous_parcel_id=first.parcel_id,
            **{name: getattr(first, name) for name in ADDRESS_FIELDS},
        ))
    db.session.add(recap)
    move = Move(actor_id=user.id, from_party=user.party, data={"recap": recap.number})
    transition_each(
        [(recap, RecapStatus.draft)]
        + [(parcel, ParcelStatus.packed) for parcel in parcels]
        + [(document, DocumentStatus.in_recap) for document in documents],
        move,
    )
    for parcel in parcels:
        for document in parcel.documents:
            document.parcel_id = parcel.id  # the current parcel; parcel_documents keeps the history
    _retire_repacked(old_parcels, move)
    return recap


def _retire_repacked(old_parcels: dict[int, Parcel], move: Move) -> None:
    """A returned parcel whose documents all went into new parcels is done."""
    if not old_parcels:
        return
    still_holding = set(
        db.session.scalars(select(Document.parcel_id).where(Document.parcel_id.in_(list(old_parcels))))
    )
    emptied = [p for pid, p in old_parcels.items() if pid not in still_holding]
    transition_many(emptied, ParcelStatus.repacked, move)
    for recap in {parcel.recap for parcel in emptied}:
        close_if_done(recap, move)


def submit_recap(user: User, recap: Recap) -> Recap:
    """Send a draft recap to the Kasubbag Umum; raises InvalidTransition."""
    transition(recap, RecapStatus.submitted, Move(actor_id=user.id, from_party=user.party, to_party="Kasubbag Umum"))
    recap.submitted_at = utcnow()
    return recap


def find_parcel(raw_code: str, office_id: int | None = None) -> Parcel | None:
    """The parcel with this tracking code (typed, scanned or a label URL), or None."""
    code = codes.normalize(raw_code)
    if code is None:
        return None
    stmt = select(Parcel).where(Parcel.tracking_code == code)
    if office_id is not None:
        stmt = stmt.where(Parcel.office_id == office_id)
    return db.session.scalar(stmt)


def load_recap(recap_id: int) -> Recap | None:
    """A recap with its parcels and their documents, in two queries."""
    return db.session.scalar(
        select(Recap).where(Recap.id == recap_id).options(selectinload(Recap.parcels).selectinload(Parcel.documents))
    )


def recap_groups(recap: Recap) -> list[dict]:
    """Parcels grouped by document type and kecamatan, in recap order."""
    return parcel_groups(recap.parcels)


def parcel_groups(parcels) -> list[dict]:
    """Parcels (or ParcelRows) in recap order grouped by document type and kecamatan."""
    groups = []
    for (doc_type, kecamatan), members in groupby(parcels, key=lambda p: (p.group_doc_type, p.kecamatan)):
        members = list(members)
        groups.append({
            "doc_type": doc_type,
            "kecamatan": kecamatan,
            "parcel_count": len(members),
            "document_count": sum(len(p.documents) for p in members),
            "tracking_codes": [p.tracking_code for p in members],
        })
    return groups


@dataclass(slots=True)
class ParcelRow:
    """A parcel as the recap page lists it: plain values, not an ORM object (a 1,000-parcel page loads fast)."""

    position: int
    tracking_code: str
    status: ParcelStatus
    group_doc_type: str
    recipient_name: str
    street: str
    rt: str
    rw: str
    kelurahan: str
    kecamatan: str
    phone: str
    documents: list[paper.DocumentLine] = field(default_factory=list)

    @property
    def contents(self) -> str:
        """Whose documents it holds, as the papers say it: KK, KTP-el a.n. Budi Santoso; KIA a.n. Rizky."""
        return paper.contents_text(self.documents)


PARCEL_ROW_COLUMNS = (Parcel.id, Parcel.position, Parcel.tracking_code, Parcel.status, Parcel.group_doc_type,
                      Parcel.recipient_name, Parcel.street, Parcel.rt, Parcel.rw, Parcel.kelurahan, Parcel.kecamatan,
                      Parcel.phone)


def parcel_rows(recap_id: int) -> list[ParcelRow]:
    """The recap's parcels in order with their documents (type and owner), in two column queries."""
    rows: dict[int, ParcelRow] = {
        parcel_id: ParcelRow(*values)
        for parcel_id, *values in db.session.execute(
            select(*PARCEL_ROW_COLUMNS).where(Parcel.recap_id == recap_id).order_by(Parcel.position))
    }
    documents = db.session.execute(
        select(parcel_documents.c.parcel_id, Document.doc_type, Document.owner_name)
        .join(Document, Document.id == parcel_documents.c.document_id)
        .join(Parcel, Parcel.id == parcel_documents.c.parcel_id)
        .where(Parcel.recap_id == recap_id).order_by(parcel_documents.c.parcel_id, Document.id))
    for parcel_id, doc_type, owner_name in documents:
        rows[parcel_id].documents.append(paper.DocumentLine(doc_type, owner_name))
    return list(rows.values())


def close_if_done(recap: Recap, move: Move) -> bool:
    """Close a handed-over recap once every parcel is delivered, collected or repacked."""
    if recap.status is not RecapStatus.handed_over:
        return False
    unfinished = db.session.scalar(select(exists().where(
        Parcel.recap_id == recap.id, Parcel.status.not_in(list(FINAL_PARCEL_STATES)))))
    if unfinished:
        return False
    transition(recap, RecapStatus.closed, move)
    recap.closed_at = utcnow()
    return True


def counts_by_state(office_id: int) -> dict[str, list[tuple]]:
    """How many of the office's documents, parcels and recaps are in each state, every state listed in flow order."""

    def count(model, states: type) -> list[tuple]:
        found = dict(db.session.execute(
            select(model.status, func.count()).where(model.office_id == office_id).group_by(model.status)).all())
        return [(state, found.get(state, 0)) for state in states]

    return {"documents": count(Document, DocumentStatus), "parcels": count(Parcel, ParcelStatus),
            "recaps": count(Recap, RecapStatus)}
