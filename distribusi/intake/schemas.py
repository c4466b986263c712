"""Input and output schemas of documents."""
from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from marshmallow import ValidationError, fields, validate, validates

from distribusi.intake import validators
from distribusi.intake.models import DEFAULT_DOC_TYPES, FlagReason
from distribusi.schemas import BaseSchema, PageOut, PageQuery, Text, UtcDateTime
from distribusi.workflow import DocumentStatus, label

Cell = partial(Text, numbers=True)  # the same fields come from spreadsheets, which hand over numbers for digits


def _address_fields() -> dict[str, fields.Field]:
    return {
        "street": Cell(300, required=True),
        "rt": Cell(3, required=True, normalizer=lambda v: validators.normalize_rt_rw(v, "RT")),
        "rw": Cell(3, required=True, normalizer=lambda v: validators.normalize_rt_rw(v, "RW")),
        "kelurahan": Cell(100, required=True),
        "kecamatan": Cell(100, required=True),
        "city": Cell(100, required=True),
        "postal_code": Cell(5, required=True, normalizer=validators.validate_postal_code),
    }


def _document_fields() -> dict[str, fields.Field]:
    return {
        "doc_type": Cell(32, required=True),
        "doc_number": Cell(64, required=True),
        "nik": Cell(16, required=True, normalizer=validators.validate_nik),
        "kk_number": Cell(16, required=True, normalizer=validators.validate_kk_number),
        "owner_name": Cell(200, required=True),
        "recipient_name": Cell(200),
        "phone": Cell(20, required=True, normalizer=validators.normalize_phone),
        "application_number": Cell(64),
    }


AddressIn = BaseSchema.from_dict(_address_fields(), name="AddressIn")


class _TypedDocument(BaseSchema):
    def __init__(self, doc_types: Iterable[str] = DEFAULT_DOC_TYPES, **kwargs):
        super().__init__(**kwargs)
        self.doc_types = tuple(doc_types)

    @validates("doc_type")
    def _known_type(self, value: str, **_kwargs) -> None:
        if value not in self.doc_types:
            raise ValidationError(f"Jenis dokumen tidak dikenal. Pilihan: {', '.join(self.doc_types)}.")


class DocumentIn(_TypedDocument.from_dict({**_document_fields(), "address": fields.Nested(AddressIn, required=True)})):
    """One document to register (DESIGN.md §7): the address nested."""


class DocumentRowIn(_TypedDocument.from_dict({**_document_fields(), **_address_fields()})):
    """One row of an import file: the same fields with the address flattened into columns."""


class FlagIn(BaseSchema):
    reason = fields.String(required=True, validate=validate.OneOf([r.value for r in FlagReason]))
    note = Text(1000, multiline=True)


class DocumentQuery(PageQuery):
    status = fields.String(validate=validate.OneOf([s.value for s in DocumentStatus]))
    doc_type = fields.String(validate=validate.Length(max=32))
    q = fields.String(validate=validate.Length(max=100))


class AddressOut(BaseSchema):
    street = fields.String()
    rt = fields.String()
    rw = fields.String()
    kelurahan = fields.String()
    kecamatan = fields.String()
    city = fields.String()
    postal_code = fields.String()


class DocumentOut(BaseSchema):
    id = fields.Integer()
    doc_type = fields.String()
    doc_number = fields.String()
    nik = fields.String()
    kk_number = fields.String()
    owner_name = fields.String()
    recipient_name = fields.String()
    phone = fields.String()
    address = fields.Nested(AddressOut)
    application_number = fields.String(allow_none=True)
    status = fields.Function(lambda d: d.status.value)
    status_label = fields.Function(lambda d: label(d.status))
    flag_reason = fields.Function(lambda d: d.flag_reason.value if d.flag_reason else None)
    flag_note = fields.String(allow_none=True)
    parcel_id = fields.Integer(allow_none=True)
    created_at = UtcDateTime()


class DocumentPage(PageOut):
    items = fields.List(fields.Nested(DocumentOut))


class ImportResult(BaseSchema):
    created = fields.Integer()
