"""Who may call each engine endpoint (role × endpoint), without a token, and on another office's objects."""
from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from distribusi.auth.models import Role
from distribusi.auth.permissions import PERMISSIONS
from distribusi.extensions import db
from distribusi.letters.models import CoverLetter
from distribusi.recap import codes

from flow import DELIVERED, handed_over_recap, letter_awaiting_signature, partner_id_of, scan

ROLES = [r.value for r in Role]
STAFF = frozenset(ROLES) - {"courier"}
CODE = codes.new_code()  # a well-formed code no parcel has
NOWHERE = 999_999


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, "JPEG")
    return out.getvalue()


def _scan_body(code: str = CODE) -> dict:
    return {"tracking_code": code, "action": "accept", "idempotency_key": "izin-uji-0001"}


# name, method, path, request kwargs, the verb its route checks, the roles DESIGN.md §7 gives it
ENDPOINTS = [
    ("cover-letter", "post", f"/api/v1/recaps/{NOWHERE}/cover-letter", {"json": {"courier_partner_id": 1}},
     "issue_letters", {"kasubbag"}),
    ("sign", "post", f"/api/v1/cover-letters/{NOWHERE}/sign", {}, "sign_letters", {"secretary"}),
    ("reject", "post", f"/api/v1/cover-letters/{NOWHERE}/reject", {"json": {"note": "Salah ketik"}}, "sign_letters",
     {"secretary"}),
    ("get-letter", "get", f"/api/v1/cover-letters/{NOWHERE}", {}, "view_recaps", STAFF),
    ("handover", "post", f"/api/v1/recaps/{NOWHERE}/handover",
     {"json": {"courier_partner_id": 1, "received_by": "Joko"}}, "hand_over", {"kasubbag"}),
    ("get-handover", "get", f"/api/v1/handovers/{NOWHERE}", {}, "view_recaps", STAFF),
    ("scan", "post", "/api/v1/scans", {"json": _scan_body()}, "record_scans", {"courier"}),
    ("scan-batch", "post", "/api/v1/scans/batch", {"json": {"scans": [_scan_body()]}}, "record_scans", {"courier"}),
    ("photo", "post", f"/api/v1/scans/{NOWHERE}/photo",
     {"data": lambda: {"file": (io.BytesIO(_jpeg()), "bukti.jpg")}, "content_type": "multipart/form-data"},
     "record_scans", {"courier"}),
    ("get-photo", "get", f"/api/v1/photos/{NOWHERE}", {}, "view_photos", STAFF),
    ("returns", "post", "/api/v1/returns", {"json": {"courier_partner_id": NOWHERE, "tracking_codes": [CODE]}},
     "receive_returns", {"kasubbag"}),
    ("undelivered", "get", "/api/v1/undelivered", {}, "view_recaps", STAFF),
    ("collected", "post", f"/api/v1/parcels/{CODE}/collected", {"json": {}}, "collect_parcels", {"clerk"}),
    ("custody", "get", f"/api/v1/parcels/{CODE}/custody", {}, "view_custody", STAFF),
    ("lookup", "get", "/api/v1/lookup?name=Siti", {}, "lookup", STAFF),
]


def call(api_or_client, method: str, path: str, kwargs: dict):
    kwargs = {k: v() if callable(v) else v for k, v in kwargs.items()}
    return getattr(api_or_client, method)(path, **kwargs)


def test_the_table_matches_the_routes_and_the_permission_table(app):
    urls = app.url_map.bind("localhost")
    for name, method, path, _kwargs, verb, roles in ENDPOINTS:
        endpoint, _args = urls.match(path.split("?")[0], method=method.upper())
        assert app.view_functions[endpoint].__openapi__["verb"] == verb, name
        assert {r.value for r in PERMISSIONS[verb]} == roles, name


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_endpoints(login_as, role, subtests):
    api = login_as(role)
    for name, method, path, kwargs, _verb, roles in ENDPOINTS:
        with subtests.test(name, allowed=role in roles):
            response = call(api, method, path, kwargs)
            if role in roles:
                assert response.status_code not in (401, 403)
                assert response.status_code < 500, response.get_json()
            else:
                assert response.status_code == 403
                assert response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("authorization", [None, "Bearer bukan-token-yang-sah", "Basic dXNlcjpwYXNz", "Bearer "],
                         ids=["none", "unknown-token", "basic", "empty-bearer"])
def test_every_endpoint_needs_a_valid_token(client, authorization, subtests):
    headers = {"Authorization": authorization} if authorization else {}
    for name, method, path, kwargs, _verb, _roles in ENDPOINTS:
        with subtests.test(name):
            response = call(client, method, path, {**kwargs, "headers": headers})
            assert response.status_code == 401
            assert set(response.get_json()["error"]) == {"code", "message", "fields"}


