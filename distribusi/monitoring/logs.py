"""JSON log lines with the request id on each, and personal data (NIK, KK, phone numbers, tracking codes) masked.

Every line the app, werkzeug or gunicorn writes goes through `PersonalDataFilter` and, unless LOG_FORMAT=text,
`JsonFormatter`. The request id comes from the proxy's X-Request-ID when it is well formed, else it is made here;
it is sent back in the X-Request-ID response header so a citizen's complaint can be matched with the log.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
WELL_FORMED_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")  # nginx's $request_id is 32 hex digits
NO_REQUEST = "-"

# Query values that carry phone digits or a verification code, in any logged URL (werkzeug, gunicorn, errors).
_SECRET_QUERY = re.compile(r"(?i)\b(hp|verify|phone|nik|kk|token|code)=[^&\s\"']*")
# A tracking code in a public address: /k/<code>, /api/v1/public/track/<code>, /verifikasi/<code>.
_CODE_IN_PATH = re.compile(r"(?i)(/(?:k|track|verifikasi|verify|lacak)/)[^/?\s\"']+")
_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")  # NIK and KK numbers
_PHONE = re.compile(r"(?<![\w+])(?:\+?62|0)[\s.-]?8\d{1,3}(?:[\s.-]?\d{2,4}){2,4}(?!\d)")
# Nine Crockford base32 characters and a check character, with at least one digit (recap.codes).
_TRACKING_CODE = re.compile(r"\b(?=[0-9A-HJKMNP-TV-Z]{0,9}[0-9])[0-9A-HJKMNP-TV-Z]{10}\b")


def mask(text: str) -> str:
    """The text with NIK/KK numbers, phone numbers, tracking codes and secret query values replaced by stars."""
    text = _SECRET_QUERY.sub(lambda m: f"{m.group(1)}=***", text)
    text = _CODE_IN_PATH.sub(r"\1***", text)
    text = _SIXTEEN_DIGITS.sub("[NIK]", text)
    text = _PHONE.sub("[HP]", text)
    return _TRACKING_CODE.sub("[KODE]", text)


def current_request_id() -> str:
    """The id of the request being served (taken from the proxy or made on first use), or "-" outside one."""
    if not has_request_context():
        return NO_REQUEST
    rid = g.get("request_id")
    if rid is None:
        rid = g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER, ""))
    return rid


def request_id_from(given: str) -> str:
    """The proxy's request id when it is well formed, else a new one."""
    return given if WELL_FORMED_ID.fullmatch(given) else os.urandom(16).hex()


class PersonalDataFilter(logging.Filter):
    """Masks personal data in the message and the traceback, and puts the request id on the record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request_id, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def make_handler(json_lines: bool = True, stream=None) -> logging.Handler:
    """A handler to stderr with the masking filter and the JSON (or plain text) format."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(PersonalDataFilter())
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
    handler._distribusi = True  # type: ignore[attr-defined]  (replaced, not added again, by the next app)
    return handler


def configure_logging(app: Flask) -> None:
    """Send the root logger's lines (app, werkzeug, SQLAlchemy warnings) through one masked JSON handler."""
    if not app.config.get("LOG_SETUP", True):
        return
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_distribusi", False)]:
        root.removeHandler(old)
    root.addHandler(make_handler(app.config.get("LOG_FORMAT", "json") != "text"))
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    app.logger.handlers.clear()  # Flask's own default handler would print the line a second time, unmasked
    app.logger.propagate = True


def register_request_id(app: Flask) -> None:
    """Echo the request id in the X-Request-ID response header (made from the proxy's header or new)."""

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = current_request_id()
        return response
