"""The notification worker against a fake gateway on 127.0.0.1: templates and SMS, retries with backoff through
failures and timeouts, `dead` after the last attempt, the admin's outbox page, and two workers at once."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from distribusi.extensions import db
from distribusi.models import utcnow
from distribusi.notify.models import OutboxMessage, OutboxStatus
from distribusi.notify.worker import backoff, run_once

from concurrency import race
from fake_whatsapp import FakeGateway
from flow import drive, handed_over_recap

PHONE_ID = "109876543210"


@pytest.fixture
def gateway(app):
    with FakeGateway() as fake:
        app.config.update(WHATSAPP_API_BASE_URL=fake.url + "/v21.0", WHATSAPP_ACCESS_TOKEN="token-akses",
                          WHATSAPP_PHONE_NUMBER_ID=PHONE_ID, NOTIFY_BACKOFF_SECONDS=0, NOTIFY_TIMEOUT_SECONDS=0.5,
                          SMS_GATEWAY_URL=fake.url + "/sms", SMS_GATEWAY_TOKEN="token-sms")
        fake.slow_seconds = 1.5
        yield fake


def queue(office, n: int = 1, **fields) -> list[int]:
    rows = [OutboxMessage(office_id=office.id, channel=fields.get("channel", "whatsapp"),
                          recipient=f"+62812000{index:05d}", template=fields.get("template", "pandawa_reply"),
                          params=fields.get("params") or {"body": f"pesan {index}"}) for index in range(n)]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def reload(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_parcel_notifications_go_out_as_whatsapp_templates(app, gateway, crew, documents):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    drive(crew, recap["parcels"][0], "failed_attempt")
    stats = run_once()
    assert (stats.sent, stats.retried, stats.dead) == (2, 0, 0)
    templates = [request["json"]["template"] for request in gateway.received]
    assert [t["name"] for t in templates] == ["parcel_out_for_delivery", "parcel_failed"]
    assert templates[0]["language"] == {"code": "id"}
    parameters = [p["text"] for p in templates[1]["components"][0]["parameters"]]
    assert parameters[1] == recap["parcels"][0]["tracking_code"][:5] + "-" + recap["parcels"][0]["tracking_code"][5:]
    assert parameters[2] == "Penerima tidak di tempat"
    assert all(request["headers"]["Authorization"] == "Bearer token-akses" for request in gateway.received)
    assert run_once().sent == 0  # nothing goes twice


def test_sms_gateway_gets_indonesian_text(app, gateway, office):
    [message_id] = queue(office, channel="sms", template="parcel_returned",
                         params={"name": "Siti Aminah", "tracking_code": "ABCDE-FGHJK"})
    assert run_once().sent == 1
    [request] = gateway.received
    assert request["path"] == "/sms" and request["headers"]["Authorization"] == "Bearer token-sms"
    assert request["json"]["to"] == "+6281200000000"
    assert "ABCDE-FGHJK sudah kembali di Dinas" in request["json"]["message"]
    assert reload(message_id).status is OutboxStatus.sent


def test_failures_and_timeouts_are_retried_until_sent(app, gateway, office):
    [message_id] = queue(office)
    gateway.plan.extend(["fail", "slow", "fail"])
    for attempt, error in ((1, "HTTP 500"), (2, "timeout"), (3, "HTTP 500")):
        stats = run_once()
        assert stats.retried == 1
        message = reload(message_id)
        assert message.status is OutboxStatus.pending and message.attempts == attempt
        assert error in message.last_error
    assert run_once().sent == 1
    message = reload(message_id)
    assert message.status is OutboxStatus.sent and message.attempts == 4 and message.last_error is None
    assert len(gateway.received) == 4


def test_a_failed_message_waits_for_its_backoff(app, gateway, office):
    app.config["NOTIFY_BACKOFF_SECONDS"] = 60
    [message_id] = queue(office)
    gateway.plan.append("fail")
    run_once()
    waited = reload(message_id).next_attempt_at - utcnow()
    assert timedelta(seconds=50) < waited <= timedelta(seconds=60)
    assert run_once().sent == 0 and len(gateway.received) == 1
    assert backoff(3, app.config) == timedelta(seconds=240)
    assert backoff(30, app.config) == timedelta(seconds=app.config["NOTIFY_BACKOFF_MAX_SECONDS"])


def test_dead_after_the_last_attempt_then_the_admin_retries(app, gateway, office, make_user, client):
    app.config["NOTIFY_MAX_ATTEMPTS"] = 3
    [message_id] = queue(office)
    gateway.plan.extend(["fail", "slow", "fail"])
    outcomes = [run_once() for _ in range(3)]
    assert [(s.retried, s.dead) for s in outcomes] == [(1, 0), (1, 0), (0, 1)]
    assert reload(message_id).status is OutboxStatus.dead
    assert run_once().sent == 0

    admin = make_user("admin")
    client.post("/login", data={"username": admin.username, "password": "rahasia-sekali-123"})
    page = client.get("/admin/notifikasi")
    assert page.status_code == 200 and "Gagal permanen" in page.text and "Kirim ulang" in page.text
    assert client.post(f"/admin/notifikasi/{message_id}/ulang").status_code == 302
    message = reload(message_id)
    assert message.status is OutboxStatus.pending and message.attempts == 0
    assert run_once().sent == 1 and reload(message_id).status is OutboxStatus.sent


def test_a_refused_message_is_dead_at_once(app, gateway, office):
    [message_id] = queue(office)
    gateway.plan.append("reject")
    assert run_once().dead == 1
    assert reload(message_id).last_error == "HTTP 400"


def test_an_unreachable_gateway_is_retried(app, office):
    app.config.update(NOTIFY_BACKOFF_SECONDS=0, WHATSAPP_ACCESS_TOKEN="x", WHATSAPP_PHONE_NUMBER_ID=PHONE_ID,
                      WHATSAPP_API_BASE_URL="http://127.0.0.1:9")
    [message_id] = queue(office)
    assert run_once().retried == 1
    assert "connection failed" in reload(message_id).last_error


@pytest.mark.parametrize("role, status", [("admin", 200), ("kasubbag", 403), ("clerk", 403), ("head", 403)])
def test_outbox_page_is_for_admins(client, make_user, role, status):
    user = make_user(role)
    client.post("/login", data={"username": user.username, "password": "rahasia-sekali-123"})
    assert client.get("/admin/notifikasi").status_code == status


def test_another_offices_message_is_not_found(client, make_user, other_office):
    [message_id] = queue(other_office)
    admin = make_user("admin")
    client.post("/login", data={"username": admin.username, "password": "rahasia-sekali-123"})
    assert client.post(f"/admin/notifikasi/{message_id}/ulang").status_code == 404
    assert "pesan 0" not in client.get("/admin/notifikasi?status=pending").text


def test_cli_once(app, gateway, office, runner):
    queue(office, 2)
    result = runner.invoke(args=["notify", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "Terkirim 2" in result.output


@pytest.mark.postgres_only
def test_two_workers_send_each_message_exactly_once(app, office):
    with FakeGateway(delay=0.01) as gateway:
        app.config.update(WHATSAPP_API_BASE_URL=gateway.url, WHATSAPP_ACCESS_TOKEN="x",
                          WHATSAPP_PHONE_NUMBER_ID=PHONE_ID, NOTIFY_BACKOFF_SECONDS=0)
        gateway.plan.extend(["ok", "fail"] * 5)  # some fail and come back within the same run
        ids = queue(office, 40)
        results = race(2, lambda _index: run_once(limit=3))
        while run_once().retried:  # the failed ones, until sent
            pass
    bodies = [request["json"]["text"]["body"] for request in gateway.received if request["behaviour"] == "ok"]
    assert sorted(bodies) == sorted(f"pesan {index}" for index in range(40))  # every one, and none twice
    assert all(result.sent > 0 for result in results)  # both workers did their share
    db.session.expire_all()
    statuses = db.session.scalars(sa.select(OutboxMessage.status).where(OutboxMessage.id.in_(ids))).all()
    assert set(statuses) == {OutboxStatus.sent}
