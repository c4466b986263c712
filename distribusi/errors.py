"""The one error handler: domain, validation, permission and HTTP errors as JSON for the API, pages for people."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from distribusi.extensions import db
from distribusi.problems import Problem

log = logging.getLogger(__name__)

HTTP_MESSAGES = {
    400: ("bad_request", "Permintaan tidak dapat dibaca."),
    401: ("unauthorized", "Silakan masuk terlebih dahulu."),
    403: ("forbidden", "Anda tidak berwenang melakukan tindakan ini."),
    404: ("not_found", "Data tidak ditemukan."),
    405: ("method_not_allowed", "Metode tidak diizinkan untuk alamat ini."),
    409: ("conflict", "Permintaan bertentangan dengan keadaan data."),
    413: ("too_large", "Berkas atau data terlalu besar."),
    415: ("unsupported_media_type", "Jenis isi tidak didukung."),
    422: ("validation_error", "Data tidak valid."),
    429: ("rate_limited", "Terlalu banyak permintaan. Coba lagi nanti."),
    500: ("server_error", "Terjadi kesalahan pada server. Silakan coba lagi."),
}


class ApiError(Problem):
    """An error only the web edge knows (malformed JSON, a missing upload, a rate limit), with an explicit status."""

    def __init__(self, status: int, message: str, *, code: str | None = None, **kwargs):
        self.status = status
        super().__init__(message, code=code or HTTP_MESSAGES.get(status, ("error",))[0], **kwargs)


def answer_of(error: Problem | ValidationError) -> tuple[int, dict]:
    """The status and the inside of the {"error": ...} body for a domain or validation error."""
    if isinstance(error, ValidationError):
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        return 422, {"code": "validation_error", "message": "Data tidak valid. Periksa isian yang ditandai.",
                     "fields": messages}
    return error.status, error.body()


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/webhooks/")) or request.path == "/health"


def error_response(status: int, code: str, message: str, fields: dict | None = None, **extra):
    """The JSON error shape of the contract, or an error page; whatever the request had written is rolled back."""
    db.session.rollback()
    if wants_json():
        body = {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}
        return jsonify(body), status
    return render_template("error.html", status=status, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Map every kind of failure to one response shape."""

    @app.errorhandler(Problem)
    @app.errorhandler(ValidationError)
    def problem(error: Problem | ValidationError):
        status, body = answer_of(error)
        response = make_response(error_response(status, **body))
        response.headers.update(getattr(error, "headers", {}))
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(400, "csrf", "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman dan coba lagi.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code, message = HTTP_MESSAGES.get(error.code or 500, ("error", error.description or "Kesalahan."))
        response = make_response(error_response(error.code or 500, code, message))
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)  # required on a 405 (RFC 9110)
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        code, message = HTTP_MESSAGES[500]
        return error_response(500, code, message)
