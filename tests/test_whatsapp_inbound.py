"""Where a free WhatsApp message goes (a PANDAWA ticket), and which texts count as a tracking code."""
from __future__ import annotations

import sqlalchemy as sa

from distribusi.extensions import db
from distribusi.notify.models import InboundMessage, OutboxMessage
from distribusi.recap import codes
from distribusi.webhooks.services import Incoming, find_code, handle_message


def message(text: str, message_id: str = "wamid.1") -> Incoming:
    return Incoming(None, message_id, "6281234567890", "text", text)


def test_a_free_message_becomes_a_pandawa_ticket_and_the_reply_quotes_its_number(app, office):
    from distribusi.complaints.models import Complaint

    assert handle_message(message("Mohon bantuan, KTP saya hilang")) == 1
    ticket = db.session.scalar(sa.select(Complaint))
    assert ticket.channel.value == "pandawa_whatsapp" and ticket.phone == "+6281234567890"
    assert ticket.description == "Mohon bantuan, KTP saya hilang" and ticket.level.value == "officer"
    inbound = db.session.scalar(sa.select(InboundMessage))
    assert inbound.reference == ticket.ticket_number and inbound.text is None  # the complaint book keeps the text
    reply = db.session.scalar(sa.select(OutboxMessage))
    assert ticket.ticket_number in reply.params["body"]


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
