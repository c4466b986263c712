"""Schemas of users, courier partners and office settings."""
from marshmallow import ValidationError, fields, post_load, validate, validates

from distribusi.admin.models import AUDIT_ACTION_LABELS, AuditAction, AuditVia
from distribusi.auth.models import Role
from distribusi.intake.models import DEFAULT_DOC_TYPES
from distribusi.letters.numbers import DEFAULT_FORMAT, format_problem
from distribusi.schemas import BaseSchema, DateRangeQuery, Id, PageOut, PageQuery, UtcDateTime, text
from distribusi.zones import DEFAULT_ZONE, ZONE_NAMES

MAX_WAIT_MINUTES = 60 * 24 * 365
# The SOP's standard is one minute of work per step; these are how long a step may queue before the dashboard
# lists it (a working morning for the desk steps, a day for the handover, a week for a returned parcel).
DEFAULT_WAIT_LIMITS = {"submitted": 240, "awaiting_signature": 240, "signed": 1440, "returned": 10080}
NIP = validate.Regexp(r"^\d{18}$", error="NIP harus 18 digit angka.")


class PartnerIn(BaseSchema):
    name = text(200)
    contract_number = text(100)
    contact = text(200, required=False, load_default=None, allow_none=True)


class PartnerUpdateIn(BaseSchema):
    """A partner's changed name, contract or contact; `active: false` when the contract ends (no new cover letters)."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    contract_number = fields.String(validate=validate.Length(min=1, max=100))
    contact = fields.String(allow_none=True, validate=validate.Length(max=200))
    active = fields.Boolean()


class PartnerOut(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    contract_number = fields.String()
    contact = fields.String(allow_none=True)
    active = fields.Boolean()


class PartnerList(BaseSchema):
    items = fields.List(fields.Nested(PartnerOut), required=True)


class UserIn(BaseSchema):
    username = fields.String(required=True, validate=validate.Regexp(
        r"^[a-zA-Z0-9._-]{3,64}$", error="Nama pengguna 3–64 karakter: huruf, angka, titik, garis bawah atau minus."))
    password = fields.String(required=True, validate=validate.Length(min=10, max=200))
    full_name = text(200)
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    courier_partner_id = Id(load_default=None, allow_none=True)
    nip = fields.String(load_default=None, allow_none=True, validate=NIP)


class RoleChangeIn(BaseSchema):
    """A user's new role; a courier's partner of the same office."""

    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    courier_partner_id = Id(load_default=None, allow_none=True)


class UserUpdateIn(BaseSchema):
    full_name = fields.String(validate=validate.Length(min=1, max=200))
    active = fields.Boolean()
    password = fields.String(validate=validate.Length(min=10, max=200))
    nip = fields.String(allow_none=True, validate=NIP)


class UserOut(BaseSchema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    role = fields.Function(lambda u: u.role.value)
    courier_partner_id = fields.Integer(allow_none=True)
    nip = fields.String(allow_none=True)
    active = fields.Boolean()


class UserList(BaseSchema):
    items = fields.List(fields.Nested(UserOut), required=True)


class LetterheadIn(BaseSchema):
    government = text(200)
    agency = text(200)
    address = text(300)
    phone = text(50, required=False)
    email = fields.Email(validate=validate.Length(max=200), error_messages={"invalid": "Alamat e-mail tidak sah."})
    website = text(200, required=False)


class OfficialIn(BaseSchema):
    name = text(200)
    nip = fields.String(required=True, validate=NIP)
    rank = text(100, required=False)
    position = text(200, required=False)


class OfficialsIn(BaseSchema):
    head = fields.Nested(OfficialIn)
    secretary = fields.Nested(OfficialIn)
    kasubbag = fields.Nested(OfficialIn)


class DeliveryPolicyIn(BaseSchema):
    allow_family = fields.Boolean(load_default=True)
    allow_other = fields.Boolean(load_default=False)


class StepStandardIn(BaseSchema):
    """One step's time standard for the time-per-step report: an amount in minutes or working days."""

    amount = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False, max=MAX_WAIT_MINUTES))
    unit = fields.String(required=True, validate=validate.OneOf(
        ["minutes", "working_days"], error="Satuan harus menit (minutes) atau hari kerja (working_days)."))

    @post_load
    def _whole(self, data: dict, **_kwargs) -> dict:
        """6 stays 6, not 6.0, in the settings, the audit row, the form and the report's papers."""
        return {**data, "amount": int(data["amount"]) if data["amount"].is_integer() else data["amount"]}


STEP_STANDARD_KEYS = ("registered", "in_recap", "submitted", "letter_issued", "signed", "handed_over", "accepted")
StepStandardsIn = BaseSchema.from_dict({key: fields.Nested(StepStandardIn) for key in STEP_STANDARD_KEYS},
                                       name="StepStandardsIn")


