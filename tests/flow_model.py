"""What the API should answer to each parcel move, built from the transition tables in distribusi/workflow.py,
and the world each example of tests/test_flow_properties.py starts from."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from conftest import Api, _empty_all_tables
from distribusi.extensions import db
from distribusi.recap import codes
from distribusi.workflow import FINAL_PARCEL_STATES, TRANSITIONS, ParcelStatus
from flow import handed_over_recap

PARCEL_MOVES = TRANSITIONS[ParcelStatus]
SCAN_ACTIONS = ("accept", "out_for_delivery", "delivered", "failed", "return")
# The states a partner still holds a parcel in: those the office may receive it back from.
HELD = frozenset(str(before) for (before, _after), action in PARCEL_MOVES.items() if action == "receive_return")
FINAL = frozenset(str(state) for state in FINAL_PARCEL_STATES)
REFUSED_RETURN = {"delivered": "sudah tercatat diterima warga", "returned": "sudah diterima kembali sebelumnya",
                  "collected": "sudah diambil di loket", "repacked": "sudah dikemas ulang"}


def target_of(state: str, action: str) -> str | None:
    """The state the table moves a parcel to from state by action, or None when the table has no such move."""
    found = {str(after) for (before, after), name in PARCEL_MOVES.items() if before == state and name == action}
    assert len(found) <= 1, (state, action, found)
    return found.pop() if found else None


@dataclass
class Parcel:
    code: str
    recap_id: int
    state: str
    with_partner: bool  # handed over to the courier partner (a repacked parcel sits in a draft recap)
    documents: list[int]  # the documents it holds now (Document.parcel_id)
    events: int = 1


@dataclass
class Recap:
    state: str
    codes: list[str]
    events: int


@dataclass
class Expected:
    """One answer the model predicts: the HTTP status, the error code, and the parcel's state afterwards."""

    status: int
    code: str | None = None
    state: str | None = None


