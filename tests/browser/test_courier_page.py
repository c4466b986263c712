"""The courier's phone page in a phone-sized Chromium: typed codes, the parcel card, delivering and failing."""
from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from distribusi.admin.services import create_partner
from distribusi.extensions import db
from distribusi.models import Office
from tests.browser.courier_support import courier_page, prepare_parcels, server_parcel


def _open(page, code: str) -> None:
    page.locator("#view-scan").get_by_label("Kode kiriman").fill(f"{code[:5].lower()}-{code[5:].lower()}")
    page.get_by_role("button", name="Buka kiriman").click()


def test_a_mistyped_code_is_refused_on_the_phone(browser, live_server):
    (code,) = prepare_parcels(live_server, 1)
    context, page = courier_page(browser, live_server)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/kiriman/" in request.url else None)
    wrong = code[:4] + ("Z" if code[4] != "Z" else "Y") + code[5:]
    _open(page, wrong)
    expect(page.get_by_text("Kode tidak sah — periksa kembali ketikan")).to_be_visible()
    expect(page.locator("#parcel")).to_be_hidden()
    assert asked == []  # refused before anything was sent
    _open(page, code)
    expect(page.get_by_test_id("state")).to_have_text("Sedang diantar")
    context.close()


def test_the_courier_delivers_from_the_card_and_the_server_records_it(browser, live_server):
    (code,) = prepare_parcels(live_server, 1)
    context, page = courier_page(browser, live_server, permissions=["geolocation"],
                                 geolocation={"latitude": 0.507068, "longitude": 101.447777})
    _open(page, code)
    card = page.locator("#parcel")
    expect(card.get_by_role("link", name="Telepon")).to_have_attribute("href", __import__("re").compile(r"^tel:"))
    expect(card.get_by_role("heading", name="Isi kiriman")).to_be_visible()
    card.get_by_role("button", name="Diterima penerima").click()
    name = card.get_by_label("Nama penerima")
    expect(name).not_to_have_value("")
    name.fill("Rahmat Hidayat")
    card.get_by_label("Hubungan dengan pemilik dokumen").select_option("family")
    card.get_by_label("Sertakan lokasi saya").check()
    # the page's CSRF token has gone stale (e.g. a page left open since yesterday): the page fetches a fresh one
    page.evaluate("() => { document.querySelector('meta[name=\"csrf-token\"]').content = 'kedaluwarsa'; }")
    card.get_by_role("button", name="Simpan: diterima").click()
    expect(page.get_by_test_id("state")).to_have_text("Sudah diterima")
    expect(page.locator("#badge")).to_have_text("0")
    held = server_parcel(live_server, code)
    assert held["status"] == "delivered" and held["delivered_to"] == "Rahmat Hidayat"
    assert held["events"][-1][:2] == ("delivered", "Penerima: Rahmat Hidayat (family)")
    assert held["last_place"] == (0.507068, 101.447777)
    context.close()


def test_a_failed_attempt_needs_a_reason(browser, live_server):
    (code,) = prepare_parcels(live_server, 1)
    context, page = courier_page(browser, live_server)
    _open(page, code)
    card = page.locator("#parcel")
    card.get_by_role("button", name="Gagal antar").click()
    card.get_by_role("button", name="Simpan: gagal antar").click()
    expect(card.get_by_text("Pilih alasan gagal antar.")).to_be_visible()
    card.get_by_label("Alasan", exact=True).select_option("recipient_absent")
    card.get_by_label("Catatan").fill("Rumah kosong, tetangga bilang sedang mudik")
    card.get_by_role("button", name="Simpan: gagal antar").click()
    expect(page.get_by_test_id("state")).to_have_text("Gagal diantar")
    assert server_parcel(live_server, code)["status"] == "failed_attempt"
    expect(card.get_by_role("button", name="Kembalikan ke Dinas")).to_be_visible()
    context.close()


def test_a_parcel_of_another_partner_is_refused_with_a_clear_message(browser, live_server):
    with live_server.app.app_context():
        office = db.session.scalar(sa.select(Office).where(Office.code == "PKU"))
        partner_id = create_partner(office, {"name": "JNE Pekanbaru", "contract_number": "9/PKS", "contact": None}).id
        db.session.commit()
    (code,) = prepare_parcels(live_server, 1, "packed", partner_id=partner_id, seed=21)
    context, page = courier_page(browser, live_server)
    _open(page, code)
    expect(page.get_by_role("alert")).to_have_text("Kiriman tidak ditemukan atau bukan milik mitra Anda.")
    context.close()
