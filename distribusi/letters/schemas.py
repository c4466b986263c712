"""Schemas of cover letters and their public verification."""
from marshmallow import fields

from distribusi.schemas import BaseSchema, Id, Text, UtcDateTime
from distribusi.workflow import label


class LetterIn(BaseSchema):
    courier_partner_id = Id(required=True)


class RejectIn(BaseSchema):
    note = Text(1000, required=True, multiline=True, min_length=3,
                min_message="Tulis alasan penolakan (minimal 3 karakter).")


class LetterOut(BaseSchema):
    id = fields.Integer()
    recap_id = fields.Integer()
    recap_number = fields.Function(lambda letter: letter.recap.number)
    courier_partner_id = fields.Integer()
    courier_partner = fields.Function(lambda letter: letter.courier_partner.name)
    letter_number = fields.String()
    letter_date = fields.Date()
    subject = fields.String()
    status = fields.Function(lambda letter: letter.status.value)
    status_label = fields.Function(lambda letter: label(letter.status))
    signer_id = fields.Integer(allow_none=True)
    signed_at = UtcDateTime(allow_none=True)
    content_sha256 = fields.String(allow_none=True)
    verification_code = fields.String(allow_none=True)
    rejection_note = fields.String(allow_none=True)
    rejected_at = UtcDateTime(allow_none=True)


class VerificationOut(BaseSchema):
    letter_number = fields.String()
    letter_date = fields.Date()
    signed_at = UtcDateTime()
    signer = fields.String()
    signer_position = fields.String()
    office = fields.String()
    parcel_count = fields.Integer()
    intact = fields.Boolean()
