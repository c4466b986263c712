"""Where a citizen's free WhatsApp message goes: the complaint book when it is there, else a reference of our own.

The complaint book (distribusi.complaints) is expected to offer
`open_whatsapp_ticket(office, phone: str, text: str, message_id: str) -> str`, which registers a ticket on the
`pandawa_whatsapp` channel and returns its number. Until it exists, the message is kept in `inbound_messages` with
a reference number generated here (PDW-<year>-<id>), so nothing a citizen wrote is lost.
"""
from __future__ import annotations

import logging

from distribusi.extensions import db
from distribusi.models import Office
from distribusi.notify.models import InboundMessage

log = logging.getLogger(__name__)


def _complaint_book():
    try:
        from distribusi.complaints.services import open_whatsapp_ticket  # type: ignore[import-not-found]
    except ImportError:
        return None
    return open_whatsapp_ticket


def open_ticket(office: Office, phone: str, text: str, inbound: InboundMessage) -> str | None:
    """A ticket (or reference) number for a message no automatic answer covers; the message is recorded either way."""
    book = _complaint_book()
    if book is not None:
        number = book(office, phone, text, inbound.message_id)
        inbound.reference = number
        return number
    inbound.text = text[:4000]
    db.session.flush()
    inbound.reference = f"PDW-{inbound.received_at:%Y}-{inbound.id:06d}"
    return inbound.reference
