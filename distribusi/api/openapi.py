"""The OpenAPI document, generated from the API routes and their marshmallow schemas."""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>\w+)>")


def _path(rule: str) -> str:
    return _CONVERTER.sub(lambda m: "{" + m.group("name") + "}", rule)


def _parameters(rule: str) -> list[dict]:
    return [
        {"name": m.group("name"), "in": "path", "required": True,
         "schema": {"type": "integer" if m.group("conv") == "int" else "string"}}
        for m in _CONVERTER.finditer(rule)
    ]


def build_spec(app: Flask) -> dict:
    """An OpenAPI 3 document of every route registered through api_route."""
    spec = APISpec(
        title="Distribusi API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
        info={"description": "Distribusi dokumen kependudukan. Pesan kesalahan dalam Bahasa Indonesia."},
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        meta = getattr(app.view_functions.get(rule.endpoint), "__openapi__", None)
        if meta is None:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation: dict = {"summary": meta["summary"], "parameters": _parameters(rule.rule), "responses": {}}
            if meta["query"] is not None:
                operation["parameters"].append({"in": "query", "schema": meta["query"]})
            if meta["body"] is not None:
                operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": meta["body"]}}}
            elif meta["content_type"] == "multipart/form-data":
                operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}}
            ok = {"description": "Berhasil"}
            if meta["response"] is not None:
                ok["content"] = {"application/json": {"schema": meta["response"]}}
            operation["responses"][str(meta["status"])] = ok
            operation["responses"]["default"] = {"description": "Kesalahan: {\"error\": {code, message, fields}}"}
            if not meta["public"]:
                operation["security"] = [{"bearer": []}]
            paths.setdefault(_path(rule.rule), {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
