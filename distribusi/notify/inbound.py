"""Where a citizen's free WhatsApp message goes: a PANDAWA ticket in the complaint book, whose number is the reply."""
from __future__ import annotations

from distribusi.complaints.services import open_whatsapp_ticket
from distribusi.models import Office
from distribusi.notify.models import InboundMessage


def open_ticket(office: Office, phone: str, text: str, inbound: InboundMessage) -> str:
    """The ticket number for a message no automatic answer covers; the complaint book keeps the text."""
    inbound.reference = open_whatsapp_ticket(office, phone, text, inbound.message_id)
    return inbound.reference
