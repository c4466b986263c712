"""The Kasubbag Umum in a real browser: hands a signed recap over, watches the courier accept it, then scans the
returns from the keyboard, finishes and downloads the undelivered list."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.support import log_in


def _signed_recap(app) -> tuple[str, list[str]]:
    """The demo's signed recap waiting for its handover: its number and parcel codes."""
    from distribusi.extensions import db
    from distribusi.recap.models import Recap
    from distribusi.workflow import RecapStatus

    with app.app_context():
        recap = db.session.scalar(sa.select(Recap).where(Recap.status == RecapStatus.signed))
        return recap.number, [p.tracking_code for p in recap.parcels]


def _courier_scans(app, code: str, *actions: str) -> None:
    """The demo courier scans one parcel through the real service, as the phone page would."""
    from distribusi.auth.models import User
    from distribusi.courier.services import record_scan
    from distribusi.extensions import db

    with app.app_context():
        courier = db.session.scalar(sa.select(User).where(User.username == "kurir"))
        for action in actions:
            extra = {"failure_reason": "recipient_absent"} if action == "failed" else {}
            record_scan(courier, {"tracking_code": code, "action": action, "idempotency_key": uuid.uuid4().hex, **extra})
        db.session.commit()


def _mistyped(code: str) -> str:
    from distribusi.recap.codes import ALPHABET

    return code[:-1] + next(ch for ch in ALPHABET if ch != code[-1])


def test_kasubbag_hands_over_then_scans_the_returns_by_keyboard(page, live_server):
    from distribusi.recap.codes import display

    number, codes = _signed_recap(live_server.app)
    log_in(page, live_server, "kasubbag")

    page.get_by_role("link", name="Serah terima").click()
    page.get_by_role("link", name=f"Serahkan rekapan {number}").click()
    expect(page.locator("#f-courier_partner_id option:checked")).to_contain_text("PT Pos Indonesia")
    page.get_by_label("Nama petugas mitra yang menerima").fill("Rudi Hartono")
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Serah terima rekapan {number} kepada")).to_be_visible()
    progress = page.locator("#kemajuan [role=status]")
    expect(progress).to_have_text(f"diterima 0 dari {len(codes)} kiriman")
    expect(page.get_by_role("link", name="Cetak Berita Acara (PDF)")).to_be_visible()

    _courier_scans(live_server.app, codes[0], "accept")
    expect(progress).to_have_text(f"diterima 1 dari {len(codes)} kiriman", timeout=12_000)  # polled every 5 s

    back, out = codes[1], codes[2]
    _courier_scans(live_server.app, back, "accept", "out_for_delivery", "failed", "return")
    _courier_scans(live_server.app, out, "accept", "out_for_delivery")
    page.get_by_role("link", name="Retur").click()
    scanner = page.get_by_label("Kode kiriman (pindai atau ketik, lalu Enter)")
    expect(scanner).to_be_focused()
    received, unexpected, missing = (page.locator(f"#list-{name}") for name in ("received", "unexpected", "missing"))
    expect(missing).to_contain_text(display(back))
    page.evaluate("window.stillTheSamePage = true")

    page.keyboard.type(back.lower())
    page.keyboard.press("Enter")
    expect(received).to_contain_text(display(back))
    expect(missing).not_to_contain_text(display(back))
    expect(missing).to_contain_text(display(out))
    expect(scanner).to_be_focused()
    expect(scanner).to_have_value("")

    page.keyboard.type(_mistyped(out))
    page.keyboard.press("Enter")
    expect(unexpected).to_contain_text("karakter periksa salah")
    page.keyboard.type(f"{back}\n{codes[0]}\n")  # a scanner's burst: the same label again, then the next one
    expect(page.locator("#count-received")).to_have_text("2")
    expect(received).to_contain_text(display(codes[0]))
    expect(received).to_contain_text("dipindai 2×")  # shown, not counted twice
    expect(page.locator("#count-unexpected")).to_have_text("1")
    assert page.evaluate("window.stillTheSamePage") is True  # the lists changed without a reload

    page.get_by_role("button", name="Selesai: catat pengembalian").click()
    expect(page.get_by_text("Pengembalian tercatat: 2 kiriman diterima kembali.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Cetak daftar belum terserahkan (PDF)").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
