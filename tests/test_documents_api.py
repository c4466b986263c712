"""POST/GET /api/v1/documents and flag/resolve: validation, duplicates, filters, paging and office isolation."""
import copy
import json

import pytest
from sqlalchemy import func, select

from distribusi.custody import CustodyEvent
from distribusi.demo import as_api_payload, document_rows
from distribusi.extensions import db
from distribusi.intake.models import Document

URL = "/api/v1/documents"
MB = 1024 * 1024


def payload(seed: int = 7, **changes) -> dict:
    """A valid POST body; changes use dotted paths for the address ("address.rt")."""
    body = as_api_payload(next(document_rows(1, seed=seed, prefix="API")))
    for path, value in changes.items():
        target, _, name = path.rpartition(".")
        container = body["address"] if target == "address" else body
        container[name] = value
    return body


def without(body: dict, path: str) -> dict:
    body = copy.deepcopy(body)
    target, _, name = path.rpartition(".")
    del (body["address"] if target == "address" else body)[name]
    return body


def counts() -> tuple[int, int]:
    """(documents, custody events) in the database."""
    return (db.session.scalar(select(func.count()).select_from(Document)),
            db.session.scalar(select(func.count()).select_from(CustodyEvent)))


def field_messages(response, path: str) -> list[str]:
    """The messages of one field in a 422 body; dotted path for nested fields."""
    node = response.get_json()["error"]["fields"]
    for part in path.split("."):
        node = node[part]
    return [m for messages in node.values() for m in messages] if isinstance(node, dict) else node


@pytest.fixture
def clerk(login_as):
    return login_as("clerk")


# ---------------------------------------------------------------- POST /documents

def test_register_answers_201_with_id_and_registered_status(clerk):
    response = clerk.post(URL, json=payload(phone="0812-3456-7890", **{"address.rt": "3"}))

    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "registered"
    document = db.session.get(Document, body["id"])
    assert document.office_id == clerk.user.office_id
    assert document.status.value == "registered"
    assert document.phone == body["phone"] == "+6281234567890"  # stored in E.164
    assert document.rt == body["address"]["rt"] == "003"
    assert counts() == (1, 1)
    event = db.session.scalar(select(CustodyEvent))
    assert (event.subject_id, event.action, event.to_state) == (document.id, "register", "registered")


def test_recipient_defaults_to_the_owner(clerk):
    response = clerk.post(URL, json=without(payload(), "recipient_name"))
    assert response.status_code == 201
    assert response.get_json()["recipient_name"] == response.get_json()["owner_name"]


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_optional_fields_count_as_not_given(clerk, blank):
    response = clerk.post(URL, json=payload(recipient_name=blank, application_number=blank))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["recipient_name"] == body["owner_name"]
    assert body["application_number"] is None


# (dotted field, value or MISSING, fragment of the Indonesian message)
MISSING = object()
BAD_FIELDS = [
    ("doc_type", "PASPOR", "Jenis dokumen tidak dikenal"),
    ("doc_type", "ktp_el", "Jenis dokumen tidak dikenal"),
    ("doc_type", MISSING, "Wajib diisi"),
    ("doc_number", "   ", "Wajib diisi"),
    ("doc_number", None, "Tidak boleh kosong"),
    ("nik", "123", "16 digit"),
    ("nik", "1001011506900001", "kode provinsi"),
    ("nik", "1471013206900001", "tanggal"),
    ("nik", "1471011513900001", "bulan"),
    ("nik", "1471012902010001", "kalender"),
    ("nik", "1471011506900000", "nomor urut"),
    ("nik", 14710115069.5, "Harus berupa teks"),
    ("nik", MISSING, "Wajib diisi"),
    ("kk_number", "1471014506900001", "Nomor KK"),  # day 45 is for a woman's NIK only
    ("kk_number", "9701011506900001", "kode provinsi"),
    ("owner_name", "", "Wajib diisi"),
    ("owner_name", ["Siti"], "Harus berupa teks"),
    ("phone", "02112345678", "Nomor HP"),
    ("phone", "+6581234567", "Nomor HP"),
    ("phone", "0812ABCDEFGH", "Nomor HP"),
    ("phone", "0812", "Nomor HP"),
    ("phone", MISSING, "Wajib diisi"),
    ("address.postal_code", "08122", "Kode pos"),
    ("address.postal_code", "2812", "Kode pos"),
    ("address.rt", "abc", "RT harus angka"),
    ("address.rw", "0", "RW harus angka"),
    ("address.kelurahan", MISSING, "Wajib diisi"),
    ("address.city", "", "Wajib diisi"),
    ("address.street", "x" * 301, "Maksimal 300 karakter"),
    ("address", "Jl. Sudirman No. 1, Pekanbaru", "harus berupa objek"),
    ("address", MISSING, "Wajib diisi"),
]


