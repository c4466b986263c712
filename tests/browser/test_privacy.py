"""The operator answers a citizen's written request for their processing trail, in a real browser."""
from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from tests.browser.support import log_in

DEMO_NIK = "1471011907939652"  # Rizky Lestari: a KIA delivered in the demo data


def test_an_operator_records_a_request_and_downloads_the_answer(page, live_server):
    log_in(page, live_server, "operator")
    page.get_by_role("link", name="Permintaan PDP").click()
    page.get_by_role("link", name="Catat permintaan baru").click()
    page.get_by_label("NIK yang diminta").fill(DEMO_NIK)
    page.get_by_label("Nama pemohon").fill("Rizky Lestari")
    page.get_by_label("Tanggal surat permintaan").fill(date.today().isoformat())
    page.get_by_label("Nomor surat / nomor agenda").fill("045/PDP/XII/2026")
    page.get_by_label("Nomor surat / nomor agenda").press("Enter")
    expect(page.get_by_text("dari Rizky Lestari dicatat")).to_be_visible()
    expect(page.locator("#pdp-documents")).to_contain_text("Kartu Identitas Anak")
    expect(page.locator("#pdp-steps")).to_contain_text("Diserahkan kepada penerima")
    expect(page.locator("#pdp-answers")).to_contain_text("Belum ada jawaban.")
    pdf_url = page.get_by_role("link", name="Buat jawaban PDF").get_attribute("href")
    answer = page.context.request.get(f"{live_server.url}{pdf_url}")
    assert answer.ok and answer.headers["content-type"] == "application/pdf" and answer.body()[:5] == b"%PDF-"
    page.reload()
    expect(page.locator("#pdp-answers")).to_contain_text("Siti Aminah")
    expect(page.locator("#pdp-accesses")).to_contain_text("Jawaban permintaan PDP dibuat")
    page.get_by_role("link", name="Kembali ke daftar permintaan").click()
    expect(page.locator("#pdp-requests")).to_contain_text("Dijawab")


def test_the_new_request_form_refuses_a_bad_nik(page, live_server):
    log_in(page, live_server, "operator")
    page.goto(f"{live_server.url}/pdp/baru")
    page.get_by_label("NIK yang diminta").fill("12345")
    page.get_by_role("button", name="Simpan permintaan").click()
    expect(page.get_by_text("NIK harus 16 digit angka.")).to_be_visible()
    expect(page.get_by_label("NIK yang diminta")).to_have_attribute("aria-describedby", "nik-error f-nik-help")
