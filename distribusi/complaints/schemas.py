"""Input and output schemas of complaints, and the slim public answer that carries no personal data."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from distribusi.complaints.models import (CATEGORY_LABELS, CHANNEL_LABELS, LEVEL_LABELS, ROUTE_LABELS, STATUS_LABELS,
                                          Category, Channel, ComplaintStatus, Level, Route)
from distribusi.intake import validators
from distribusi.schemas import BaseSchema, DateRangeQuery, Id, PageOut, PageQuery, Text, UtcDateTime
from distribusi.workflow import label


def _one_of(enum_cls) -> validate.OneOf:
    return validate.OneOf([member.value for member in enum_cls])


class ComplaintIn(BaseSchema):
    """A complaint or question as the operator takes it (DESIGN.md §7)."""

    channel = fields.String(required=True, validate=_one_of(Channel))
    complainant_name = Text(200, required=True)
    contact = Text(200, required=True)
    nik = Text(16, normalizer=validators.validate_nik)
    kk_number = Text(16, normalizer=validators.validate_kk_number)
    category = fields.String(load_default=Category.other.value, validate=_one_of(Category))
    description = Text(2000, required=True, multiline=True)
    tracking_code = Text(32)


class RespondIn(BaseSchema):
    answer = Text(2000, required=True, multiline=True)


class RouteIn(BaseSchema):
    """Send a data-entry error to correction or an unsigned document to the signers; flags the linked documents."""

    route = fields.String(required=True, validate=_one_of(Route))
    note = Text(1000, multiline=True)
    document_id = Id(load_default=None, allow_none=True)


class EscalateIn(BaseSchema):
    note = Text(1000, multiline=True)


class ResolveIn(BaseSchema):
    outcome = Text(2000, required=True, multiline=True)


class ComplaintQuery(PageQuery):
    status = fields.String(validate=_one_of(ComplaintStatus))
    level = fields.String(validate=_one_of(Level))
    channel = fields.String(validate=_one_of(Channel))
    overdue = fields.Boolean()
    q = Text(100)


class PeriodQuery(DateRangeQuery):
    """A period of whole days in the office's zone, both ends given; at most a year."""

    date_from = fields.Date(required=True, data_key="from")
    date_to = fields.Date(required=True, data_key="to")

    @validates_schema
    def _at_most_a_year(self, data: dict, **_kwargs) -> None:
        if data.get("date_from") and data.get("date_to") and (data["date_to"] - data["date_from"]).days > 366:
            raise ValidationError("Periode paling panjang satu tahun.", "to")


class LinkedParcelOut(BaseSchema):
    tracking_code = fields.String()
    status = fields.Function(lambda p: p.status.value)
    status_label = fields.Function(lambda p: _parcel_label(p))


class LinkedDocumentOut(BaseSchema):
    id = fields.Integer()
    doc_type = fields.String()
    owner_name = fields.String()
    status = fields.Function(lambda d: d.status.value)
    status_label = fields.Function(lambda d: _parcel_label(d))


def _parcel_label(obj) -> str:
    return label(obj.status)


class EventOut(BaseSchema):
    action = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    from_level = fields.String(allow_none=True)
    to_level = fields.String()
    actor_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    at = UtcDateTime()


class ComplaintOut(BaseSchema):
    id = fields.Integer()
    ticket_number = fields.String()
    channel = fields.Function(lambda c: c.channel.value)
    channel_label = fields.Function(lambda c: CHANNEL_LABELS[c.channel])
    category = fields.Function(lambda c: c.category.value)
    category_label = fields.Function(lambda c: CATEGORY_LABELS[c.category])
    complainant_name = fields.String()
    contact = fields.String()
    nik = fields.String(allow_none=True)
    kk_number = fields.String(allow_none=True)
    tracking_code = fields.String(allow_none=True)
    description = fields.String()
    status = fields.Function(lambda c: c.status.value)
    status_label = fields.Function(lambda c: STATUS_LABELS[c.status])
    level = fields.Function(lambda c: c.level.value)
    level_label = fields.Function(lambda c: LEVEL_LABELS[c.level])
    due_at = UtcDateTime()
    received_at = UtcDateTime()
    overdue = fields.Boolean()
    answer = fields.String(allow_none=True)
    route = fields.Function(lambda c: c.route.value if c.route else None, allow_none=True)
    route_label = fields.Function(lambda c: ROUTE_LABELS[c.route] if c.route else None, allow_none=True)
    outcome = fields.String(allow_none=True)
    resolved_at = UtcDateTime(allow_none=True)
    delivery_status = fields.String(allow_none=True)
    linked_parcels = fields.List(fields.Nested(LinkedParcelOut), attribute="parcels")
    linked_documents = fields.List(fields.Nested(LinkedDocumentOut), attribute="documents")
    events = fields.List(fields.Nested(EventOut))


class ComplaintItemOut(ComplaintOut):
    """A ticket in a list: without its history."""

    class Meta(ComplaintOut.Meta):
        exclude = ("events",)


class ComplaintPage(PageOut):
    items = fields.List(fields.Nested(ComplaintItemOut))


class PublicComplaintQuery(BaseSchema):
    verify = fields.String(validate=validate.Length(max=10))


class PublicComplaintOut(BaseSchema):
    """What anyone holding the ticket number and the phone's last four digits may see; no personal data."""

    ticket_number = fields.String()
    status = fields.String()
    status_label = fields.String()
    level = fields.String()
    level_label = fields.String()
    received_at = UtcDateTime()
    due_at = UtcDateTime()
    resolved_at = UtcDateTime(allow_none=True)
