"""Prometheus metrics (per URL rule, import and paper durations, the outbox), who may read them, readiness."""
from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client import REGISTRY

from distribusi.extensions import db
from distribusi.models import utcnow
from distribusi.notify.models import OutboxMessage, OutboxStatus
from tests.test_import import csv_bytes, rows

LOCAL = {"REMOTE_ADDR": "127.0.0.1"}
OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}


def scrape(client, **kwargs) -> str:
    response = client.get("/metrics", environ_base=kwargs.pop("environ_base", LOCAL), **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("text/plain")
    return response.get_data(as_text=True)


def sample(text: str, name: str, **labels) -> float | None:
    """The value of one sample in the exposition text, or None."""
    for line in text.splitlines():
        head, _, value = line.rpartition(" ")
        metric, _, inside = head.partition("{")
        found = dict(part.split("=", 1) for part in inside.rstrip("}").split(",") if part)
        if metric == name and {key: v.strip('"') for key, v in found.items()} == labels:
            return float(value)
    return None


def test_requests_are_counted_by_url_rule_never_by_raw_path(client):
    client.get("/k/7K3M9QX2RB")
    client.get("/health")
    text = scrape(client)
    assert 'url_rule="/k/<code>"' in text
    assert "7K3M9QX2RB" not in text
    assert sample(text, "distribusi_http_request_duration_seconds_count", method="GET", url_rule="/health",
                  status="200") == 1
    assert 'url_rule="/metrics"' not in text  # the scrape itself is not counted


def test_an_unknown_address_is_one_label_not_one_per_path(client):
    client.get("/no-such-page-1")
    client.get("/no-such-page-2")
    text = scrape(client)
    assert sample(text, "distribusi_http_request_duration_seconds_count", method="GET", url_rule="(unmatched)",
                  status="404") == 2
    assert "no-such-page" not in text


@pytest.mark.parametrize("environ, headers, allowed", [
    (LOCAL, {}, True),
    ({"REMOTE_ADDR": "::1"}, {}, True),
    (OUTSIDE, {}, False),
    ({"REMOTE_ADDR": "10.20.30.40"}, {}, True),  # METRICS_ALLOWED_NETWORKS below adds 10.0.0.0/8
    ({"REMOTE_ADDR": "192.168.1.5"}, {}, False),
    (OUTSIDE, {"Authorization": "Bearer scrape-secret-123"}, True),
    (OUTSIDE, {"Authorization": "Bearer wrong"}, False),
    (OUTSIDE, {"Authorization": "scrape-secret-123"}, False),
])
def test_who_may_read_the_metrics(app, environ, headers, allowed):
    app.config["METRICS_TOKEN"] = "scrape-secret-123"
    app.extensions["distribusi_metrics_networks"] = __import__(
        "distribusi.monitoring.metrics", fromlist=["_networks"])._networks("127.0.0.1/32, ::1/128, 10.0.0.0/8")
    response = app.test_client().get("/metrics", environ_base=environ, headers=headers)
    assert response.status_code == (200 if allowed else 403)
    assert (b"distribusi_http_request" in response.data) is allowed


def test_behind_the_proxy_the_forwarded_client_address_decides(tmp_path):
    from distribusi import create_app
    from tests.conftest import test_config

    app = create_app(test_config(f"sqlite:///{tmp_path / 'p.db'}", PROXY_FIX_X_FOR=1))
    client = app.test_client()
    # nginx on 127.0.0.1 forwards a request from the internet: refused
    assert client.get("/metrics", environ_base=LOCAL, headers={"X-Forwarded-For": "198.51.100.9"}).status_code == 403
    # a forged header in front of nginx's own value does not help (only the last hop is trusted)
    forged = {"X-Forwarded-For": "127.0.0.1, 198.51.100.9"}
    assert client.get("/metrics", environ_base=LOCAL, headers=forged).status_code == 403


def _message(office, status: OutboxStatus, due_minutes_ago: float) -> OutboxMessage:
    message = OutboxMessage(office_id=office.id, channel="whatsapp", recipient="+6281234567890", template="handed_over",
                            params={}, status=status, next_attempt_at=utcnow() - timedelta(minutes=due_minutes_ago))
    db.session.add(message)
    return message


def test_outbox_backlog_and_dead_messages_are_counted_at_scrape_time(client, office, other_office):
    text = scrape(client)
    assert sample(text, "distribusi_database_up") == 1
    assert "distribusi_outbox_messages{" not in text
    _message(office, OutboxStatus.pending, 30)
    _message(office, OutboxStatus.pending, -5)  # not yet due
    _message(office, OutboxStatus.dead, 600)
    _message(other_office, OutboxStatus.sent, 60)
    db.session.commit()
    text = scrape(client)
    assert sample(text, "distribusi_outbox_messages", office="PKU", status="pending") == 2
    assert sample(text, "distribusi_outbox_messages", office="PKU", status="dead") == 1
    assert sample(text, "distribusi_outbox_messages", office="MET", status="sent") == 1
    assert 29 * 60 < sample(text, "distribusi_outbox_oldest_due_seconds", office="PKU") < 31 * 60
    assert sample(text, "distribusi_outbox_oldest_due_seconds", office="MET") == 0


def test_readiness_reports_the_outbox(client, office):
    assert client.get("/health/ready").get_json() == {"status": "ok", "database": "ok", "outbox": {}}
    _message(office, OutboxStatus.pending, 2)
    db.session.commit()
    body = client.get("/health/ready").get_json()
    assert body["outbox"]["PKU"]["pending"] == 1


def test_notify_health_fails_when_the_worker_lags_or_messages_die(app, client, office):
    assert client.get("/health/notify").status_code == 200
    message = _message(office, OutboxStatus.pending, 5)
    db.session.commit()
    assert client.get("/health/notify").status_code == 200  # 5 minutes < 15
    app.config["NOTIFY_BACKLOG_MAX_SECONDS"] = 60
    response = client.get("/health/notify")
    assert response.status_code == 503 and response.get_json()["lagging_offices"] == ["PKU"]
    message.status = OutboxStatus.dead
    db.session.commit()
    response = client.get("/health/notify")
    assert response.status_code == 503 and response.get_json()["offices_with_dead_messages"] == ["PKU"]


def test_readiness_answers_503_when_the_database_is_gone(tmp_path):
    from distribusi import create_app
    from tests.conftest import test_config

    app = create_app(test_config("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    client = app.test_client()
    assert client.get("/health/ready").status_code == 503
    text = scrape(client)  # the process's own figures still come out
    assert sample(text, "distribusi_database_up") == 0


def _count(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_import_durations_are_observed_with_their_outcome(login_as):
    from distribusi.intake.services import ImportRefused, import_documents

    clerk = login_as("clerk").user
    ok, refused = (_count("distribusi_import_duration_seconds_count", outcome=o) for o in ("ok", "refused"))
    assert import_documents(clerk, "dokumen.csv", csv_bytes(rows(3)), 100) == 3
    with pytest.raises(ImportRefused):
        import_documents(clerk, "dokumen.csv", b"nik,nama\n1,2\n", 100)
    assert _count("distribusi_import_duration_seconds_count", outcome="ok") == ok + 1
    assert _count("distribusi_import_duration_seconds_count", outcome="refused") == refused + 1


def test_paper_durations_are_observed_per_paper(login_as):
    clerk = login_as("clerk")
    before = _count("distribusi_paper_render_seconds_count", paper="undelivered_pdf")
    response = clerk.get("/api/v1/undelivered.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert _count("distribusi_paper_render_seconds_count", paper="undelivered_pdf") == before + 1