@pytest.mark.parametrize(("path", "value", "fragment"), BAD_FIELDS)
def test_bad_field_is_refused_422_naming_the_field(clerk, path, value, fragment):
    body = without(payload(), path) if value is MISSING else payload(**{path: value})

    response = clerk.post(URL, json=body)

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "Data tidak valid. Periksa isian yang ditandai."
    messages = field_messages(response, path)
    assert any(fragment in message for message in messages), messages
    assert counts() == (0, 0)


def test_every_bad_field_is_reported_at_once(clerk):
    body = payload(nik="1", phone="021", **{"address.postal_code": "0", "address.rt": "x"})
    response = clerk.post(URL, json=body)
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"nik", "phone", "address"}
    assert set(fields["address"]) == {"postal_code", "rt"}


@pytest.mark.parametrize(("path", "extra"), [("notes", "titip tetangga"), ("address.province", "Riau"),
                                             ("status", "in_recap"), ("office_id", 999)])
def test_unknown_field_is_refused(clerk, path, extra):
    response = clerk.post(URL, json=payload(**{path: extra}))
    assert response.status_code == 422
    assert field_messages(response, path) == ["Kolom tidak dikenal."]
    assert counts() == (0, 0)


@pytest.mark.parametrize("path", ["owner_name", "recipient_name", "doc_number", "nik", "kk_number", "phone",
                                  "application_number", "address.street", "address.postal_code", "address.rt"])
def test_huge_string_is_refused_422(clerk, path):
    response = clerk.post(URL, json=payload(**{path: "7" * MB}))
    assert response.status_code == 422
    assert field_messages(response, path)
    assert counts() == (0, 0)


def test_huge_phone_that_would_normalise_to_a_valid_number_is_refused(clerk):
    """The length limit applies to what was sent, not to what normalisation leaves of it."""
    response = clerk.post(URL, json=payload(phone="0812" + "-" * MB + "34567890"))
    assert response.status_code == 422
    assert "phone" in response.get_json()["error"]["fields"]
    assert counts() == (0, 0)


@pytest.mark.parametrize(("path", "value"), [("owner_name", "Siti\x00Aminah"), ("owner_name", "Siti \ud800"),
                                           ("address.street", "Jl. Paus\x00"), ("doc_number", "\udfff")])
def test_unstorable_characters_are_422_not_500(clerk, path, value):
    """NUL (refused by PostgreSQL) and lone surrogates (legal in JSON, not encodable as UTF-8)."""
    response = clerk.post(URL, data=json.dumps(payload(**{path: value})), content_type="application/json")
    assert response.status_code == 422
    assert field_messages(response, path) == ["Berisi karakter yang tidak sah."]
    assert counts() == (0, 0)


@pytest.mark.parametrize("data", ['{"doc_type": "KK",', "not json", "", "{'doc_type': 'KK'}",
                                  "[" * 100_000 + "]" * 100_000],  # too deep for the parser: RecursionError
                         ids=["truncated", "text", "empty", "single-quotes", "deeply-nested"])
