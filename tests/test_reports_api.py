"""The reports' API: the shapes the issue fixes, the papers (PDF text, XLSX numbers), who may read them, offices."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from test_printing_support import pdf_text
from test_reports_data import build_scenario

from distribusi.auth.services import issue_token
from distribusi.extensions import db

NOVEMBER = "?from=2026-11-01&to=2026-11-30"
PARTNER_KEYS = {"courier_partner_id", "name", "handed_over", "accepted", "delivered", "first_attempt_delivered",
                "failed_attempts", "returned", "missing", "median_days_to_deliver", "p90_days_to_deliver"}


@pytest.fixture
def scenario(app, office, documents):
    return build_scenario(office, documents)


@pytest.fixture
def kasubbag(client, scenario):
    raw, _token = issue_token(scenario.people.kasubbag)
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_couriers_shape(client, kasubbag, scenario):
    body = client.get(f"/api/v1/reports/couriers{NOVEMBER}", headers=kasubbag).get_json()
    assert body["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    rows = {row["courier_partner_id"]: row for row in body["partners"]}
    assert PARTNER_KEYS <= set(rows[scenario.partner_a])
    assert (rows[scenario.partner_a]["handed_over"], rows[scenario.partner_a]["missing"],
            rows[scenario.partner_a]["median_days_to_deliver"]) == (5, 1, 7.0)
    assert rows[scenario.partner_b]["first_attempt_delivered"] == 1


def test_deliveries_and_steps(client, kasubbag):
    body = client.get(f"/api/v1/reports/deliveries{NOVEMBER}", headers=kasubbag).get_json()
    assert body["totals"]["parcels"]["still_out"] == 2 and body["totals"]["documents"]["registered"] == 14
    steps = client.get(f"/api/v1/reports/steps{NOVEMBER}", headers=kasubbag).get_json()["steps"]
    assert [row["key"] for row in steps] == ["registered", "in_recap", "submitted", "letter_issued", "signed",
                                             "handed_over", "accepted"]


def test_bad_period_is_422(client, kasubbag):
    response = client.get("/api/v1/reports/deliveries?from=2026-11-30&to=2026-11-01", headers=kasubbag)
    assert response.status_code == 422
    assert "to" in response.get_json()["error"]["fields"]
    assert client.get("/api/v1/reports/couriers?from=kemarin", headers=kasubbag).status_code == 422


def test_pdfs_hold_the_figures(client, kasubbag):
    text = pdf_text(client.get(f"/api/v1/reports/deliveries.pdf{NOVEMBER}", headers=kasubbag).data)
    assert "LAPORAN PENGIRIMAN DOKUMEN KEPENDUDUKAN" in text
    assert "1 November 2026 s.d. 30 November 2026" in text
    assert "Masih di kurir (akhir periode) 2 4" in text and "Terdaftar - 14" in text
    assert "Penerima pindah alamat 1 2" in text
    text = pdf_text(client.get(f"/api/v1/reports/couriers.pdf{NOVEMBER}", headers=kasubbag).data)
    assert "PT Pos Indonesia 5 4 1,00 3 60,00 2 66,67 7,00 17,30 2 1 1" in text
    text = pdf_text(client.get(f"/api/v1/reports/steps.pdf{NOVEMBER}", headers=kasubbag).data)
    assert "Diterima kurir → diterima warga 3 0,96 5,76 3 hari kerja" in text


def test_xlsx_cells_are_numbers(client, kasubbag):
    response = client.get(f"/api/v1/reports/couriers.xlsx{NOVEMBER}", headers=kasubbag)
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=6, values_only=True) if row[0]}
    assert rows["PT Pos Indonesia"][1:5] == (5, 4, 1.0, 3)
    assert rows["PT Pos Indonesia"][8] == 7.0 and rows["PT Pos Indonesia"][9] == pytest.approx(17.3)
    assert all(isinstance(value, int | float) for value in rows["PT Pos Indonesia"][1:15] if value is not None)
    response = client.get(f"/api/v1/reports/deliveries.xlsx{NOVEMBER}", headers=kasubbag)
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    figures = {row[0]: row[1:3] for row in sheet.iter_rows(min_row=6, values_only=True)}
    assert figures["Diserahkan ke kurir"] == (7, 14)
    assert figures["Terdaftar"] == (None, 14)


@pytest.mark.parametrize("role,status", [("courier", 403), ("clerk", 403), ("operator", 403), ("kasubbag", 200),
                                         ("secretary", 200), ("head", 200), ("kabid", 200), ("kasi", 200),
                                         ("admin", 200)])
def test_who_may_read_reports(login_as, role, status):
    api = login_as(role)
    for path in ("deliveries", "couriers", "steps", "couriers.pdf", "deliveries.xlsx"):
        assert api.get(f"/api/v1/reports/{path}{NOVEMBER}").status_code == status, path


def test_another_office_sees_only_its_own(client, scenario, other_office, login_as):
    api = login_as("kasubbag", other_office)
    body = api.get(f"/api/v1/reports/deliveries{NOVEMBER}").get_json()
    assert body["totals"]["parcels"]["handed_over"] == 0 and body["by_partner"] == []
    partners = api.get(f"/api/v1/reports/couriers{NOVEMBER}").get_json()["partners"]
    assert [row["name"] for row in partners] == ["PT Pos Metro"] and partners[0]["handed_over"] == 0



def test_standards_are_set_through_the_office_settings(client, login_as, scenario):
    from distribusi.admin.schemas import STEP_STANDARD_KEYS
    from distribusi.reports.steps import FLOW_STEPS

    assert STEP_STANDARD_KEYS == tuple(step.key for step in FLOW_STEPS)
    admin = login_as("admin")
    bad = admin.put("/api/v1/admin/office", json={"step_standards": {"accepted": {"amount": 0, "unit": "hari"}}})
    assert bad.status_code == 422
    response = admin.put("/api/v1/admin/office",
                         json={"step_standards": {"accepted": {"amount": 6, "unit": "working_days"}}})
    assert response.status_code == 200, response.get_json()
    steps = {row["key"]: row for row in admin.get(f"/api/v1/reports/steps{NOVEMBER}").get_json()["steps"]}
    assert steps["accepted"]["standard"] == 6 and steps["accepted"]["standard_source"] == "Kantor"
    assert not steps["accepted"]["p90_over"]


def test_sheet_takes_names_with_control_characters(client, kasubbag, scenario):
    from distribusi.models import CourierPartner

    db.session.get(CourierPartner, scenario.partner_b).name = "PT Kilat\x01 Ekspres"
    db.session.commit()
    response = client.get(f"/api/v1/reports/couriers.xlsx{NOVEMBER}", headers=kasubbag)
    assert response.status_code == 200
    names = [row[0] for row in load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows(min_row=6, values_only=True)]
    assert "PT Kilat Ekspres" in names
