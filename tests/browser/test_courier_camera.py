"""The courier page with Chromium's fake camera showing a label's QR: one parcel delivered with a photo, and a
handover accepted by continuous scanning."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from distribusi.courier.models import DeliveryPhoto
from distribusi.extensions import db
from tests.browser.courier_support import courier_page, prepare_parcels, server_parcel, write_qr_y4m
from tests.browser.support import launch


@pytest.fixture
def camera(playwright_session, tmp_path):
    """A browser whose fake camera plays camera.y4m (rewritten by the test before the camera opens)."""
    video = tmp_path / "camera.y4m"
    write_qr_y4m(video, "kosong")
    browser = launch(playwright_session, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                     f"--use-file-for-fake-video-capture={video}")
    yield browser, video
    browser.close()


def tracking_url(base_url: str, code: str) -> str:
    """What the app prints in a label's QR (printing.labels.tracking_url, imported late: it pulls in the services)."""
    from distribusi.printing.labels import tracking_url as label_url

    return label_url(base_url, code)


def _photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), "#7a9cc6").save(out, format="JPEG", quality=90)
    return out.getvalue()


def test_the_camera_reads_a_label_and_the_courier_delivers_with_a_photo(camera, live_server):
    browser, video = camera
    (code,) = prepare_parcels(live_server, 1)
    write_qr_y4m(video, tracking_url(live_server.url, code))  # what the label's QR holds: <base>/k/<code>
    context, page = courier_page(browser, live_server)
    page.get_by_role("button", name="Pindai", exact=True).last.click()
    expect(page.get_by_test_id("state")).to_have_text("Sedang diantar", timeout=20_000)
    expect(page.locator("#camera")).to_be_hidden()  # the camera closes once the code is read
    card = page.locator("#parcel")
    card.get_by_role("button", name="Diterima penerima").click()
    card.get_by_label("Hubungan dengan pemilik dokumen").select_option("self")
    card.get_by_label("Foto bukti").set_input_files(files=[{"name": "foto.jpg", "mimeType": "image/jpeg",
                                                            "buffer": _photo_bytes()}])
    card.get_by_role("button", name="Simpan: diterima").click()
    expect(page.get_by_test_id("state")).to_have_text("Sudah diterima")
    page.get_by_role("button", name="Antrean").first.click()
    expect(page.locator("#queue-list .q-sent")).to_contain_text("foto terkirim")
    held = server_parcel(live_server, code)
    assert held["status"] == "delivered" and held["events"][-1][0] == "delivered"
    with live_server.app.app_context():
        photo = db.session.scalar(sa.select(DeliveryPhoto))
        assert photo is not None and max(photo.width, photo.height) == 1280  # shrunk on the phone from 3000 px
    context.close()


def test_handover_mode_ticks_off_each_scanned_parcel(camera, live_server):
    browser, video = camera
    codes = prepare_parcels(live_server, 3, "packed", seed=41)
    context, page = courier_page(browser, live_server)
    page.get_by_role("button", name="Serah terima").click()
    expect(page.locator("#handover-count")).to_have_text("diterima 0 dari 3")
    expect(page.locator("#handover-missing li")).to_have_count(3)
    write_qr_y4m(video, tracking_url(live_server.url, codes[0]))
    page.get_by_role("button", name="Mulai pindai beruntun").click()
    expect(page.locator("#handover-count")).to_have_text("diterima 1 dari 3", timeout=20_000)
    page.get_by_role("button", name="Selesai memindai").click()
    page.locator("#handover-manual").get_by_label("Kode kiriman").fill(codes[1])
    page.locator("#handover-manual").get_by_role("button", name="Terima").click()
    expect(page.locator("#handover-count")).to_have_text("diterima 2 dari 3")
    expect(page.locator("#handover-missing li")).to_have_text([f"{codes[2][:5]}-{codes[2][5:]}"])
    expect(page.locator("#badge")).to_have_text("0")
    assert [server_parcel(live_server, c)["status"] for c in codes] == ["with_courier", "with_courier", "packed"]
    context.close()
