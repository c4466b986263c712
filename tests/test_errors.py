"""Bad input gets the JSON error shape with the right status, never a 500; pages get an Indonesian error page."""
from __future__ import annotations

import io
import json

import pytest

from distribusi.demo import as_api_payload, document_rows


def _error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert {"code", "message", "fields"} <= set(error)
    assert isinstance(error["code"], str) and isinstance(error["fields"], dict)
    assert error["message"] and "Traceback" not in error["message"]
    return error


@pytest.fixture
def clerk(login_as):
    return login_as("clerk")


def _document():
    return as_api_payload(next(document_rows(1, seed=90, prefix="ERR")))


MALFORMED = {
    "truncated": '{"document_ids": [1,', "single-quotes": "{'document_ids': [1]}", "form": "document_ids=1",
    "empty": "", "null": "null", "not-utf8": "\xff\xfe", "nested-too-deep": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("path", ["/api/v1/recaps", "/api/v1/documents", "/api/v1/auth/token"])
def test_malformed_json_is_400(clerk, subtests, path):
    for case, raw in MALFORMED.items():
        with subtests.test(case):
            error = _error(clerk.post(path, data=raw.encode("latin-1"), content_type="application/json"), 400)
            assert error["code"] == "invalid_json"
            assert "JSON" in error["message"]


def test_json_without_its_content_type_is_400(clerk):
    error = _error(clerk.post("/api/v1/recaps", data='{"document_ids": [1]}', content_type="text/plain"), 400)
    assert error["code"] == "invalid_json"


WRONG_TYPES = [
    ("ids-string", "/api/v1/recaps", {"document_ids": "1,2,3"}, "document_ids"),
    ("ids-objects", "/api/v1/recaps", {"document_ids": [{"id": 1}]}, "document_ids"),
    ("ids-float", "/api/v1/recaps", {"document_ids": [1.5]}, "document_ids"),
    ("ids-bool", "/api/v1/recaps", {"document_ids": [True]}, "document_ids"),
    ("ids-null", "/api/v1/recaps", {"document_ids": None}, "document_ids"),
    ("body-list", "/api/v1/recaps", [1, 2], "_schema"),
    ("body-string", "/api/v1/recaps", "1", "_schema"),
    ("username-object", "/api/v1/auth/token", {"username": {"nama": "ani"}, "password": "x"}, "username"),
    ("username-list", "/api/v1/auth/token", {"username": ["ani"], "password": "x"}, "username"),
    ("name-object", "/api/v1/documents", {**_document(), "owner_name": {"first": "Ani"}}, "owner_name"),
    ("address-string", "/api/v1/documents", {**_document(), "address": "Jl. Paus No. 12"}, "address"),
    ("rt-list", "/api/v1/documents", {**_document(), "address": {**_document()["address"], "rt": ["003"]}}, "address"),
    ("nik-float", "/api/v1/documents", {**_document(), "nik": 1471016001884364.5}, "nik"),
    ("reason-list", "/api/v1/documents/{id}/flag", {"reason": ["data_error"]}, "reason"),
    ("reason-unknown", "/api/v1/documents/{id}/flag", {"reason": "lupa"}, "reason"),
]


def test_wrong_types_are_422(clerk, documents, subtests):
    document = documents(clerk.user, 1, seed=91)[0]  # for the flag rows
    for case, path, body, field in WRONG_TYPES:
        with subtests.test(case):
            error = _error(clerk.post(path.format(id=document.id), json=body), 422)
            assert error["code"] == "validation_error"
            assert field in error["fields"], error
    assert clerk.get(f"/api/v1/documents/{document.id}").get_json()["status"] == "registered"
    assert clerk.get("/api/v1/documents").get_json()["total"] == 1


def test_bad_query_parameters_are_422(clerk, subtests):
    for query in ["page=abc", "page=0", "per_page=100000", "status=bogus", "q=" + "x" * 500, "unknown=1"]:
        with subtests.test(query[:20]):
            error = _error(clerk.get(f"/api/v1/documents?{query}"), 422)
            assert error["fields"]


def test_unknown_api_route_is_404_json(clerk, subtests):
    for path in ["/api/v1/tidak-ada", "/api/v1/documents/abc", "/api/v1/recaps/1/hapus", "/api/v2/x", "/api/v1/"]:
        with subtests.test(path):
            assert _error(clerk.get(path), 404)["code"] == "not_found"


def test_ids_beyond_the_database_range_are_404_not_500(clerk, subtests):
    for method, path in [
        ("get", "/api/v1/documents/99999999999999999999"), ("get", "/api/v1/documents/2147483648"),
        ("get", "/api/v1/recaps/9223372036854775808"), ("post", "/api/v1/documents/99999999999999999999/flag"),
        ("post", "/api/v1/recaps/2147483648/submit"),
    ]:
        with subtests.test(path):
            response = getattr(clerk, method)(path, json={"reason": "data_error"})
            assert _error(response, 404)["code"] == "not_found"


def test_method_not_allowed_is_405_json(client, subtests):
    for method, path in [("delete", "/api/v1/documents"), ("put", "/api/v1/recaps"), ("get", "/api/v1/auth/token"),
                         ("delete", "/api/v1/admin/office"), ("post", "/health")]:
        with subtests.test(f"{method} {path}"):
            response = getattr(client, method)(path)
            assert _error(response, 405)["code"] == "method_not_allowed"
            assert method.upper() not in response.headers["Allow"]
            assert response.headers["Allow"]


def test_body_over_the_limit_is_413_json(app, client, clerk):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    big = json.dumps({"document_ids": list(range(1, 2000))})
    assert _error(clerk.post("/api/v1/recaps", data=big, content_type="application/json"), 413)["code"] == "too_large"
    token = json.dumps({"username": "a" * 5000, "password": "x"})
    assert _error(client.post("/api/v1/auth/token", data=token, content_type="application/json"), 413)
    upload = {"file": (io.BytesIO(b"doc_type,doc_number\n" + b"x" * 8000), "harian.csv")}
    assert _error(clerk.post("/api/v1/documents/import", data=upload, content_type="multipart/form-data"), 413)


def test_default_body_limit_is_20_mb():
    from distribusi.config import Config, TestConfig

    assert Config.MAX_CONTENT_LENGTH == TestConfig.MAX_CONTENT_LENGTH == 20 * 1024 * 1024


def test_an_unexpected_error_is_a_500_without_details(clerk, monkeypatch):
    from distribusi.recap import services

    def broken(*_args, **_kwargs):
        raise RuntimeError("rahasia internal: password=hunter2")

    monkeypatch.setattr(services, "create_recap", broken)
    error = _error(clerk.post("/api/v1/recaps", json={"document_ids": [1]}), 500)
    assert error["code"] == "server_error"
    assert "rahasia" not in json.dumps(error)


def test_unknown_page_is_404_html_in_indonesian(client):
    response = client.get("/halaman-yang-tidak-ada")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'lang="id"' in page and "Halaman tidak ditemukan" in page and "Data tidak ditemukan." in page
    assert "Kembali ke beranda" in page
