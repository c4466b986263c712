"""The frame in a real browser: log in, the menu of one's role, change the password, log out."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.support import log_in


def test_clerk_logs_in_sees_the_menu_and_logs_out(page, live_server):
    log_in(page, live_server, "fo")
    expect(page.get_by_role("link", name="Beranda")).to_be_visible()
    expect(page.get_by_text("Dewi Lestari")).to_be_visible()
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/login")
    expect(page.get_by_text("Anda telah keluar.")).to_be_visible()


def test_wrong_password_is_refused_in_indonesian(page, live_server):
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Nama pengguna").fill("fo")
    page.get_by_label("Kata sandi").fill("salah-sekali")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("alert")).to_have_text("Nama pengguna atau kata sandi salah.")


def test_change_password_from_the_keyboard(page, live_server):
    log_in(page, live_server, "sekretaris")
    page.get_by_role("link", name="Drs. Ahmad Fauzi, M.Si").click()
    page.get_by_label("Kata sandi sekarang").fill("demo12345")
    page.keyboard.press("Tab")
    page.keyboard.type("kata-sandi-baru-99")
    page.get_by_label("Ulangi kata sandi baru").fill("kata-sandi-baru-99")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Kata sandi sudah diganti.")).to_be_visible()
    page.get_by_role("button", name="Keluar").click()
    log_in(page, live_server, "sekretaris", "kata-sandi-baru-99")


def test_the_pages_load_no_file_from_another_site(page, live_server):
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url))
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text
            else None)
    log_in(page, live_server, "fo")
    page.reload()
    assert outside == [] and violations == []
