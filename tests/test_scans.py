"""Courier scans: the action × state table, payload checks, delivery policy, idempotency, access, outbox and batches."""
from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from distribusi.courier.models import ScanRecord
from distribusi.custody import CustodyEvent, verify_all
from distribusi.demo import document_rows, write_csv
from distribusi.extensions import db
from distribusi.intake.models import Document
from distribusi.notify.models import OutboxMessage
from distribusi.notify.services import TEMPLATES
from distribusi.recap import codes
from distribusi.recap.models import Parcel
from distribusi.workflow import ParcelStatus

from flow import SCAN_EXTRA, STATE_PATHS, drive, handed_over_recap, scan, signed_recap, submitted_recap

SCANS = "/api/v1/scans"
ACTIONS = ("accept", "out_for_delivery", "delivered", "failed", "return")
# (state, action) -> new state; every other pair is refused.
ALLOWED = {
    ("packed", "accept"): "with_courier",
    ("with_courier", "out_for_delivery"): "out_for_delivery",
    ("with_courier", "return"): "returning",
    ("out_for_delivery", "delivered"): "delivered",
    ("out_for_delivery", "failed"): "failed_attempt",
    ("failed_attempt", "out_for_delivery"): "out_for_delivery",
    ("failed_attempt", "return"): "returning",
}


def written() -> dict[str, int]:
    """Rows of everything a scan writes."""
    return {model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (CustodyEvent, ScanRecord, OutboxMessage)}


def status_of(code: str) -> str:
    return db.session.scalar(sa.select(Parcel.status).where(Parcel.tracking_code == code)).value


def at(delta: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def body(code: str, action: str, **extra) -> dict:
    return {"tracking_code": code, "action": action, "idempotency_key": uuid.uuid4().hex, "at": at(),
            **SCAN_EXTRA.get(action, {}), **extra}


@pytest.fixture
def on_the_way(crew, documents) -> str:
    """The tracking code of a parcel out for delivery with the crew's courier."""
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2)
    code = recap["parcels"][0]["tracking_code"]
    for action in ("accept", "out_for_delivery"):
        assert scan(crew.courier, code, action).status_code == 201
    return code


# ---------------------------------------------------------------- the action × state table

def test_the_table_covers_every_state():
    assert set(STATE_PATHS) == {s.value for s in ParcelStatus}
    assert set(ALLOWED.values()) <= set(STATE_PATHS)


@pytest.mark.parametrize("state", list(STATE_PATHS))
def test_each_action_in_each_state(crew, documents, state, subtests):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=4)
    parcels = recap["parcels"]
    for parcel in parcels:
        drive(crew, parcel, state)
    refused_on = parcels[0]["tracking_code"]

    for action in ACTIONS:
        if (state, action) in ALLOWED:
            continue
        with subtests.test(action, expected=409):
            before = written()
            response = scan(crew.courier, refused_on, action, **SCAN_EXTRA.get(action, {}))
            assert response.status_code == 409, response.get_json()
            error = response.get_json()["error"]
            assert error["code"] == "invalid_transition" and error["message"]
            assert written() == before
            assert status_of(refused_on) == state

    allowed = [(action, target) for (origin, action), target in ALLOWED.items() if origin == state]
    for parcel, (action, target) in zip(parcels, allowed, strict=False):  # at most two moves, one parcel each
        with subtests.test(action, expected=201):
            response = scan(crew.courier, parcel["tracking_code"], action, **SCAN_EXTRA.get(action, {}))
            assert response.status_code == 201, response.get_json()
            assert (response.get_json()["action"], response.get_json()["status"]) == (action, target)
            assert status_of(parcel["tracking_code"]) == target


# ---------------------------------------------------------------- payload checks

def _check_character(code: str) -> str:
    return code[:-1] + next(ch for ch in codes.ALPHABET if ch != code[-1])


def _swapped(code: str) -> str:
    # 0 and Z weigh the same modulo 31: the one swap the check character cannot see (recap.codes)
    index = next(i for i in range(len(code) - 2) if code[i] != code[i + 1] and {code[i], code[i + 1]} != {"0", "Z"})
    return code[:index] + code[index + 1] + code[index] + code[index + 2:]