def test_malformed_json_is_400(clerk, data):
    response = clerk.post(URL, data=data, content_type="application/json")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_json"
    assert "JSON" in error["message"]
    assert counts() == (0, 0)


def test_form_body_instead_of_json_is_400(clerk):
    response = clerk.post(URL, data={"doc_type": "KK"})
    assert response.status_code == 400
    assert counts() == (0, 0)


@pytest.mark.parametrize("body", [[payload()], [], "KK", 42, True])
def test_json_that_is_not_an_object_is_422(clerk, body):
    response = clerk.post(URL, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"_schema": ["Data harus berupa objek JSON."]}
    assert counts() == (0, 0)


def test_duplicate_type_and_number_in_the_same_office_is_409_and_writes_nothing(clerk):
    first = payload(seed=1)
    assert clerk.post(URL, json=first).status_code == 201
    before = counts()

    again = payload(seed=2, doc_type=first["doc_type"], doc_number=first["doc_number"])
    response = clerk.post(URL, json=again)

    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "duplicate_document"
    assert first["doc_number"] in error["message"]
    assert "doc_number" in error["fields"]
    assert counts() == before == (1, 1)


def test_same_number_with_another_type_is_allowed(clerk):
    first = payload(doc_type="KK")
    assert clerk.post(URL, json=first).status_code == 201
    response = clerk.post(URL, json={**first, "doc_type": "KTP_EL"})
    assert response.status_code == 201


def test_same_type_and_number_in_another_office_is_allowed(clerk, login_as, other_office):
    body = payload()
    assert clerk.post(URL, json=body).status_code == 201

    response = login_as("clerk", other_office).post(URL, json=body)

    assert response.status_code == 201
    assert db.session.get(Document, response.get_json()["id"]).office_id == other_office.id
    assert counts() == (2, 2)


@pytest.mark.parametrize(("role", "status"), [("kasubbag", 403), ("operator", 403), ("courier", 403), ("admin", 403)])
def test_only_a_clerk_registers(login_as, role, status):
    assert login_as(role).post(URL, json=payload()).status_code == status
    assert counts() == (0, 0)


def test_register_without_a_token_is_401(client):
    assert client.post(URL, json=payload()).status_code == 401
    assert counts() == (0, 0)


# ---------------------------------------------------------------- GET /documents