class WaitLimitsIn(BaseSchema):
    """Minutes a recap, letter or returned parcel may wait at a step before the dashboard lists it."""

    submitted = fields.Integer(validate=validate.Range(min=0, max=MAX_WAIT_MINUTES))
    awaiting_signature = fields.Integer(validate=validate.Range(min=0, max=MAX_WAIT_MINUTES))
    signed = fields.Integer(validate=validate.Range(min=0, max=MAX_WAIT_MINUTES))
    returned = fields.Integer(validate=validate.Range(min=0, max=MAX_WAIT_MINUTES))


class RetentionIn(BaseSchema):
    """Months after a parcel is finished before its photos, phone numbers and street address are erased."""

    photos_months = fields.Integer(validate=validate.Range(min=1, max=120))
    phone_months = fields.Integer(validate=validate.Range(min=1, max=120))
    address_months = fields.Integer(validate=validate.Range(min=1, max=120))


class DayIn(BaseSchema):
    """A day the office declares off (days_off) or works despite the national calendar (work_days)."""

    date = fields.Date(required=True)
    name = text(100, required=False)

    @post_load
    def _stored(self, data: dict, **_kwargs) -> dict:
        return {**data, "date": data["date"].isoformat()}  # settings are JSON


class OfficeSettingsIn(BaseSchema):
    """The office's letterhead, officials, letter-number format, QR base URL and delivery policy."""

    name = text(200, required=False)
    letterhead = fields.Nested(LetterheadIn)
    officials = fields.Nested(OfficialsIn)
    letter_number_format = fields.String(validate=validate.Length(min=6, max=100))
    public_base_url = fields.URL(schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=200),
                                 error_messages={"invalid": "URL tidak sah (awali dengan http:// atau https://)."})
    delivery_policy = fields.Nested(DeliveryPolicyIn)
    doc_types = fields.List(fields.String(validate=validate.Regexp(r"^[A-Z0-9_]{2,32}$")),
                            validate=validate.Length(min=1, max=30))
    timezone = fields.String(validate=validate.OneOf(list(ZONE_NAMES)))
    wait_limits = fields.Nested(WaitLimitsIn)
    step_standards = fields.Nested(StepStandardsIn)
    days_off = fields.List(fields.Nested(DayIn), validate=validate.Length(max=366))
    work_days = fields.List(fields.Nested(DayIn), validate=validate.Length(max=366))
    retention = fields.Nested(RetentionIn)
    delivery_code = fields.Boolean()  # a 6-digit code to the recipient, asked by the courier (courier/delivery_codes)
    notify_channel = fields.String(validate=validate.OneOf(["whatsapp", "sms"]))
    whatsapp_phone_number_id = fields.String(allow_none=True, validate=validate.Regexp(
        r"^\d{5,30}$", error="ID nomor WhatsApp berupa angka."))
    complaint_level_days = fields.Integer(required=False, validate=validate.Range(min=1, max=30))  # complaints

    @validates("letter_number_format")
    def _format(self, value: str, **_kwargs) -> None:
        if (problem := format_problem(value)) is not None:
            raise ValidationError(problem)


class OfficeOut(BaseSchema):
    code = fields.String()
    name = fields.String()
    settings = fields.Dict()


class AuditQuery(PageQuery, DateRangeQuery):
    """Filters of the audit list: one action, and a range of whole days in the office's time zone."""

    action = fields.String(validate=validate.OneOf([a.value for a in AuditAction]))


class AuditActorOut(BaseSchema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()


class AuditEntryOut(BaseSchema):
    """One audit row; `changes` maps each field to [old, new], and a password only to [null, "diubah"]."""

    id = fields.Integer()
    recorded_at = UtcDateTime()
    action = fields.String()
    action_label = fields.Function(lambda e: AUDIT_ACTION_LABELS[AuditAction(e.action)])
    via = fields.String(metadata={"enum": [v.value for v in AuditVia]})
    actor = fields.Nested(AuditActorOut, allow_none=True)
    target_type = fields.String()
    target_id = fields.Integer()
    changes = fields.Dict(keys=fields.String(), values=fields.List(fields.Raw(allow_none=True)))


class AuditPage(PageOut):
    items = fields.List(fields.Nested(AuditEntryOut))


DEFAULT_SETTINGS = {
    "letter_number_format": DEFAULT_FORMAT,
    "delivery_policy": {"allow_family": True, "allow_other": False},
    "doc_types": list(DEFAULT_DOC_TYPES),
    "timezone": DEFAULT_ZONE,
}
