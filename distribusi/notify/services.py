"""Queueing citizen messages: parcel state changes and answers to WhatsApp messages (the worker sends them)."""
from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context

from distribusi.extensions import db
from distribusi.models import Office
from distribusi.notify.models import OutboxMessage
from distribusi.notify.senders import REPLY_TEMPLATE
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
    channel = (office.settings or {}).get("notify_channel") or default_channel()
    message = OutboxMessage(
        office_id=parcel.office_id, parcel_id=parcel.id, event_id=event["id"], channel=channel,
        recipient=parcel.phone, template=template,
        params={"name": parcel.recipient_name, "tracking_code": display(parcel.tracking_code), **(extra or {})},
    )
    db.session.add(message)
    return message


def default_channel() -> str:
    """The channel of offices that did not choose one: NOTIFY_CHANNEL (whatsapp or sms)."""
    return (current_app.config.get("NOTIFY_CHANNEL") if has_app_context() else None) or "whatsapp"


def queue_reply(office_id: int, recipient: str, body: str) -> OutboxMessage:
    """A free-text WhatsApp answer to a citizen who wrote to the office; sent by the worker like any message."""
    message = OutboxMessage(office_id=office_id, channel="whatsapp", recipient=recipient, template=REPLY_TEMPLATE,
                            params={"body": body})
    db.session.add(message)
    return message
