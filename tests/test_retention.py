"""Retention and erasure: the periods as office settings, the dry run, the purge and its record, the custody chain
that still verifies after erasure and still catches tampering, and the pages and papers of an erased parcel."""
from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from distribusi.courier.models import DeliveryPhoto
from distribusi.courier.photos import photo_dir, store_photo
from distribusi.custody import CustodyEvent, verify_all
from distribusi.extensions import db
from distribusi.intake.models import Document
from distribusi.models import utcnow
from distribusi.notify.models import OutboxMessage
from distribusi.operations import retention
from distribusi.operations.models import RetentionRun
from distribusi.recap.models import Parcel

from flow import DELIVERED, drive, handed_over_recap, scan

LATER = timedelta(days=400)  # past every default period


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def finished(crew, documents) -> dict:
    """A delivered parcel (location, note, photo), a collected one, and one still out for delivery."""
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=6, seed=5)
    delivered, collected, active = (p["tracking_code"] for p in recap["parcels"][:3])
    scan(crew.courier, delivered, "accept", lat=0.51, lon=101.44)
    scan(crew.courier, delivered, "out_for_delivery", lat=0.52, lon=101.45)
    done = scan(crew.courier, delivered, "delivered", lat=0.5071, lon=101.4478, note="pagar hijau no. 12", **DELIVERED)
    photo = store_photo(crew.courier.user, done.get_json()["event_id"], jpeg())
    db.session.commit()
    drive(crew, recap["parcels"][1], "collected")
    scan(crew.courier, active, "accept", lat=0.6, lon=101.5)
    scan(crew.courier, active, "out_for_delivery", lat=0.6, lon=101.5)
    return {"recap_id": recap["id"], "delivered": delivered, "collected": collected, "active": active,
            "photo": photo.storage_name, "delivered_event": done.get_json()["event_id"]}


@pytest.fixture
def later(monkeypatch):
    """The purge runs 400 days from now."""
    monkeypatch.setattr(retention, "utcnow", lambda: utcnow() + LATER)


def parcel(code: str) -> Parcel:
    return db.session.scalar(sa.select(Parcel).where(Parcel.tracking_code == code))


def events_of(code: str) -> list[CustodyEvent]:
    return list(db.session.scalars(sa.select(CustodyEvent).where(
        CustodyEvent.subject_type == "parcel", CustodyEvent.subject_id == parcel(code).id).order_by(CustodyEvent.seq)))


def snapshot() -> dict:
    db.session.expire_all()
    return {
        "parcels": [tuple(r) for r in db.session.execute(sa.select(Parcel.phone, Parcel.street, Parcel.rt))],
        "documents": [tuple(r) for r in db.session.execute(sa.select(Document.phone, Document.street))],
        "events": [tuple(r) for r in db.session.execute(sa.select(CustodyEvent.lat, CustodyEvent.data,
                                                                     CustodyEvent.personal_salt))],
        "messages": [tuple(r) for r in db.session.execute(sa.select(OutboxMessage.recipient))],
        "photos": db.session.scalar(sa.select(sa.func.count()).select_from(DeliveryPhoto)),
        "files": sorted(os.listdir(photo_dir())),
        "runs": db.session.scalar(sa.select(sa.func.count()).select_from(RetentionRun)),
    }


def test_dry_run_lists_what_would_go_and_changes_nothing(runner, finished, later):
    before = snapshot()
    result = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "uji coba" in result.output
    assert "Foto bukti serah: 1" in result.output
    assert "Nomor HP kiriman: 2" in result.output and "Alamat jalan/RT/RW dokumen: 4" in result.output
    assert "lokasi/catatannya dihapus: 0" not in result.output
    assert snapshot() == before


def test_nothing_is_due_before_the_period_ends(runner, finished):
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert "Foto bukti serah: 0" in result.output and "Nomor HP kiriman: 0" in result.output
    assert parcel(finished["delivered"]).phone != ""
    drill = runner.invoke(args=["retention", "purge", "--dry-run", "--as-of", (utcnow() + LATER).strftime("%Y-%m-%d")])
    assert drill.exit_code == 0 and "Foto bukti serah: 1" in drill.output and "dihitung per" in drill.output
    assert parcel(finished["delivered"]).phone != ""


