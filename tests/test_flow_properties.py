"""A Hypothesis state machine drives parcels through the JSON API and checks the engine against tests/flow_model.py.

Rules: single scans in any order (allowed or not for the parcel's state), replays of an idempotency key, the same key
with another body, offline batches with duplicates, returns received by the office, collection at the counter, and
repacking returned documents into a new recap. After every step: each parcel's state is the target of its last custody
event, the chain verifies, counts add up (events per parcel, document and recap = moves made; documents follow their
parcel) and replays wrote nothing. Each example starts from an empty database (a fresh office, crew and recap).

The normal suite runs the short profile; a thorough run, on both databases:
    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_flow_properties.py -q -p no:logging
"""
from __future__ import annotations

import os
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test

from distribusi.courier.models import ScanRecord
from distribusi.custody import CustodyEvent, verify_office
from distribusi.extensions import db
from distribusi.intake.models import Document
from distribusi.notify.models import OutboxMessage
from distribusi.recap import codes
from distribusi.recap.models import Parcel, Recap
from flow_model import SCAN_ACTIONS, Model, Parcel as ParcelModel, Recap as RecapModel, build_world, target_of

set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "distribusi-hypothesis"))  # nothing written in the repo
settings.register_profile("short", max_examples=30, stateful_step_count=30, deadline=None, derandomize=True,
                          database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", max_examples=400, stateful_step_count=60, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "short"))

UNKNOWN_CODE = "ZZZZZZZZZ" + codes.check_character("ZZZZZZZZZ")
SPELLINGS = (lambda c: c, lambda c: codes.display(c).lower(), lambda c: f"https://distribusi.test/k/{c}")


SEEN: Counter = Counter()  # what the examples reached, printed at the end (pytest -s shows it)


def event(what: str) -> None:
    SEEN[what] += 1


def rows(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_parcel_flow_keeps_its_invariants(app, client):
    class ParcelFlow(RuleBasedStateMachine):
        """Couriers, the kasubbag and the counter acting on one office's parcels in any order."""

        model: Model | None = None

        @initialize(parcel_count=st.integers(1, 3))
        def start(self, parcel_count):
            self.crew, recap = build_world(app, client, parcel_count)
            self.sent: list[dict] = []
            self.key_counter = 0
            parcels = {p["tracking_code"]: ParcelModel(p["tracking_code"], recap["id"], "packed", True,
                                                       [d["id"] for d in p["documents"]]) for p in recap["parcels"]}
            documents = {d: 2 for p in parcels.values() for d in p.documents}  # registered, packed
            # the recap: created, submitted, letter issued, signed, handed over; the letter: issued, signed
            self.model = Model(parcels, {recap["id"]: RecapModel("handed_over", list(parcels), 5)}, documents,
                               total_events=rows(CustodyEvent))
            assert self.model.total_events == len(parcels) + 2 * len(documents) + 5 + 2

        # ------------------------------------------------------------ choosing things

        def codes_in_play(self) -> list[str]:
            return list(self.model.parcels)  # creation order: the codes themselves are random

        def new_key(self) -> str:
            self.key_counter += 1
            return f"kunci-{self.key_counter:06d}"

        def allowed_scans(self) -> list[tuple[str, str]]:
            return [(code, action) for code, parcel in self.model.parcels.items() if parcel.with_partner
                    for action in SCAN_ACTIONS if target_of(parcel.state, action)]

        def scan_body(self, data, *, allowed: bool = False) -> dict:
            if allowed:
                code, action = data.draw(st.sampled_from(self.allowed_scans()), label="allowed move")
            else:
                code = data.draw(st.sampled_from(self.codes_in_play()), label="parcel")
                action = data.draw(st.sampled_from(SCAN_ACTIONS), label="action")
            spelling = data.draw(st.sampled_from(range(len(SPELLINGS))), label="spelling")
            body = {"tracking_code": SPELLINGS[spelling](code), "action": action,
                    "idempotency_key": self.new_key(),
                    "at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}
            if action == "delivered":
                relation = data.draw(st.sampled_from(("self", "family", "other")), label="relation")
                body |= {"recipient_name": "Siti Aminah", "recipient_relation": relation}
                if relation == "other":
                    body["note"] = "Tetangga sebelah, dititipkan"
            if action == "failed":
                body["failure_reason"] = data.draw(st.sampled_from(("recipient_absent", "moved")), label="reason")
            return body

        def other_body(self, data, body: dict) -> dict:
            """The same key with a different request: another note, another device time or another action."""
            change = data.draw(st.sampled_from(("note", "at", "action")), label="change")
            if change == "note":
                return {**body, "note": (body.get("note") or "") + " (diubah)"}
            if change == "at":
                return {**body, "at": (datetime.fromisoformat(body["at"]) - timedelta(seconds=1)).isoformat()}
            action = "accept" if body["action"] != "accept" else "out_for_delivery"
            return {"tracking_code": body["tracking_code"], "action": action, "at": body["at"],
                    "idempotency_key": body["idempotency_key"]}

        def sent_body(self, data) -> dict:
            return data.draw(st.sampled_from(self.sent), label="earlier scan")

        # ------------------------------------------------------------ courier scans

        def check_scan(self, body: dict, status: int, answer: dict, who: str = "courier") -> None:
            """Compare one scan's answer with the model's, then let the model follow it."""
            expected = self.model.expect_scan(body, who)
            event(f"scan answered {status} {expected.code or ''}".strip())
            assert status == expected.status, (body, expected, answer)
            if expected.status == 200:
                assert answer == self.model.keys[(who, body["idempotency_key"])][1], "a replay answers as the first time"
            elif expected.status == 201:
                code = codes.normalize(body["tracking_code"])
                stored = db.session.get(CustodyEvent, answer["event_id"])
                assert (answer["tracking_code"], answer["action"], answer["status"]) == (
                    code, body["action"], expected.state)
                assert (stored.subject_type, stored.subject_id, stored.action, stored.to_state, stored.idempotency_key) == (
                    "parcel", self.parcel_id(code), body["action"], expected.state, body["idempotency_key"])
            else:
                assert answer["code"] == expected.code, (body, answer)
            self.model.apply_scan(body, expected, answer, who)
            if who == "courier":
                self.sent.append(body)

        def post_scan(self, body: dict, who: str = "courier") -> None:
            response = getattr(self.crew, who).post("/api/v1/scans", json=body)
            answer = response.get_json()
            self.check_scan(body, response.status_code, answer if response.status_code < 400 else answer["error"], who)

        @rule(data=st.data())
        def scan(self, data):
            self.post_scan(self.scan_body(data))

        @precondition(lambda self: self.model and self.allowed_scans())
        @rule(data=st.data())
        def scan_allowed_moves(self, data):
            for _ in range(data.draw(st.integers(1, 3), label="moves")):
                if self.allowed_scans():
                    self.post_scan(self.scan_body(data, allowed=True))

        def broken_body(self, data) -> tuple[dict, str]:
            """A scan with one bad field: the device time ahead, a short key or a latitude out of range."""
            field = data.draw(st.sampled_from(("at", "idempotency_key", "lat")), label="broken field")
            broken = {"at": {"at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()},
                      "idempotency_key": {"idempotency_key": "pendek"}, "lat": {"lat": 91.0, "lon": 101.45}}
            return {**self.scan_body(data), **broken[field]}, field

        def check_refused(self, field: str, status: int, error: dict) -> None:
            assert status == 422 and field in error["fields"], error
            event("scan answered 422 validation_error")

        @rule(data=st.data())
        def malformed_scan(self, data):
            body, field = self.broken_body(data)
            response = self.crew.courier.post("/api/v1/scans", json=body)
            self.check_refused(field, response.status_code, response.get_json()["error"])

        @precondition(lambda self: self.sent)
        @rule(data=st.data())
        def replay(self, data):
            body = self.sent_body(data)
            before = (rows(CustodyEvent), rows(ScanRecord), rows(OutboxMessage))
            replayed = ("courier", body["idempotency_key"]) in self.model.keys
            self.post_scan(body)
            if replayed:
                assert (rows(CustodyEvent), rows(ScanRecord), rows(OutboxMessage)) == before, "a replay wrote"

        @precondition(lambda self: self.sent)
        @rule(data=st.data())
        def another_courier_uses_the_key(self, data):
            self.post_scan(self.sent_body(data), who="courier2")  # keys belong to one courier: a new scan for this one

        @precondition(lambda self: self.sent)
        @rule(data=st.data())
        def same_key_other_body(self, data):
            self.post_scan(self.other_body(data, self.sent_body(data)))

        @rule(data=st.data())
        def batch(self, data):
            items: list[dict] = []
            broken: dict[int, str] = {}  # index -> the bad field
            for _ in range(data.draw(st.integers(1, 6), label="items")):
                kind = data.draw(st.sampled_from(("new", "allowed", "again", "earlier", "other", "broken")), label="kind")
                if kind == "again" and items:
                    twin = data.draw(st.integers(0, len(items) - 1), label="duplicate of item")
                    if twin in broken:
                        broken[len(items)] = broken[twin]
                    items.append(dict(items[twin]))
                elif kind == "broken":
                    item, broken[len(items)] = self.broken_body(data)
                    items.append(item)
                elif kind == "allowed" and self.allowed_scans():
                    items.append(self.scan_body(data, allowed=True))  # allowed now; maybe not by its turn
                elif kind == "earlier" and self.sent:
                    items.append(self.sent_body(data))
                elif kind == "other" and self.sent:
                    items.append(self.other_body(data, self.sent_body(data)))
                else:
                    items.append(self.scan_body(data))
            response = self.crew.courier.post("/api/v1/scans/batch", json={"scans": items})
            assert response.status_code == 200, response.get_json()
            results = response.get_json()["results"]
            assert [r["index"] for r in results] == list(range(len(items)))
            for index, (item, result) in enumerate(zip(items, results, strict=True)):
                if index in broken:
                    self.check_refused(broken[index], result["status"], result["error"])
                else:
                    self.check_scan(item, result["status"], result.get("result") or result.get("error"))

        # ------------------------------------------------------------ the office

        @rule(data=st.data())
        def receive_returns(self, data):
            known = self.codes_in_play()
            pick = st.one_of(st.sampled_from(known),
                             st.tuples(st.sampled_from(known), st.sampled_from(SPELLINGS)).map(lambda t: t[1](t[0])),
                             st.just(UNKNOWN_CODE), st.just(known[0][:-1] + ("0" if known[0][-1] != "0" else "1")))
            scanned = data.draw(st.lists(pick, min_size=1, max_size=6), label="scanned")
            received, unexpected = self.model.expect_returns(scanned)
            response = self.crew.kasubbag.post("/api/v1/returns", json={"courier_partner_id": self.crew.partner_id,
                                                                        "tracking_codes": scanned})
            assert response.status_code == 201, response.get_json()
            answer = response.get_json()
            assert [r["tracking_code"] for r in answer["received"]] == received
            assert {r["status"] for r in answer["received"]} <= {"returned"}
            got = {r["tracking_code"]: r["reason"] for r in answer["unexpected"]}
            assert set(got) == set(unexpected), (got, unexpected)
            for key, reason in unexpected.items():
                assert got[key].startswith(reason), (key, got[key], reason)
            for code in received:
                self.model.move(code, "returned")
            event(f"returns: {'some' if received else 'none'} received")
            assert {r["tracking_code"] for r in answer["missing"]} == self.model.missing()

        @rule(data=st.data())
        def collect(self, data):
            code = data.draw(st.sampled_from(self.codes_in_play() + [UNKNOWN_CODE]), label="parcel")
            body = data.draw(st.sampled_from(({}, {"collected_by": "Pemilik"}, None)), label="body")
            response = self.crew.clerk.post(f"/api/v1/parcels/{code}/collected", json=body)
            parcel = self.model.parcels.get(code)
            if parcel is None:
                assert response.status_code == 404
            elif parcel.state == "returned":
                assert response.status_code == 200, response.get_json()
                assert response.get_json()["status"] == "collected"
                self.model.move(code, "collected")
                event("collected at the counter")
            else:
                assert response.status_code == 409, response.get_json()
                assert response.get_json()["error"]["code"] == "invalid_transition"

        @rule(data=st.data())
        def repack(self, data):
            holding = [c for c in self.codes_in_play() if self.model.parcels[c].documents]
            chosen = data.draw(st.lists(st.sampled_from(holding), min_size=1, max_size=2, unique=True), label="parcels")
            document_ids = []
            for code in chosen:
                held = self.model.parcels[code].documents
                document_ids += data.draw(st.lists(st.sampled_from(held), min_size=1, unique=True), label="documents")
            response = self.crew.clerk.post("/api/v1/recaps", json={"document_ids": document_ids})
            if self.model.repackable(document_ids):
                assert response.status_code == 201, response.get_json()
                new = response.get_json()
                groups = {frozenset(d["id"] for d in p["documents"]) for p in new["parcels"]}
                assert groups == {frozenset(d for d in document_ids if self.model.holder_of(d) == c) for c in chosen}
                self.model.apply_repack(document_ids, new)
                event("repacked")
            else:
                assert response.status_code == 409, response.get_json()
                assert response.get_json()["error"]["code"] == "documents_not_packable"

        @precondition(lambda self: self.model and any(r.state == "draft" for r in self.model.recaps.values()))
        @rule(data=st.data())
        def hand_over_repacked(self, data):
            drafts = [recap_id for recap_id, recap in self.model.recaps.items() if recap.state == "draft"]
            recap_id = data.draw(st.sampled_from(drafts), label="draft recap")
            crew = self.crew
            assert crew.clerk.post(f"/api/v1/recaps/{recap_id}/submit").status_code == 200
            letter = crew.kasubbag.post(f"/api/v1/recaps/{recap_id}/cover-letter",
                                        json={"courier_partner_id": crew.partner_id})
            assert letter.status_code == 201, letter.get_json()
            signed = crew.secretary.post(f"/api/v1/cover-letters/{letter.get_json()['id']}/sign")
            assert signed.status_code == 200, signed.get_json()
            handover = crew.kasubbag.post(f"/api/v1/recaps/{recap_id}/handover",
                                          json={"courier_partner_id": crew.partner_id, "received_by": "Joko Susilo"})
            assert handover.status_code in (200, 201), handover.get_json()
            self.model.hand_over(recap_id)
            event("repacked recap handed over")

        # ------------------------------------------------------------ after every step

        def parcel_id(self, code: str) -> int:
            return db.session.scalar(sa.select(Parcel.id).where(Parcel.tracking_code == code))

        @invariant()
        def the_database_agrees_with_the_model(self):
            if self.model is None:
                return
            try:
                self.check_database()
            finally:
                db.session.rollback()

        def check_database(self):
            model = self.model
            events: dict[tuple[str, int], list[str]] = {}
            for subject_type, subject_id, to_state in db.session.execute(sa.select(
                    CustodyEvent.subject_type, CustodyEvent.subject_id, CustodyEvent.to_state).order_by(CustodyEvent.seq)):
                events.setdefault((subject_type, subject_id), []).append(to_state)
            assert sum(map(len, events.values())) == model.total_events, "events = moves made"
            parcels = {code: (pid, status.value) for code, pid, status in db.session.execute(
                sa.select(Parcel.tracking_code, Parcel.id, Parcel.status))}
            assert set(parcels) == set(model.parcels)
            for code, expected in model.parcels.items():
                parcel_id, status = parcels[code]
                trail = events[("parcel", parcel_id)]
                assert (status, trail[-1], len(trail)) == (expected.state, expected.state, expected.events), code
            recaps = dict(db.session.execute(sa.select(Recap.id, Recap.status)).all())
            for recap_id, expected in model.recaps.items():
                trail = events[("recap", recap_id)]
                assert (recaps[recap_id].value, trail[-1], len(trail)) == (expected.state, expected.state,
                                                                           expected.events), recap_id
            holders = {pid: code for code, (pid, _status) in parcels.items()}
            for document_id, status, parcel_id in db.session.execute(
                    sa.select(Document.id, Document.status, Document.parcel_id)):
                trail = events[("document", document_id)]
                assert (status.value, trail[-1], len(trail)) == ("in_recap", "in_recap",
                                                                 model.document_events[document_id])
                assert holders[parcel_id] == model.holder_of(document_id), document_id
            assert rows(ScanRecord) == len(model.keys), "one record per accepted key"
            assert verify_office(self.crew.office_id) is None

    SEEN.clear()
    run_state_machine_as_test(ParcelFlow, settings=PROFILE)
    print("\nReached:", dict(sorted(SEEN.items())))
