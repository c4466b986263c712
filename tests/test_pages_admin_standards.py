"""The time standards per step on the admin's settings page: each step with its default, a change saved through
the office settings with its audit row and seen by the steps report, a blank amount back to the default, bad
values refused at their field with nothing saved, and the page closed to everyone but the admin."""
from __future__ import annotations

import re

import pytest
from test_pages_admin import SETTINGS, audit_rows, field_error
from test_pages_letters import page_as  # noqa: F401  (the fixture)
from test_pages_reports import NOVEMBER, scenario  # noqa: F401  (the fixture)

from distribusi.extensions import db
from distribusi.reports.steps import FLOW_STEPS, standards

# the settings form as the admin leaves it, in the scenario's zone so the report's days stay the same
FORM = {**SETTINGS, "timezone": "Asia/Jakarta",
        **{f"step_standards.{step.key}.unit": step.unit for step in FLOW_STEPS}}
OWN = {"step_standards.accepted.amount": "6", "step_standards.accepted.unit": "working_days",
       "step_standards.handed_over.amount": "0.02"}


def report_rows(reader) -> dict[str, str]:
    """The steps report's rows: the <tr> attributes and the text of each step."""
    html = reader.get(f"/laporan/waktu-langkah{NOVEMBER}").get_data(as_text=True)
    rows = re.findall(r'<tr data-step="(\w+)"([^>]*)>(.*?)</tr>', html, re.S)
    return {key: attributes + " | " + " ".join(re.sub(r"<[^>]+>", " ", cells).split())
            for key, attributes, cells in rows}


@pytest.fixture
def admin(page_as, make_user):  # noqa: F811
    """The admin's pages, forgetting the user Flask-Login keeps in `g` between requests, as the reader's do."""
    return page_as(make_user("admin"))


@pytest.fixture
def kasubbag(page_as, scenario):  # noqa: F811
    return page_as(scenario.people.kasubbag)


def test_the_page_shows_every_step_with_its_default(admin):
    html = admin.get("/admin/pengaturan").get_data(as_text=True)
    assert "Standar waktu per langkah (laporan)" in html
    for step in FLOW_STEPS:
        assert step.label.replace(">", "&gt;") in html
        amount = re.search(rf'<input[^>]*name="step_standards\.{step.key}\.amount"[^>]*>', html, re.S).group(0)
        assert 'value=""' in amount and f'placeholder="{step.standard}"' in amount
        unit = re.search(rf'name="step_standards\.{step.key}\.unit".*?</select>', html, re.S).group(0)
        assert re.search(rf'<option value="{step.unit}" selected>', unit)
    assert "Bawaan: 1 menit (sumber: SOP)." in html and "Bawaan: 3 hari kerja (sumber: Kantor)." in html


def test_a_saved_standard_is_what_the_steps_report_measures_against(admin, office, kasubbag):
    before = report_rows(kasubbag)
    assert "table-danger" in before["accepted"] and "table-danger" not in before["handed_over"]
    assert admin.post("/admin/pengaturan", data=FORM).status_code == 302
    assert admin.post("/admin/pengaturan", data={**FORM, **OWN}).status_code == 302

    db.session.expire_all()
    found = standards(office)
    assert found["accepted"] == {"amount": 6, "unit": "working_days", "source": "Kantor"}
    assert found["handed_over"] == {"amount": 0.02, "unit": "working_days", "source": "Kantor"}
    assert found["registered"] == {"amount": 1, "unit": "minutes", "source": "SOP"}
    assert audit_rows("update_office")[-1].changes == {
        "step_standards.accepted.amount": [None, 6], "step_standards.accepted.unit": [None, "working_days"],
        "step_standards.handed_over.amount": [None, 0.02], "step_standards.handed_over.unit": [None, "working_days"]}

    after = report_rows(kasubbag)  # accepted's p90 of 5,76 working days passes 3, not 6; handed over's 0,04 passes 0,02
    assert "table-danger" not in after["accepted"] and "6 hari kerja Kantor" in after["accepted"]
    assert "table-danger" in after["handed_over"] and "0,02 hari kerja Kantor" in after["handed_over"]
    html = admin.get("/admin/pengaturan").get_data(as_text=True)
    assert re.search(r'name="step_standards\.accepted\.amount"[^>]*value="6"', html, re.S)


def test_a_blank_amount_goes_back_to_the_default(admin, office, kasubbag):
    admin.post("/admin/pengaturan", data=FORM)
    admin.post("/admin/pengaturan", data={**FORM, **OWN})
    assert admin.post("/admin/pengaturan", data={
        **FORM, **OWN, "step_standards.accepted.amount": " "}).status_code == 302
    db.session.expire_all()
    assert standards(office)["accepted"] == {"amount": 3, "unit": "working_days", "source": "Kantor"}
    assert office.settings["step_standards"] == {"handed_over": {"amount": 0.02, "unit": "working_days"}}
    assert audit_rows("update_office")[-1].changes == {
        "step_standards.accepted.amount": [6, None], "step_standards.accepted.unit": ["working_days", None]}
    assert "table-danger" in report_rows(kasubbag)["accepted"]


def test_saving_other_settings_keeps_the_defaults_as_defaults(admin, office):
    admin.post("/admin/pengaturan", data=FORM)
    assert admin.post("/admin/pengaturan", data={**FORM, "name": "Disdukcapil Kota Pekanbaru"}).status_code == 302
    assert list(audit_rows("update_office")[-1].changes) == ["name"]
    db.session.expire_all()
    assert office.settings["step_standards"] == {}
    assert {standard["source"] for standard in standards(office).values()} == {"SOP", "Kantor"}


@pytest.mark.parametrize("field,value,message", [
    ("amount", "0", "Harus lebih dari 0"), ("amount", "-2", "Harus lebih dari 0"),
    ("amount", "dua", "Harus berupa angka."), ("unit", "jam", "Satuan harus menit (minutes) atau hari kerja"),
])
def test_a_bad_standard_is_refused_at_its_field_and_nothing_is_saved(admin, office, field, value, message):
    admin.post("/admin/pengaturan", data=FORM)
    db.session.expire_all()
    before, rows = dict(office.settings), len(audit_rows("update_office"))
    response = admin.post("/admin/pengaturan", data={
        **FORM, "name": "Nama baru", "step_standards.signed.amount": "2", f"step_standards.signed.{field}": value})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_error(html, f"step_standards.signed.{field}")
    assert re.search(rf'name="step_standards\.signed\.{field}"', html)
    db.session.expire_all()
    assert office.settings == before and len(audit_rows("update_office")) == rows


@pytest.mark.parametrize("role", ["kasubbag", "secretary", "head"])
def test_only_the_admin_changes_the_standards(page_as, make_user, office, role):  # noqa: F811
    response = page_as(make_user(role)).post("/admin/pengaturan", data={**FORM, **OWN})
    assert response.status_code == 403
    db.session.expire_all()
    assert "step_standards" not in office.settings and audit_rows("update_office") == []
