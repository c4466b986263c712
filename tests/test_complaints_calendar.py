"""The admin's working-day calendar (national days off, office days off and working days, days per complaint level):
changes go through the audited office settings and move complaint due times."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

import distribusi.web  # noqa: F401  (first: importing distribusi.recap first trips main's circular import)
from distribusi.admin.models import AuditEntry
from distribusi.complaints import services
from distribusi.extensions import db
from distribusi.workdays import is_working_day

PASSWORD = "rahasia-sekali-123"
FRIDAY_AFTERNOON = datetime(2026, 8, 14, 8, 0)


def page_client(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def admin(app, make_user):
    user = make_user("admin")
    return user, page_client(app, user)


@pytest.mark.parametrize("role,status", [("admin", 200), ("operator", 403), ("kasi", 403), ("clerk", 403)])
def test_only_the_admin_opens_the_calendar(app, make_user, role, status):
    assert page_client(app, make_user(role)).get("/admin/kalender?tahun=2026").status_code == status


def test_national_days_are_listed(admin):
    _user, client = admin
    html = client.get("/admin/kalender?tahun=2026").get_data(as_text=True)
    assert "17 Agustus 2026" in html and "Kemerdekaan" in html
    assert client.get("/admin/kalender?tahun=abc").status_code == 200


def test_add_and_remove_days_are_audited_and_counted(app, admin, make_user):
    user, client = admin
    office = user.office
    before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    answer = client.post("/admin/kalender/tambah?tahun=2026", data={"kind": "days_off", "date": "2026-08-18",
                                                                    "name": "Rapat kerja"})
    assert answer.status_code == 302
    db.session.refresh(office)
    assert not is_working_day(office, date(2026, 8, 18))
    assert client.post("/admin/kalender/tambah", data={"kind": "work_days", "date": "2026-08-17"}).status_code == 302
    db.session.refresh(office)
    assert is_working_day(office, date(2026, 8, 17))
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == before + 2
    html = client.get("/admin/kalender?tahun=2026").get_data(as_text=True)
    assert "Rapat kerja" in html and "Tetap bekerja" in html
    operator = make_user("operator")
    complaint = services.register_complaint(operator, {"channel": "walk_in", "complainant_name": "Budi",
                                                       "contact": "081234567890", "description": "Tanya KTP"},
                                            now=FRIDAY_AFTERNOON)
    assert complaint.due_at == datetime(2026, 8, 17, 16, 59, 59)  # the holiday is a working day now
    assert client.post("/admin/kalender/hapus", data={"kind": "work_days", "date": "2026-08-17"}).status_code == 302
    db.session.refresh(office)
    assert not is_working_day(office, date(2026, 8, 17))
    assert client.post("/admin/kalender/hapus", data={"kind": "work_days", "date": "2026-08-17"}).status_code == 422


def test_bad_calendar_input_is_refused(admin):
    _user, client = admin
    assert client.post("/admin/kalender/tambah", data={"kind": "days_off", "date": "32-13-2026"}).status_code == 422
    assert client.post("/admin/kalender/tambah", data={"kind": "nope", "date": "2026-01-02"}).status_code == 422
    assert client.post("/admin/kalender/pengaduan", data={"complaint_level_days": "0"}).status_code == 422
    assert client.post("/admin/kalender/pengaduan", data={"complaint_level_days": ""}).status_code == 422


def test_days_per_level(app, admin, make_user):
    user, client = admin
    assert client.post("/admin/kalender/pengaduan", data={"complaint_level_days": "2"}).status_code == 302
    db.session.refresh(user.office)
    assert services.level_days(user.office) == 2
