"""The OpenAPI document, generated from the API routes and their marshmallow schemas."""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from distribusi.api.access import MAX_ID
from distribusi.api.schemas import ErrorOut

_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>\w+)>")
MULTIPART = "multipart/form-data"

ERRORS = {
    400: "Isi permintaan bukan JSON yang sah, atau token CSRF (sesi halaman staf) tidak ada.",
    401: "Belum masuk, atau token tidak sah, kedaluwarsa, dicabut; atau nama pengguna/kata sandi salah.",
    403: "Peran pengguna tidak berwenang melakukan tindakan ini.",
    404: "Data tidak ditemukan (atau milik kantor lain).",
    409: "Tindakan tidak sesuai dengan keadaan data (alur kerja).",
    413: "Berkas atau data terlalu besar.",
    422: "Data tidak valid; `fields` menyebut kolom yang salah.",
    429: "Terlalu banyak permintaan; header Retry-After menyebut berapa detik menunggu.",
}


def _path(rule: str) -> str:
    return _CONVERTER.sub(lambda m: "{" + m.group("name") + "}", rule)


def _parameters(rule: str) -> list[dict]:
    return [
        {"name": m.group("name"), "in": "path", "required": True,
         "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID} if m.group("conv") == "int"
         else {"type": "string", "maxLength": 300}}
        for m in _CONVERTER.finditer(rule)
    ]


def _error_statuses(meta: dict, method: str, rule: str) -> list[int]:
    """The error statuses an operation can answer, from what it takes and who may call it."""
    takes_body = meta["body"] is not None or meta["content_type"] is not None
    writes = method != "GET"
    statuses = set()
    if not meta["public"]:
        statuses |= {401, 403}
        if writes:
            statuses |= {400, 409}  # CSRF for the staff pages' session; a workflow step out of order
    else:
        statuses.add(429)
        if writes:
            statuses.add(401)  # wrong username or password
    if "<" in rule or takes_body or meta["public"]:
        statuses.add(404)  # the object in the path, or an id in the body
    if takes_body:
        statuses |= {400, 413, 422}
    if meta["query"] is not None:
        statuses.add(422)
    return sorted(statuses)


def _success(meta: dict) -> dict:
    ok: dict = {"description": "Berhasil"}
    response = meta["response"]
    if isinstance(response, str):  # a file: PDF, XLSX, JPEG
        ok["content"] = {response: {"schema": {"type": "string", "format": "binary"}}}
    elif response is not None:
        ok["content"] = {"application/json": {"schema": response}}
    return ok


def _operation(meta: dict, method: str, rule: str, view_name: str, tag: str) -> dict:
    operation: dict = {"operationId": view_name, "summary": meta["summary"], "tags": [tag],
                       "parameters": _parameters(rule), "responses": {}}
    if meta["query"] is not None:
        operation["parameters"].append({"in": "query", "schema": meta["query"]})
    if meta["body"] is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": meta["body"]}}}
    elif meta["content_type"] == MULTIPART:
        operation["requestBody"] = {"required": True, "content": {MULTIPART: {"schema": {
            "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}
    statuses = meta["status"] if isinstance(meta["status"], tuple) else (meta["status"],)
    for status in statuses:
        operation["responses"][str(status)] = _success(meta)
    for status in _error_statuses(meta, method, rule):
        operation["responses"][str(status)] = {"$ref": f"#/components/responses/E{status}"}
    operation["responses"]["default"] = {"$ref": "#/components/responses/Error"}
    operation["security"] = [] if meta["public"] else [{"bearer": []}]
    return operation


def build_spec(app: Flask) -> dict:
    """An OpenAPI 3 document of every route registered through api_route."""
    spec = APISpec(
        title="Distribusi API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
        info={"description": "Distribusi dokumen kependudukan. Pesan kesalahan dalam Bahasa Indonesia. "
                             "Masuk dengan POST /api/v1/auth/token, lalu kirim Authorization: Bearer <token>."},
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorOut)
    error = {"application/json": {"schema": "Error"}}
    for status, description in ERRORS.items():
        spec.components.response(f"E{status}", {"description": description, "content": error})
    spec.components.response("Error", {"description": "Kesalahan lain (misalnya 405, 500)", "content": error})
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        meta = getattr(view, "__openapi__", None)
        if meta is None:
            continue
        tag = view.__module__.rsplit(".", 1)[-1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation = _operation(meta, method, rule.rule, view.__name__, tag)
            paths.setdefault(_path(rule.rule), {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
