"""Schemas of courier scans."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from distribusi.courier.models import FailureReason, Relation, ScanAction
from distribusi.schemas import BaseSchema, Text
from distribusi.workflow import label

FUTURE_TOLERANCE = timedelta(minutes=5)
OLDEST_OFFLINE_SCAN = timedelta(days=30)


class ScanIn(BaseSchema):
    """One scan from the courier's phone (DESIGN.md §7)."""

    tracking_code = fields.String(required=True, validate=validate.Length(min=1, max=300))
    action = fields.String(required=True, validate=validate.OneOf([a.value for a in ScanAction]))
    idempotency_key = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9._:-]{8,100}$", error="Kunci idempoten 8–100 karakter: huruf, angka, . _ : -"))
    at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=UTC)
    lat = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=-180, max=180))
    recipient_name = Text(200)
    recipient_relation = fields.String(load_default=None, allow_none=True,
                                       validate=validate.OneOf([r.value for r in Relation]))
    failure_reason = fields.String(load_default=None, allow_none=True,
                                   validate=validate.OneOf([r.value for r in FailureReason]))
    note = Text(1000, multiline=True)
    device_id = Text(100)
    delivery_code = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^\s*\d{6}\s*$", error="Kode serah terima terdiri dari 6 angka."),
        metadata={"description": "Kode 6 digit dari penerima; wajib untuk `delivered` bila kantor memakainya"})

    @validates_schema
    def _consistent(self, data, **_kwargs):
        errors: dict[str, list[str]] = {}
        if (data.get("lat") is None) != (data.get("lon") is None):
            errors["lat"] = ["Lintang dan bujur harus diisi berdua atau tidak sama sekali."]
        at = data.get("at")
        now = datetime.now(UTC)
        if at is not None and at > now + FUTURE_TOLERANCE:
            errors["at"] = ["Waktu perangkat berada di masa depan. Periksa jam ponsel."]
        elif at is not None and at < now - OLDEST_OFFLINE_SCAN:
            errors["at"] = ["Waktu perangkat lebih dari 30 hari yang lalu."]
        note = data.get("note")
        if data.get("action") == ScanAction.delivered:
            if not data.get("recipient_name"):
                errors["recipient_name"] = ["Nama penerima wajib diisi."]
            if not data.get("recipient_relation"):
                errors["recipient_relation"] = ["Hubungan penerima dengan pemilik dokumen wajib diisi."]
            elif data["recipient_relation"] == Relation.other and not note:
                errors["note"] = ["Jelaskan hubungan penerima pada catatan."]
        if data.get("action") == ScanAction.failed:
            if not data.get("failure_reason"):
                errors["failure_reason"] = ["Alasan gagal antar wajib diisi."]
            elif data["failure_reason"] == FailureReason.other and not note:
                errors["note"] = ["Jelaskan alasan lainnya pada catatan."]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _utc(self, data, **_kwargs):
        if data.get("at") is not None:
            data["at"] = data["at"].astimezone(UTC).replace(tzinfo=None)
        return data


class ScanOut(BaseSchema):
    event_id = fields.Integer()
    tracking_code = fields.String()
    action = fields.String()
    status = fields.String()
    status_label = fields.String()
    recorded_at = fields.String()
    device_at = fields.String(allow_none=True)


def scan_response(event: dict, parcel) -> dict:
    """The answer to a scan, stored for idempotent replays."""
    return {
        "event_id": event["id"],
        "tracking_code": parcel.tracking_code,
        "action": event["action"],
        "status": parcel.status.value,
        "status_label": label(parcel.status),
        "recorded_at": event["recorded_at"].isoformat() + "Z",
        "device_at": event["device_at"].isoformat() + "Z" if event["device_at"] else None,
    }
