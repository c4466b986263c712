"""The reports' query (a period) and their JSON shapes, for the API and its OpenAPI document."""
from __future__ import annotations

from marshmallow import fields

from distribusi.reports.deliveries import FIGURES
from distribusi.schemas import BaseSchema


class PeriodQuery(BaseSchema):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD, office-local days, both included; blank: the current month."""

    from_ = fields.String(data_key="from", load_default=None, allow_none=True)
    to = fields.String(load_default=None, allow_none=True)


class ReportPeriodOut(BaseSchema):
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()


ReportFigureSet = BaseSchema.from_dict({name: fields.Integer(allow_none=True) for name in FIGURES}, name="ReportFigureSet")


class ReportCountsOut(BaseSchema):
    parcels = fields.Nested(ReportFigureSet)
    documents = fields.Nested(ReportFigureSet)


class ReportBreakdownRowOut(ReportCountsOut):
    key = fields.String()
    label = fields.String()


class ReportReasonOut(BaseSchema):
    reason = fields.String()
    label = fields.String()
    attempts = fields.Integer()
    documents = fields.Integer()


class DeliveriesOut(BaseSchema):
    period = fields.Nested(ReportPeriodOut)
    office = fields.String()
    totals = fields.Nested(ReportCountsOut)
    failed_by_reason = fields.List(fields.Nested(ReportReasonOut))
    by_doc_type = fields.List(fields.Nested(ReportBreakdownRowOut))
    by_kecamatan = fields.List(fields.Nested(ReportBreakdownRowOut))
    by_partner = fields.List(fields.Nested(ReportBreakdownRowOut))


class ScorecardReasonOut(BaseSchema):
    reason = fields.String()
    label = fields.String()
    attempts = fields.Integer()


class ScorecardRowOut(BaseSchema):
    courier_partner_id = fields.Integer()
    name = fields.String()
    contract_number = fields.String()
    handed_over = fields.Integer()
    accepted = fields.Integer()
    delivered = fields.Integer()
    first_attempt_delivered = fields.Integer()
    failed_attempts = fields.Integer()
    returned = fields.Integer()
    missing = fields.Integer()
    with_photo = fields.Integer()
    with_location = fields.Integer()
    delivery_rate = fields.Float(allow_none=True)
    first_attempt_rate = fields.Float(allow_none=True)
    median_hours_to_accept = fields.Float(allow_none=True)
    p90_hours_to_accept = fields.Float(allow_none=True)
    median_days_to_deliver = fields.Float(allow_none=True)
    p90_days_to_deliver = fields.Float(allow_none=True)
    photo_share = fields.Float(allow_none=True)
    location_share = fields.Float(allow_none=True)
    failed_by_reason = fields.List(fields.Nested(ScorecardReasonOut))


class CouriersOut(BaseSchema):
    period = fields.Nested(ReportPeriodOut)
    office = fields.String()
    partners = fields.List(fields.Nested(ScorecardRowOut))


class ReportStepOut(BaseSchema):
    key = fields.String()
    label = fields.String()
    count = fields.Integer()
    median = fields.Float(allow_none=True)
    p90 = fields.Float(allow_none=True)
    unit = fields.String()
    unit_label = fields.String()
    standard = fields.Float()
    standard_source = fields.String()
    median_over = fields.Boolean()
    p90_over = fields.Boolean()


class StepsOut(BaseSchema):
    period = fields.Nested(ReportPeriodOut)
    office = fields.String()
    steps = fields.List(fields.Nested(ReportStepOut))
