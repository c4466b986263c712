"""The fixed data of the report tests, built through the real services and then dated by direct updates, with the
answers worked out by hand in the comments (office in WIB, UTC+7; the office declares Wed 11 Nov 2026 closed).

Recap R1 -> PT Pos Indonesia (A), handed over Mon 2 Nov 02:00 UTC (09:00 WIB); created 01:00, submitted 01:10,
letter 01:30, signed 01:40 UTC. Five parcels of two documents (KK):
  A1 Tampan:   accepted 03:00, delivered Tue 3 Nov 02:00 UTC (first attempt, with a location)
  A2 Tampan:   accepted, failed 4 Nov (recipient_absent), delivered Thu 12 Nov 02:00 UTC (later attempt)
  A3 Sukajadi: accepted, failed 5 Nov (address_not_found), return, received back 6 Nov, collected 9 Nov
  A4 Sukajadi: never scanned (packed), so missing at the reconciliation of 6 Nov and still out at the end
  A5 Tampan:   accepted, delivered 30 Nov 23:00 UTC = Tue 1 Dec 06:00 WIB: December's, still out at November's end
Recap R2 -> PT Kilat Ekspres (B), handed over Sat 31 Oct 23:00 UTC = Sun 1 Nov 06:00 WIB (November's); created
22:00, submitted 22:02, letter 22:06, signed 22:30 UTC. Two parcels of two documents (KTP_EL), Rumbai:
  B1: accepted Mon 2 Nov 01:00 UTC, delivered 02:00 UTC (first attempt)
  B2: accepted 01:00, failed 3 Nov (moved), return, received back 4 Nov, re-sent (repacked into draft R3) 5 Nov
Documents: R1's registered 2 Nov 00:00 UTC (packed 60 min later), R2's 31 Oct 20:00 UTC = 1 Nov 03:00 WIB
(packed 120 min later); one more registered 31 Oct 16:30 UTC (October in WIB) and one 30 Nov 17:30 UTC (December).
"""
from __future__ import annotations

import uuid
from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa

from distribusi.admin.services import create_partner, create_user, update_office
from distribusi.courier.services import record_scan
from distribusi.custody import CustodyEvent
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.handover.services import hand_over
from distribusi.intake.models import Document
from distribusi.letters.services import issue_letter, sign_letter
from distribusi.recap.models import Parcel
from distribusi.recap.services import create_recap, submit_recap
from distribusi.reports.facts import rebuild_facts
from distribusi.returns.services import collect_parcel, receive_returns

PASSWORD = "rahasia-sekali-123"


def at(text: str) -> datetime:
    """A stored (naive UTC) time from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text)


def _user(office, role: str, name: str, partner_id: int | None = None):
    return create_user(office, {"username": f"{name}-{office.code.lower()}", "password": PASSWORD,
                                "full_name": name.title(), "role": role, "courier_partner_id": partner_id})


def _scan(courier, code: str, action: str, **extra) -> None:
    record_scan(courier, {"tracking_code": code, "action": action, "idempotency_key": uuid.uuid4().hex, **extra})


def _stamp(subject_type: str, subject_id: int, times: list[str]) -> None:
    """Date a subject's events, in chain order, with the given UTC times."""
    ids = db.session.scalars(sa.select(CustodyEvent.id).where(
        CustodyEvent.subject_type == subject_type, CustodyEvent.subject_id == subject_id)
        .order_by(CustodyEvent.seq)).all()
    assert len(ids) == len(times), (subject_type, subject_id, len(ids), times)
    for event_id, moment in zip(ids, times, strict=True):
        db.session.execute(sa.update(CustodyEvent).where(CustodyEvent.id == event_id).values(recorded_at=at(moment)))


def _stamp_actions(subject_type: str, subject_id: int, times: dict[str, str]) -> None:
    for action, moment in times.items():
        db.session.execute(sa.update(CustodyEvent).where(
            CustodyEvent.subject_type == subject_type, CustodyEvent.subject_id == subject_id,
            CustodyEvent.action == action).values(recorded_at=at(moment)))