# case, action, change to a valid body (a callable gets the parcel's code), the field the 422 names
BAD_SCANS = [
    ("delivered-no-recipient-name", "delivered", {"recipient_name": None}, "recipient_name"),
    ("delivered-blank-recipient-name", "delivered", {"recipient_name": "   "}, "recipient_name"),
    ("delivered-no-relation", "delivered", {"recipient_relation": None}, "recipient_relation"),
    ("delivered-unknown-relation", "delivered", {"recipient_relation": "tetangga"}, "recipient_relation"),
    ("delivered-other-without-note", "delivered", {"recipient_relation": "other"}, "note"),
    ("failed-no-reason", "failed", {"failure_reason": None}, "failure_reason"),
    ("failed-unknown-reason", "failed", {"failure_reason": "anjing_galak"}, "failure_reason"),
    ("failed-other-without-note", "failed", {"failure_reason": "other"}, "note"),
    ("at-6-minutes-ahead", "out_for_delivery", {"at": lambda code: at(timedelta(minutes=6))}, "at"),
    ("at-31-days-old", "out_for_delivery", {"at": lambda code: at(-timedelta(days=31))}, "at"),
    ("at-not-a-time", "out_for_delivery", {"at": "kemarin sore"}, "at"),
    ("lat-without-lon", "out_for_delivery", {"lat": 0.5}, "lat"),
    ("lon-without-lat", "out_for_delivery", {"lon": 101.45}, "lat"),
    ("lat-91", "out_for_delivery", {"lat": 91, "lon": 101.45}, "lat"),
    ("lon-out-of-range", "out_for_delivery", {"lat": 0.5, "lon": -180.5}, "lon"),
    ("unknown-action", "teleport", {}, "action"),
    ("no-key", "out_for_delivery", {"idempotency_key": None}, "idempotency_key"),
    ("short-key", "out_for_delivery", {"idempotency_key": "pendek"}, "idempotency_key"),
    ("unknown-field", "out_for_delivery", {"warna": "merah"}, "warna"),
    ("nul-in-name", "delivered", {"recipient_name": "Siti\x00Aminah"}, "recipient_name"),
    ("nul-in-note", "failed", {"failure_reason": "other", "note": "pagar\x00terkunci"}, "note"),
    ("code-check-character", "delivered", {"tracking_code": _check_character}, "tracking_code"),
    ("code-adjacent-swap", "delivered", {"tracking_code": _swapped}, "tracking_code"),
    ("code-not-crockford", "delivered", {"tracking_code": lambda code: "U" + code[1:]}, "tracking_code"),
    ("code-too-short", "delivered", {"tracking_code": lambda code: code[:-1]}, "tracking_code"),
]


def test_a_bad_scan_is_422_naming_the_field(crew, on_the_way, subtests):
    for case, action, change, field in BAD_SCANS:
        with subtests.test(case):
            payload = body(on_the_way, action, **{k: v(on_the_way) if callable(v) else v for k, v in change.items()})
            payload = {k: v for k, v in payload.items() if v is not None}
            before = written()

            response = crew.courier.post(SCANS, json=payload)

            assert response.status_code == 422, response.get_json()
            assert field in response.get_json()["error"]["fields"], response.get_json()
            assert written() == before
            assert status_of(on_the_way) == "out_for_delivery"


@pytest.mark.parametrize("typed", [lambda c: codes.display(c).lower(), lambda c: f"https://distribusi.test/k/{c}"],
                         ids=["lower-case-hyphenated", "label-url"])
