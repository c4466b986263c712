"""Helpers of the courier page's browser tests: parcels prepared through the real services, a phone-sized context,
the server's view of a parcel, and a fake camera file showing a QR code."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

from distribusi.auth.models import User
from distribusi.courier.services import record_scan
from distribusi.custody import CustodyEvent
from distribusi.extensions import db
from distribusi.recap.models import Parcel
from tests.browser.support import log_in
from tests.flow import STATE_PATHS, handed_over_recap

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "id-ID"}


def _user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def _documents(user, count: int = 4, seed: int = 1, **_):
    from distribusi.demo import as_api_payload, document_rows
    from distribusi.intake.services import register_document

    made = [register_document(user, as_api_payload(row)) for row in document_rows(count, seed=seed, prefix=f"B{seed}")]
    db.session.commit()
    return made


def prepare_parcels(server, count: int, state: str = "out_for_delivery", *, seed: int = 11,
                    partner_id: int | None = None) -> list[str]:
    """Codes of `count` fresh parcels of the demo office walked to `state` by the demo courier (two documents each)."""
    with server.app.app_context():
        crew = [SimpleNamespace(user=_user(name)) for name in ("fo", "kasubbag", "sekretaris")]
        courier = _user("kurir")
        recap = handed_over_recap(*crew, _documents, count=count * 2, seed=seed,
                                  partner_id=partner_id or courier.courier_partner_id)
        codes = [p["tracking_code"] for p in recap["parcels"]][:count]
        for code in codes:
            for step in STATE_PATHS[state]:
                record_scan(courier, {"tracking_code": code, "action": step, "idempotency_key": f"prep-{code}-{step}"})
        db.session.commit()
        return codes


def server_parcel(server, code: str) -> dict:
    """The parcel's state and its custody events (action, to_party, idempotency key) as the server holds them."""
    with server.app.app_context():
        parcel = db.session.scalar(sa.select(Parcel).where(Parcel.tracking_code == code))
        events = db.session.scalars(sa.select(CustodyEvent).where(
            CustodyEvent.subject_type == "parcel", CustodyEvent.subject_id == parcel.id).order_by(CustodyEvent.seq)).all()
        return {"status": parcel.status.value, "delivered_to": parcel.delivered_to,
                "events": [(e.action, e.to_party, e.idempotency_key) for e in events],
                "last_place": (events[-1].lat, events[-1].lon) if events else None}


def count_events(server) -> int:
    with server.app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(CustodyEvent))


def courier_page(browser, server, **extra):
    """A phone-sized context with the demo courier logged in on /kurir/ (page ready); returns (context, page)."""
    context = browser.new_context(**PHONE, **extra)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, server, "kurir")
    page.wait_for_url("**/kurir/")
    page.wait_for_selector("body[data-ready='1']")
    return context, page


def write_qr_y4m(path: Path, text: str) -> Path:
    """A one-frame 640×480 y4m (Chromium's fake camera loops it) showing the QR of text."""
    import qrcode

    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix) + 8  # four-module quiet zone on each side
    scale = int(480 * 0.8) // size
    left, top = (640 - size * scale) // 2, (480 - size * scale) // 2
    luma = bytearray(b"\xeb" * (640 * 480))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (top + (y + 4) * scale + dy) * 640 + left + (x + 4) * scale
                    luma[start:start + scale] = b"\x10" * scale
    path.write_bytes(b"YUV4MPEG2 W640 H480 F30:1 Ip A1:1 C420jpeg\nFRAME\n" + bytes(luma) + b"\x80" * (320 * 240 * 2))
    return path