def listed(api, **params) -> dict:
    response = api.get(URL, query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(page: dict) -> set[int]:
    return {item["id"] for item in page["items"]}


def test_list_shows_only_the_own_office(clerk, login_as, other_office, documents):
    mine = documents(clerk.user, 5, seed=1)
    theirs = documents(login_as("clerk", other_office).user, 3, seed=1)  # same numbers, NIKs and names

    page = listed(clerk)

    assert page["total"] == 5
    assert ids(page) == {d.id for d in mine}
    assert not ids(page) & {d.id for d in theirs}
    for term in (theirs[0].nik, theirs[0].kk_number, theirs[0].doc_number, theirs[0].owner_name):
        assert ids(listed(clerk, q=term)) <= {d.id for d in mine}


def test_any_staff_role_may_list_but_a_courier_may_not(login_as, documents):
    clerk = login_as("clerk")
    documents(clerk.user, 2)
    assert listed(login_as("operator"))["total"] == 2
    assert listed(login_as("kasubbag"))["total"] == 2
    assert login_as("courier").get(URL).status_code == 403


def test_filter_by_status(clerk, documents):
    docs = documents(clerk.user, 4)
    for document in docs[:2]:
        assert clerk.post(f"{URL}/{document.id}/flag", json={"reason": "data_error"}).status_code == 200

    assert ids(listed(clerk, status="needs_fix")) == {d.id for d in docs[:2]}
    assert ids(listed(clerk, status="registered")) == {d.id for d in docs[2:]}
    assert listed(clerk, status="in_recap")["total"] == 0


def test_filter_by_doc_type(clerk, documents):
    docs = documents(clerk.user, 8)  # the demo cycles KK, KTP_EL, KIA, AKTA_...: two KK, two KTP_EL
    page = listed(clerk, doc_type="KK")
    assert page["total"] == 2
    assert ids(page) == {d.id for d in docs if d.doc_type == "KK"}
    assert listed(clerk, doc_type="AKTA_PERCERAIAN")["total"] == 0


def test_search_by_name_substring_nik_kk_and_doc_number(clerk, documents):
    others = documents(clerk.user, 4, seed=1)
    (desiree,) = documents(clerk.user, 1, seed=2, owner_name="Désirée Ma'ruf")

    assert ids(listed(clerk, q="Ma'ruf")) == {desiree.id} | {d.id for d in others if "Ma'ruf" in d.owner_name}
    assert desiree.id in ids(listed(clerk, q="sirée"))
    assert desiree.id in ids(listed(clerk, q="ma'RUF"))  # case does not matter
    assert ids(listed(clerk, q=desiree.nik)) == {desiree.id}
    assert ids(listed(clerk, q=desiree.doc_number)) == {desiree.id}
    household = {d.id for d in others if d.kk_number == others[0].kk_number}
    assert len(household) == 2  # the demo puts two documents in each household
    assert ids(listed(clerk, q=others[0].kk_number)) == household
    assert listed(clerk, q="Tidak Ada Nama Ini")["total"] == 0


@pytest.mark.parametrize("term", ["%", "_", "%a%"])
def test_search_wildcards_are_taken_literally(clerk, documents, term):
    documents(clerk.user, 3)
    assert listed(clerk, q=term)["total"] == 0


def test_filters_combine(clerk, documents):
    docs = documents(clerk.user, 6)
    kk = next(d for d in docs if d.doc_type == "KK")
    clerk.post(f"{URL}/{kk.id}/flag", json={"reason": "unsigned"})
    assert ids(listed(clerk, status="needs_fix", doc_type="KK", q=kk.nik)) == {kk.id}
    assert listed(clerk, status="registered", doc_type="KK")["total"] == 0


def test_pagination(clerk, documents):
    docs = documents(clerk.user, 7)

    pages = [listed(clerk, page=n, per_page=3) for n in (1, 2, 3, 4)]

    assert [(p["page"], p["per_page"], p["total"], p["pages"]) for p in pages] == [(n, 3, 7, 3) for n in (1, 2, 3, 4)]
    assert [len(p["items"]) for p in pages] == [3, 3, 1, 0]
    seen = [item["id"] for p in pages for item in p["items"]]
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == {d.id for d in docs}
    assert seen == sorted(seen, reverse=True)  # newest first


def test_default_page(clerk, documents):
    documents(clerk.user, 3)
    page = listed(clerk)
    assert (page["page"], page["per_page"], page["total"], page["pages"]) == (1, 50, 3, 1)
    assert {"nik", "kk_number", "address", "status", "status_label", "phone"} <= set(page["items"][0])


@pytest.mark.parametrize(("params", "field"), [
    ({"per_page": "0"}, "per_page"),
    ({"per_page": "-5"}, "per_page"),
    ({"per_page": "501"}, "per_page"),
    ({"per_page": "banyak"}, "per_page"),
    ({"page": "0"}, "page"),
    ({"page": "satu"}, "page"),
    ({"status": "lost"}, "status"),
    ({"q": "x" * 101}, "q"),
    ({"sort": "name"}, "sort"),
])
def test_bad_list_parameter_is_422(clerk, params, field):
    response = clerk.get(URL, query_string=params)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


# ---------------------------------------------------------------- flag / resolve

def flag(api, document_id, **body):
    return api.post(f"{URL}/{document_id}/flag", json=body)


def resolve(api, document_id):
    return api.post(f"{URL}/{document_id}/resolve")


def events_of(document_id) -> list[tuple[str, str]]:
    rows = db.session.execute(select(CustodyEvent.action, CustodyEvent.to_state).where(
        CustodyEvent.subject_type == "document", CustodyEvent.subject_id == document_id).order_by(CustodyEvent.seq))
    return [tuple(row) for row in rows]


@pytest.mark.parametrize(("reason", "note"), [("data_error", "Nama ibu salah ketik"), ("unsigned", None)])
def test_flag_moves_to_needs_fix(clerk, documents, reason, note):
    (document,) = documents(clerk.user, 1)
    body = {"reason": reason, "note": note} if note else {"reason": reason}

    response = flag(clerk, document.id, **body)

    assert response.status_code == 200
    result = response.get_json()
    assert (result["status"], result["flag_reason"], result["flag_note"]) == ("needs_fix", reason, note)
    assert result["status_label"] == "Perlu perbaikan"
    db.session.expire_all()
    assert document.status.value == "needs_fix"
    assert document.flag_reason.value == reason
    assert events_of(document.id) == [("register", "registered"), ("flag", "needs_fix")]


@pytest.mark.parametrize("body", [{"reason": "lost"}, {"reason": ""}, {}, {"reason": "data_error", "extra": 1},
                                  {"reason": "data_error", "note": "x" * 1001},
                                  {"reason": "unsigned", "note": "a\x00"}])
def test_flag_with_a_bad_body_is_422(clerk, documents, body):
    (document,) = documents(clerk.user, 1)
    response = flag(clerk, document.id, **body)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]
    db.session.expire_all()
    assert document.status.value == "registered"
    assert events_of(document.id) == [("register", "registered")]


