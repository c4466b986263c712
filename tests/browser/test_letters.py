"""The cover letter in a real browser: the Kasubbag issues it, the secretary rejects it with a note, the Kasubbag
issues it again, the secretary signs it with the password; then the control card of one of its parcels."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.support import DEMO_PASSWORD, log_in

PARTNER = "PT Pos Indonesia (Persero) KC Pekanbaru"


def submitted_recap(app) -> tuple[str, str]:
    """A fresh submitted recap of four documents registered by the demo clerk; (recap number, first parcel code)."""
    from distribusi.auth.models import User
    from distribusi.demo import as_api_payload, document_rows
    from distribusi.extensions import db
    from distribusi.intake.services import register_document
    from distribusi.recap.services import create_recap, submit_recap

    with app.app_context():
        clerk = db.session.scalar(select(User).where(User.username == "fo"))
        documents = [register_document(clerk, as_api_payload(row)) for row in document_rows(4, seed=41, prefix="PW")]
        recap = submit_recap(clerk, create_recap(clerk, [d.id for d in documents]))
        db.session.commit()
        return recap.number, recap.parcels[0].tracking_code


def log_out(page) -> None:
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/login")


def issue_letter(page, live_server, recap_number: str) -> str:
    """As the Kasubbag: find the recap in the inbox, choose the partner, issue; returns the letter number."""
    log_in(page, live_server, "kasubbag")
    page.get_by_role("link", name="Rekapan masuk").click()
    page.get_by_label("Cari nomor rekapan").fill(recap_number)
    page.keyboard.press("Enter")
    row = page.get_by_role("row").filter(has_text=recap_number)
    expect(row).to_have_count(1)
    row.get_by_label(f"Mitra kurir untuk {recap_number}").select_option(label=PARTNER)
    row.get_by_role("button", name="Terbitkan surat").click()
    expect(page.get_by_text("dikirim ke Sekretaris untuk ditandatangani")).to_be_visible()
    heading = page.get_by_role("heading", level=1).inner_text()
    letter_number = re.search(r"Surat pengantar (\S+)", heading).group(1)
    log_out(page)
    return letter_number


def open_for_signing(page, live_server, letter_number: str) -> None:
    """As the secretary: the signing inbox, then the letter with its PDF inside the page and the recap beside it."""
    log_in(page, live_server, "sekretaris")
    page.get_by_role("link", name="Tanda tangan").click()
    row = page.get_by_role("row").filter(has_text=letter_number)
    with page.expect_response(re.compile(r"/surat/\d+/surat\.pdf$")) as pdf:
        row.get_by_role("link", name=re.compile("Baca")).click()
    assert pdf.value.status == 200 and pdf.value.header_value("content-type") == "application/pdf"
    expect(page.get_by_role("heading", name=f"Surat pengantar {letter_number}")).to_be_visible()
    expect(page.get_by_text("Ringkasan rekapan")).to_be_visible()


def test_letter_rejected_then_signed_then_the_control_card(page, live_server):
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "frame" in message.text.lower() else None)
    recap_number, parcel_code = submitted_recap(live_server.app)

    first = issue_letter(page, live_server, recap_number)
    open_for_signing(page, live_server, first)
    page.get_by_role("button", name="Tolak").click()  # the note is required: the browser keeps the form
    expect(page.get_by_label("Catatan penolakan")).to_be_focused()
    page.get_by_label("Catatan penolakan").fill("Mitra kurir salah; mohon diterbitkan ulang.")
    page.get_by_role("button", name="Tolak").click()
    expect(page.get_by_text(f"Surat pengantar {first} ditolak")).to_be_visible()
    log_out(page)

    log_in(page, live_server, "kasubbag")
    page.get_by_role("link", name="Rekapan masuk").click()
    expect(page.get_by_text("Mitra kurir salah; mohon diterbitkan ulang.")).to_be_visible()
    log_out(page)
    second = issue_letter(page, live_server, recap_number)
    assert second != first

    open_for_signing(page, live_server, second)
    page.get_by_label("Kata sandi Anda").fill("salah-sekali-ini")
    page.get_by_role("button", name="Tandatangani").click()
    expect(page.locator("#password-error")).to_contain_text("Kata sandi salah")
    page.get_by_label("Kata sandi Anda").fill(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Surat pengantar {second} sudah ditandatangani.")).to_be_visible()
    expect(page.get_by_text("Ditandatangani oleh Drs. Ahmad Fauzi, M.Si")).to_be_visible()

    page.get_by_role("link", name="Riwayat surat").click()
    expect(page.get_by_role("row").filter(has_text=second)).to_contain_text("Ditandatangani")
    expect(page.get_by_role("row").filter(has_text=first)).to_contain_text("Ditolak")

    page.get_by_role("link", name="Kartu kendali", exact=True).first.click()
    expect(page.get_by_label("Kode kiriman")).to_be_focused()
    page.keyboard.type(parcel_code.lower())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Kartu kendali kiriman {parcel_code}")).to_be_visible()
    timeline = page.locator("table.custody-timeline")
    expect(timeline).to_contain_text("Didaftarkan")
    expect(timeline).to_contain_text("Dikemas dalam rekapan")
    expect(timeline).to_contain_text("Petugas FO: Dewi Lestari")
    page.get_by_role("link", name=recap_number).click()
    expect(page.locator("table.custody-timeline")).to_contain_text("Surat pengantar ditolak")
    expect(page.locator("table.custody-timeline")).to_contain_text("Catatan: Mitra kurir salah; mohon diterbitkan ulang.")
    expect(page.locator("table.custody-timeline")).to_contain_text("Surat pengantar ditandatangani")
    assert violations == []