def test_a_disabled_users_token_stops_working(login_as):
    admin, kasubbag = login_as("admin"), login_as("kasubbag")
    assert kasubbag.get("/api/v1/undelivered").status_code == 200
    assert admin.patch(f"/api/v1/admin/users/{kasubbag.user_id}", json={"active": False}).status_code == 200
    assert kasubbag.get("/api/v1/undelivered").status_code == 401


# ---------------------------------------------------------------- another office's objects

@pytest.fixture
def office_a(login_as, documents):
    """Office A's letter (signed), handover, parcel (delivered, with a photo), and a letter awaiting signature."""
    clerk, kasubbag, secretary, courier = (login_as(r) for r in ("clerk", "kasubbag", "secretary", "courier"))
    recap = handed_over_recap(clerk, kasubbag, secretary, documents, count=4)
    code, spare = (p["tracking_code"] for p in recap["parcels"])
    for action in ("accept", "out_for_delivery"):
        scan(courier, code, action)
    event = scan(courier, code, "delivered", **DELIVERED).get_json()["event_id"]
    photo = courier.post(f"/api/v1/scans/{event}/photo", data={"file": (io.BytesIO(_jpeg()), "bukti.jpg")},
                         content_type="multipart/form-data").get_json()["id"]
    pending, awaiting = letter_awaiting_signature(clerk, kasubbag, documents, seed=2)
    signed = db.session.scalar(sa.select(CoverLetter.id).where(CoverLetter.recap_id == recap["id"]))
    handover = db.session.scalar(sa.text("SELECT id FROM handovers WHERE recap_id = :id"), {"id": recap["id"]})
    return SimpleNamespace(recap=recap["id"], pending_recap=pending["id"], letter=signed, pending_letter=awaiting["id"],
                           handover=handover, code=code, spare=spare, event=event, photo=photo,
                           partner=partner_id_of(kasubbag))


def test_another_offices_objects_are_not_found(office_a, login_as, other_office, subtests):
    b = SimpleNamespace(**{role: login_as(role, other_office)
                           for role in ("clerk", "kasubbag", "secretary", "courier", "operator")})
    b_partner = partner_id_of(b.kasubbag)
    a = office_a
    table = [
        ("get letter", b.kasubbag, "get", f"/api/v1/cover-letters/{a.letter}", {}),
        ("sign letter", b.secretary, "post", f"/api/v1/cover-letters/{a.pending_letter}/sign", {}),
        ("reject letter", b.secretary, "post", f"/api/v1/cover-letters/{a.pending_letter}/reject",
         {"json": {"note": "Bukan urusan kami"}}),
        ("issue letter", b.kasubbag, "post", f"/api/v1/recaps/{a.pending_recap}/cover-letter",
         {"json": {"courier_partner_id": b_partner}}),
        ("hand over", b.kasubbag, "post", f"/api/v1/recaps/{a.recap}/handover",
         {"json": {"courier_partner_id": b_partner, "received_by": "Joko"}}),
        ("get handover", b.kasubbag, "get", f"/api/v1/handovers/{a.handover}", {}),
        ("scan parcel", b.courier, "post", "/api/v1/scans", {"json": _scan_body(a.spare)}),
        ("upload photo", b.courier, "post", f"/api/v1/scans/{a.event}/photo",
         {"data": lambda: {"file": (io.BytesIO(_jpeg()), "bukti.jpg")}, "content_type": "multipart/form-data"}),
        ("get photo", b.kasubbag, "get", f"/api/v1/photos/{a.photo}", {}),
        ("collect parcel", b.clerk, "post", f"/api/v1/parcels/{a.code}/collected", {"json": {}}),
        ("custody", b.operator, "get", f"/api/v1/parcels/{a.code}/custody", {}),
    ]
    for name, api, method, path, kwargs in table:
        with subtests.test(name):
            response = call(api, method, path, kwargs)
            assert response.status_code == 404, response.get_json()

    assert b.operator.get("/api/v1/lookup", query_string={"tracking_code": a.code}).get_json() == {
        "documents": [], "parcels": []}
    foreign_partner = b.kasubbag.post("/api/v1/returns", json={"courier_partner_id": a.partner,
                                                               "tracking_codes": [a.spare]})
    assert foreign_partner.status_code == 409 and "courier_partner_id" in foreign_partner.get_json()["error"]["fields"]
    foreign_code = b.kasubbag.post("/api/v1/returns", json={"courier_partner_id": b_partner,
                                                            "tracking_codes": [a.spare]}).get_json()
    assert foreign_code["received"] == [] and [u["tracking_code"] for u in foreign_code["unexpected"]] == [a.spare]

    kasubbag_a = login_as("kasubbag")
    assert kasubbag_a.get(f"/api/v1/cover-letters/{a.pending_letter}").get_json()["status"] == "awaiting_signature"
    parcels = kasubbag_a.get(f"/api/v1/recaps/{a.recap}").get_json()["parcels"]
    assert [p["status"] for p in parcels] == ["delivered", "packed"]
    assert kasubbag_a.get(f"/api/v1/photos/{a.photo}").status_code == 200
