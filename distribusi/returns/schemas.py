"""Schemas of returns, the undelivered list and counter collection."""
from marshmallow import fields, validate

from distribusi.returns.services import failure_label
from distribusi.schemas import BaseSchema, Id, Text, UtcDateTime
from distribusi.workflow import label


class ReturnsIn(BaseSchema):
    courier_partner_id = Id(required=True)
    tracking_codes = fields.List(fields.String(validate=validate.Length(max=300)), required=True,
                                 validate=validate.Length(min=1, max=5000))


class ReturnBatchOut(BaseSchema):
    id = fields.Integer()
    courier_partner_id = fields.Integer()
    created_at = UtcDateTime()
    received = fields.List(fields.Dict())
    unexpected = fields.List(fields.Dict())
    missing = fields.List(fields.Dict())


class CollectIn(BaseSchema):
    collected_by = Text(200)
    note = Text(1000, multiline=True)


class UndeliveredOut(BaseSchema):
    tracking_code = fields.String()
    recap_number = fields.Function(lambda p: p.recap.number)
    recipient_name = fields.String()
    phone = fields.String()
    street = fields.String()
    kelurahan = fields.String()
    kecamatan = fields.String()
    failure_reason = fields.String(attribute="last_failure_reason", allow_none=True)
    failure_label = fields.Function(failure_label)
    failed_attempts = fields.Integer()
    doc_types = fields.Function(lambda p: sorted({d.doc_type for d in p.documents}))
    document_ids = fields.Function(lambda p: [d.id for d in p.documents])
    status_label = fields.Function(lambda p: label(p.status))
