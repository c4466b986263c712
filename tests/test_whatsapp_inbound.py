"""Where a free WhatsApp message goes: the complaint book's open_whatsapp_ticket when it exists, else our own
reference; and which texts count as a tracking code."""
from __future__ import annotations

import sys
import types

import sqlalchemy as sa

from distribusi.extensions import db
from distribusi.notify.models import InboundMessage, OutboxMessage
from distribusi.recap import codes
from distribusi.webhooks.services import Incoming, find_code, handle_message


def message(text: str, message_id: str = "wamid.1") -> Incoming:
    return Incoming(None, message_id, "6281234567890", "text", text)


def test_the_complaint_book_gets_the_message_when_it_is_there(app, office, monkeypatch):
    calls = []

    def open_whatsapp_ticket(office_, phone, text, message_id):
        calls.append((office_.id, phone, text, message_id))
        return "ADU-2026-00042"

    package = types.ModuleType("distribusi.complaints")
    services = types.ModuleType("distribusi.complaints.services")
    services.open_whatsapp_ticket = open_whatsapp_ticket
    package.services = services
    monkeypatch.setitem(sys.modules, "distribusi.complaints", package)
    monkeypatch.setitem(sys.modules, "distribusi.complaints.services", services)
    assert handle_message(message("Mohon bantuan, KTP saya hilang")) == 1
    assert calls == [(office.id, "+6281234567890", "Mohon bantuan, KTP saya hilang", "wamid.1")]
    inbound = db.session.scalar(sa.select(InboundMessage))
    assert inbound.reference == "ADU-2026-00042" and inbound.text is None  # the book keeps the text
    reply = db.session.scalar(sa.select(OutboxMessage))
    assert "ADU-2026-00042" in reply.params["body"]


def test_without_the_complaint_book_the_message_is_kept_with_a_reference(app, office):
    handle_message(message("Mohon bantuan"))
    inbound = db.session.scalar(sa.select(InboundMessage))
    assert inbound.reference.startswith("PDW-") and inbound.text == "Mohon bantuan"


def test_codes_are_found_however_they_are_typed():
    body = "7K3M9Q2XT"
    code = body + codes.check_character(body)
    assert find_code(code.lower()) == code
    assert find_code(f"kiriman {code[:5]}-{code[5:]} sudah sampai?") == code
    assert find_code(f"https://distribusi.test/k/{code}") == code
    assert find_code("halo selamat pagi") is None


def test_malformed_deliveries_are_skipped_not_failed():
    from distribusi.webhooks.services import incoming_messages

    odd = [{"entry": "x"}, {"entry": [{"changes": [{"value": {"metadata": "x", "messages": {"a": 1}}}]}]},
           {"entry": [{"changes": [{"value": {"messages": [{"id": "m", "from": "62", "type": "text", "text": "x"}]}}]}]},
           {"entry": [None, {"changes": None}]}]
    found = [list(incoming_messages(payload)) for payload in odd]
    assert found[:2] == [[], []] and found[3] == []
    assert found[2][0].text == "" and found[2][0].message_id == "m"
