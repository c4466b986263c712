"""Input and output of trail requests and of the trail itself."""
from __future__ import annotations

from datetime import date

from marshmallow import ValidationError, fields, validate, validates

from distribusi.schemas import BaseSchema, PageOut, PageQuery, Text, UtcDateTime

NIK = validate.Regexp(r"^\d{16}$", error="NIK harus 16 digit angka.")


class TrailRequestIn(BaseSchema):
    """A written request: the NIK, who asked, when, and the letter's number."""

    nik = Text(16, required=True, validate=NIK)
    requester_name = Text(200, required=True)
    request_date = fields.Date(required=True)
    letter_number = Text(100, required=True)
    note = Text(1000, multiline=True)

    @validates("request_date")
    def _not_future(self, value: date, **_kwargs) -> None:
        if value > date.today():
            raise ValidationError("Tanggal surat tidak boleh di masa depan.")


class TrailRequestQuery(PageQuery):
    q = Text(100)
    status = fields.String(validate=validate.OneOf(["open", "answered"]))


class TrailPersonOut(BaseSchema):
    name = fields.String()
    role = fields.String()


class TrailStaffOut(BaseSchema):
    """A user as the trail names them: full name and role."""

    name = fields.String(attribute="full_name")
    role = fields.String(attribute="role_label")


class TrailAnswerOut(BaseSchema):
    id = fields.Integer()
    produced_at = UtcDateTime()
    produced_by = fields.Nested("TrailStaffOut", allow_none=True)
    format = fields.String()
    entry_count = fields.Integer()
    sha256 = fields.String()


class TrailRequestOut(BaseSchema):
    id = fields.Integer()
    nik = fields.String()
    requester_name = fields.String()
    request_date = fields.Date()
    letter_number = fields.String()
    note = fields.String(allow_none=True)
    created_at = UtcDateTime()
    created_by = fields.Nested("TrailStaffOut", allow_none=True)
    answered_at = UtcDateTime(allow_none=True)
    answers = fields.List(fields.Nested(TrailAnswerOut))


class TrailRequestPage(PageOut):
    items = fields.List(fields.Nested(TrailRequestOut))


class TrailDocumentOut(BaseSchema):
    id = fields.Integer()
    doc_type = fields.String()
    doc_type_label = fields.String()
    doc_number = fields.String()
    nik = fields.String()
    kk_number = fields.String()
    owner_name = fields.String()
    recipient_name = fields.String()
    phone = fields.String(allow_none=True)
    application_number = fields.String(allow_none=True)
    address = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))
    status = fields.String()
    registered_at = UtcDateTime()
    registered_by = fields.Nested(TrailPersonOut, allow_none=True)


class TrailPhotoOut(BaseSchema):
    taken_at = UtcDateTime()
    by = fields.Nested(TrailPersonOut, allow_none=True)


class TrailParcelOut(BaseSchema):
    id = fields.Integer()
    tracking_code = fields.String()
    recap_number = fields.String()
    status = fields.String()
    status_label = fields.String()
    recipient_name = fields.String()
    phone = fields.String(allow_none=True)
    address = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))
    delivered_to = fields.String(allow_none=True)
    delivered_at = UtcDateTime(allow_none=True)
    own_documents = fields.List(fields.Integer())
    other_documents = fields.Integer()
    photos = fields.List(fields.Nested(TrailPhotoOut))


class TrailStepOut(BaseSchema):
    at = UtcDateTime()
    subject_type = fields.String()
    subject = fields.String()
    action = fields.String()
    action_label = fields.String()
    actor = fields.Nested(TrailPersonOut, allow_none=True)
    from_party = fields.String(allow_none=True)
    to_party = fields.String(allow_none=True)


class TrailMessageOut(BaseSchema):
    at = UtcDateTime()
    tracking_code = fields.String()
    channel = fields.String()
    recipient = fields.String(allow_none=True)
    template = fields.String()
    label = fields.String()
    status = fields.String()
    sent_at = UtcDateTime(allow_none=True)


class TrailAccessOut(BaseSchema):
    at = UtcDateTime()
    actor = fields.Nested(TrailPersonOut, allow_none=True)
    purpose = fields.String()
    purpose_label = fields.String()
    channel = fields.String()
    context = fields.String(allow_none=True)


class TrailOfficeRef(BaseSchema):
    code = fields.String()
    name = fields.String()


class TrailOut(BaseSchema):
    """The answer: the request, what the office holds about the NIK, and every step and read of it."""

    request = fields.Nested(TrailRequestOut)
    office = fields.Nested(TrailOfficeRef)
    as_of = UtcDateTime()
    nik = fields.String()
    documents = fields.List(fields.Nested(TrailDocumentOut))
    parcels = fields.List(fields.Nested(TrailParcelOut))
    steps = fields.List(fields.Nested(TrailStepOut))
    messages = fields.List(fields.Nested(TrailMessageOut))
    accesses = fields.List(fields.Nested(TrailAccessOut))
