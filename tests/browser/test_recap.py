"""The clerk's recap desk in a real browser: build a recap from the day's registered documents, download its labels,
submit it; the household preview follows the ticks; the counter hands a returned parcel over."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.support import log_in


def test_clerk_builds_a_recap_downloads_the_labels_and_submits(page, live_server):
    log_in(page, live_server, "fo")
    page.get_by_role("link", name="Rekapan", exact=True).click()
    page.get_by_role("link", name="Buat rekapan").click()
    boxes = page.locator('input[name="document_ids"]')
    expect(boxes.first).to_be_checked()
    offered = boxes.count()
    assert offered > 0 and page.locator('input[name="document_ids"]:checked').count() == offered
    preview = page.locator("#preview")
    expect(preview.get_by_text(re.compile(rf"\d+ kiriman dari {offered} dokumen"))).to_be_visible()

    actions = 0  # page actions from the build page to the labels PDF: clicks, uploads, keys that submit
    page.get_by_role("button", name="Simpan rekapan").click()
    actions += 1
    expect(page.get_by_role("heading", name=re.compile(r"^Rekapan RKP\W"))).to_be_visible()
    expect(page.get_by_text(re.compile(rf"kiriman, {offered} dokumen"))).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh label").click()
        actions += 1
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert actions <= 4, actions
    page.get_by_label("Tata letak label").select_option("thermal-100x150")
    expect(page.get_by_role("link", name="Unduh label")).to_have_attribute("href", re.compile(r"layout=thermal-100x150$"))

    page.get_by_role("button", name="Ajukan ke Kasubbag Umum").click()
    expect(page.get_by_text(re.compile(r"sudah diajukan ke Kasubbag Umum"))).to_be_visible()
    expect(page.locator(".badge.state-submitted").first).to_be_visible()


def test_the_preview_follows_the_ticks(page, live_server):
    log_in(page, live_server, "fo")
    page.goto(f"{live_server.url}/rekap/baru")
    offered = page.locator('input[name="document_ids"]').count()
    preview = page.locator("#preview")
    expect(preview.get_by_text(re.compile(rf"kiriman dari {offered} dokumen"))).to_be_visible()
    page.locator('input[name="document_ids"]').first.uncheck()
    expect(preview.get_by_text(re.compile(rf"kiriman dari {offered - 1} dokumen"))).to_be_visible()
    expect(page.get_by_label("Centang semua")).not_to_be_checked()
    page.get_by_label("Centang semua").check()
    expect(preview.get_by_text(re.compile(rf"kiriman dari {offered} dokumen"))).to_be_visible()
    page.get_by_label("Centang semua").uncheck()
    expect(preview.get_by_text("Belum ada dokumen yang dicentang.")).to_be_visible()
    page.get_by_role("button", name="Simpan rekapan").click()
    expect(page.get_by_role("alert")).to_have_text("Data tidak valid. Periksa isian yang ditandai.")
    expect(page.get_by_text("Pilih minimal satu dokumen.")).to_be_visible()


def test_the_counter_hands_a_returned_parcel_to_the_citizen(page, live_server):
    from sqlalchemy import select

    from distribusi.recap.codes import display
    from distribusi.recap.models import Parcel
    from distribusi.workflow import ParcelStatus

    with live_server.app.app_context():
        from distribusi.extensions import db

        code = db.session.scalar(select(Parcel.tracking_code).where(Parcel.status == ParcelStatus.returned))
    log_in(page, live_server, "fo")
    page.get_by_role("link", name="Loket").click()
    page.get_by_label("Kode kiriman").fill(code)  # focused on load: a scanner types and presses Enter
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(f"Kiriman {display(code)}"))).to_be_visible()
    page.get_by_label("Diambil oleh (nama)").fill("Rahmat (suami)")
    page.get_by_role("button", name="Serahkan kepada warga").click()
    expect(page.get_by_text(f"Kiriman {display(code)} sudah diserahkan kepada Rahmat (suami).")).to_be_visible()
