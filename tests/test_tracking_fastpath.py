"""tracking.fastpath: a found code is answered in front of Flask with the very answer the Flask view gives; every
other request (unknown code, a phone hint, a refused client, a database error, another method) goes on to Flask."""
from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError
from werkzeug.test import Client
from werkzeug.wrappers import Response

from distribusi import ratelimit
from distribusi.tracking import services
from distribusi.tracking.fastpath import PublicTrackFastPath

from flow import STATE_PATHS, drive, handed_over_recap, submitted_recap

TRACK = "/api/v1/public/track"
PER_REQUEST = {"X-Request-ID", "Vary"}  # a new id each time; Flask-Login reads the session on every Flask request


@pytest.fixture
def fast(app) -> PublicTrackFastPath:
    assert isinstance(app.wsgi_app, PublicTrackFastPath)  # no proxy configured in the tests: it is outermost
    return app.wsgi_app


@pytest.fixture
def code(crew, documents) -> str:
    parcel = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2)["parcels"][0]
    return parcel["tracking_code"]


def _flask_only(app, fast):
    """A client of the Flask app without the fast path in front."""
    return Client(fast.wsgi_app, Response)


def _refuse_flask(monkeypatch, fast):
    """Make the Flask app unreachable: a request that reaches it fails the test."""
    seen = []

    def flask_app(environ, start_response):
        seen.append(environ["PATH_INFO"])
        raise AssertionError(f"{environ['PATH_INFO']} went on to Flask")

    monkeypatch.setattr(fast, "wsgi_app", flask_app)
    return seen


def test_both_roads_give_the_same_answer_in_every_state(app, client, fast, crew, documents, subtests):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2 * len(STATE_PATHS))
    parcels = dict(zip(STATE_PATHS, recap["parcels"], strict=True))
    for state, parcel in parcels.items():
        drive(crew, parcel, state)
    parcels["not handed over"] = submitted_recap(crew.clerk, documents, count=2, seed=3)["parcels"][0]
    flask = _flask_only(app, fast)

    for state, parcel in parcels.items():
        with subtests.test(state):
            quick = client.get(f"{TRACK}/{parcel['tracking_code']}")
            slow = flask.get(f"{TRACK}/{parcel['tracking_code']}")
            assert quick.status_code == slow.status_code == 200
            assert quick.get_data() == slow.get_data()
            assert ({k: v for k, v in quick.headers.items() if k not in PER_REQUEST}
                    == {k: v for k, v in slow.headers.items() if k not in PER_REQUEST})
            assert len(quick.headers["X-Request-ID"]) == 32


def test_a_found_code_never_reaches_flask(client, fast, code, monkeypatch):
    seen = _refuse_flask(monkeypatch, fast)

    answer = client.get(f"{TRACK}/{code}", headers={"X-Request-ID": "proxy-request-1234"})

    assert answer.status_code == 200 and answer.get_json()["tracking_code"] == code
    assert answer.headers["X-Request-ID"] == "proxy-request-1234"  # the proxy's id, as on every other answer
    assert seen == []


@pytest.mark.parametrize("method, path, query", [
    ("GET", f"{TRACK}/TIDAKADA00", None),          # unknown: Flask's 404 in Indonesian
    ("GET", f"{TRACK}/{{code}}", {"verify": "1234"}),  # a phone hint: Flask's schema checks it
    ("POST", f"{TRACK}/{{code}}", None),           # another method: Flask's 405
    ("GET", f"{TRACK}/{{code}}/lagi", None),       # not the tracking rule
    ("GET", f"{TRACK}/", None),
])
def test_everything_else_goes_on_to_flask(client, fast, code, monkeypatch, method, path, query):
    seen = _refuse_flask(monkeypatch, fast)

    with pytest.raises(AssertionError, match="went on to Flask"):
        client.open(path.format(code=code), method=method, query_string=query)

    assert seen == [path.format(code=code)]


def test_the_unknown_code_is_answered_by_flask_and_counted_once(app, client, code):
    app.config["PUBLIC_RATE_LIMIT"] = "3 per minute"

    unknown = client.get(f"{TRACK}/TIDAKADA00")
    assert unknown.status_code == 404 and unknown.get_json()["error"]["message"].startswith("Kode kiriman")
    assert client.get(f"{TRACK}/{code}").status_code == 200
    with app.test_request_context():
        assert ratelimit.used("3 per minute", ratelimit.PUBLIC_SCOPE, "127.0.0.1") == 2

    assert client.get(f"{TRACK}/{code}").status_code == 200
    refused = client.get(f"{TRACK}/{code}")
    assert refused.status_code == 429  # Flask's answer: message and Retry-After
    assert refused.get_json()["error"]["code"] == "rate_limited" and int(refused.headers["Retry-After"]) > 0


def test_a_database_error_is_answered_by_the_one_error_door(client, code, monkeypatch):
    def broken(**_given):
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(services.PUBLIC_TIMELINE, "rows", broken)

    answer = client.get(f"{TRACK}/{code}")

    assert answer.status_code == 500
    assert answer.get_json()["error"]["code"] == "server_error"
    assert answer.headers["Content-Security-Policy"]


def test_a_fast_answer_is_counted_in_the_request_metrics(app, client, code):
    client.get(f"{TRACK}/{code}")
    client.get(f"{TRACK}/{code}")

    metrics = app.extensions["distribusi_metrics"]
    counted = metrics.duration.labels("GET", f"{TRACK}/<code>", "200")._sum  # observed seconds, one per answer
    assert metrics.total.labels("GET", "200")._value.get() >= 2
    assert counted.get() > 0
