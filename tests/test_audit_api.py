"""GET /api/v1/admin/audit: admin only, own office only, newest first, filtered by action and days, paged."""
from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from distribusi.admin.models import AuditEntry
from distribusi.extensions import db

URL = "/api/v1/admin/audit"


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def _add(office, action: str, recorded_at: datetime, target_id: int = 1) -> AuditEntry:
    entry = AuditEntry(office_id=office.id, recorded_at=recorded_at, actor_id=None, via="cli", action=action,
                       target_type="user", target_id=target_id, changes={"full_name": ["A", "B"]})
    db.session.add(entry)
    db.session.commit()
    return entry


def _clear() -> None:
    """Start from an empty log (the fixtures' own users and partners wrote rows); a test's own shortcut."""
    db.session.execute(sa.delete(AuditEntry))
    db.session.commit()


@pytest.mark.parametrize("role", ["clerk", "kasubbag", "secretary", "courier", "operator", "kasi", "kabid", "head"])
def test_only_the_admin_may_read_the_log(login_as, role):
    response = login_as(role).get(URL)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_without_a_token_the_log_is_401(client, office):
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers={"Authorization": "Bearer palsu"}).status_code == 401


def test_the_admin_reads_what_was_done_newest_first(admin, office):
    created = admin.post("/api/v1/admin/users", json={"username": "ani.fo", "password": "kata-sandi-panjang",
                                                       "full_name": "Ani Lestari", "role": "clerk"}).get_json()
    admin.patch(f"/api/v1/admin/users/{created['id']}", json={"active": False})
    page = admin.get(URL).get_json()
    first, second = page["items"][:2]
    assert (first["action"], first["action_label"], first["target_type"], first["target_id"]) == (
        "disable_user", "Pengguna dinonaktifkan", "user", created["id"])
    assert first["changes"] == {"active": [True, False]}
    assert first["actor"] == {"id": admin.user_id, "username": admin.user.username, "full_name": admin.user.full_name}
    assert first["via"] == "app" and first["recorded_at"].endswith("+00:00")
    assert second["action"] == "create_user" and second["changes"]["username"] == [None, "ani.fo"]
    fixture_rows = [item for item in page["items"] if item["actor"] is None]
    assert fixture_rows and all(item["via"] == "cli" for item in fixture_rows)
    assert page["total"] == len(page["items"]) and page["page"] == 1 and page["per_page"] == 50


def test_another_offices_rows_are_never_listed(admin, login_as, office, other_office):
    theirs = login_as("admin", other_office)
    assert theirs.put("/api/v1/admin/office", json={"name": "Disdukcapil Metro"}).status_code == 200
    assert admin.put("/api/v1/admin/office", json={"name": "Disdukcapil Pekanbaru"}).status_code == 200
    for api, own, other in ((admin, office, other_office), (theirs, other_office, office)):
        items = api.get(URL, query_string={"per_page": 500}).get_json()["items"]
        office_rows = [i for i in items if i["target_type"] == "office"]
        assert {i["target_id"] for i in office_rows} == {own.id}
        assert all(i["target_id"] != other.id for i in office_rows)
        filtered = api.get(URL, query_string={"action": "update_office"}).get_json()
        assert filtered["total"] == 1 and filtered["items"][0]["target_id"] == own.id
    ours = {i["id"] for i in admin.get(URL, query_string={"per_page": 500}).get_json()["items"]}
    mine = set(db.session.scalars(sa.select(AuditEntry.id).where(AuditEntry.office_id == office.id)))
    assert ours == mine


def test_filter_by_action(admin, office):
    _clear()
    for n, action in enumerate(["create_user", "reset_password", "create_user", "disable_user"], start=1):
        _add(office, action, datetime(2026, 11, n, 3, 0), target_id=n)
    page = admin.get(URL, query_string={"action": "create_user"}).get_json()
    assert [i["target_id"] for i in page["items"]] == [3, 1]
    assert page["total"] == 2
    assert admin.get(URL, query_string={"action": "update_office"}).get_json()["items"] == []