def test_flagging_twice_is_409(clerk, documents):
    (document,) = documents(clerk.user, 1)
    assert flag(clerk, document.id, reason="data_error", note="pertama").status_code == 200

    response = flag(clerk, document.id, reason="unsigned", note="kedua")

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_transition"
    db.session.expire_all()
    assert (document.flag_reason.value, document.flag_note) == ("data_error", "pertama")
    assert len(events_of(document.id)) == 2


def test_resolve_moves_back_to_registered(clerk, documents):
    (document,) = documents(clerk.user, 1)
    flag(clerk, document.id, reason="unsigned", note="belum TTE")

    response = resolve(clerk, document.id)

    assert response.status_code == 200
    result = response.get_json()
    assert (result["status"], result["flag_reason"], result["flag_note"]) == ("registered", None, None)
    assert events_of(document.id) == [("register", "registered"), ("flag", "needs_fix"), ("resolve", "registered")]
    assert flag(clerk, document.id, reason="data_error").status_code == 200  # may be flagged again


def test_resolving_a_registered_document_is_409(clerk, documents):
    (document,) = documents(clerk.user, 1)
    response = resolve(clerk, document.id)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_transition"
    assert events_of(document.id) == [("register", "registered")]


def test_another_offices_document_is_404(clerk, login_as, other_office, documents):
    (theirs,) = documents(login_as("clerk", other_office).user, 1)

    assert clerk.get(f"{URL}/{theirs.id}").status_code == 404
    assert flag(clerk, theirs.id, reason="data_error").status_code == 404
    assert resolve(clerk, theirs.id).status_code == 404
    db.session.expire_all()
    assert theirs.status.value == "registered"
    assert events_of(theirs.id) == [("register", "registered")]


def test_unknown_document_is_404(clerk):
    assert flag(clerk, 999_999, reason="data_error").status_code == 404
    assert resolve(clerk, 999_999).status_code == 404
    assert clerk.get(f"{URL}/999999").get_json()["error"]["code"] == "not_found"


def test_only_a_clerk_flags(login_as, documents):
    (document,) = documents(login_as("clerk").user, 1)
    assert flag(login_as("kasubbag"), document.id, reason="data_error").status_code == 403
    assert resolve(login_as("operator"), document.id).status_code == 403
