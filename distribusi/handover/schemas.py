"""Schemas of handovers."""
from marshmallow import fields

from distribusi.schemas import BaseSchema, Id, Text, UtcDateTime


class HandoverIn(BaseSchema):
    courier_partner_id = Id(required=True)
    received_by = Text(200, required=True)


class AcceptanceOut(BaseSchema):
    total = fields.Integer()
    accepted = fields.Integer()
    not_accepted = fields.List(fields.String())


class HandoverOut(BaseSchema):
    """A handover as handover.services.handover_summary describes it."""

    id = fields.Integer()
    recap_id = fields.Integer()
    recap_number = fields.String()
    letter_number = fields.String()
    courier_partner_id = fields.Integer()
    courier_partner = fields.String()
    received_by = fields.String()
    handed_over_at = UtcDateTime()
    acceptance = fields.Nested(AcceptanceOut)