def _recap(people, documents, plan: list[tuple[int, str, str]], partner_id: int):
    """A handed-over recap of one two-document household per (seed, kecamatan, doc_type)."""
    docs, households = [], []
    for seed, kecamatan, doc_type in plan:
        households.append(documents(people.clerk, 2, seed=seed, kecamatan=kecamatan, doc_type=doc_type))
        docs += households[-1]
    recap = create_recap(people.clerk, [d.id for d in docs])
    submit_recap(people.clerk, recap)
    letter = issue_letter(people.kasubbag, recap, partner_id)
    sign_letter(people.secretary, letter)
    hand_over(people.kasubbag, recap, partner_id, "Joko Susilo")
    db.session.commit()
    parcels = [db.session.get(Parcel, pair[0].parcel_id) for pair in households]
    assert all(pair[1].parcel_id == pair[0].parcel_id for pair in households)
    return recap, parcels, docs


def build_scenario(office, documents, *, prefix: str = "") -> SimpleNamespace:
    """The data described above, in `office` (whose first partner becomes A); returns the objects' ids."""
    update_office(office, {"days_off": [{"date": "2026-11-11", "name": "Libur kantor"}]})
    partner_a = office_partner(office)
    partner_b = create_partner(office, {"name": "PT Kilat Ekspres", "contract_number": "044/PKS/2026", "contact": None})
    db.session.flush()
    people = SimpleNamespace(
        clerk=_user(office, "clerk", f"{prefix}fo"), kasubbag=_user(office, "kasubbag", f"{prefix}kasubbag"),
        secretary=_user(office, "secretary", f"{prefix}sekretaris"),
        courier_a=_user(office, "courier", f"{prefix}kurir-a", partner_a.id),
        courier_b=_user(office, "courier", f"{prefix}kurir-b", partner_b.id))
    db.session.commit()
    r1, (a1, a2, a3, a4, a5), docs1 = _recap(people, documents, [
        (11, "Tampan", "KK"), (12, "Tampan", "KK"), (13, "Sukajadi", "KK"), (14, "Sukajadi", "KK"),
        (15, "Tampan", "KK")], partner_a.id)
    r2, (b1, b2), docs2 = _recap(people, documents, [(21, "Rumbai", "KTP_EL"), (22, "Rumbai", "KTP_EL")],
                                 partner_b.id)
    assert [p.kecamatan for p in (a1, a2, a3, a4, a5, b1, b2)] == ["Tampan", "Tampan", "Sukajadi", "Sukajadi",
                                                                   "Tampan", "Rumbai", "Rumbai"]
    delivered = {"recipient_name": "Siti Aminah", "recipient_relation": "self"}
    ca, cb = people.courier_a, people.courier_b
    for code in (a1.tracking_code, a2.tracking_code, a3.tracking_code, a5.tracking_code):
        _scan(ca, code, "accept")
        _scan(ca, code, "out_for_delivery")
    _scan(ca, a1.tracking_code, "delivered", lat=0.5071, lon=101.4478, **delivered)
    _scan(ca, a2.tracking_code, "failed", failure_reason="recipient_absent")
    _scan(ca, a2.tracking_code, "out_for_delivery")
    _scan(ca, a2.tracking_code, "delivered", **delivered)
    _scan(ca, a3.tracking_code, "failed", failure_reason="address_not_found")
    _scan(ca, a3.tracking_code, "return")
    _scan(ca, a5.tracking_code, "delivered", **delivered)
    for code in (b1.tracking_code, b2.tracking_code):
        _scan(cb, code, "accept")
        _scan(cb, code, "out_for_delivery")
    _scan(cb, b1.tracking_code, "delivered", **delivered)
    _scan(cb, b2.tracking_code, "failed", failure_reason="moved")
    _scan(cb, b2.tracking_code, "return")
    db.session.commit()
    receive_returns(people.kasubbag, partner_a.id, [a3.tracking_code])
    receive_returns(people.kasubbag, partner_b.id, [b2.tracking_code])
    db.session.commit()
    collect_parcel(people.clerk, db.session.get(Parcel, a3.id), "Pemilik", None)
    r3 = create_recap(people.clerk, [d.id for d in db.session.get(Parcel, b2.id).documents])
    db.session.commit()
    late = documents(people.clerk, 1, seed=31, kecamatan="Bukit Raya", doc_type="KIA")
    early = documents(people.clerk, 1, seed=32, kecamatan="Bukit Raya", doc_type="KIA")

    # the dates
    _stamp_actions("recap", r1.id, {"create": "2026-11-02 01:00", "submit": "2026-11-02 01:10",
                                    "issue_letter": "2026-11-02 01:30", "sign_letter": "2026-11-02 01:40",
                                    "hand_over": "2026-11-02 02:00", "close": "2026-11-30 23:00"})
    _stamp_actions("recap", r2.id, {"create": "2026-10-31 22:00", "submit": "2026-10-31 22:02",
                                    "issue_letter": "2026-10-31 22:06", "sign_letter": "2026-10-31 22:30",
                                    "hand_over": "2026-10-31 23:00", "close": "2026-11-05 03:00"})
    _stamp_actions("recap", r3.id, {"create": "2026-11-05 03:00"})
    for recap, moment in ((r1, "2026-11-02 02:00"), (r2, "2026-10-31 23:00")):
        db.session.execute(sa.update(Handover).where(Handover.recap_id == recap.id).values(handed_over_at=at(moment)))
    for doc in docs1:
        _stamp_actions("document", doc.id, {"register": "2026-11-02 00:00", "pack": "2026-11-02 01:00"})
    for doc in docs2:
        _stamp_actions("document", doc.id, {"register": "2026-10-31 20:00", "pack": "2026-10-31 22:00",
                                            "repack": "2026-11-05 03:00"})
    for doc, moment in [*((d, "2026-11-02 00:00") for d in docs1), *((d, "2026-10-31 20:00") for d in docs2),
                        (late[0], "2026-11-30 17:30"), (early[0], "2026-10-31 16:30")]:
        db.session.execute(sa.update(Document).where(Document.id == doc.id).values(created_at=at(moment)))
    for doc, moment in ((late[0], "2026-11-30 17:30"), (early[0], "2026-10-31 16:30")):
        _stamp_actions("document", doc.id, {"register": moment})
    pack1, pack2 = "2026-11-02 01:00", "2026-10-31 22:00"
    _stamp("parcel", a1.id, [pack1, "2026-11-02 03:00", "2026-11-02 04:00", "2026-11-03 02:00"])
    _stamp("parcel", a2.id, [pack1, "2026-11-02 03:00", "2026-11-02 04:00", "2026-11-04 05:00", "2026-11-12 01:00",
                             "2026-11-12 02:00"])
    _stamp("parcel", a3.id, [pack1, "2026-11-02 03:00", "2026-11-02 04:00", "2026-11-05 05:00", "2026-11-05 09:00",
                             "2026-11-06 03:00", "2026-11-09 03:00"])
    _stamp("parcel", a4.id, [pack1])
    _stamp("parcel", a5.id, [pack1, "2026-11-02 03:00", "2026-11-02 04:00", "2026-11-30 23:00"])
    _stamp("parcel", b1.id, [pack2, "2026-11-02 01:00", "2026-11-02 01:30", "2026-11-02 02:00"])
    _stamp("parcel", b2.id, [pack2, "2026-11-02 01:00", "2026-11-02 01:30", "2026-11-03 05:00", "2026-11-03 09:00",
                             "2026-11-04 03:00", "2026-11-05 03:00"])
    new_parcel = db.session.scalar(sa.select(Parcel.id).where(Parcel.recap_id == r3.id))
    _stamp("parcel", new_parcel, ["2026-11-05 03:00"])
    rebuild_facts()  # the dates above were set behind the services' back, as `flask reports rebuild-facts` mends
    db.session.commit()
    return SimpleNamespace(people=people, partner_a=partner_a.id, partner_b=partner_b.id, recaps=(r1.id, r2.id, r3.id),
                           a=(a1.id, a2.id, a3.id, a4.id, a5.id), b=(b1.id, b2.id))


def office_partner(office):
    from distribusi.models import CourierPartner

    return db.session.scalar(sa.select(CourierPartner).where(CourierPartner.office_id == office.id)
                             .order_by(CourierPartner.id))

