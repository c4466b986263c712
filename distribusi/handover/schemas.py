"""Schemas of handovers."""
from marshmallow import ValidationError, fields, validates

from distribusi.handover.services import acceptance
from distribusi.schemas import BaseSchema, UtcDateTime, text


class HandoverIn(BaseSchema):
    courier_partner_id = fields.Integer(required=True, strict=True)
    received_by = text(200)

    @validates("received_by")
    def _not_blank(self, value: str, **_kwargs) -> None:
        if not value.strip():  # the handler stores the name stripped
            raise ValidationError("Wajib diisi.")


class HandoverOut(BaseSchema):
    id = fields.Integer()
    recap_id = fields.Integer()
    recap_number = fields.Function(lambda h: h.recap.number)
    letter_number = fields.Function(lambda h: h.letter.letter_number)
    courier_partner_id = fields.Integer()
    courier_partner = fields.Function(lambda h: h.courier_partner.name)
    received_by = fields.String()
    handed_over_at = UtcDateTime()
    acceptance = fields.Method("get_acceptance")

    def get_acceptance(self, handover):
        return acceptance(handover)
