"""PANDAWA over real HTTP: the handshake, signed and badly signed deliveries, repeated message ids, and the answer
to each kind of message (tracking code, NIK/KK from the phone on record or not, anything else)."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request

import pytest
import sqlalchemy as sa

from distribusi.extensions import db
from distribusi.notify.models import InboundMessage, OutboxMessage
from distribusi.notify.worker import run_once
from distribusi.recap import codes
from distribusi.recap.models import Parcel

from fake_whatsapp import FakeGateway, LiveApp
from flow import drive, handed_over_recap

SECRET = "rahasia-aplikasi-meta"
VERIFY = "token-verifikasi-pandawa"
PHONE_ID = "109876543210"


@pytest.fixture
def live(app, office):
    app.config.update(WHATSAPP_APP_SECRET=SECRET, WHATSAPP_VERIFY_TOKEN=VERIFY, WHATSAPP_PHONE_NUMBER_ID=PHONE_ID,
                      WHATSAPP_ACCESS_TOKEN="token-akses", NOTIFY_BACKOFF_SECONDS=0)
    db.session.commit()
    with LiveApp(app) as server:
        yield server


@pytest.fixture
def parcel(crew, documents):
    """A parcel out for delivery, its documents' NIK and the phone on record."""
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    drive(crew, recap["parcels"][0], "out_for_delivery")
    found = db.session.scalar(sa.select(Parcel).where(Parcel.tracking_code == recap["parcels"][0]["tracking_code"]))
    db.session.execute(sa.delete(OutboxMessage))  # the out-for-delivery notice is not what these tests read
    db.session.commit()
    return found


def delivery(text: str, sender: str = "6281234567890", message_id: str = "wamid.A1", kind: str = "text") -> dict:
    message = {"from": sender, "id": message_id, "timestamp": "1764600000", "type": kind}
    if kind == "text":
        message["text"] = {"body": text}
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"display_phone_number": "6281100000000",
                                                      "phone_number_id": PHONE_ID},
        "contacts": [{"profile": {"name": "Warga"}, "wa_id": sender}], "messages": [message]}}]}]}


def post(live, payload, signature: str | None = "right", secret: str = SECRET) -> tuple[int, bytes]:
    """POST the body as WhatsApp does; signature "right", a literal header value, or None for no header."""
    db.session.commit()  # the test's session holds no lock while the server writes
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if signature == "right":
        headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    request = urllib.request.Request(f"{live.url}/webhooks/whatsapp", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def get(live, query: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"{live.url}/webhooks/whatsapp?{query}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def replies() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_handshake_echoes_the_challenge_only_for_our_token(live):
    assert get(live, f"hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=1158201444") == (200, "1158201444")
    assert get(live, "hub.mode=subscribe&hub.verify_token=salah&hub.challenge=1")[0] == 403
    assert get(live, f"hub.mode=unsubscribe&hub.verify_token={VERIFY}&hub.challenge=1")[0] == 403
    assert get(live, "hub.challenge=1")[0] == 403


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "sha1=abc", "sha256=", "wrong-secret"])
def test_a_bad_or_missing_signature_is_refused_and_logged_without_personal_data(live, parcel, signature):
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("distribusi.webhooks.views")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        payload = delivery(parcel.tracking_code, sender="6281299998888")
        if signature == "wrong-secret":
            status, _ = post(live, payload, "right", secret="bukan-rahasianya")
        else:
            status, _ = post(live, payload, signature)
    finally:
        logger.removeHandler(handler)
    assert status == 403
    assert replies() == [] and db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 0
    logged = " ".join(record.getMessage() for record in records)
    assert "signature" in logged
    assert "6281299998888" not in logged and parcel.tracking_code not in logged


def test_a_tracking_code_gets_its_public_status(live, parcel):
    status, body = post(live, delivery(f"Selamat siang, kiriman saya {codes.display(parcel.tracking_code)} sampai mana?"))
    assert status == 200 and json.loads(body) == {"received": 1}
    [reply] = replies()
    text = reply.params["body"]
    assert reply.template == "pandawa_reply" and reply.recipient == "+6281234567890"
    assert "Sedang diantar" in text and codes.display(parcel.tracking_code) in text
    assert parcel.recipient_name not in text and parcel.street not in text and parcel.phone not in text
    assert parcel.kk_number not in text


