"""The delivery code on the courier's phone: asked for when the office uses codes, checked before it is sent."""
from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from distribusi.admin.services import update_office
from distribusi.auth.models import User
from distribusi.extensions import db
from distribusi.notify.models import OutboxMessage
from distribusi.recap.models import Parcel
from tests.browser.courier_support import courier_page, prepare_parcels, server_parcel


def _codes_on(server) -> None:
    with server.app.app_context():
        courier = db.session.scalar(sa.select(User).where(User.username == "kurir"))
        update_office(courier.office, {"delivery_code": True})
        db.session.commit()


def _sent_code(server, tracking_code: str) -> str:
    with server.app.app_context():
        parcel = db.session.scalar(sa.select(Parcel).where(Parcel.tracking_code == tracking_code))
        return db.session.scalar(sa.select(OutboxMessage.params).where(
            OutboxMessage.parcel_id == parcel.id, OutboxMessage.template == "parcel_out_for_delivery"))["delivery_code"]


def test_the_courier_enters_the_recipients_code_to_deliver(browser, live_server):
    _codes_on(live_server)
    (code,) = prepare_parcels(live_server, 1, seed=41)
    context, page = courier_page(browser, live_server)
    page.locator("#view-scan").get_by_label("Kode kiriman").fill(code)
    page.get_by_role("button", name="Buka kiriman").click()
    card = page.locator("#parcel")
    card.get_by_role("button", name="Diterima penerima").click()
    card.get_by_label("Nama penerima").fill("Rahmat Hidayat")
    field = card.get_by_label("Kode serah terima (6 angka dari penerima)")
    expect(field).to_be_visible()
    card.get_by_role("button", name="Simpan: diterima").click()
    expect(card.get_by_text("Masukkan kode serah terima 6 angka dari penerima.")).to_be_visible()
    assert server_parcel(live_server, code)["status"] == "out_for_delivery"
    field.fill(_sent_code(live_server, code))
    card.get_by_role("button", name="Simpan: diterima").click()
    expect(page.get_by_test_id("state")).to_have_text("Sudah diterima")
    assert server_parcel(live_server, code)["status"] == "delivered"
    context.close()