@dataclass
class Model:
    """The parcels, documents and recaps of one example, the idempotency keys that were recorded, the event total."""

    parcels: dict[str, Parcel]
    recaps: dict[int, Recap]
    document_events: dict[int, int]
    total_events: int
    keys: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)  # per courier

    def holder_of(self, document_id: int) -> str:
        return next(code for code, parcel in self.parcels.items() if document_id in parcel.documents)

    def expect_scan(self, body: dict[str, Any], who: str = "courier") -> Expected:
        """The answer to one valid scan body from one courier, in the order the service decides it."""
        code = codes.normalize(body["tracking_code"])
        recorded = self.keys.get((who, body["idempotency_key"]))
        if recorded is not None:
            return Expected(200) if recorded[0] == fingerprint(body) else Expected(422, "idempotency_conflict")
        parcel = self.parcels.get(code)
        if parcel is None or not parcel.with_partner:
            return Expected(404, "not_found")
        if body["action"] == "delivered" and body["recipient_relation"] == "other":
            return Expected(409, "recipient_not_allowed")  # the default policy: self or family only
        after = target_of(parcel.state, body["action"])
        return Expected(201, state=after) if after else Expected(409, "invalid_transition")

    def apply_scan(self, body: dict[str, Any], expected: Expected, answer: dict[str, Any], who: str) -> None:
        """Record what an answered scan changed."""
        if expected.status == 201:
            self.keys[(who, body["idempotency_key"])] = (fingerprint(body), answer)
            self.move(codes.normalize(body["tracking_code"]), expected.state)

    def move(self, code: str, state: str) -> None:
        """One transition of a parcel, and the close of its recap when that was its last unfinished parcel."""
        parcel = self.parcels[code]
        parcel.state, parcel.events = state, parcel.events + 1
        self.total_events += 1
        recap = self.recaps[parcel.recap_id]
        if state in FINAL and recap.state == "handed_over" and all(self.parcels[c].state in FINAL for c in recap.codes):
            recap.state, recap.events = "closed", recap.events + 1
            self.total_events += 1

    def expect_returns(self, scanned: list[str]) -> tuple[list[str], dict[str, str]]:
        """The codes received (in first-scan order) and the unexpected ones with their reasons."""
        received: list[str] = []
        unexpected: dict[str, str] = {}
        for raw in scanned:
            code = codes.normalize(raw)
            key = code or raw[:40]
            if key in received or key in unexpected:
                continue
            parcel = self.parcels.get(code) if code else None
            if code is None:
                unexpected[key] = "kode tidak sah"
            elif parcel is None:
                unexpected[key] = "kode tidak dikenal"
            elif not parcel.with_partner:
                unexpected[key] = "bukan kiriman mitra ini"
            elif target_of(parcel.state, "receive_return") is None:
                unexpected[key] = REFUSED_RETURN[parcel.state]
            else:
                received.append(code)
        return received, unexpected

    def missing(self) -> set[str]:
        return {code for code, parcel in self.parcels.items() if parcel.with_partner and parcel.state in HELD}

    def repackable(self, document_ids: list[int]) -> bool:
        return all(self.parcels[self.holder_of(d)].state == "returned" for d in document_ids)

    def apply_repack(self, document_ids: list[int], new_recap: dict[str, Any]) -> None:
        """A new draft recap of fresh parcels; the old parcels that were emptied become repacked."""
        sources = {self.holder_of(d) for d in document_ids}
        for parcel in new_recap["parcels"]:
            self.parcels[parcel["tracking_code"]] = Parcel(
                parcel["tracking_code"], new_recap["id"], "packed", False, [d["id"] for d in parcel["documents"]])
        self.recaps[new_recap["id"]] = Recap("draft", [p["tracking_code"] for p in new_recap["parcels"]], 1)
        for document_id in document_ids:
            self.document_events[document_id] += 1
        self.total_events += 1 + len(new_recap["parcels"]) + len(document_ids)
        for code in sorted(sources):
            old = self.parcels[code]
            old.documents = [d for d in old.documents if d not in document_ids]
            if not old.documents:
                self.move(code, target_of(old.state, "repack"))


    def hand_over(self, recap_id: int) -> None:
        """A draft recap submitted, its letter issued and signed, handed over: six events, its parcels with the partner."""
        recap = self.recaps[recap_id]
        recap.state, recap.events = "handed_over", recap.events + 4
        self.total_events += 4 + 2
        for code in recap.codes:
            self.parcels[code].with_partner = True


def fingerprint(body: dict[str, Any]) -> dict[str, Any]:
    """What makes two scans with one key the same request: the body with its code read the canonical way."""
    return {**body, "tracking_code": codes.normalize(body["tracking_code"])}


def build_world(app, client, parcel_count: int) -> tuple[SimpleNamespace, dict]:
    """An empty database, then an office, its partner, the crew with tokens and a recap handed over to the partner."""
    from distribusi.admin.services import create_office, create_partner, create_user
    from distribusi.auth.services import issue_token
    from distribusi.demo import as_api_payload, document_rows
    from distribusi.intake.services import register_document

    db.session.rollback()  # an example that failed half-way leaves a transaction (on SQLite: the write lock)
    _empty_all_tables(app)
    office = create_office("PKU", "Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru")
    partner = create_partner(office, {"name": "PT Pos Indonesia", "contract_number": "027/PKS/2026", "contact": None})
    crew = SimpleNamespace(office_id=office.id, partner_id=partner.id)
    for name, role in (("clerk",) * 2, ("kasubbag",) * 2, ("secretary",) * 2, ("courier",) * 2,
                       ("courier2", "courier")):
        user = create_user(office, {"username": f"{name}-pku", "password": "rahasia-sekali-123",
                                    "full_name": f"Pengguna {name}", "role": role,
                                    "courier_partner_id": partner.id if role == "courier" else None})
        setattr(crew, name, Api(client, issue_token(user)[0], user.id))
    db.session.commit()

    def documents(user, count, seed=1):
        made = [register_document(user, as_api_payload(row)) for row in document_rows(count, seed=seed, prefix="P")]
        db.session.commit()
        return made

    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2 * parcel_count)
    return crew, recap
