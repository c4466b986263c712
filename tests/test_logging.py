"""JSON log lines with the request id, the X-Request-ID header, and personal data masked in every line."""
from __future__ import annotations

import io
import json
import logging

import pytest

from distribusi import create_app
from distribusi.monitoring import logs
from distribusi.monitoring.logs import mask
from tests.conftest import test_config as config_for

NIK = "1471012345678901"


@pytest.fixture
def logged(tmp_path):
    """An app whose log lines go to a buffer; returns (app, buffer)."""
    app = create_app(config_for(f"sqlite:///{tmp_path / 'x.db'}"))
    buffer = io.StringIO()
    handler = logs.make_handler(json_lines=True, stream=buffer)
    root = logging.getLogger()
    root.addHandler(handler)

    @app.route("/_log")
    def _log():
        logging.getLogger("distribusi.test").warning("lookup of NIK %s by phone %s", NIK, "0812-3456-7890")
        return "ok"

    @app.route("/_boom")
    def _boom():
        raise RuntimeError(f"duplicate key value (nik)=({NIK})")

    yield app, buffer
    root.removeHandler(handler)


def lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_a_log_line_is_json_with_the_request_id_of_the_response(logged):
    app, buffer = logged
    response = app.test_client().get("/_log")
    [line] = [row for row in lines(buffer) if row["logger"] == "distribusi.test"]
    assert line["level"] == "WARNING"
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert NIK not in line["message"] and "[NIK]" in line["message"]
    assert "3456" not in line["message"] and "[HP]" in line["message"]


def test_the_proxys_request_id_round_trips_into_the_log(logged):
    app, buffer = logged
    response = app.test_client().get("/_log", headers={"X-Request-ID": "nginx-4f1c2a9be0d3"})
    assert response.headers["X-Request-ID"] == "nginx-4f1c2a9be0d3"
    assert [row["request_id"] for row in lines(buffer) if row["logger"] == "distribusi.test"] == ["nginx-4f1c2a9be0d3"]


@pytest.mark.parametrize("given", ["short", "has space in it", "x" * 129, "semi;colon1234", "quote\"12345678"])
def test_a_malformed_request_id_is_replaced(logged, given):
    app, _buffer = logged
    answered = app.test_client().get("/_log", headers={"X-Request-ID": given}).headers["X-Request-ID"]
    assert answered != given and len(answered) == 32 and answered.isalnum()


def test_every_response_carries_a_request_id_even_an_error(logged):
    app, buffer = logged
    response = app.test_client().get("/_boom")
    assert response.status_code == 500
    rid = response.headers["X-Request-ID"]
    [error] = [row for row in lines(buffer) if row["level"] == "ERROR"]
    assert error["request_id"] == rid
    assert "RuntimeError" in error["exception"] and NIK not in error["exception"]


def test_lines_outside_a_request_say_so():
    buffer = io.StringIO()
    logger = logging.getLogger("distribusi.test.outside")
    handler = logs.make_handler(stream=buffer)
    logger.addHandler(handler)
    try:
        logger.warning("worker started")
    finally:
        logger.removeHandler(handler)
    assert lines(buffer)[0]["request_id"] == "-"


def test_werkzeug_access_lines_lose_the_phone_digits_and_the_tracking_code():
    line = '127.0.0.1 - - [01/Dec/2026 10:00:00] "GET /k/7K3M9QX2RB?hp=7890 HTTP/1.1" 200 -'
    assert mask(line) == '127.0.0.1 - - [01/Dec/2026 10:00:00] "GET /k/***?hp=*** HTTP/1.1" 200 -'
    assert mask("GET /api/v1/public/track/7K3M9QX2RB?verify=7890") == "GET /api/v1/public/track/***?verify=***"
    assert mask("GET /lacak?code=7K3M9QX2RB&hp=1234") == "GET /lacak?code=***&hp=***"


@pytest.mark.parametrize("text, expected", [
    (f"NIK {NIK} ok", "NIK [NIK] ok"),
    ("KK 1471019876543210, NIK 1471010101010101", "KK [NIK], NIK [NIK]"),
    ("hp +62 812-3456-7890.", "hp [HP]."),
    ("hp 081234567890", "hp [HP]"),
    ("hp 6281234567890", "hp [HP]"),
    ("hp 0812 3456 789", "hp [HP]"),
    ("kode 7K3M9QX2RB diserahkan", "kode [KODE] diserahkan"),
])
def test_personal_data_is_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize("text", [
    "recap R/2026/PKU/0042 signed", "GET /api/v1/recaps/42/labels.pdf 200 1834 bytes in 0.083 s",
    "2026-12-01 10:00:00 UTC", "DELIVERED", "REGISTERED by kasubbag", "17 documents imported", "port 8000",
    "request 4f1c2a9be0d34c5e8f7a6b5c4d3e2f10",
])
def test_ordinary_text_is_left_alone(text):
    assert mask(text) == text


def test_the_gunicorn_access_line_has_no_query_and_no_code():
    from distribusi.monitoring.gunicorn import MaskingLogger

    atoms = MaskingLogger.mask_atoms({"U": "/k/7K3M9QX2RB", "q": "hp=7890", "r": "GET /k/7K3M9QX2RB?hp=7890 HTTP/1.1",
                                      "s": "200", "{x-request-id}o": "abc"})
    assert atoms == {"U": "/k/***", "q": "hp=***", "r": "GET /k/***?hp=*** HTTP/1.1", "s": "200",
                     "{x-request-id}o": "abc"}
