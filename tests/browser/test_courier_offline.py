"""The courier page with no signal: actions wait in the phone's queue across a reload, go out once when the signal
returns, and sending the same queue again writes nothing."""
from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from distribusi.courier.models import ScanRecord
from distribusi.extensions import db
from tests.browser.courier_support import count_events, courier_page, prepare_parcels, server_parcel

QUEUE = "async () => (await import('/static/courier/queue.js')).items()"
REPLAY = """async (scans) => {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const response = await fetch('/api/v1/scans/batch', {method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}, body: JSON.stringify({scans})});
  return (await response.json()).results.map((r) => r.status);
}"""


def _scan_records(server) -> int:
    with server.app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(ScanRecord))


def _deliver(page, code: str) -> None:
    page.locator("#view-scan").get_by_label("Kode kiriman").fill(code)
    page.get_by_role("button", name="Buka kiriman").click()
    card = page.locator("#parcel")
    card.get_by_role("button", name="Diterima penerima").click()
    card.get_by_label("Hubungan dengan pemilik dokumen").select_option("self")
    card.get_by_role("button", name="Simpan: diterima").click()
    expect(page.get_by_test_id("state")).to_contain_text("menunggu dikirim")


def test_three_deliveries_offline_survive_a_reload_and_are_sent_once(browser, live_server):
    codes = prepare_parcels(live_server, 4)[:3]  # a fourth stays on the road, so the recap does not close
    context, page = courier_page(browser, live_server)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.get_by_role("button", name="Kiriman saya").click()
    for code in codes:  # the day's list is kept on the phone for the cards offline
        expect(page.locator(f'#mine-list [data-code="{code}"]')).to_be_visible()
    page.get_by_role("button", name="Pindai", exact=True).first.click()
    events, records = count_events(live_server), _scan_records(live_server)

    context.set_offline(True)
    expect(page.locator("#net")).to_have_text("Luring")
    for number, code in enumerate(codes, start=1):
        _deliver(page, code)
        expect(page.locator("#badge")).to_have_text(str(number))
    assert count_events(live_server) == events

    page.reload()  # still offline: the service worker serves the page, IndexedDB still holds the queue
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#badge")).to_have_text("3")
    queued = page.evaluate(QUEUE)
    assert [item["payload"]["tracking_code"] for item in queued] == codes
    assert len({item["key"] for item in queued}) == 3 and all(item["state"] == "waiting" for item in queued)

    context.set_offline(False)
    expect(page.locator("#badge")).to_have_text("0", timeout=40_000)
    assert _scan_records(live_server) == records + 3
    for code in codes:
        held = server_parcel(live_server, code)
        assert held["status"] == "delivered"
        assert [e for e in held["events"] if e[0] == "delivered"][0][2] in {item["key"] for item in queued}
    after = count_events(live_server)

    page.get_by_role("button", name="Antrean").first.click()
    expect(page.locator("#queue-list .q-sent")).to_have_count(3)
    assert page.evaluate(REPLAY, [item["payload"] for item in queued]) == [200, 200, 200]
    assert count_events(live_server) == after and _scan_records(live_server) == records + 3
    context.close()


def test_a_conflict_is_explained_and_a_lost_login_keeps_the_queue(browser, live_server):
    code, other = prepare_parcels(live_server, 2, seed=31)
    context, page = courier_page(browser, live_server)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.get_by_role("button", name="Kiriman saya").click()
    expect(page.locator(f'#mine-list [data-code="{other}"]')).to_be_visible()
    page.get_by_role("button", name="Pindai", exact=True).first.click()

    context.set_offline(True)
    _deliver(page, code)
    context.clear_cookies()  # the session ends while the action waits
    context.set_offline(False)
    expect(page.get_by_text("Sesi Anda berakhir.")).to_be_visible(timeout=40_000)
    expect(page.locator("#badge")).to_have_text("1")
    assert server_parcel(live_server, code)["status"] == "out_for_delivery"

    page.get_by_role("link", name="Masuk lagi").click()
    page.get_by_label("Nama pengguna").fill("kurir")
    page.get_by_label("Kata sandi").fill("demo12345")
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/kurir/")
    expect(page.locator("#badge")).to_have_text("0", timeout=40_000)
    assert server_parcel(live_server, code)["status"] == "delivered"

    # the office recorded the second parcel as failed meanwhile; the courier's offline "out for delivery" is refused
    context.set_offline(True)
    page.locator("#view-scan").get_by_label("Kode kiriman").fill(other)
    page.get_by_role("button", name="Buka kiriman").click()
    page.locator("#parcel").get_by_role("button", name="Gagal antar").click()
    page.locator("#parcel").get_by_label("Alasan", exact=True).select_option("moved")
    page.locator("#parcel").get_by_role("button", name="Simpan: gagal antar").click()
    _delivered_from_another_phone(live_server, other)
    context.set_offline(False)
    page.get_by_role("button", name="Antrean").first.click()
    refused = page.locator("#queue-list .q-refused")
    expect(refused).to_contain_text("Ditolak karena status kiriman sudah berubah (409)", timeout=40_000)
    expect(page.locator("#badge")).to_have_text("0")
    context.close()


def _delivered_from_another_phone(server, code: str) -> None:
    """The same courier account records the parcel delivered from another phone while this one is offline."""
    from distribusi.courier.services import record_scan
    from tests.browser.courier_support import _user

    with server.app.app_context():
        record_scan(_user("kurir"), {"tracking_code": code, "action": "delivered", "idempotency_key": f"other-{code}",
                                     "recipient_name": "Penerima Lain", "recipient_relation": "self"})
        db.session.commit()
