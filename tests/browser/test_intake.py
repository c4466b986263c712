"""The clerk's document desk in a real browser: a bad file refused row by row, then the day's file imported."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from distribusi.demo import document_rows, write_csv
from tests.browser.support import log_in


def document_count(server) -> int:
    from distribusi.extensions import db
    from distribusi.intake.models import Document

    with server.app.app_context():
        return db.session.scalar(select(func.count()).select_from(Document))


def test_clerk_sees_a_bad_file_refused_row_by_row_then_imports_the_good_one(page, live_server, tmp_path):
    rows = list(document_rows(20, seed=77, prefix="WEB"))
    bad_rows = [dict(row) for row in rows]
    bad_rows[2]["nik"] = "12345"
    bad_rows[9]["postal_code"] = "abc"
    bad = tmp_path / "salah.csv"
    good = tmp_path / "hari-ini.csv"
    write_csv(str(bad), bad_rows)
    write_csv(str(good), rows)
    before = document_count(live_server)

    log_in(page, live_server, "fo")
    page.get_by_role("link", name="Impor", exact=True).click()
    page.get_by_label("Berkas CSV atau XLSX").set_input_files(str(bad))
    page.get_by_role("button", name="Impor").click()

    expect(page.get_by_role("alert")).to_contain_text("2 baris bermasalah; tidak ada yang diimpor.")
    table = page.locator("#row-errors")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").nth(0)).to_contain_text("4")
    expect(table.locator("tbody tr").nth(0)).to_contain_text("nik")
    expect(table.locator("tbody tr").nth(1)).to_contain_text("11")
    expect(table.locator("tbody tr").nth(1)).to_contain_text("postal_code")
    assert document_count(live_server) == before

    page.get_by_label("Berkas CSV atau XLSX").set_input_files(str(good))
    page.get_by_role("button", name="Impor").click()
    page.wait_for_url(re.compile(r".*/dokumen\?status=registered$"))
    expect(page.get_by_text("20 dokumen diimpor.")).to_be_visible()
    assert document_count(live_server) == before + 20
    expect(page.get_by_role("cell", name=rows[-1]["doc_number"], exact=True)).to_be_visible()

    page.get_by_label("Cari").fill(rows[0]["nik"])
    page.get_by_role("button", name="Saring").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_role("cell", name=rows[0]["doc_number"], exact=True)).to_be_visible()


def test_a_file_past_the_upload_limit_is_stopped_in_the_browser(page, live_server, tmp_path):
    big = tmp_path / "besar.csv"
    write_csv(str(big), list(document_rows(40, seed=78, prefix="BIG")))
    live_server.app.config["MAX_CONTENT_LENGTH"] = 4096
    before = document_count(live_server)
    log_in(page, live_server, "fo")
    page.goto(f"{live_server.url}/dokumen/impor")
    field = page.get_by_label("Berkas CSV atau XLSX")
    field.set_input_files(str(big))
    page.get_by_role("button", name="Impor").click()
    assert "terlalu besar" in field.evaluate("input => input.validationMessage")
    expect(page.get_by_role("button", name="Impor")).to_be_enabled()
    assert page.url.endswith("/dokumen/impor") and document_count(live_server) == before