def test_purge_erases_records_its_run_and_the_chain_still_verifies(runner, finished, later):
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    for code in (finished["delivered"], finished["collected"]):
        erased = parcel(code)
        assert (erased.phone, erased.street, erased.rt, erased.rw) == ("", retention.ERASED_STREET, "", "")
        assert erased.recipient_name and erased.kk_number and erased.kecamatan  # the archive keeps these
        assert all(d.phone == "" and d.street == retention.ERASED_STREET and d.nik for d in erased.documents)
        for event in events_of(code):
            assert event.personal_salt is None and event.personal_erased_at is not None
            assert event.lat is None and event.lon is None and "note" not in event.data
    kept = parcel(finished["active"])
    assert kept.phone and kept.street != retention.ERASED_STREET
    active_events = events_of(finished["active"])
    assert all(e.personal_salt for e in active_events) and sum(e.lat is not None for e in active_events) == 2
    delivered_event = db.session.get(CustodyEvent, finished["delivered_event"])
    assert delivered_event.data["recipient_name"] == DELIVERED["recipient_name"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeliveryPhoto)) == 0
    assert finished["photo"] not in os.listdir(photo_dir())
    assert all(m.recipient == "" for m in db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.parcel_id == parcel(finished["delivered"]).id)))
    (run,) = db.session.scalars(sa.select(RetentionRun))
    assert run.counts["photos"] == 1 and run.counts["parcel_phones"] == 2 and run.finished_at
    assert run.periods == retention.DEFAULT_PERIODS

    assert verify_all() == []
    verified = runner.invoke(args=["custody", "verify"])
    assert verified.exit_code == 0, verified.output
    again = runner.invoke(args=["retention", "purge"])  # a second run finds nothing left
    assert "Foto bukti serah: 0" in again.output and "Nomor HP kiriman: 0" in again.output


@pytest.mark.parametrize("tamper, reason", [
    ({"to_state": "returned"}, "isi event diubah"),
    ({"personal_digest": "0" * 64}, "isi event diubah"),
    ({"lat": 1.0}, "muncul lagi setelah dihapus"),
    ({"device_id": "lain"}, "isi event diubah"),
])
def test_tampering_after_the_purge_is_found(runner, finished, later, tamper, reason):
    assert runner.invoke(args=["retention", "purge"]).exit_code == 0
    target = finished["delivered_event"]
    db.session.execute(sa.update(CustodyEvent.__table__).where(CustodyEvent.id == target).values(**tamper))
    db.session.commit()
    (problem,) = verify_all()
    assert problem.event_id == target and reason in problem.reason
    result = runner.invoke(args=["custody", "verify"])
    assert result.exit_code == 1 and f"event id={target} " in result.output


def test_an_edited_personal_field_is_found_before_the_purge(finished):
    target = finished["delivered_event"]
    db.session.execute(sa.update(CustodyEvent.__table__).where(CustodyEvent.id == target).values(lon=100.0))
    db.session.commit()
    (problem,) = verify_all()
    assert problem.event_id == target and "data pribadi event diubah" in problem.reason


def test_retention_periods_are_office_settings(runner, finished, login_as, monkeypatch):
    admin = login_as("admin")
    refused = admin.put("/api/v1/admin/office", json={"retention": {"phone_months": 0}})
    assert refused.status_code == 422
    saved = admin.put("/api/v1/admin/office", json={"retention": {"phone_months": 2}})
    assert saved.status_code == 200, saved.get_json()
    monkeypatch.setattr(retention, "utcnow", lambda: utcnow() + timedelta(days=90))  # past 2 months, not 12
    result = runner.invoke(args=["retention", "purge"])
    assert "Nomor HP kiriman: 2" in result.output and "Foto bukti serah: 0" in result.output
    db.session.expire_all()
    assert parcel(finished["delivered"]).phone == "" and parcel(finished["delivered"]).street != "[dihapus]"
    run = db.session.scalar(sa.select(RetentionRun))
    assert run.periods["phone_months"] == 2 and run.periods["photos_months"] == 12


