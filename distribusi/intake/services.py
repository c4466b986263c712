"""Registering, importing, flagging and listing documents."""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError
from sqlalchemy import or_, select

from distribusi.auth.models import User
from distribusi.database import contains_text
from distribusi.extensions import db
from distribusi.intake.importer import FileRefused, RowError, flatten_errors, read_rows
from distribusi.intake.models import DEFAULT_DOC_TYPES, Document, FlagReason
from distribusi.intake.schemas import DocumentIn, DocumentRowIn
from distribusi.monitoring.metrics import timed_import
from distribusi.problems import Refused
from distribusi.workflow import DocumentStatus, DomainError, Move, create_many, transition


_LOOKUP_CHUNK = 1000  # pairs per duplicate-check query: 2,000 bound values, under every driver's limit


class ImportRefused(Refused):
    """The file has bad rows; nothing was written. Carries every row error; the web edge answers 422."""

    code = "import_refused"

    def __init__(self, message: str, errors: list[RowError]):
        super().__init__(message, errors=[error.as_dict() for error in errors])
        self.errors = errors


def doc_types(office) -> tuple[str, ...]:
    """The document types this office registers."""
    return tuple((office.settings or {}).get("doc_types") or DEFAULT_DOC_TYPES)


def _document_values(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Column values of a new document from validated input (address nested or flat)."""
    address = data.pop("address", {})  # popped first: {**data, **data.pop(...)} would keep the nested key
    values = {**data, **address}
    values["recipient_name"] = values.get("recipient_name") or values["owner_name"]
    return {**values, "office_id": user.office_id, "created_by_id": user.id}


def _existing_pairs(office_id: int, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (doc_type, doc_number) pairs already registered in the office, each looked up in the unique index."""
    found: set[tuple[str, str]] = set()
    items = sorted(pairs)
    for start in range(0, len(items), _LOOKUP_CHUNK):
        chunk = items[start : start + _LOOKUP_CHUNK]
        # Plain IN lists on both columns: each (type, number) combination is one descent of the unique index on
        # (office_id, doc_type, doc_number). A row-value IN list was planned as a scan of the whole office.
        rows = db.session.execute(
            select(Document.doc_type, Document.doc_number).where(
                Document.office_id == office_id,
                Document.doc_type.in_(sorted({doc_type for doc_type, _ in chunk})),
                Document.doc_number.in_([doc_number for _, doc_number in chunk]),
            )
        )
        found.update(pair for pair in map(tuple, rows) if pair in pairs)  # drop type/number cross matches
    return found


def register_document(user: User, payload: Any) -> Document:
    """Validate and register one document; raises ValidationError or DomainError for a duplicate."""
    data = DocumentIn(doc_types(user.office)).load(payload)
    if _existing_pairs(user.office_id, {(data["doc_type"], data["doc_number"])}):
        raise DomainError(
            f"Dokumen {data['doc_type']} nomor {data['doc_number']} sudah terdaftar.",
            code="duplicate_document",
            fields={"doc_number": ["Dokumen dengan jenis dan nomor ini sudah terdaftar."]},
        )
    document = Document(**_document_values(user, data))
    db.session.add(document)
    transition(document, DocumentStatus.registered, Move(actor_id=user.id, to_party=user.party))
    return document


def validate_rows(user: User, rows) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Every row checked by the document schema, for duplicates within the file and against the database."""
    schema = DocumentRowIn(doc_types(user.office))
    errors: list[RowError] = []
    good: list[tuple[int, dict[str, Any]]] = []
    first_row: dict[tuple[str, str], int] = {}
    for row in rows:
        try:
            data = schema.load(row.values)
        except ValidationError as error:
            errors.extend(RowError(row.row, name, message) for name, message in flatten_errors(error.messages))
            continue
        key = (data["doc_type"], data["doc_number"])
        if key in first_row:
            errors.append(RowError(row.row, "doc_number", f"Duplikat dalam berkas: sama dengan baris {first_row[key]}."))
            continue
        first_row[key] = row.row
        good.append((row.row, data))
    existing = _existing_pairs(user.office_id, set(first_row))
    for row_number, data in good:
        if (data["doc_type"], data["doc_number"]) in existing:
            errors.append(RowError(row_number, "doc_number", "Dokumen dengan jenis dan nomor ini sudah terdaftar."))
    errors.sort(key=lambda e: (e.row, e.field))
    return [data for _, data in good], errors


@timed_import  # distribusi_import_duration_seconds
def import_documents(user: User, filename: str, content: bytes, max_rows: int) -> int:
    """Register every row of a CSV/XLSX export in one bulk insert, or none; raises ImportRefused with all bad rows."""
    try:
        rows = read_rows(filename, content, max_rows)
    except FileRefused as refused:
        raise ImportRefused(refused.message, refused.errors) from None
    valid, errors = validate_rows(user, rows)
    if errors:
        raise ImportRefused(f"{len({e.row for e in errors})} baris bermasalah; tidak ada yang diimpor.", errors)
    move = Move(actor_id=user.id, to_party=user.party, data={"via": "import", "file": filename[:100]})
    ids = create_many(Document, [_document_values(user, data) for data in valid], DocumentStatus.registered, move)
    return len(ids)


def flag_document(user: User, document: Document, reason: str, note: str | None) -> Document:
    """Mark a document as needing a fix (data error or missing signature); raises InvalidTransition."""
    transition(document, DocumentStatus.needs_fix, Move(actor_id=user.id, data={"reason": reason, "note": note}))
    document.flag_reason = FlagReason(reason)
    document.flag_note = note
    return document


def resolve_document(user: User, document: Document) -> Document:
    """Put a fixed document back to registered; raises InvalidTransition."""
    transition(document, DocumentStatus.registered, Move(actor_id=user.id))
    document.flag_reason = None
    document.flag_note = None
    return document


def document_query(user: User, *, status: str | None = None, doc_type: str | None = None, q: str | None = None):
    """The select of the office's documents with the list filters applied, newest first."""
    stmt = select(Document).where(Document.office_id == user.office_id)
    if status:
        stmt = stmt.where(Document.status == DocumentStatus(status))
    if doc_type:
        stmt = stmt.where(Document.doc_type == doc_type)
    if q:
        term = q.strip()
        if term.isdigit():
            stmt = stmt.where(or_(Document.nik == term, Document.kk_number == term, Document.doc_number == term))
        else:
            stmt = stmt.where(or_(contains_text(Document.owner_name, term), Document.doc_number == term))
    return stmt.order_by(Document.created_at.desc(), Document.id.desc())