def test_a_code_is_read_the_way_people_type_it(crew, on_the_way, typed):
    response = crew.courier.post(SCANS, json=body(typed(on_the_way), "delivered"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["tracking_code"] == on_the_way


# ---------------------------------------------------------------- delivery policy

@pytest.mark.parametrize("policy, relation, note, status", [
    ({"allow_family": False}, "family", None, 409),
    ({"allow_family": False}, "self", None, 201),
    (None, "other", "Tetangga sebelah, dititipkan", 409),
    ({"allow_other": True}, "other", "Tetangga sebelah, dititipkan", 201),
], ids=["no-family", "no-family-self", "default-other", "other-allowed"])
def test_the_office_delivery_policy(crew, on_the_way, login_as, policy, relation, note, status):
    if policy is not None:
        put = login_as("admin").put("/api/v1/admin/office", json={"delivery_policy": policy})
        assert put.status_code == 200, put.get_json()
    before = written()

    response = crew.courier.post(SCANS, json=body(on_the_way, "delivered", recipient_relation=relation, note=note))

    assert response.status_code == status, response.get_json()
    if status == 409:
        assert "recipient_relation" in response.get_json()["error"]["fields"]
        assert written() == before
        assert status_of(on_the_way) == "out_for_delivery"
    else:
        assert status_of(on_the_way) == "delivered"


FAILURE_REASONS = ["address_not_found", "recipient_absent", "moved", "refused", "incomplete_address",
                   "not_named_person", "other"]


def test_every_listed_failure_reason_is_accepted(crew, documents):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2 * len(FAILURE_REASONS))
    for parcel, reason in zip(recap["parcels"], FAILURE_REASONS, strict=True):
        drive(crew, parcel, "out_for_delivery")
        response = crew.courier.post(SCANS, json=body(parcel["tracking_code"], "failed", failure_reason=reason,
                                                      note="Pagar terkunci" if reason == "other" else None))
        assert response.status_code == 201, (reason, response.get_json())
        stored = db.session.scalar(sa.select(Parcel).where(Parcel.tracking_code == parcel["tracking_code"]))
        assert (stored.last_failure_reason, stored.failed_attempts) == (reason, 1)


# ---------------------------------------------------------------- idempotency

def test_the_same_key_and_payload_replay_the_first_answer(crew, on_the_way):
    payload = body(on_the_way, "delivered", lat=0.5071, lon=101.4478)
    first = crew.courier.post(SCANS, json=payload)
    assert first.status_code == 201
    before = written()

    again = crew.courier.post(SCANS, json=payload)
    retyped = crew.courier.post(SCANS, json={**payload, "tracking_code": codes.display(on_the_way).lower()})

    assert again.status_code == 200 and retyped.status_code == 200
    assert again.get_json() == first.get_json() == retyped.get_json()
    assert written() == before


def test_a_replay_after_the_parcel_moved_on_still_gets_the_first_answer(crew, on_the_way):
    payload = body(on_the_way, "failed")
    first = crew.courier.post(SCANS, json=payload).get_json()
    assert scan(crew.courier, on_the_way, "return").status_code == 201
    before = written()

    again = crew.courier.post(SCANS, json=payload)

    assert again.status_code == 200 and again.get_json() == first
    assert written() == before and status_of(on_the_way) == "returning"


def _other_parcel(crew, documents):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2, seed=2)
    other = recap["parcels"][0]["tracking_code"]
    return {"tracking_code": other, "action": "accept", "recipient_name": None, "recipient_relation": None}


@pytest.mark.parametrize("change", [
    lambda crew, documents: {"action": "failed", "failure_reason": "moved", "recipient_name": None,
                             "recipient_relation": None},
    lambda crew, documents: {"at": at(-timedelta(hours=1))},
    _other_parcel,
], ids=["action", "time", "parcel"])
def test_the_same_key_with_another_payload_is_a_conflict(crew, documents, on_the_way, change):
    payload = body(on_the_way, "delivered")
    assert crew.courier.post(SCANS, json=payload).status_code == 201
    change = change(crew, documents)
    before = written()

    response = crew.courier.post(SCANS, json={k: v for k, v in {**payload, **change}.items() if v is not None})

    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "idempotency_conflict" and "idempotency_key" in error["fields"]
    assert written() == before


def test_keys_belong_to_one_courier(crew, documents, login_as):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=4)
    first, second = (p["tracking_code"] for p in recap["parcels"])
    colleague = login_as("courier")

    mine = scan(crew.courier, first, "accept", key="kunci-bersama-001")
    theirs = scan(colleague, second, "accept", key="kunci-bersama-001")

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert status_of(second) == "with_courier"


# ---------------------------------------------------------------- who may scan which parcel

def _courier_of_new_partner(login_as, client) -> object:
    """A courier of a second partner of the same office, made the way an admin does it, with a token of its own."""
    admin = login_as("admin")
    partner = admin.post("/api/v1/admin/courier-partners",
                         json={"name": "PT Tiki Kurir", "contract_number": "044/PKS/2026"})
    assert partner.status_code == 201, partner.get_json()
    user = admin.post("/api/v1/admin/users", json={
        "username": "kurir.tiki", "password": "rahasia-sekali-456", "full_name": "Kurir Tiki",
        "role": "courier", "courier_partner_id": partner.get_json()["id"]})
    assert user.status_code == 201, user.get_json()
    token = client.post("/api/v1/auth/token", json={"username": "kurir.tiki", "password": "rahasia-sekali-456"})
    assert token.status_code in (200, 201), token.get_json()
    return type(admin)(client, token.get_json()["token"], user.get_json()["id"])


