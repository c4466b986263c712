"""The report facts kept with every custody event, photo and handover equal the facts rebuilt from the custody log,
through a real flow (intake, recap, letter, handover, courier scans with failures, returns, collection, repacking,
a batch, a photo) and a retention purge; and the commands that rebuild and check them."""
from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from distribusi.courier.photos import store_photo
from distribusi.custody import CustodyEvent
from distribusi.extensions import db
from distribusi.models import utcnow
from distribusi.operations import retention
from distribusi.recap.models import Parcel
from distribusi.reports.facts import FailureFact, ParcelFact, facts_differ, rebuild_facts

from flow import DELIVERED, STATE_PATHS, drive, handed_over_recap, scan


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "JPEG")
    return out.getvalue()


def _batch(courier, code: str, actions: list[tuple[str, dict]]):
    moment = datetime.now(UTC).isoformat()
    items = [{"tracking_code": code, "action": action, "idempotency_key": uuid.uuid4().hex, "at": moment, **extra}
             for action, extra in actions]
    response = courier.post("/api/v1/scans/batch", json={"scans": items})
    assert response.status_code == 200 and all(r["status"] == 201 for r in response.get_json()["results"])


@pytest.fixture
def walked(crew, documents) -> dict:
    """Parcels in every state; one failed twice, then delivered with a place and a photo through a batch."""
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=20, seed=9)
    parcels = recap["parcels"]
    for parcel, state in zip(parcels, STATE_PATHS, strict=False):
        drive(crew, parcel, state)
    code = parcels[len(STATE_PATHS)]["tracking_code"]
    _batch(crew.courier, code, [("accept", {}), ("out_for_delivery", {}),
                                ("failed", {"failure_reason": "moved"}), ("out_for_delivery", {}),
                                ("failed", {"failure_reason": "refused"}), ("out_for_delivery", {})])
    done = scan(crew.courier, code, "delivered", lat=0.5071, lon=101.4478, **DELIVERED)
    store_photo(crew.courier.user, done.get_json()["event_id"], _jpeg())
    db.session.commit()
    return {"recap": recap, "twice": code}


def _fact(code: str) -> ParcelFact:
    parcel_id = db.session.scalar(sa.select(Parcel.id).where(Parcel.tracking_code == code))
    return db.session.get(ParcelFact, parcel_id)


def test_kept_facts_equal_the_rebuilt_ones(walked):
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ParcelFact)) == \
        db.session.scalar(sa.select(sa.func.count()).select_from(Parcel))  # the repacked parcel's new one too
    twice = _fact(walked["twice"])
    assert (twice.status, twice.failures, twice.located, twice.photo, twice.documents) == \
        ("delivered", 2, True, True, 2)
    assert twice.handed_over_at <= twice.accepted_at <= twice.delivered_at and twice.courier_partner_id
    reasons = db.session.scalars(sa.select(FailureFact.reason).where(FailureFact.parcel_id == twice.parcel_id))
    assert sorted(reasons) == ["moved", "refused"]
    by_state = {p["tracking_code"]: state for p, state in zip(walked["recap"]["parcels"], STATE_PATHS, strict=False)}
    for code, state in by_state.items():
        fact = _fact(code)
        assert fact.status == state
        assert (fact.returned_at is not None) == (state in ("returned", "collected", "repacked"))
        assert (fact.collected_at is not None, fact.repacked_at is not None) == (state == "collected",
                                                                                  state == "repacked")
    resent = db.session.scalars(sa.select(ParcelFact).where(ParcelFact.resent.is_(True))).all()
    assert len(resent) == 1 and resent[0].status == "packed" and resent[0].handed_over_at is None
    assert facts_differ() == []


def test_a_change_behind_the_services_back_is_found_and_mended(runner, walked):
    twice = _fact(walked["twice"])
    earlier = twice.delivered_at - timedelta(hours=5)
    db.session.execute(sa.update(CustodyEvent).where(
        CustodyEvent.subject_type == "parcel", CustodyEvent.subject_id == twice.parcel_id,
        CustodyEvent.action == "delivered").values(recorded_at=earlier))
    db.session.commit()
    found = runner.invoke(args=["reports", "check-facts"])
    assert found.exit_code == 1 and f"parcel_facts {twice.parcel_id}:" in found.output, found.output
    rebuilt = runner.invoke(args=["reports", "rebuild-facts"])
    assert rebuilt.exit_code == 0 and "dibangun ulang" in rebuilt.output, rebuilt.output
    checked = runner.invoke(args=["reports", "check-facts"])
    assert checked.exit_code == 0, checked.output
    db.session.expire_all()
    assert _fact(walked["twice"]).delivered_at == earlier


def test_a_purge_leaves_the_facts_as_a_rebuild_would(walked, office, monkeypatch):
    monkeypatch.setattr(retention, "utcnow", lambda: utcnow() + timedelta(days=400))
    assert _fact(walked["twice"]).photo
    retention.purge(office)
    db.session.commit()
    twice = _fact(walked["twice"])
    assert (twice.photo, twice.located) == (False, False)  # the photo and the delivery's place are erased
    assert facts_differ() == []


def test_the_rebuild_makes_facts_for_every_parcel(walked):
    db.session.execute(sa.delete(FailureFact))
    db.session.execute(sa.delete(ParcelFact))
    assert rebuild_facts() == db.session.scalar(sa.select(sa.func.count()).select_from(Parcel))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FailureFact)) == 2 + 5  # and one on each path through "failed"