def test_filter_by_days_of_the_offices_time_zone(admin, office):
    _clear()
    # 30 Nov 16:59 UTC is 23:59 WIB on 30 Nov; 30 Nov 17:00 UTC is 00:00 WIB on 1 Dec.
    late_nov = _add(office, "update_user", datetime(2026, 11, 30, 16, 59), target_id=1)
    early_dec = _add(office, "update_user", datetime(2026, 11, 30, 17, 0), target_id=2)
    end_dec = _add(office, "update_user", datetime(2026, 12, 31, 16, 59), target_id=3)
    next_year = _add(office, "update_user", datetime(2026, 12, 31, 17, 0), target_id=4)

    def ids(**query):
        response = admin.get(URL, query_string=query)
        assert response.status_code == 200, response.get_json()
        return [i["id"] for i in response.get_json()["items"]]

    assert ids(**{"from": "2026-12-01"}) == [next_year.id, end_dec.id, early_dec.id]
    assert ids(to="2026-11-30") == [late_nov.id]
    assert ids(**{"from": "2026-12-01", "to": "2026-12-31"}) == [end_dec.id, early_dec.id]
    assert ids(**{"from": "2026-11-30", "to": "2026-11-30"}) == [late_nov.id]
    admin.put("/api/v1/admin/office", json={"timezone": "Asia/Jayapura"})  # WIT: 1 Dec begins at 30 Nov 15:00 UTC
    assert late_nov.id in ids(**{"from": "2026-12-01", "to": "2026-12-01"})


def test_pages_are_newest_first_and_complete(admin, office):
    _clear()
    made = [_add(office, "update_user", datetime(2026, 11, 1 + n, 8, 0), target_id=n).id for n in range(7)]
    pages = [admin.get(URL, query_string={"page": n, "per_page": 3}).get_json() for n in (1, 2, 3, 4)]
    assert [(p["page"], p["per_page"], p["total"], p["pages"]) for p in pages] == [(n, 3, 7, 3) for n in (1, 2, 3, 4)]
    assert [i["id"] for p in pages for i in p["items"]] == made[::-1]
    assert pages[3]["items"] == []


def test_rows_of_the_same_moment_keep_their_order(admin, office):
    _clear()
    moment = datetime(2026, 11, 5, 8, 0)
    made = [_add(office, "update_user", moment, target_id=n).id for n in range(3)]
    assert [i["id"] for i in admin.get(URL).get_json()["items"]] == made[::-1]


BAD_QUERIES = [
    ({"action": "delete_everything"}, "action"),
    ({"from": "kemarin"}, "from"),
    ({"to": "2026-13-01"}, "to"),
    ({"from": "2026-12-02", "to": "2026-12-01"}, "to"),
    ({"per_page": "0"}, "per_page"),
    ({"per_page": "501"}, "per_page"),
    ({"page": "satu"}, "page"),
    ({"actor": "1"}, "actor"),
]


def test_bad_filters_are_422_naming_the_field(admin, subtests):
    for query, field in BAD_QUERIES:
        with subtests.test(str(query)):
            response = admin.get(URL, query_string=query)
            assert response.status_code == 422, response.get_json()
            assert field in response.get_json()["error"]["fields"]


def test_the_openapi_document_describes_the_log_and_the_lists(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/admin/audit"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"action", "from", "to", "page", "per_page"} <= names
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    schemas = spec["components"]["schemas"]
    assert {"items", "page", "per_page", "total", "pages"} <= set(schemas[page]["properties"])
    entry = schemas[page]["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[1]
    fields = set(schemas[entry]["properties"])
    assert {"recorded_at", "actor", "action", "target_type", "target_id", "changes"} <= fields
    for path in ("/api/v1/admin/users", "/api/v1/admin/courier-partners"):
        listed = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert "items" in schemas[listed.rsplit("/", 1)[1]]["properties"], path
