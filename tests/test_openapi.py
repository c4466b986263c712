"""The OpenAPI document describes what each operation really answers (integrations generate clients from it)."""
from __future__ import annotations

import pytest
import schemathesis

LISTS = {"/api/v1/admin/courier-partners": "PartnerOut", "/api/v1/admin/users": "UserOut",
         "/api/v1/undelivered": "UndeliveredOut"}
FILES = {
    "/api/v1/recaps/{recap_id}/labels.pdf": "application/pdf",
    "/api/v1/recaps/{recap_id}/recap.pdf": "application/pdf",
    "/api/v1/recaps/{recap_id}/recap.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "/api/v1/cover-letters/{letter_id}/letter.pdf": "application/pdf",
    "/api/v1/handovers/{handover_id}/record.pdf": "application/pdf",
    "/api/v1/undelivered.pdf": "application/pdf",
    "/api/v1/undelivered.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "/api/v1/photos/{photo_id}": "image/jpeg",
}


@pytest.fixture
def spec(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def _resolve(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]] if "/schemas/" in node["$ref"] \
            else spec["components"]["responses"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _operations(spec: dict):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def _json_schema(spec: dict, response: dict) -> dict:
    return _resolve(spec, _resolve(spec, response)["content"]["application/json"]["schema"])


def test_the_document_is_valid_openapi(spec):
    schemathesis.openapi.from_dict(spec).validate()


def test_list_answers_are_described_as_items(spec, client, login_as, documents):
    for path, item in LISTS.items():
        body = _json_schema(spec, spec["paths"][path]["get"]["responses"]["200"])
        assert body["type"] == "object" and "items" in body["required"], path
        assert body["properties"]["items"] == {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}}
    assert "total" in _json_schema(spec, spec["paths"]["/api/v1/undelivered"]["get"]["responses"]["200"])["required"]
    admin = login_as("admin")
    assert set(admin.get("/api/v1/admin/users").get_json()) == {"items"}
    assert set(admin.get("/api/v1/admin/courier-partners").get_json()) == {"items"}


def test_created_answers_are_201_and_replays_200(spec):
    created = {path for path, method, op in _operations(spec) if "201" in op["responses"]}
    assert {"/api/v1/documents", "/api/v1/documents/import", "/api/v1/recaps", "/api/v1/returns", "/api/v1/auth/token",
            "/api/v1/admin/users", "/api/v1/admin/courier-partners", "/api/v1/recaps/{recap_id}/handover",
            "/api/v1/recaps/{recap_id}/cover-letter", "/api/v1/scans", "/api/v1/scans/{event_id}/photo"} <= created
    assert "200" not in spec["paths"]["/api/v1/documents"]["post"]["responses"]
    assert {"200", "201"} <= set(spec["paths"]["/api/v1/scans"]["post"]["responses"])  # the same key again: 200


def test_every_error_has_the_contract_shape(spec, client):
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    detail = _resolve(spec, error["properties"]["error"])
    assert set(detail["required"]) == {"code", "message", "fields"}
    for path, method, operation in _operations(spec):
        assert "default" in operation["responses"], (method, path)
        for status, response in operation["responses"].items():
            if status == "default" or status.startswith("4"):
                assert _resolve(spec, response)["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"}, (method, path, status)
    flag = spec["paths"]["/api/v1/documents/{document_id}/flag"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "413", "422"} <= set(flag)
    assert "429" in spec["paths"]["/api/v1/public/track/{code}"]["get"]["responses"]
    assert "413" in spec["paths"]["/api/v1/documents/import"]["post"]["responses"]
    body = client.get("/api/v1/recaps/1").get_json()  # unauthenticated: an answer of that shape
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"])


def test_security_is_bearer_except_public_operations(spec):
    assert spec["components"]["securitySchemes"] == {"bearer": {"type": "http", "scheme": "bearer"}}
    public = {(m, p) for p, m, op in _operations(spec) if op["security"] == []}
    assert public == {("get", "/api/v1/openapi.json"), ("post", "/api/v1/auth/token"),
                      ("get", "/api/v1/public/track/{code}"), ("get", "/api/v1/public/verify/{code}"),
                      ("get", "/api/v1/public/complaints/{ticket}")}
    for path, method, operation in _operations(spec):
        assert operation["security"] in ([], [{"bearer": []}]), (method, path)


def test_parameters_and_bodies(spec):
    names = {p["name"]: p for p in spec["paths"]["/api/v1/documents"]["get"]["parameters"]}
    assert set(names) == {"page", "per_page", "status", "doc_type", "q"} and names["q"]["in"] == "query"
    assert {p["name"] for p in spec["paths"]["/api/v1/lookup"]["get"]["parameters"]} == {
        "nik", "kk", "phone", "name", "tracking_code"}
    assert [p["name"] for p in spec["paths"]["/api/v1/recaps/{recap_id}/labels.pdf"]["get"]["parameters"]] == [
        "recap_id", "layout"]
    recap_id = spec["paths"]["/api/v1/recaps/{recap_id}"]["get"]["parameters"][0]
    assert recap_id["in"] == "path" and recap_id["required"] and recap_id["schema"]["type"] == "integer"
    code = spec["paths"]["/api/v1/parcels/{code}/custody"]["get"]["parameters"][0]
    assert code["in"] == "path" and code["schema"]["type"] == "string"
    for path in ("/api/v1/documents/import", "/api/v1/scans/{event_id}/photo"):
        upload = spec["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
        assert upload["required"] == ["file"] and upload["properties"]["file"]["format"] == "binary"
    batch = spec["paths"]["/api/v1/scans/batch"]["post"]
    assert _resolve(spec, batch["requestBody"]["content"]["application/json"]["schema"])["properties"]["scans"][
        "items"] == {"$ref": "#/components/schemas/ScanIn"}
    assert "results" in _json_schema(spec, batch["responses"]["200"])["properties"]


def test_files_are_binary_of_their_type(spec):
    for path, mimetype in FILES.items():
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]
        assert content == {mimetype: {"schema": {"type": "string", "format": "binary"}}}, path


def test_every_operation_has_an_answer_and_a_unique_id(spec):
    ids = [op["operationId"] for _path, _method, op in _operations(spec)]
    assert len(ids) == len(set(ids))
    for path, method, operation in _operations(spec):
        ok = [status for status in operation["responses"] if status.startswith("2")]
        assert ok, (method, path)
        for status in ok:
            assert operation["responses"][status].get("content"), (method, path, status)
