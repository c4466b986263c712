"""Queueing citizen messages for parcel state changes (sending comes with the worker)."""
from __future__ import annotations

from typing import Any

from distribusi.extensions import db
from distribusi.models import Office
from distribusi.notify.models import OutboxMessage
from distribusi.recap.codes import display
from distribusi.workflow import ParcelStatus

TEMPLATES = {
    ParcelStatus.out_for_delivery: "parcel_out_for_delivery",
    ParcelStatus.delivered: "parcel_delivered",
    ParcelStatus.failed_attempt: "parcel_failed",
    ParcelStatus.returned: "parcel_returned",
}


def queue_parcel_message(parcel: Any, event: dict[str, Any], extra: dict[str, Any] | None = None) -> OutboxMessage | None:
    """An outbox row for the parcel's new state when citizens are told about it; None otherwise."""
    template = TEMPLATES.get(parcel.status)
    if template is None:
        return None
    office = db.session.get(Office, parcel.office_id)
    channel = (office.settings or {}).get("notify_channel") or "whatsapp"
    message = OutboxMessage(
        office_id=parcel.office_id, parcel_id=parcel.id, event_id=event["id"], channel=channel,
        recipient=parcel.phone, template=template,
        params={"name": parcel.recipient_name, "tracking_code": display(parcel.tracking_code), **(extra or {})},
    )
    db.session.add(message)
    return message