def test_an_erased_parcel_shows_placeholders_on_pages_and_papers(client, runner, finished, later, make_user):
    assert runner.invoke(args=["retention", "purge"]).exit_code == 0
    code = finished["delivered"]
    public = client.get(f"/k/{code}")
    assert public.status_code == 200
    staff = make_user("kasubbag")
    client.post("/login", data={"username": staff.username, "password": "rahasia-sekali-123"})
    card = client.get(f"/kartu/kiriman/{code}")
    assert card.status_code == 200 and retention.ERASED_STREET in card.get_data(as_text=True)
    pdf = client.get(f"/api/v1/recaps/{finished['recap_id']}/recap.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    for paper in ("recap.xlsx", "labels.pdf"):
        assert client.get(f"/api/v1/recaps/{finished['recap_id']}/{paper}").status_code == 200


def rewrite_as_v1(office_id: int) -> None:
    """Turn the office's chain into what it was before hash version 2 (events hashed over every field)."""
    from distribusi.custody import GENESIS_HASH, ChainHead, compute_hash

    prev = GENESIS_HASH
    for event in db.session.scalars(sa.select(CustodyEvent).where(CustodyEvent.office_id == office_id)
                                    .order_by(CustodyEvent.seq)):
        event.hash_version, event.personal_salt, event.personal_digest, event.prev_hash = 1, None, None, prev
        values = {column.name: getattr(event, column.name) for column in CustodyEvent.__table__.columns}
        event.hash = prev = compute_hash(values)
    db.session.get(ChainHead, office_id).last_hash = prev
    db.session.commit()


def test_v1_events_verify_the_old_way_and_keep_their_location(runner, finished, later, office):
    rewrite_as_v1(office.id)
    assert verify_all() == []
    target = finished["delivered_event"]
    dry = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert "Event lama (hash v1) yang lokasinya belum dapat dihapus: 3" in dry.output
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert parcel(finished["delivered"]).phone == ""  # the rows are erased all the same
    assert db.session.get(CustodyEvent, target).lat == 0.5071  # a v1 event cannot lose it without breaking
    assert verify_all() == []
    db.session.execute(sa.update(CustodyEvent.__table__).where(CustodyEvent.id == target).values(lat=None))
    db.session.commit()
    (problem,) = verify_all()
    assert problem.event_id == target and "isi event diubah" in problem.reason


def test_the_settings_page_shows_and_checks_the_periods(client, make_user):
    admin = make_user("admin")
    client.post("/login", data={"username": admin.username, "password": "rahasia-sekali-123"})
    page = client.get("/admin/pengaturan").get_data(as_text=True)
    assert "Masa simpan data pribadi (bulan)" in page
    assert 'name="retention.phone_months"' in page and 'value="6"' in page
    refused = client.post("/admin/pengaturan", data={"retention.photos_months": "0"})
    assert refused.status_code == 422


def test_inbound_whatsapp_messages_lose_number_and_text_after_the_phone_period(runner, office, later):
    from distribusi.notify.models import InboundMessage

    old = InboundMessage(office_id=office.id, message_id="wamid.lama", sender="6281234567890", kind="ticket",
                         text="Dokumen saya belum sampai, alamat Jl. Melati 12", received_at=utcnow())
    recent = InboundMessage(office_id=office.id, message_id="wamid.baru", sender="6281298765432", kind="tracking",
                            received_at=utcnow() + LATER - timedelta(days=30))  # inside the 6 months at purge time
    db.session.add_all([old, recent])
    db.session.commit()

    drill = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert drill.exit_code == 0 and "Pesan WhatsApp masuk (nomor dan isi): 1" in drill.output
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0, result.output

    db.session.expire_all()
    erased, kept = db.session.get(InboundMessage, old.id), db.session.get(InboundMessage, recent.id)
    assert (erased.sender, erased.text) == ("", None)
    assert (erased.message_id, erased.kind) == ("wamid.lama", "ticket")  # a repeated delivery is still a no-op
    assert kept.sender == "6281298765432"
    (run,) = db.session.scalars(sa.select(RetentionRun))
    assert run.counts["inbound_messages"] == 1
