"""Commands: create-admin, demo-data and custody verify."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from distribusi.auth.models import Role, User
from distribusi.extensions import db
from distribusi.models import CourierPartner, Office

ADMIN_ARGS = ["create-admin", "--office-code", "KTB", "--office-name", "Dinas Dukcapil Kota Kotabaru", "--username",
              "root"]


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_create_admin_makes_an_office_and_an_admin_who_can_log_in(runner, client, monkeypatch):
    monkeypatch.setenv("DISTRIBUSI_ADMIN_PASSWORD", "admin-rahasia-123")
    result = runner.invoke(args=ADMIN_ARGS)
    assert result.exit_code == 0, result.output
    assert "root" in result.output and "KTB" in result.output

    office = db.session.scalar(sa.select(Office).where(Office.code == "KTB"))
    assert office.name == "Dinas Dukcapil Kota Kotabaru"
    assert "{seq}" in office.settings["letter_number_format"]
    user = db.session.scalar(sa.select(User).where(User.username == "root"))
    assert (user.role, user.office_id, user.active) == (Role.admin, office.id, True)

    response = client.post("/api/v1/auth/token", json={"username": "root", "password": "admin-rahasia-123"})
    assert response.status_code == 201
    assert (response.get_json()["role"], response.get_json()["office"]) == ("admin", "KTB")


def test_create_admin_reuses_an_existing_office_and_refuses_a_taken_name(runner, monkeypatch):
    monkeypatch.setenv("DISTRIBUSI_ADMIN_PASSWORD", "admin-rahasia-123")
    assert runner.invoke(args=ADMIN_ARGS).exit_code == 0
    second = runner.invoke(args=[*ADMIN_ARGS[:-1], "root2"])
    assert second.exit_code == 0, second.output
    assert _count(Office) == 1 and _count(User) == 2

    again = runner.invoke(args=ADMIN_ARGS)
    assert again.exit_code == 1
    assert "sudah dipakai" in again.output
    assert _count(User) == 2


def test_create_admin_prompts_for_the_password(runner, client, monkeypatch):
    monkeypatch.delenv("DISTRIBUSI_ADMIN_PASSWORD", raising=False)
    result = runner.invoke(args=ADMIN_ARGS, input="dari-prompt-123\ndari-prompt-123\n")
    assert result.exit_code == 0, result.output
    response = client.post("/api/v1/auth/token", json={"username": "root", "password": "dari-prompt-123"})
    assert response.status_code == 201


def test_create_admin_refuses_a_short_password(runner, monkeypatch):
    monkeypatch.setenv("DISTRIBUSI_ADMIN_PASSWORD", "pendek")
    result = runner.invoke(args=ADMIN_ARGS)
    assert result.exit_code == 1
    assert "minimal 10 karakter" in result.output
    assert _count(User) == 0 and _count(Office) == 0


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    return result


def test_demo_data_loads_offices_every_role_and_documents_in_several_states(demo, client):
    from distribusi.demo_data import DEMO_USERS

    assert "Data demo dimuat." in demo.output
    assert {o.code for o in db.session.scalars(sa.select(Office))} == {"PKU", "MET"}
    pku = db.session.scalar(sa.select(Office).where(Office.code == "PKU"))
    roles = set(db.session.scalars(sa.select(User.role).where(User.office_id == pku.id)))
    assert roles == set(Role)
    assert _count(CourierPartner) == 2
    courier = db.session.scalar(sa.select(User).where(User.role == Role.courier))
    assert courier.courier_partner.office_id == courier.office_id

    for username, _name, role, office_code in DEMO_USERS:
        line = next(line for line in demo.output.splitlines() if line.strip().startswith(username + " "))
        assert role in line and office_code in line and "demo12345" in line
    response = client.post("/api/v1/auth/token", json={"username": "kurir", "password": "demo12345"})
    assert response.status_code == 201 and response.get_json()["role"] == "courier"

    from distribusi.intake.models import Document
    from distribusi.recap.models import Recap

    states = set(db.session.scalars(sa.select(Document.status).distinct()))
    assert {s.value for s in states} == {"registered", "needs_fix", "in_recap"}
    assert {r.status.value for r in db.session.scalars(sa.select(Recap))} >= {"draft", "submitted"}


def test_demo_data_twice_does_not_duplicate(demo, runner):
    from distribusi.custody import CustodyEvent
    from distribusi.intake.models import Document

    counts = {model: _count(model) for model in (Office, User, Document, CustodyEvent)}
    again = runner.invoke(args=["demo-data"])
    assert again.exit_code == 0, again.output
    assert "sudah ada" in again.output and "kurir" in again.output
    assert {model: _count(model) for model in counts} == counts


def test_custody_verify_passes_after_demo_data(demo, runner):
    from distribusi.custody import CustodyEvent

    result = runner.invoke(args=["custody", "verify"])
    assert result.exit_code == 0, result.output
    assert f"{_count(CustodyEvent)} event" in result.output


def test_custody_verify_on_an_empty_database(runner):
    result = runner.invoke(args=["custody", "verify"])
    assert result.exit_code == 0 and "0 event" in result.output
