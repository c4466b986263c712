"""Scans racing for one parcel on PostgreSQL: exactly one transition wins, twins of one key share one answer."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from distribusi.courier.models import ScanRecord
from distribusi.custody import CustodyEvent, verify_all
from distribusi.extensions import db
from distribusi.notify.models import OutboxMessage
from distribusi.recap.models import Parcel

from concurrency import post_as, race
from flow import DELIVERED, FAILED, handed_over_recap, scan

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def parcel_on_the_way(login_as, documents):
    """(courier, parcel) with the parcel out for delivery."""
    clerk, kasubbag, secretary, courier = (login_as(r) for r in ("clerk", "kasubbag", "secretary", "courier"))
    code = handed_over_recap(clerk, kasubbag, secretary, documents, count=2)["parcels"][0]["tracking_code"]
    for action in ("accept", "out_for_delivery"):
        assert scan(courier, code, action).status_code == 201
    parcel = db.session.scalar(sa.select(Parcel).where(Parcel.tracking_code == code))
    return courier, parcel


def post_together(token: str, bodies: list[dict]) -> list[tuple[int, dict]]:
    """POST each body to /api/v1/scans at the same moment, each from its own thread."""
    return race(len(bodies), lambda index: post_as(token, "/api/v1/scans", bodies[index]))


def events_of(parcel_id: int) -> list[CustodyEvent]:
    return list(db.session.scalars(sa.select(CustodyEvent).where(
        CustodyEvent.subject_type == "parcel", CustodyEvent.subject_id == parcel_id).order_by(CustodyEvent.seq)))


def test_fifty_conflicting_scans_make_one_transition(parcel_on_the_way):
    courier, parcel = parcel_on_the_way
    before = len(events_of(parcel.id))
    now = datetime.now(UTC).isoformat()
    bodies = [
        {"tracking_code": parcel.tracking_code, "action": action, "idempotency_key": uuid.uuid4().hex, "at": now,
         **(DELIVERED if action == "delivered" else FAILED)}
        for action in ["delivered", "failed"] * 25
    ]

    results = post_together(courier.token, bodies)

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * 49, statuses
    assert all(body["error"]["code"] == "invalid_transition" for status, body in results if status == 409)
    events = events_of(parcel.id)
    assert len(events) == before + 1
    winner = next(body for status, body in results if status == 201)
    assert events[-1].id == winner["event_id"] and events[-1].action == winner["action"]
    assert db.session.scalar(sa.select(Parcel.status).where(Parcel.id == parcel.id)).value == winner["status"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScanRecord).where(
        ScanRecord.parcel_id == parcel.id, ScanRecord.event_id == winner["event_id"])) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.event_id == winner["event_id"])) == 1
    assert len({(e.action, e.idempotency_key) for e in events}) == len(events)
    assert verify_all() == []


def test_ten_twins_of_one_key_get_one_answer(parcel_on_the_way):
    courier, parcel = parcel_on_the_way
    before = len(events_of(parcel.id))
    body = {"tracking_code": parcel.tracking_code, "action": "delivered", "idempotency_key": uuid.uuid4().hex,
            "at": datetime.now(UTC).isoformat(), **DELIVERED}

    results = post_together(courier.token, [dict(body) for _ in range(10)])

    assert sorted(status for status, _ in results) == [200] * 9 + [201], results
    assert len({repr(sorted(answer.items())) for _, answer in results}) == 1  # the same body for all
    assert len(events_of(parcel.id)) == before + 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScanRecord).where(
        ScanRecord.idempotency_key == body["idempotency_key"])) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.parcel_id == parcel.id, OutboxMessage.template == "parcel_delivered")) == 1
    assert verify_all() == []
