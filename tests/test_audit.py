"""Each admin change writes its audit row in the same transaction (who, what, which fields); a failed one none."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from distribusi.admin.models import AuditEntry
from distribusi.auth.models import User
from distribusi.extensions import db
from distribusi.models import CourierPartner, Office

NIP = "196811091989092001"
PASSWORD = "kata-sandi-panjang"
NEW_PASSWORD = "sandi-baru-yang-panjang-99"


def entries_after(last_id: int) -> list[AuditEntry]:
    """The audit rows written after a baseline, oldest first."""
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id)))


def last_entry_id() -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))


@pytest.fixture
def world(office, login_as, make_user):
    """The office's admin (logged in), a clerk to edit, a disabled clerk, and the office's partner."""
    from distribusi.admin.services import update_user

    admin = login_as("admin")
    clerk = make_user("clerk")
    disabled = make_user("clerk")
    update_user(disabled, {"active": False})
    db.session.commit()
    partner_id = db.session.scalar(sa.select(CourierPartner.id).where(CourierPartner.office_id == office.id))
    return {"admin": admin, "office": office, "clerk": clerk, "disabled": disabled, "partner": partner_id,
            "clerk_name": clerk.full_name}


@dataclass(frozen=True)
class Case:
    """One admin call and the single audit row it must write."""

    name: str
    call: Callable[[dict], Any]  # world -> response
    status: int
    action: str
    target_type: str
    target: Callable[[dict, Any], int]  # (world, response) -> the target's id
    changes: Callable[[dict], dict]  # world -> the expected {field: [old, new]}


def _user_body(**overrides) -> dict:
    return {"username": "ani.fo", "password": PASSWORD, "full_name": "Ani Lestari", "role": "clerk", **overrides}


def _created(_world, response) -> int:
    return response.get_json()["id"]


def _clerk(world, _response) -> int:
    return world["clerk"].id


def _office(world, _response) -> int:
    return world["office"].id


def _put(body: dict):
    return lambda w: w["admin"].put("/api/v1/admin/office", json=body)


def _patch_clerk(body: dict, who: str = "clerk"):
    return lambda w: w["admin"].patch(f"/api/v1/admin/users/{w[who].id}", json=body)


CASES = [
    Case("create-partner",
         lambda w: w["admin"].post("/api/v1/admin/courier-partners",
                                   json={"name": "JNE Pekanbaru", "contract_number": "099/PKS/2026",
                                         "contact": "0761"}),
         201, "create_partner", "courier_partner", _created,
         lambda w: {"name": [None, "JNE Pekanbaru"], "contract_number": [None, "099/PKS/2026"],
                    "contact": [None, "0761"]}),
    Case("update-partner",
         lambda w: w["admin"].patch(f"/api/v1/admin/courier-partners/{w['partner']}",
                                    json={"contact": "0761-999", "active": False}),
         200, "update_partner", "courier_partner", lambda w, _r: w["partner"],
         lambda w: {"contact": [None, "0761-999"], "active": [True, False]}),
    Case("create-user", lambda w: w["admin"].post("/api/v1/admin/users", json=_user_body(nip=NIP)),
         201, "create_user", "user", _created,
         lambda w: {"username": [None, "ani.fo"], "full_name": [None, "Ani Lestari"], "role": [None, "clerk"],
                    "nip": [None, NIP], "active": [None, True], "password": [None, "diubah"]}),
    Case("create-courier",
         lambda w: w["admin"].post("/api/v1/admin/users",
                                   json=_user_body(role="courier", courier_partner_id=w["partner"])),
         201, "create_user", "user", _created,
         lambda w: {"username": [None, "ani.fo"], "full_name": [None, "Ani Lestari"], "role": [None, "courier"],
                    "courier_partner_id": [None, w["partner"]], "active": [None, True], "password": [None, "diubah"]}),
    Case("rename-user", _patch_clerk({"full_name": "Dewi Lestari", "nip": NIP}), 200, "update_user", "user", _clerk,
         lambda w: {"full_name": [w["clerk_name"], "Dewi Lestari"], "nip": [None, NIP]}),
    Case("reset-password", _patch_clerk({"password": NEW_PASSWORD}), 200, "reset_password", "user", _clerk,
         lambda w: {"password": [None, "diubah"]}),
    Case("disable-user", _patch_clerk({"active": False}), 200, "disable_user", "user", _clerk,
         lambda w: {"active": [True, False]}),
    Case("enable-user", _patch_clerk({"active": True}, "disabled"), 200, "enable_user", "user",
         lambda w, _r: w["disabled"].id, lambda w: {"active": [False, True]}),
    Case("delivery-policy", _put({"delivery_policy": {"allow_family": False, "allow_other": True}}), 200,
         "update_office", "office", _office,
         lambda w: {"delivery_policy.allow_family": [True, False], "delivery_policy.allow_other": [False, True]}),
    Case("letter-number-format", _put({"letter_number_format": "470/{seq}/DUKCAPIL/{roman_month}/{year}"}), 200,
         "update_office", "office", _office,
         lambda w: {"letter_number_format": ["470/JASA-DUKCAPIL/{seq}/{year}",
                                             "470/{seq}/DUKCAPIL/{roman_month}/{year}"]}),
    Case("officials", _put({"officials": {"head": {"name": "Hj. Irma Novrita", "nip": NIP}}}), 200,
         "update_office", "office", _office,
         lambda w: {"officials.head.name": [None, "Hj. Irma Novrita"], "officials.head.nip": [None, NIP]}),
    Case("letterhead",
         _put({"letterhead": {"government": "PEMERINTAH KOTA PEKANBARU", "agency": "DISDUKCAPIL", "address": "Jl. A"}}),
         200, "update_office", "office", _office,
         lambda w: {"letterhead.government": [None, "PEMERINTAH KOTA PEKANBARU"],
                    "letterhead.agency": [None, "DISDUKCAPIL"], "letterhead.address": [None, "Jl. A"]}),
    Case("base-url-and-timezone", _put({"public_base_url": "https://pku.example.id", "timezone": "Asia/Makassar"}),
         200, "update_office", "office", _office,
         lambda w: {"public_base_url": [None, "https://pku.example.id"],
                    "timezone": ["Asia/Jakarta", "Asia/Makassar"]}),
    Case("office-name", _put({"name": "Disdukcapil Pekanbaru"}), 200, "update_office", "office", _office,
         lambda w: {"name": [w["office"].name, "Disdukcapil Pekanbaru"]}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_admin_change_writes_its_audit_row(world, case):
    before = last_entry_id()
    expected_changes = case.changes(world)
    response = case.call(world)
    assert response.status_code == case.status, response.get_json()
    (entry,) = entries_after(before)
    assert (entry.office_id, entry.actor_id, entry.via) == (world["office"].id, world["admin"].user_id, "app")
    assert (entry.action, entry.target_type, entry.target_id) == (case.action, case.target_type,
                                                                  case.target(world, response))
    assert entry.changes == expected_changes
    assert entry.recorded_at is not None


def test_one_patch_with_several_changes_writes_a_row_for_each(world):
    before = last_entry_id()
    clerk = world["clerk"]
    body = {"full_name": "Dewi Lestari", "password": NEW_PASSWORD, "active": False}
    assert world["admin"].patch(f"/api/v1/admin/users/{clerk.id}", json=body).status_code == 200
    rows = entries_after(before)
    assert [(e.action, e.target_id) for e in rows] == [
        ("update_user", clerk.id), ("reset_password", clerk.id), ("disable_user", clerk.id)]


@pytest.mark.parametrize("call", [
    _put({"letter_number_format": "470/JASA-DUKCAPIL/{seq}/{year}"}),
    _put({}),
    _patch_clerk({"active": True}),
    _patch_clerk({}),
    lambda w: w["admin"].patch(f"/api/v1/admin/courier-partners/{w['partner']}", json={"active": True}),
], ids=["same-format", "empty-put", "already-active", "empty-patch", "partner-already-active"])
def test_a_call_that_changes_nothing_writes_no_row(world, call):
    before = last_entry_id()
    assert call(world).status_code == 200
    assert entries_after(before) == []


def test_passwords_and_their_hashes_never_reach_the_log(world):
    admin = world["admin"]
    created = admin.post("/api/v1/admin/users", json=_user_body()).get_json()
    admin.patch(f"/api/v1/admin/users/{created['id']}", json={"password": NEW_PASSWORD})
    user = db.session.get(User, created["id"])
    stored = json.dumps([e.changes for e in entries_after(0)])
    listed = json.dumps(admin.get("/api/v1/admin/audit?per_page=500").get_json())
    for text in (stored, listed):
        for secret in (PASSWORD, NEW_PASSWORD, user.password_hash, "$argon2", "password_hash"):
            assert secret not in text
    assert '"password": [null, "diubah"]' in stored


FAILURES = [
    ("bad-user-422", lambda w: w["admin"].post("/api/v1/admin/users", json=_user_body(password="pendek")), 422),
    ("duplicate-username-409",
     lambda w: w["admin"].post("/api/v1/admin/users", json=_user_body(username=w["clerk"].username)), 409),
    ("courier-without-partner",
     lambda w: w["admin"].post("/api/v1/admin/users", json=_user_body(role="courier")), (409, 422)),
    ("clerk-with-partner",
     lambda w: w["admin"].post("/api/v1/admin/users", json=_user_body(courier_partner_id=w["partner"])),
     (409, 422)),
    ("bad-partner-422", lambda w: w["admin"].post("/api/v1/admin/courier-partners", json={"name": "JNE"}), 422),
    ("empty-partner-name-422",
     lambda w: w["admin"].patch(f"/api/v1/admin/courier-partners/{w['partner']}", json={"name": "", "active": False}),
     422),
    ("unknown-partner-404",
     lambda w: w["admin"].patch("/api/v1/admin/courier-partners/2147483647", json={"active": False}), 404),
    ("short-password-422", _patch_clerk({"password": "pendek"}), 422),
    ("empty-name-422", _patch_clerk({"full_name": ""}), 422),
    ("role-change-422", _patch_clerk({"role": "admin"}), 422),
    ("half-bad-patch-422", _patch_clerk({"full_name": "Nama Baru", "active": "mungkin"}), 422),
    ("unknown-user-404", lambda w: w["admin"].patch("/api/v1/admin/users/2147483647", json={"active": False}), 404),
    ("bad-format-422", _put({"letter_number_format": "470/{year}", "name": "Nama Baru"}), 422),
    ("bad-timezone-422", _put({"timezone": "Europe/Berlin"}), 422),
]


@pytest.mark.parametrize("name,call,status", FAILURES, ids=[f[0] for f in FAILURES])
def test_a_refused_admin_call_writes_no_row(world, name, call, status):
    before = last_entry_id()
    response = call(world)
    assert response.status_code in (status if isinstance(status, tuple) else (status,)), response.get_json()
    assert entries_after(before) == []


def test_another_offices_user_or_partner_is_not_found_and_not_logged(world, make_user, other_office):
    theirs = make_user("clerk", other_office)
    their_partner = db.session.scalar(sa.select(CourierPartner.id).where(CourierPartner.office_id == other_office.id))
    before = last_entry_id()
    for path in (f"/api/v1/admin/users/{theirs.id}", f"/api/v1/admin/courier-partners/{their_partner}"):
        assert world["admin"].patch(path, json={"active": False}).status_code == 404
    assert entries_after(before) == []
    assert db.session.get(User, theirs.id).active and db.session.get(CourierPartner, their_partner).active


ADMIN_ARGS = ["create-admin", "--office-code", "KTB", "--office-name", "Dinas Dukcapil Kota Kotabaru",
              "--username", "root"]


def test_create_admin_logs_the_office_and_the_admin_with_no_actor(runner, monkeypatch):
    monkeypatch.setenv("DISTRIBUSI_ADMIN_PASSWORD", "admin-rahasia-123")
    assert runner.invoke(args=ADMIN_ARGS).exit_code == 0
    office = db.session.scalar(sa.select(Office).where(Office.code == "KTB"))
    root = db.session.scalar(sa.select(User).where(User.username == "root"))
    rows = entries_after(0)
    assert [(e.action, e.target_type, e.target_id, e.actor_id, e.via, e.office_id) for e in rows] == [
        ("create_office", "office", office.id, None, "cli", office.id),
        ("create_user", "user", root.id, None, "cli", office.id),
    ]
    assert rows[0].changes["code"] == [None, "KTB"]
    assert rows[0].changes["letter_number_format"] == [None, "470/JASA-DUKCAPIL/{seq}/{year}"]
    assert rows[1].changes["role"] == [None, "admin"] and rows[1].changes["password"] == [None, "diubah"]
    assert "admin-rahasia-123" not in json.dumps([e.changes for e in rows])

    before = last_entry_id()
    assert runner.invoke(args=ADMIN_ARGS).exit_code == 1  # the name is taken: nothing written
    second = runner.invoke(args=[*ADMIN_ARGS[:-1], "root2"])  # the office exists: only the user is new
    assert second.exit_code == 0, second.output
    assert [e.action for e in entries_after(before)] == ["create_user"]


def test_the_log_is_append_only(world):
    old_name = world["office"].name
    world["admin"].put("/api/v1/admin/office", json={"name": "Nama Baru"})
    entry = entries_after(0)[-1]
    entry.changes = {}
    with pytest.raises(TypeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(TypeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).changes == {"name": [old_name, "Nama Baru"]}