def test_a_courier_sees_only_the_partners_parcels(crew, documents, login_as, client, other_office, subtests):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=4)
    drive(crew, recap["parcels"][1], "out_for_delivery")
    strangers = {"another-partner": _courier_of_new_partner(login_as, client),
                 "another-office": login_as("courier", other_office)}
    before = written()

    for name, stranger in strangers.items():
        for parcel, state in zip(recap["parcels"], ("packed", "out_for_delivery"), strict=True):
            for action in ACTIONS:
                with subtests.test(name, state=state, action=action):
                    response = scan(stranger, parcel["tracking_code"], action, **SCAN_EXTRA.get(action, {}))
                    assert response.status_code == 404, response.get_json()
                    assert response.get_json()["error"]["code"] == "not_found"
                    assert status_of(parcel["tracking_code"]) == state
    assert written() == before
    assert scan(crew.courier, recap["parcels"][0]["tracking_code"], "accept").status_code == 201


@pytest.mark.parametrize("stage", ["submitted", "signed"])
def test_a_courier_cannot_scan_before_the_handover(crew, documents, stage):
    if stage == "submitted":
        recap = submitted_recap(crew.clerk, documents)
    else:
        recap, _letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    before = written()

    response = scan(crew.courier, recap["parcels"][0]["tracking_code"], "accept")

    assert response.status_code == 404, response.get_json()
    assert written() == before


def test_an_unknown_code_is_404(crew):
    response = scan(crew.courier, codes.new_code(), "accept")
    assert response.status_code == 404


# ---------------------------------------------------------------- device time and place

def test_device_time_is_stored_beside_server_time(crew, on_the_way):
    offline = datetime.now(UTC) - timedelta(hours=2)
    wib = (offline + timedelta(hours=7)).replace(tzinfo=None).isoformat() + "+07:00"

    response = crew.courier.post(SCANS, json=body(on_the_way, "delivered", at=wib, lat=0.5071, lon=101.4478,
                                                  device_id="HP-KURIR-07"))

    assert response.status_code == 201
    event = db.session.get(CustodyEvent, response.get_json()["event_id"])
    assert event.device_at == offline.replace(tzinfo=None)
    assert abs(event.recorded_at - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=1)
    assert (event.lat, event.lon, event.device_id) == (0.5071, 101.4478, "HP-KURIR-07")
    assert response.get_json()["device_at"] == offline.replace(tzinfo=None).isoformat() + "Z"
    parcel = db.session.scalar(sa.select(Parcel).where(Parcel.tracking_code == on_the_way))
    assert parcel.delivered_at == offline.replace(tzinfo=None)  # when it was handed over, not when it synced
    assert verify_all() == []


# ---------------------------------------------------------------- outbox

# Two parcels walked step by step: (parcel, step, the state citizens are told about, or None).
OUTBOX_WALK = [
    (0, "accept", None), (0, "out_for_delivery", "out_for_delivery"), (0, "failed", "failed_attempt"),
    (0, "out_for_delivery", "out_for_delivery"), (0, "failed", "failed_attempt"), (0, "return", None),
    (0, "receive", "returned"), (0, "collect", None),
    (1, "accept", None), (1, "out_for_delivery", "out_for_delivery"), (1, "delivered", "delivered"),
]


def test_citizens_are_told_of_exactly_the_steps_that_matter(crew, documents, subtests):
    parcels = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=4)["parcels"]
    for index, (which, step, told) in enumerate(OUTBOX_WALK):
        parcel = parcels[which]
        code = parcel["tracking_code"]
        with subtests.test(f"{index}-{step}", parcel=which):
            before = written()["outbox_messages"]
            if step == "receive":
                response = crew.kasubbag.post("/api/v1/returns", json={"courier_partner_id": crew.partner_id,
                                                                       "tracking_codes": [code]})
            elif step == "collect":
                response = crew.clerk.post(f"/api/v1/parcels/{code}/collected", json={})
            else:
                payload = body(code, step)
                response = crew.courier.post(SCANS, json=payload)
            assert response.status_code in (200, 201), response.get_json()

            messages = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()[before:]
            if told is None:
                assert messages == []
                continue
            [message] = messages
            stored = db.session.scalar(sa.select(Parcel).where(Parcel.tracking_code == code))
            assert message.template == TEMPLATES[ParcelStatus(told)]
            assert message.recipient == stored.phone == parcel["phone"]
            assert message.parcel_id == stored.id and message.status.value == "pending"
            assert message.params["tracking_code"] == codes.display(code)
            if step == "failed":
                assert message.params["reason"] == "Penerima tidak di tempat"
            last_event = db.session.scalar(sa.select(sa.func.max(CustodyEvent.id)).where(
                CustodyEvent.subject_type == "parcel", CustodyEvent.subject_id == stored.id))
            assert message.event_id == last_event
            if step in ACTIONS:
                assert crew.courier.post(SCANS, json=payload).status_code == 200
                assert written()["outbox_messages"] == before + 1  # a replay tells nobody twice


