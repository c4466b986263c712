"""The admin pages: only the admin opens them; users, partners and settings change through the admin services, each
change with its audit row; form errors sit next to their field; another office's user or partner answers 404."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from distribusi.admin.models import AuditEntry
from distribusi.auth.models import Role, User
from distribusi.extensions import db
from distribusi.models import CourierPartner

PASSWORD = "rahasia-sekali-123"
NIP = "196811091989092001"
PAGES = ("/admin/pengguna", "/admin/pengguna/baru", "/admin/mitra", "/admin/pengaturan", "/admin/audit")
NOT_ADMIN = ("clerk", "kasubbag", "secretary", "courier", "operator", "kasi", "kabid", "head")


def log_in(client, user, password: str = PASSWORD):
    return client.post("/login", data={"username": user.username, "password": password})


def audit_rows(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def field_error(html: str, name: str) -> str:
    """The message shown under one field (the forms macro's <div id="<name>-error">)."""
    marker = f'id="{name.replace(".", "-")}-error">'
    assert marker in html, f"no message for {name}"
    return html.split(marker)[1].split("</div>")[0]


@pytest.fixture
def admin(client, make_user):
    user = make_user("admin")
    assert log_in(client, user).status_code == 302
    return user


@pytest.mark.parametrize("role", NOT_ADMIN)
def test_only_the_admin_opens_the_admin_pages(client, make_user, role):
    log_in(client, make_user(role))
    assert {path: client.get(path).status_code for path in PAGES} == dict.fromkeys(PAGES, 403)
    assert client.post("/admin/pengguna/baru", data={"username": "x"}).status_code == 403


def test_the_admin_opens_every_admin_page(client, admin):
    assert {path: client.get(path).status_code for path in PAGES} == dict.fromkeys(PAGES, 200)
    assert client.get(f"/admin/pengguna/{admin.id}").status_code == 200


def test_anonymous_is_sent_to_login(client, office):
    for path in PAGES:
        assert "/login" in client.get(path).headers["Location"]


def test_users_list_searches_and_filters(client, admin, make_user):
    make_user("clerk", username="rina.fo")
    make_user("kasubbag", username="budi.umum")
    found = client.get("/admin/pengguna?q=rina").get_data(as_text=True)
    assert "rina.fo" in found and "budi.umum" not in found
    by_role = client.get("/admin/pengguna?role=kasubbag").get_data(as_text=True)
    assert "budi.umum" in by_role and "rina.fo" not in by_role
    assert "rina.fo" not in client.get("/admin/pengguna?active=0").get_data(as_text=True)
    paged = client.get("/admin/pengguna?per_page=1&page=2").get_data(as_text=True)
    assert "halaman 2 dari 3" in paged


def test_admin_creates_a_user_who_can_log_in(app, client, admin, office):
    response = client.post("/admin/pengguna/baru", data={
        "username": "Sari.FO", "full_name": "Sari Wulandari", "role": "clerk", "password": "sandi-awal-yang-panjang",
        "nip": NIP, "courier_partner_id": ""})
    user = db.session.scalar(sa.select(User).where(User.username == "sari.fo"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/pengguna/{user.id}")
    assert user.role is Role.clerk and user.office_id == office.id and user.nip == NIP
    (row,) = audit_rows("create_user")[-1:]
    assert row.actor_id == admin.id and row.target_id == user.id and row.changes["password"] == [None, "diubah"]
    other = app.test_client()
    assert log_in(other, user, "sandi-awal-yang-panjang").status_code == 302


def test_a_bad_new_user_shows_each_message_at_its_field(client, admin, make_user):
    make_user("clerk", username="sudah.ada")
    response = client.post("/admin/pengguna/baru", data={
        "username": "x", "full_name": "", "role": "courier", "password": "pendek", "nip": "123"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nama pengguna 3–64 karakter" in field_error(html, "username")
    assert field_error(html, "full_name") and field_error(html, "password") and "18 digit" in field_error(html, "nip")
    assert "pendek" not in html  # a password is never echoed back
    taken = client.post("/admin/pengguna/baru", data={
        "username": "sudah.ada", "full_name": "Orang Lain", "role": "clerk", "password": "sandi-yang-panjang"})
    assert taken.status_code == 422
    assert "Sudah dipakai." in field_error(taken.get_data(as_text=True), "username")
    courier = client.post("/admin/pengguna/baru", data={
        "username": "kurir.baru", "full_name": "Kurir", "role": "courier", "password": "sandi-yang-panjang"})
    assert "Pilih mitra kurir" in field_error(courier.get_data(as_text=True), "courier_partner_id")
    assert db.session.scalar(sa.select(User).where(User.username == "kurir.baru")) is None


def test_disable_and_enable_write_audit_rows_and_stop_the_login(app, client, admin, make_user):
    clerk = make_user("clerk")
    assert client.post(f"/admin/pengguna/{clerk.id}/status", data={"active": "0"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, clerk.id).active is False
    assert audit_rows("disable_user")[-1].target_id == clerk.id
    assert log_in(app.test_client(), clerk).status_code == 401
    assert client.post(f"/admin/pengguna/{clerk.id}/status", data={"active": "1"}).status_code == 302
    assert audit_rows("enable_user")[-1].actor_id == admin.id
    assert log_in(app.test_client(), clerk).status_code == 302


def test_the_admin_cannot_disable_themselves(client, admin):
    client.post(f"/admin/pengguna/{admin.id}/status", data={"active": "0"})
    db.session.expire_all()
    assert db.session.get(User, admin.id).active is True and audit_rows("disable_user") == []


def test_reset_password_writes_an_audit_row_and_the_new_password_works(app, client, admin, make_user):
    clerk = make_user("clerk")
    short = client.post(f"/admin/pengguna/{clerk.id}/kata-sandi", data={"password": "pendek"})
    assert short.status_code == 422 and "10 sampai 200" in field_error(short.get_data(as_text=True), "password")
    assert client.post(f"/admin/pengguna/{clerk.id}/kata-sandi",
                       data={"password": "sandi-baru-yang-panjang"}).status_code == 302
    row = audit_rows("reset_password")[-1]
    assert row.target_id == clerk.id and row.changes == {"password": [None, "diubah"]}
    assert log_in(app.test_client(), clerk).status_code == 401
    assert log_in(app.test_client(), clerk, "sandi-baru-yang-panjang").status_code == 302


def test_change_role_writes_an_audit_row(client, admin, make_user, office):
    clerk = make_user("clerk")
    assert client.post(f"/admin/pengguna/{clerk.id}/peran", data={"role": "kasubbag"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, clerk.id).role is Role.kasubbag
    assert audit_rows("change_role")[-1].changes == {"role": ["clerk", "kasubbag"]}
    partner = db.session.scalar(sa.select(CourierPartner).where(CourierPartner.office_id == office.id))
    no_partner = client.post(f"/admin/pengguna/{clerk.id}/peran", data={"role": "courier"})
    assert no_partner.status_code == 422
    assert "Pilih mitra kurir" in field_error(no_partner.get_data(as_text=True), "courier_partner_id")
    assert client.post(f"/admin/pengguna/{clerk.id}/peran",
                       data={"role": "courier", "courier_partner_id": str(partner.id)}).status_code == 302
    assert audit_rows("change_role")[-1].changes == {"role": ["kasubbag", "courier"],
                                                     "courier_partner_id": [None, partner.id]}
    own = client.post(f"/admin/pengguna/{admin.id}/peran", data={"role": "clerk"})
    assert own.status_code == 422 and "Minta admin lain" in field_error(own.get_data(as_text=True), "role")


def test_another_offices_user_and_partner_answer_404(client, admin, make_user, other_office):
    stranger = make_user("clerk", other_office)
    partner = db.session.scalar(sa.select(CourierPartner).where(CourierPartner.office_id == other_office.id))
    assert client.get(f"/admin/pengguna/{stranger.id}").status_code == 404
    assert client.post(f"/admin/pengguna/{stranger.id}/status", data={"active": "0"}).status_code == 404
    assert client.post(f"/admin/pengguna/{stranger.id}/kata-sandi", data={"password": "x" * 12}).status_code == 404
    assert client.post(f"/admin/pengguna/{stranger.id}/peran", data={"role": "admin"}).status_code == 404
    assert client.get(f"/admin/mitra/{partner.id}").status_code == 404
    assert stranger.username not in client.get("/admin/pengguna").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, stranger.id).active is True and audit_rows("change_role") == []


def test_partners_are_added_edited_and_audited(client, admin, office):
    bad = client.post("/admin/mitra", data={"name": "", "contract_number": ""})
    assert bad.status_code == 422 and field_error(bad.get_data(as_text=True), "name")
    assert client.post("/admin/mitra", data={"name": "JNE Pekanbaru", "contract_number": "044/PKS/2026",
                                             "contact": "Andi 0812"}).status_code == 302
    partner = db.session.scalar(sa.select(CourierPartner).where(CourierPartner.name == "JNE Pekanbaru"))
    assert partner.office_id == office.id and audit_rows("create_partner")[-1].target_id == partner.id
    assert "JNE Pekanbaru" in client.get("/admin/mitra?q=jne").get_data(as_text=True)
    assert "JNE Pekanbaru" not in client.get("/admin/mitra?q=pos").get_data(as_text=True)
    assert client.post(f"/admin/mitra/{partner.id}", data={"name": "JNE Pekanbaru", "contract_number": "045/PKS/2026",
                                                           "contact": ""}).status_code == 302
    db.session.expire_all()
    partner = db.session.get(CourierPartner, partner.id)
    assert partner.active is False and partner.contact is None and partner.contract_number == "045/PKS/2026"
    assert audit_rows("update_partner")[-1].changes == {
        "active": [True, False], "contact": ["Andi 0812", None], "contract_number": ["044/PKS/2026", "045/PKS/2026"]}


SETTINGS = {
    "name": "Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru",
    "letterhead.government": "PEMERINTAH KOTA PEKANBARU", "letterhead.agency": "DINAS KEPENDUDUKAN",
    "letterhead.address": "Jl. Jend. Sudirman No. 1", "letterhead.email": "disdukcapil@pekanbaru.go.id",
    "officials.secretary.name": "Drs. Ahmad Fauzi", "officials.secretary.nip": NIP,
    "letter_number_format": "470/JASA-DUKCAPIL/{seq}/{year}", "public_base_url": "https://distribusi.example.id",
    "timezone": "Asia/Makassar", "delivery_policy.allow_family": "1", "doc_types": "KK, KTP_EL, KIA",
    "wait_limits.submitted": "30",
}


def test_settings_are_saved_through_the_same_schema_with_an_audit_row(client, admin, office):
    assert client.post("/admin/pengaturan", data=SETTINGS).status_code == 302
    db.session.expire_all()
    settings = office.settings
    assert settings["officials"]["secretary"] == {"name": "Drs. Ahmad Fauzi", "nip": NIP}
    assert settings["timezone"] == "Asia/Makassar" and settings["doc_types"] == ["KK", "KTP_EL", "KIA"]
    assert settings["delivery_policy"] == {"allow_family": True, "allow_other": False}
    assert settings["wait_limits"] == {"submitted": 30}
    changes = audit_rows("update_office")[-1].changes
    assert changes["timezone"] == ["Asia/Jakarta", "Asia/Makassar"] and changes["wait_limits.submitted"] == [None, 30]
    html = client.get("/admin/pengaturan").get_data(as_text=True)
    assert 'value="Drs. Ahmad Fauzi"' in html and 'value="30"' in html and 'value="KK, KTP_EL, KIA"' in html


def test_settings_errors_sit_next_to_each_field(client, admin, office):
    before = dict(office.settings)
    response = client.post("/admin/pengaturan", data={
        **SETTINGS, "officials.head.name": "Kepala", "officials.head.nip": "12", "letterhead.email": "bukan-email",
        "letter_number_format": "470/{tahun}", "public_base_url": "ftp://x", "wait_limits.signed": "-5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "18 digit" in field_error(html, "officials.head.nip")
    assert "e-mail" in field_error(html, "letterhead.email").lower()
    assert field_error(html, "letter_number_format") and field_error(html, "public_base_url")
    assert field_error(html, "wait_limits.signed")
    assert 'value="Kepala"' in html  # what was typed stays in the form
    missing = client.post("/admin/pengaturan", data={**SETTINGS, "officials.kasubbag.rank": "III/c"})
    assert "Wajib diisi." in field_error(missing.get_data(as_text=True), "officials.kasubbag.nip")
    db.session.expire_all()
    assert office.settings == before and audit_rows("update_office") == []


def test_audit_trail_filters_and_pages(client, admin, make_user):
    for n in range(3):
        client.post("/admin/pengguna/baru", data={"username": f"staf{n}", "full_name": f"Staf {n}", "role": "clerk",
                                                  "password": "sandi-yang-panjang"})
    clerk = db.session.scalar(sa.select(User).where(User.username == "staf0"))
    client.post(f"/admin/pengguna/{clerk.id}/status", data={"active": "0"})
    only_disable = client.get("/admin/audit?action=disable_user").get_data(as_text=True)
    assert only_disable.count('data-action="disable_user"') == 1 and 'data-action="create_user"' not in only_disable
    paged = client.get("/admin/audit?action=create_user&per_page=2&page=2").get_data(as_text=True)
    assert "halaman 2 dari" in paged
    bad = client.get("/admin/audit?from=2026-12-10&to=2026-12-01")
    assert bad.status_code == 422 and "Tanggal akhir" in field_error(bad.get_data(as_text=True), "to")
    assert "Tidak ada catatan" in client.get("/admin/audit?to=2000-01-01").get_data(as_text=True)
