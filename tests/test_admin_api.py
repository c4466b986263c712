"""The admin API: courier partners, users of the own office, office settings."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from distribusi.auth.models import User
from distribusi.extensions import db
from distribusi.models import CourierPartner

HEAD_NIP = "196811091989092001"


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def _partner_id(office) -> int:
    return db.session.scalar(sa.select(CourierPartner.id).where(CourierPartner.office_id == office.id))


def _user_body(**overrides):
    return {"username": "ani.fo", "password": "kata-sandi-panjang", "full_name": "Ani Lestari", "role": "clerk",
            **overrides}


def _error(response, status):
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["message"]
    return error


# --- courier partners -----------------------------------------------------------------------------------------


def test_create_courier_partner(admin, office):
    body = {"name": "JNE Cabang Pekanbaru", "contract_number": "100/PKS/2026", "contact": "0761-555"}
    response = admin.post("/api/v1/admin/courier-partners", json=body)
    assert response.status_code == 201
    created = response.get_json()
    assert isinstance(created["id"], int) and created["active"] is True
    assert {k: created[k] for k in body} == body
    partner = db.session.get(CourierPartner, created["id"])
    assert partner.office_id == office.id
    listed = admin.get("/api/v1/admin/courier-partners").get_json()["items"]
    assert "JNE Cabang Pekanbaru" in [p["name"] for p in listed]


BAD_PARTNERS = [
    ("no-name", {"contract_number": "1/PKS"}, "name"),
    ("no-contract", {"name": "JNE"}, "contract_number"),
    ("empty-name", {"name": "", "contract_number": "1/PKS"}, "name"),
    ("long-name", {"name": "J" * 201, "contract_number": "1/PKS"}, "name"),
    ("number-name", {"name": 5, "contract_number": "1/PKS"}, "name"),
    ("unknown-field", {"name": "JNE", "contract_number": "1/PKS", "office_id": 2}, "office_id"),
]


def test_bad_partner_is_422(admin, subtests):
    for case, body, field in BAD_PARTNERS:
        with subtests.test(case):
            error = _error(admin.post("/api/v1/admin/courier-partners", json=body), 422)
            assert field in error["fields"]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CourierPartner)) == 1


def test_patch_courier_partner(admin, office, other_office, subtests):
    partner_id = _partner_id(office)
    body = {"name": "PT Pos Indonesia KC Pekanbaru", "contract_number": "028/PKS/2027", "contact": "0761-999"}
    response = admin.patch(f"/api/v1/admin/courier-partners/{partner_id}", json={**body, "active": False})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"id": partner_id, **body, "active": False}
    partner = db.session.get(CourierPartner, partner_id)
    assert (partner.name, partner.contract_number, partner.contact, partner.active) == (*body.values(), False)
    bad = [({"name": ""}, "name"), ({"contract_number": "x" * 101}, "contract_number"), ({"active": "ya"}, "active"),
           ({"office_id": other_office.id}, "office_id")]
    for change, field in bad:
        with subtests.test(field):
            assert field in _error(admin.patch(f"/api/v1/admin/courier-partners/{partner_id}", json=change),
                                   422)["fields"]
    _error(admin.patch(f"/api/v1/admin/courier-partners/{_partner_id(other_office)}", json={"active": False}), 404)
    db.session.rollback()
    assert db.session.get(CourierPartner, _partner_id(other_office)).active


# --- users ----------------------------------------------------------------------------------------------------


STAFF_ROLES = ["clerk", "kasubbag", "secretary", "operator", "kasi", "kabid", "head", "admin"]


def test_create_staff_users(admin, office, client, subtests):
    for role in STAFF_ROLES:
        with subtests.test(role):
            username = f"{role}.baru"
            response = admin.post("/api/v1/admin/users", json=_user_body(username=username, role=role, nip=HEAD_NIP))
            assert response.status_code == 201
            body = response.get_json()
            assert (body["username"], body["role"], body["active"], body["nip"]) == (username, role, True, HEAD_NIP)
            assert "password" not in body and "password_hash" not in body
            user = db.session.get(User, body["id"])
            assert user.office_id == office.id and user.password_hash.startswith("$argon2id$")
            token = client.post("/api/v1/auth/token", json={"username": username, "password": "kata-sandi-panjang"})
            assert token.status_code == 201 and token.get_json()["role"] == role


def test_create_courier_with_partner_of_the_office(admin, office):
    partner_id = _partner_id(office)
    response = admin.post("/api/v1/admin/users", json=_user_body(role="courier", courier_partner_id=partner_id))
    assert response.status_code == 201
    assert response.get_json()["courier_partner_id"] == partner_id


def test_courier_needs_a_partner_of_the_same_office(admin, other_office, subtests):
    cases = {"none": None, "other-office": _partner_id(other_office), "unknown": 2147483647, "huge": 2**64}
    for case, partner_id in cases.items():
        with subtests.test(case):
            response = admin.post("/api/v1/admin/users", json=_user_body(role="courier", courier_partner_id=partner_id))
            assert response.status_code in (409, 422)
            assert "courier_partner_id" in response.get_json()["error"]["fields"]
    db.session.rollback()
    assert db.session.scalar(sa.select(User).where(User.username == "ani.fo")) is None


def test_only_couriers_have_a_partner(admin, office):
    response = admin.post("/api/v1/admin/users", json=_user_body(courier_partner_id=_partner_id(office)))
    assert response.status_code in (409, 422)
    assert "courier_partner_id" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("username", ["ani.fo", "ANI.FO"])
def test_duplicate_username_is_409(admin, username):
    assert admin.post("/api/v1/admin/users", json=_user_body()).status_code == 201
    error = _error(admin.post("/api/v1/admin/users", json=_user_body(username=username)), 409)
    assert "username" in error["fields"]


def test_username_is_unique_across_offices(admin, make_user, other_office):
    make_user("clerk", other_office, username="ani.fo")
    error = _error(admin.post("/api/v1/admin/users", json=_user_body()), 409)
    assert "username" in error["fields"]


BAD_USERS = [
    ({"password": "pendek"}, "password"),
    ({"password": "x" * 201}, "password"),
    ({"role": "superuser"}, "role"),
    ({"role": None}, "role"),
    ({"username": "a b"}, "username"),
    ({"username": "ab"}, "username"),
    ({"full_name": ""}, "full_name"),
    ({"nip": "12345"}, "nip"),
    ({"courier_partner_id": "1"}, "courier_partner_id"),
    ({"role": "courier", "courier_partner_id": 2**64}, "courier_partner_id"),
    ({"is_admin": True}, "is_admin"),
]


def test_bad_user_is_422(admin, subtests):
    for overrides, field in BAD_USERS:
        with subtests.test(str(overrides)[:60]):
            error = _error(admin.post("/api/v1/admin/users", json=_user_body(**overrides)), 422)
            assert field in error["fields"]
    db.session.rollback()
    assert db.session.scalar(sa.select(User).where(User.username == "ani.fo")) is None


def test_list_users_shows_only_the_own_office(admin, make_user, other_office):
    ours = make_user("clerk")
    make_user("clerk", other_office)
    make_user("admin", other_office)
    users = admin.get("/api/v1/admin/users").get_json()["items"]
    assert sorted(u["id"] for u in users) == sorted([admin.user_id, ours.id])
    assert all("password_hash" not in u for u in users)


def test_patch_user_changes_name_and_nip(admin, make_user):
    clerk = make_user("clerk")
    response = admin.patch(f"/api/v1/admin/users/{clerk.id}", json={"full_name": "Dewi Lestari", "nip": HEAD_NIP})
    assert response.status_code == 200
    assert (response.get_json()["full_name"], response.get_json()["nip"]) == ("Dewi Lestari", HEAD_NIP)
    _error(admin.patch(f"/api/v1/admin/users/{clerk.id}", json={"password": "pendek"}), 422)
    _error(admin.patch(f"/api/v1/admin/users/{clerk.id}", json={"role": "admin"}), 422)
    _error(admin.patch("/api/v1/admin/users/2147483647", json={"active": False}), 404)


# --- office settings ------------------------------------------------------------------------------------------

SETTINGS = {
    "name": "Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru",
    "letterhead": {
        "government": "PEMERINTAH KOTA PEKANBARU", "agency": "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
        "address": "Jl. Jenderal Sudirman No. 464, Pekanbaru 28126", "phone": "(0761) 41118",
        "email": "disdukcapil@pekanbaru.go.id", "website": "disdukcapil.pekanbaru.go.id",
    },
    "officials": {
        "head": {"name": "Hj. IRMA NOVRITA, S.Sos, M.Si", "nip": HEAD_NIP, "rank": "Pembina Utama Muda (IV/c)",
                 "position": "Kepala Dinas"},
        "secretary": {"name": "Drs. AHMAD FAUZI, M.Si", "nip": "197205151998031004"},
        "kasubbag": {"name": "RINA MARLINA, S.E.", "nip": "198003122005012003"},
    },
    "letter_number_format": "470/{seq}/JASA-DUKCAPIL/{roman_month}/{year}",
    "public_base_url": "https://distribusi.pekanbaru.go.id",
}


def test_put_and_get_office_settings(admin, office):
    before = admin.get("/api/v1/admin/office").get_json()
    assert before["code"] == office.code
    assert "{seq}" in before["settings"]["letter_number_format"]

    response = admin.put("/api/v1/admin/office", json=SETTINGS)
    assert response.status_code == 200
    got = admin.get("/api/v1/admin/office").get_json()
    assert got["name"] == SETTINGS["name"]
    for key in ("letterhead", "officials", "letter_number_format", "public_base_url"):
        assert got["settings"][key] == SETTINGS[key], key
    assert got["settings"]["doc_types"] == before["settings"]["doc_types"], "settings not sent are kept"

    assert admin.put("/api/v1/admin/office", json={"public_base_url": "http://127.0.0.1:8000"}).status_code == 200
    got = admin.get("/api/v1/admin/office").get_json()["settings"]
    assert got["public_base_url"] == "http://127.0.0.1:8000" and got["letterhead"] == SETTINGS["letterhead"]


def _with_official_nip(nip):
    return {"officials": {"head": {"name": "Kepala", "nip": nip}}}


BAD_SETTINGS = [
    ("nip-17", _with_official_nip("19681109198909200"), ("officials", "head", "nip")),
    ("nip-19", _with_official_nip("1968110919890920011"), ("officials", "head", "nip")),
    ("nip-letter", _with_official_nip("19681109198909200A"), ("officials", "head", "nip")),
    ("nip-number", _with_official_nip(196811091989092001), ("officials", "head", "nip")),
    ("official-no-name", {"officials": {"head": {"nip": HEAD_NIP}}}, ("officials", "head", "name")),
    ("format-no-seq", {"letter_number_format": "470/JASA-DUKCAPIL/{year}"}, ("letter_number_format",)),
    ("format-unknown", {"letter_number_format": "470/{seq}/{tahun}"}, ("letter_number_format",)),
    ("url-text", {"public_base_url": "bukan url"}, ("public_base_url",)),
    ("url-ftp", {"public_base_url": "ftp://distribusi.go.id"}, ("public_base_url",)),
    ("email", {"letterhead": {"government": "X", "agency": "Y", "address": "Z", "email": "bukan-email"}},
     ("letterhead", "email")),
    ("letterhead-string", {"letterhead": "PEMERINTAH KOTA"}, ("letterhead",)),
    ("timezone", {"timezone": "Europe/Berlin"}, ("timezone",)),
    ("unknown-field", {"logo": "x.png"}, ("logo",)),
]


def test_bad_office_settings_are_422_and_change_nothing(admin, subtests):
    before = admin.get("/api/v1/admin/office").get_json()
    for case, body, path in BAD_SETTINGS:
        with subtests.test(case):
            error = _error(admin.put("/api/v1/admin/office", json=body), 422)
            fields = error["fields"]
            for key in path:
                assert key in fields, error
                fields = fields[key]
            db.session.rollback()
            assert admin.get("/api/v1/admin/office").get_json() == before


def test_office_settings_are_per_office(admin, login_as, other_office):
    assert admin.put("/api/v1/admin/office", json={"public_base_url": "https://pku.example.id"}).status_code == 200
    theirs = login_as("admin", other_office).get("/api/v1/admin/office").get_json()
    assert theirs["code"] == other_office.code
    assert theirs["settings"].get("public_base_url") != "https://pku.example.id"
