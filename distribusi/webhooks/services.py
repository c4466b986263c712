"""PANDAWA: answering a citizen's WhatsApp message from the custody log, or turning it into a ticket."""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import or_, select

from distribusi.extensions import db
from distribusi.intake.models import Document
from distribusi.intake.validators import normalize_phone
from distribusi.models import Office
from distribusi.notify.inbound import open_ticket
from distribusi.notify.models import InboundMessage
from distribusi.notify.services import queue_reply
from distribusi.recap import codes
from distribusi.recap.models import Parcel
from distribusi.tracking.services import public_view
from distribusi.workflow import label

log = logging.getLogger(__name__)
IDENTITY_NUMBER = re.compile(r"(?<!\d)\d{16}(?!\d)")
CODE_CANDIDATE = re.compile(r"[0-9A-Za-z][0-9A-Za-z -]{8,14}[0-9A-Za-z]")
MAX_PARCELS_IN_REPLY = 5

REFUSAL = ("Demi perlindungan data pribadi, status dokumen berdasarkan NIK atau nomor KK hanya kami kirim ke nomor "
           "WhatsApp yang terdaftar pada dokumen tersebut. Silakan kirim nomor kiriman (10 karakter pada pesan atau "
           "label), atau hubungi layanan pengaduan Dinas.")
NOT_FOUND = "Nomor kiriman {code} tidak kami temukan. Periksa kembali nomornya, atau balas pesan ini dengan pertanyaan Anda."
TICKET = ("Terima kasih, pesan Anda sudah kami catat dengan nomor {number}. Petugas PANDAWA akan menindaklanjutinya "
          "pada hari kerja. Sebutkan nomor ini bila menghubungi kami kembali.")
UNSUPPORTED = ("Mohon kirim pesan teks: nomor kiriman (10 karakter), NIK/nomor KK, atau pertanyaan Anda.")


@dataclass
class Incoming:
    """One message out of a webhook delivery."""

    phone_number_id: str | None
    message_id: str
    sender: str  # as WhatsApp gives it: 628…
    kind: str  # text, image, …
    text: str


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def incoming_messages(payload: dict) -> Iterator[Incoming]:
    """The messages of a Cloud API delivery (status updates and malformed parts are skipped)."""
    for entry in _list(payload.get("entry")):
        for change in _list(_dict(entry).get("changes")):
            value = _dict(_dict(change).get("value"))
            phone_number_id = _dict(value.get("metadata")).get("phone_number_id")
            for message in _list(value.get("messages")):
                message = _dict(message)
                if not message.get("id") or not message.get("from"):
                    continue
                text = _dict(message.get("text")).get("body") if message.get("type") == "text" else ""
                yield Incoming(str(phone_number_id or "") or None, str(message["id"])[:200],
                               str(message["from"])[:32], str(message.get("type") or ""),
                               text[:4000] if isinstance(text, str) else "")


def office_for(phone_number_id: str | None) -> Office | None:
    """The office whose setting `whatsapp_phone_number_id` is this number's id; else the only office there is."""
    offices = db.session.scalars(select(Office).order_by(Office.id)).all()
    wanted = phone_number_id or current_app.config.get("WHATSAPP_PHONE_NUMBER_ID")
    for office in offices:
        if wanted and (office.settings or {}).get("whatsapp_phone_number_id") == wanted:
            return office
    return offices[0] if len(offices) == 1 else None


def _e164(sender: str) -> str | None:
    try:
        return normalize_phone(sender if sender.startswith("+") else "+" + sender)
    except ValidationError:
        return None


def find_code(text: str) -> str | None:
    """The first valid tracking code in the text (typed with or without the hyphen, or a label's URL)."""
    candidates = [text.strip()] + [match.group(0) for match in CODE_CANDIDATE.finditer(text)] + text.split()
    for candidate in candidates:
        if (code := codes.normalize(candidate)) is not None:
            return code
    return None


def tracking_answer(text: str) -> str | None:
    """The public status of the parcel named in the text, as the tracking page shows it (masked name, no address
    or phone); "not found" when the message is only an unknown code; None when the text names no parcel.

    A word of ten letters passes the check character one time in 31, so a code inside a longer sentence counts
    only when the parcel exists.
    """
    code = find_code(text)
    view = public_view(code, None) if code else None
    if view is None:
        return NOT_FOUND.format(code=codes.display(code)) if code and codes.normalize(text) == code else None
    return (f"Kiriman {codes.display(code)} atas nama {view['recipient_name']} (Kec. {view['kecamatan']}, "
            f"{view['city']}): {view['status_label']}. {view['next_step']}")


def identity_answer(office: Office, number: str, phone: str | None) -> str:
    """Statuses of the documents with this NIK or KK number, only when the sender's phone is on record for them."""
    if phone is None:
        return REFUSAL
    documents = db.session.scalars(
        select(Document).where(Document.office_id == office.id, or_(Document.nik == number, Document.kk_number == number))
        .order_by(Document.id.desc()).limit(50)
    ).all()
    parcel_ids = {d.parcel_id for d in documents if d.parcel_id}
    parcels = db.session.scalars(select(Parcel).where(Parcel.id.in_(parcel_ids))).all() if parcel_ids else []
    on_record = {d.phone for d in documents} | {p.phone for p in parcels}
    if phone not in on_record:
        return REFUSAL
    lines = [f"- Kiriman {codes.display(p.tracking_code)}: {label(p.status)}"
             for p in sorted(parcels, key=lambda p: p.id, reverse=True)[:MAX_PARCELS_IN_REPLY]]
    waiting = sum(1 for d in documents if not d.parcel_id)
    if waiting:
        lines.append(f"- {waiting} dokumen masih disiapkan di Dinas ({label(documents[0].status)}).")
    return "Status dokumen Anda:\n" + "\n".join(lines)


def handle_message(incoming: Incoming) -> int:
    """Record one message (once per id) and queue its answer; 0 when it was seen before or has no office."""
    if db.session.scalar(select(InboundMessage.id).where(InboundMessage.message_id == incoming.message_id)):
        return 0
    office = office_for(incoming.phone_number_id)
    if office is None:
        log.warning("whatsapp webhook: no office for phone number id %s", incoming.phone_number_id)
        return 0
    inbound = InboundMessage(office_id=office.id, message_id=incoming.message_id, sender=incoming.sender,
                             kind="unsupported")
    db.session.add(inbound)
    db.session.flush()  # the unique message id: a twin delivery fails here
    phone = _e164(incoming.sender)
    text = incoming.text.strip()
    if incoming.kind != "text" or not text:
        reply = UNSUPPORTED
    elif (answer := tracking_answer(text)) is not None:
        inbound.kind, reply = "tracking", answer
    elif (number := IDENTITY_NUMBER.search(text)) is not None:
        inbound.kind, reply = "identity", identity_answer(office, number.group(0), phone)
    else:
        inbound.kind = "ticket"
        number = open_ticket(office, phone or incoming.sender, text, inbound)
        reply = TICKET.format(number=number) if number else UNSUPPORTED
    queue_reply(office.id, phone or "+" + incoming.sender.lstrip("+"), reply)
    log.info("whatsapp message %s answered as %s", inbound.id, inbound.kind)
    return 1
