"""The report pages in a real browser: the Kasubbag opens last month's reports, sees the chart drawn, and the
print link answers with a PDF."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.support import log_in


def test_kasubbag_reads_the_reports(page, live_server):
    errors: list[str] = []
    page.on("response", lambda response: errors.append(response.url) if response.status >= 400 else None)
    log_in(page, live_server, "kasubbag")
    page.get_by_role("link", name="Laporan").first.click()
    page.get_by_role("link", name="Laporan pengiriman dokumen").click()
    expect(page.get_by_role("heading", name="Laporan Pengiriman Dokumen Kependudukan")).to_be_visible()
    page.get_by_role("link", name="Bulan ini").click()
    expect(page.locator("#totals")).to_be_visible()
    chart = page.locator("#report-chart")
    expect(chart).to_be_visible()
    page.wait_for_function("document.getElementById('report-chart').width > 0")
    with page.expect_response(lambda r: "/api/v1/reports/deliveries.pdf" in r.url) as answer:
        page.evaluate("url => fetch(url)", page.get_by_role("link", name="Cetak (PDF)").get_attribute("href"))
    assert answer.value.status == 200 and answer.value.headers["content-type"] == "application/pdf"
    page.get_by_role("link", name="Kinerja mitra kurir").click()
    expect(page.locator("#scorecard")).to_be_visible()
    page.get_by_role("link", name="Waktu per langkah").click()
    expect(page.locator("#steps")).to_be_visible()
    page.screenshot(path="test-results/reports-steps.png", full_page=True)
    assert errors == []