# ---------------------------------------------------------------- batches

def test_a_batch_answers_each_item_in_order(crew, documents):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=4)
    first, second = (p["tracking_code"] for p in recap["parcels"])
    items = [
        body(first, "accept"),
        body(first, "accept"),  # second accept: 409
        {"tracking_code": second, "action": "accept"},  # no key: 422
        "bukan objek",  # 422
        body(codes.new_code(), "accept"),  # unknown: 404
        body(second, "accept"),
        body(second, "out_for_delivery"),
        body(second, "delivered", recipient_relation="family"),
    ]
    items.append(dict(items[5]))  # the same item again: a replay

    response = crew.courier.post(f"{SCANS}/batch", json={"scans": items})

    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    assert [r["index"] for r in results] == list(range(len(items)))
    assert [r["status"] for r in results] == [201, 409, 422, 422, 404, 201, 201, 201, 200]
    assert results[1]["error"]["code"] == "invalid_transition"
    assert "idempotency_key" in results[2]["error"]["fields"]
    assert results[8]["result"] == results[5]["result"]
    assert [results[i]["result"]["status"] for i in (0, 5, 6, 7)] == [
        "with_courier", "with_courier", "out_for_delivery", "delivered"]
    assert (status_of(first), status_of(second)) == ("with_courier", "delivered")
    assert verify_all() == []


def test_a_batch_may_be_a_bare_list(crew, documents):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2)
    code = recap["parcels"][0]["tracking_code"]
    response = crew.courier.post(f"{SCANS}/batch", json=[body(code, "accept")])
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]] == [201]


@pytest.mark.parametrize("payload", [
    lambda code: {"scans": [body(code, "accept") for _ in range(501)]}, lambda code: {"scans": []},
    lambda code: {"scans": body(code, "accept")},
], ids=["501-items", "empty", "not-a-list"])
def test_a_batch_of_the_wrong_size_or_shape_is_422(crew, documents, payload):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2)
    code = recap["parcels"][0]["tracking_code"]
    payload = payload(code)
    before = written()

    response = crew.courier.post(f"{SCANS}/batch", json=payload)

    assert response.status_code == 422, response.get_json()
    assert "scans" in response.get_json()["error"]["fields"]
    assert written() == before


def _import_documents(clerk, tmp_path, count: int) -> list[int]:
    """count documents, one per household, through the import endpoint; returns their ids."""
    path = tmp_path / "dokumen.csv"
    write_csv(str(path), list(document_rows(count, seed=50, prefix="BATCH", household_size=1)))
    with open(path, "rb") as handle:
        imported = clerk.post("/api/v1/documents/import", data={"file": (io.BytesIO(handle.read()), "dokumen.csv")},
                              content_type="multipart/form-data")
    assert imported.status_code == 201, imported.get_json()
    return list(db.session.scalars(sa.select(Document.id).order_by(Document.id)))


@pytest.mark.slow
def test_a_full_batch_replayed_writes_nothing_new(crew, tmp_path):
    ids = _import_documents(crew.clerk, tmp_path, 500)
    recap = crew.clerk.post("/api/v1/recaps", json={"document_ids": ids})
    assert recap.status_code == 201, recap.get_json()
    recap = recap.get_json()
    assert len(recap["parcels"]) == 500
    assert crew.clerk.post(f"/api/v1/recaps/{recap['id']}/submit").status_code == 200
    letter = crew.kasubbag.post(f"/api/v1/recaps/{recap['id']}/cover-letter",
                                json={"courier_partner_id": crew.partner_id}).get_json()
    assert crew.secretary.post(f"/api/v1/cover-letters/{letter['id']}/sign").status_code == 200
    assert crew.kasubbag.post(f"/api/v1/recaps/{recap['id']}/handover",
                              json={"courier_partner_id": crew.partner_id, "received_by": "Joko"}).status_code == 201
    items = [body(p["tracking_code"], "accept") for p in recap["parcels"]]

    first = crew.courier.post(f"{SCANS}/batch", json={"scans": items})
    after_first = written()
    second = crew.courier.post(f"{SCANS}/batch", json={"scans": items})

    assert [r["status"] for r in first.get_json()["results"]] == [201] * 500
    assert [r["status"] for r in second.get_json()["results"]] == [200] * 500
    assert [r["result"] for r in second.get_json()["results"]] == [r["result"] for r in first.get_json()["results"]]
    assert written() == after_first
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Parcel).where(
        Parcel.status == ParcelStatus.with_courier)) == 500