def test_an_unknown_code_alone_is_answered_as_not_found(live, parcel):
    body = "ABCDE" + "FGHJ"
    unknown = body + codes.check_character(body)
    post(live, delivery(unknown.lower()))
    [reply] = replies()
    assert "tidak kami temukan" in reply.params["body"]


def test_a_nik_from_the_phone_on_record_gets_the_status(live, parcel):
    document = parcel.documents[0]
    post(live, delivery(f"NIK {document.nik}", sender=parcel.phone.removeprefix("+")))
    [reply] = replies()
    assert codes.display(parcel.tracking_code) in reply.params["body"] and "Sedang diantar" in reply.params["body"]
    assert reply.recipient == parcel.phone


@pytest.mark.parametrize("which", ["nik", "kk_number"])
def test_a_nik_or_kk_from_another_phone_is_politely_refused(live, parcel, which):
    number = getattr(parcel.documents[0], which)
    post(live, delivery(f"cek {number}", sender="6289900001111"))
    [reply] = replies()
    assert "perlindungan data pribadi" in reply.params["body"]
    assert parcel.tracking_code not in reply.params["body"] and "Sedang diantar" not in reply.params["body"]


def test_anything_else_opens_a_ticket_and_answers_with_its_number(live, parcel):
    post(live, delivery("Dokumen KK saya belum sampai padahal sudah dua minggu", message_id="wamid.T1"))
    [reply] = replies()
    inbound = db.session.scalar(sa.select(InboundMessage))
    assert inbound.kind == "ticket" and inbound.reference.startswith("ADU-") and inbound.reference in reply.params["body"]
    from distribusi.complaints.models import Complaint

    ticket = db.session.scalar(sa.select(Complaint).where(Complaint.ticket_number == inbound.reference))
    assert ticket.description.startswith("Dokumen KK saya") and ticket.channel.value == "pandawa_whatsapp"


def test_a_message_that_is_not_text_gets_a_hint(live, parcel):
    post(live, delivery("", kind="image"))
    [reply] = replies()
    assert "pesan teks" in reply.params["body"]


def test_a_repeated_message_id_is_answered_once(live, parcel):
    payload = delivery(parcel.tracking_code, message_id="wamid.SAMA")
    assert post(live, payload)[0] == 200
    status, body = post(live, payload)
    assert status == 200 and json.loads(body) == {"received": 0}
    assert len(replies()) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 1


def test_status_updates_without_messages_are_accepted_and_ignored(live, parcel):
    payload = {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {
        "metadata": {"phone_number_id": PHONE_ID}, "statuses": [{"id": "wamid.X", "status": "delivered"}]}}]}]}
    assert post(live, payload)[0] == 200
    assert replies() == []


def test_the_reply_reaches_whatsapp_as_a_text_message(app, live, parcel):
    post(live, delivery(parcel.tracking_code))
    with FakeGateway() as gateway:
        app.config["WHATSAPP_API_BASE_URL"] = gateway.url + "/v21.0"
        stats = run_once()
    assert stats.sent == 1
    [request] = gateway.received
    assert request["path"] == f"/v21.0/{PHONE_ID}/messages"
    assert request["headers"]["Authorization"] == "Bearer token-akses"
    assert request["json"]["type"] == "text" and request["json"]["to"] == "6281234567890"
    assert "Sedang diantar" in request["json"]["text"]["body"]


def test_the_office_is_found_by_its_phone_number_id(app, live, parcel, other_office):
    from distribusi.admin.services import update_office

    update_office(other_office, {"whatsapp_phone_number_id": "555000111"})
    db.session.commit()
    payload = delivery("Halo, saya mau bertanya", message_id="wamid.M1")
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "555000111"
    post(live, payload)
    [reply] = replies()
    assert reply.office_id == other_office.id
    unknown = delivery("Halo", message_id="wamid.M2")
    unknown["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    app.config["WHATSAPP_PHONE_NUMBER_ID"] = None
    assert json.loads(post(live, unknown)[1]) == {"received": 0}  # two offices, neither is this number's
