"""The report pages: the figures of the hand-worked data, the chart's data, the links to the papers, who may see
them, and a bad period refused in Indonesian."""
from __future__ import annotations

import json
import re

import pytest
from test_reports_data import PASSWORD, build_scenario

NOVEMBER = "?from=2026-11-01&to=2026-11-30"
PAGES = ("/laporan/", "/laporan/pengiriman", "/laporan/kurir", "/laporan/waktu-langkah")


def _log_in(client, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def scenario(app, office, documents):
    return build_scenario(office, documents)


def _row(html: str, marker: str) -> str:
    match = re.search(rf"<tr {marker}[^>]*>(.*?)</tr>", html, re.S)
    assert match, marker
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_delivery_page(client, scenario):
    _log_in(client, scenario.people.kasubbag)
    html = client.get(f"/laporan/pengiriman{NOVEMBER}").get_data(as_text=True)
    assert "1 November 2026 s.d. 30 November 2026" in html
    assert _row(html, 'data-figure="still_out"') == "Masih di kurir (akhir periode) 2 4"
    assert _row(html, 'data-figure="registered"') == "Terdaftar - 14"
    assert _row(html, 'data-reason="moved"') == "Penerima pindah alamat 1 2"
    assert f"/api/v1/reports/deliveries.pdf{NOVEMBER.replace('&', '&amp;')}" in html
    chart = json.loads(re.search(r"data-chart='([^']*)'", html).group(1).replace("&#34;", '"'))
    assert chart["labels"][0] == "Tampan" and chart["series"]["Diserahkan ke kurir"][0] == 3


def test_courier_page(client, scenario):
    _log_in(client, scenario.people.kasubbag)
    html = client.get(f"/laporan/kurir{NOVEMBER}").get_data(as_text=True)
    row = _row(html, f'data-partner="{scenario.partner_a}"')
    assert row.startswith("PT Pos Indonesia 5 4 1,00 3 60,0% 2 66,7% 7,00 17,30 2 1 1")
    assert "Penerima tidak di tempat" in html
    assert "/api/v1/reports/couriers.xlsx" in html


def test_steps_page_marks_steps_over_the_standard(client, scenario):
    _log_in(client, scenario.people.kasubbag)
    html = client.get(f"/laporan/waktu-langkah{NOVEMBER}").get_data(as_text=True)
    accepted = re.search(r'<tr data-step="accepted"([^>]*)>(.*?)</tr>', html, re.S)
    assert 'class="table-danger"' in accepted.group(1)  # its p90 (5,76 working days) passes 3
    assert "5,76 melebihi" in " ".join(re.sub(r"<[^>]+>", " ", accepted.group(2)).split())
    handed = re.search(r'<tr data-step="handed_over"([^>]*)>', html)
    assert "table-danger" not in handed.group(1)


def test_bad_period_is_refused_in_indonesian(client, scenario):
    _log_in(client, scenario.people.kasubbag)
    response = client.get("/laporan/pengiriman?from=2026-11-30&to=2026-11-01")
    assert response.status_code == 422
    assert "Tanggal akhir tidak boleh sebelum tanggal awal." in response.get_data(as_text=True)


@pytest.mark.parametrize("role,allowed", [("kasubbag", True), ("secretary", True), ("head", True), ("kabid", True),
                                          ("kasi", True), ("admin", True), ("clerk", False), ("operator", False),
                                          ("courier", False)])
def test_who_may_open_the_pages(client, make_user, role, allowed):
    _log_in(client, make_user(role))
    for path in PAGES:
        assert client.get(path).status_code == (200 if allowed else 403), path
    home = client.get("/").get_data(as_text=True) if role != "courier" else ""
    assert ('href="/laporan/"' in home) is allowed


def test_pages_need_a_login(client):
    for path in PAGES:
        assert client.get(path).status_code == 302


def test_another_office_sees_none_of_it(client, scenario, other_office, make_user):
    _log_in(client, make_user("kasubbag", other_office))
    html = client.get(f"/laporan/pengiriman{NOVEMBER}").get_data(as_text=True)
    assert _row(html, 'data-figure="handed_over"') == "Diserahkan ke kurir 0 0"
    html = client.get(f"/laporan/kurir{NOVEMBER}").get_data(as_text=True)
    assert "PT Pos Indonesia" not in html and "PT Pos Metro" in html
