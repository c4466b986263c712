"""Role × endpoint: who may call each API route, authentication, and office isolation."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import pytest

from distribusi.auth.models import Role
from distribusi.auth.permissions import PERMISSIONS, can
from distribusi.demo import as_api_payload, document_rows
from distribusi.intake.importer import COLUMNS

ROLES = [role.value for role in Role]
STAFF = frozenset(ROLES) - {"courier"}
CLERK = frozenset({"clerk"})
ADMIN = frozenset({"admin"})
EVERYONE = frozenset(ROLES)


def _csv_upload() -> dict:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(document_rows(2, seed=81, prefix="IMP"))
    return {"file": (io.BytesIO(out.getvalue().encode()), "harian.csv")}


@dataclass(frozen=True)
class Endpoint:
    method: str
    rule: str  # as registered in Flask
    verb: str
    roles: frozenset  # who may call it, per DESIGN.md §7
    ok: int  # the status an allowed caller gets with a good request
    body: Any = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule}"


ENDPOINTS = [
    Endpoint("POST", "/api/v1/documents", "register_documents", CLERK, 201,
             lambda w: {"json": as_api_payload(next(document_rows(1, seed=80, prefix="NEW")))}),
    Endpoint("POST", "/api/v1/documents/import", "register_documents", CLERK, 201,
             lambda w: {"data": _csv_upload(), "content_type": "multipart/form-data"}),
    Endpoint("GET", "/api/v1/documents", "view_documents", STAFF, 200),
    Endpoint("GET", "/api/v1/documents/<int:document_id>", "view_documents", STAFF, 200),
    Endpoint("POST", "/api/v1/documents/<int:document_id>/flag", "flag_documents", CLERK, 200,
             lambda w: {"json": {"reason": "data_error", "note": "Nama salah ketik"}}),
    Endpoint("POST", "/api/v1/documents/<int:document_id>/resolve", "flag_documents", CLERK, 200),
    Endpoint("POST", "/api/v1/recaps", "create_recaps", CLERK, 201,
             lambda w: {"json": {"document_ids": [w["document"]]}}),
    Endpoint("GET", "/api/v1/recaps/<int:recap_id>", "view_recaps", STAFF, 200),
    Endpoint("POST", "/api/v1/recaps/<int:recap_id>/submit", "submit_recaps", CLERK, 200),
    Endpoint("POST", "/api/v1/admin/courier-partners", "administer", ADMIN, 201,
             lambda w: {"json": {"name": "JNE Pekanbaru", "contract_number": "099/PKS/2026"}}),
    Endpoint("GET", "/api/v1/admin/courier-partners", "view_recaps", STAFF, 200),
    Endpoint("PATCH", "/api/v1/admin/courier-partners/<int:partner_id>", "administer", ADMIN, 200,
             lambda w: {"json": {"contact": "0761-999"}}),
    Endpoint("POST", "/api/v1/admin/users", "administer", ADMIN, 201,
             lambda w: {"json": {"username": "pengguna.baru", "password": "kata-sandi-panjang", "full_name": "Baru",
                                 "role": "operator"}}),
    Endpoint("GET", "/api/v1/admin/users", "administer", ADMIN, 200),
    Endpoint("PATCH", "/api/v1/admin/users/<int:user_id>", "administer", ADMIN, 200,
             lambda w: {"json": {"full_name": "Nama Baru"}}),
    Endpoint("GET", "/api/v1/admin/office", "administer", ADMIN, 200),
    Endpoint("GET", "/api/v1/admin/audit", "administer", ADMIN, 200),
    Endpoint("PUT", "/api/v1/admin/office", "administer", ADMIN, 200,
             lambda w: {"json": {"public_base_url": "https://distribusi.pekanbaru.go.id"}}),
    Endpoint("POST", "/api/v1/auth/revoke", "revoke_own_tokens", EVERYONE, 200),
]
PUBLIC = {("GET", "/api/v1/openapi.json"), ("POST", "/api/v1/auth/token")}


def _path(endpoint: Endpoint, world: dict) -> str:
    rule = endpoint.rule.replace("<int:user_id>", str(world["user"])).replace("<int:recap_id>", str(world["recap"]))
    rule = rule.replace("<int:partner_id>", str(world["partner"]))
    target = world["flagged"] if endpoint.rule.endswith("/resolve") else world["document"]
    return rule.replace("<int:document_id>", str(target))


def _call(api, endpoint: Endpoint, world: dict):
    kwargs = endpoint.body(world) if endpoint.body else {}
    return getattr(api, endpoint.method.lower())(_path(endpoint, world), **kwargs)


@pytest.fixture
def world(office, make_user, documents):
    """A registered document, a flagged one, a draft recap and a user to edit, all of the test office."""
    from distribusi.admin.services import list_partners
    from distribusi.extensions import db
    from distribusi.intake.services import flag_document
    from distribusi.recap.services import create_recap

    clerk = make_user("clerk")
    document, flagged, packed = documents(clerk, 3, seed=82)
    flag_document(clerk, flagged, "unsigned", None)
    recap = create_recap(clerk, [packed.id])
    db.session.commit()
    return {"document": document.id, "flagged": flagged.id, "recap": recap.id, "user": clerk.id,
            "partner": list_partners(office)[0].id}


def _api_rules(app) -> dict[tuple[str, str], str | None]:
    found = {}
    for rule in app.url_map.iter_rules():
        meta = getattr(app.view_functions[rule.endpoint], "__openapi__", None)
        if rule.rule.startswith("/api/") and meta is not None:
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                found[(method, rule.rule)] = meta["verb"]
    return found


# Route families this table covers completely; later stages (letters, handover, scans, ...) have their own tests.
COVERED = ("/api/v1/documents", "/api/v1/admin/", "/api/v1/auth/", "/api/v1/recaps",
           "/api/v1/recaps/<int:recap_id>", "/api/v1/recaps/<int:recap_id>/submit")


def _covered(rule: str) -> bool:
    return rule in COVERED or rule.startswith(tuple(p for p in COVERED if p.endswith("/") or p == "/api/v1/documents"))


def test_the_table_matches_the_routes_and_the_permission_table(app):
    routes = _api_rules(app)
    table = {(e.method, e.rule): e for e in ENDPOINTS}
    missing = sorted(key for key, verb in routes.items() if verb is not None and _covered(key[1]) and key not in table)
    assert missing == [], "API routes without a row in the role × endpoint table"
    for key, endpoint in table.items():
        assert key in routes, f"{endpoint.id} is not routed"
        assert routes[key] == endpoint.verb, endpoint.id
        assert PERMISSIONS[endpoint.verb] == {Role(r) for r in endpoint.roles}, endpoint.id
    assert PUBLIC <= {key for key, verb in routes.items() if verb is None}
    assert not {key for key, verb in routes.items() if verb is None and _covered(key[1])} - PUBLIC


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_role_on_endpoint(world, login_as, subtests, endpoint):
    """Each of the nine roles on one endpoint: 403 unless the table allows the role, then the success status."""
    callers = {role: login_as(role) for role in ROLES}
    for role, api in callers.items():
        with subtests.test(role):
            response = _call(api, endpoint, world)
            if role in endpoint.roles:
                assert response.status_code == endpoint.ok, response.get_json()
            else:
                assert response.status_code == 403, response.get_json()
                error = response.get_json()["error"]
                assert error["code"] == "forbidden" and "tidak berwenang" in error["message"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer bukan-token-yang-sah"}, {"Authorization": "bearer"}],
    ids=["no-token", "bad-token", "empty-bearer"],
)
def test_without_a_valid_token_every_endpoint_is_401(client, world, subtests, headers):
    for endpoint in ENDPOINTS:
        with subtests.test(endpoint.id):
            kwargs = endpoint.body(world) if endpoint.body else {}
            response = getattr(client, endpoint.method.lower())(_path(endpoint, world), headers=headers, **kwargs)
            assert response.status_code == 401
            assert response.get_json()["error"]["message"]


def test_disabled_user_can_do_nothing(make_user):
    user = make_user("admin")
    user.active = False
    assert not any(can(user, verb) for verb in PERMISSIONS)
    assert not can(None, "view_documents")


# --- office isolation -----------------------------------------------------------------------------------------


@pytest.fixture
def outsider(other_office, login_as):
    return {role: login_as(role, other_office) for role in ("clerk", "head", "admin")}


ISOLATED = [
    ("clerk", "get", "/api/v1/documents/{document}", None),
    ("head", "get", "/api/v1/documents/{document}", None),
    ("clerk", "post", "/api/v1/documents/{document}/flag", {"reason": "data_error"}),
    ("clerk", "post", "/api/v1/documents/{flagged}/resolve", None),
    ("clerk", "get", "/api/v1/recaps/{recap}", None),
    ("head", "get", "/api/v1/recaps/{recap}", None),
    ("clerk", "post", "/api/v1/recaps/{recap}/submit", None),
    ("admin", "patch", "/api/v1/admin/users/{user}", {"active": False}),
]


def test_other_office_gets_404(world, outsider, subtests):
    from distribusi.auth.models import User
    from distribusi.extensions import db
    from distribusi.intake.models import Document
    from distribusi.recap.models import Recap

    for role, method, path, body in ISOLATED:
        with subtests.test(f"{role} {method} {path}"):
            response = getattr(outsider[role], method)(path.format(**world), json=body)
            assert response.status_code == 404
            assert response.get_json()["error"]["code"] == "not_found"
    db.session.rollback()
    assert db.session.get(Document, world["document"]).status.value == "registered"
    assert db.session.get(Document, world["flagged"]).status.value == "needs_fix"
    assert db.session.get(Recap, world["recap"]).status.value == "draft"
    assert db.session.get(User, world["user"]).active


def test_other_office_cannot_pack_our_documents(world, outsider):
    response = outsider["clerk"].post("/api/v1/recaps", json={"document_ids": [world["document"]]})
    assert response.status_code == 422
    assert "document_ids" in response.get_json()["error"]["fields"]


def test_lists_show_only_the_own_office(world, outsider, login_as, documents):
    theirs = documents(outsider["clerk"].user, 2, seed=83)
    listed = outsider["head"].get("/api/v1/documents?per_page=500").get_json()
    assert sorted(item["id"] for item in listed["items"]) == sorted(d.id for d in theirs)
    assert listed["total"] == 2
    for query in (f"q={world['document']}", "status=needs_fix", "status=in_recap"):
        assert outsider["head"].get(f"/api/v1/documents?{query}").get_json()["total"] == 0

    ours = login_as("head").get("/api/v1/documents?per_page=500").get_json()
    assert ours["total"] == 3 and not {d.id for d in theirs} & {item["id"] for item in ours["items"]}

    users = outsider["admin"].get("/api/v1/admin/users").get_json()["items"]
    assert len(users) == 3 and all(u["username"].endswith("-met") for u in users)
    partners = outsider["head"].get("/api/v1/admin/courier-partners").get_json()["items"]
    assert [p["name"] for p in partners] == ["PT Pos Metro"]
    office = outsider["admin"].get("/api/v1/admin/office").get_json()
    assert office["code"] == "MET"
