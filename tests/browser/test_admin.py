"""The admin and the dashboard in a real browser: a new clerk account that works until it is disabled, and the
head of office's dashboard drawing its charts."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.support import log_in

NEW_PASSWORD = "sandi-awal-yang-panjang"


def try_log_in(page, server, username: str, password: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()


def test_admin_creates_a_clerk_who_logs_in_until_disabled(page, context, browser, live_server):
    log_in(page, live_server, "admin")
    page.get_by_role("link", name="Pengguna").click()
    page.get_by_role("link", name="Tambah pengguna").click()
    page.get_by_label("Nama pengguna").fill("sari.fo")
    page.get_by_label("Nama lengkap").fill("Sari Wulandari")
    page.get_by_label("Peran", exact=False).first.select_option("clerk")
    page.get_by_label("Kata sandi awal").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Simpan pengguna").click()
    expect(page.get_by_text("Pengguna sari.fo ditambahkan.")).to_be_visible()

    clerk_context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    clerk = clerk_context.new_page()
    try:
        log_in(clerk, live_server, "sari.fo", NEW_PASSWORD)
        expect(clerk.get_by_text("Sari Wulandari")).to_be_visible()

        page.get_by_role("button", name="Nonaktifkan").click()
        expect(page.get_by_text("Pengguna sari.fo dinonaktifkan.")).to_be_visible()
        expect(page.locator("#user-status")).to_have_text("Nonaktif")

        clerk.reload()  # the open session ends with the account
        clerk.wait_for_url("**/login**")
        try_log_in(clerk, live_server, "sari.fo", NEW_PASSWORD)
        expect(clerk.get_by_role("alert")).to_be_visible()
        assert "/login" in clerk.url
    finally:
        clerk_context.close()

    page.get_by_role("link", name="Jejak audit").click()
    expect(page.locator("#audit-table")).to_contain_text("Pengguna dinonaktifkan")
    expect(page.locator("#audit-table")).to_contain_text("Pengguna ditambahkan")


def test_the_head_sees_the_dashboard_charts(page, live_server):
    problems: list[str] = []
    # a failed file shows as a console error without its address: the responses name it (the favicon is not ours)
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, live_server, "kadis")
    expect(page.get_by_role("heading", name="Kegiatan hari ini")).to_be_visible()
    for canvas in ("#flow-chart", "#kecamatan-chart"):
        expect(page.locator(canvas)).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart('flow-chart') && Chart.getChart('kecamatan-chart')")
    datasets = page.evaluate("() => Chart.getChart('flow-chart').data.datasets.map(d => d.label)")
    assert datasets == ["Dokumen didaftarkan", "Kiriman diserahkan", "Kiriman diterima warga", "Kiriman kembali"]
    assert page.evaluate("() => document.getElementById('flow-chart').width") > 0
    page.get_by_text("Tabel angka per hari").click()
    expect(page.locator("#flow-table")).to_be_visible()
    assert problems == []
