"""The transition tables: every allowed move works, every other move is refused in Indonesian, also through the API."""
from __future__ import annotations

import enum
import itertools
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from distribusi import custody, workflow
from distribusi.workflow import (
    LABELS, TRANSITIONS, DocumentStatus, InvalidTransition, Move, action_for, check_all, create_many, is_allowed,
    label, transition, transition_each,
)

STATE_ENUMS = list(TRANSITIONS)

ALLOWED = [
    pytest.param(state_enum, current, target, action, id=f"{state_enum.__name__}:{current}->{target}")
    for state_enum, table in TRANSITIONS.items()
    for (current, target), action in table.items()
]

FORBIDDEN = [
    pytest.param(state_enum, current, target, id=f"{state_enum.__name__}:{current}->{target}")
    for state_enum in STATE_ENUMS
    for current, target in itertools.product([None, *state_enum], list(state_enum))
    if (current, target) not in TRANSITIONS[state_enum]
]

CREATIONS = {state_enum: [t for (c, t) in table if c is None] for state_enum, table in TRANSITIONS.items()}


class Subject:
    """Stands in for a model row: an office, an id, a state and a custody label."""

    __custody_subject__ = "document"

    def __init__(self, status):
        self.status = status
        self.office_id = 1
        self.id = 7

    def custody_label(self) -> str:
        return "KK 1471-TEST"


@pytest.fixture
def recorded(monkeypatch):
    """transition() without a database: flush does nothing and appended events are collected."""
    events: list[dict] = []
    monkeypatch.setattr(workflow, "db", SimpleNamespace(session=SimpleNamespace(flush=lambda: None)))

    def append_events(new):
        events.extend(new)
        return new

    monkeypatch.setattr(custody, "append_events", append_events)
    return events


def test_the_tables_cover_every_state_enum():
    assert set(STATE_ENUMS) == {
        workflow.DocumentStatus, workflow.ParcelStatus, workflow.RecapStatus, workflow.LetterStatus,
    }
    assert len(FORBIDDEN) > len(ALLOWED)


@pytest.mark.parametrize("state_enum", STATE_ENUMS, ids=lambda e: e.__name__)
def test_each_enum_has_one_creation_and_reaches_every_state(state_enum):
    assert len(CREATIONS[state_enum]) == 1, "an object is created in exactly one state"
    targets = {target for (_current, target) in TRANSITIONS[state_enum]}
    assert targets == set(state_enum), f"unreachable: {set(state_enum) - targets}"
    for state in state_enum:
        assert LABELS[state] and label(state) == LABELS[state]


@pytest.mark.parametrize(("state_enum", "current", "target", "action"), ALLOWED)
def test_allowed_move(recorded, state_enum, current, target, action):
    assert is_allowed(current, target)
    assert action_for(current, target) == action
    subject = Subject(current)
    event = transition(subject, target, Move(actor_id=3, from_party="Petugas FO: Ani"))
    assert subject.status is target
    assert recorded == [event]
    assert (event["action"], event["from_state"], event["to_state"]) == (
        action, current.value if current is not None else None, target.value,
    )
    assert (event["actor_id"], event["from_party"], event["subject_id"]) == (3, "Petugas FO: Ani", 7)


@pytest.mark.parametrize(("state_enum", "current", "target"), FORBIDDEN)
def test_forbidden_move(recorded, state_enum, current, target):
    assert not is_allowed(current, target)
    with pytest.raises(InvalidTransition) as refused:
        action_for(current, target)
    message = refused.value.message
    assert refused.value.code == "invalid_transition"
    assert message.startswith("Status tidak dapat diubah dari")
    assert f"\u201c{label(current)}\u201d" in message and f"\u201c{label(target)}\u201d" in message

    subject = Subject(current)
    with pytest.raises(InvalidTransition):
        transition(subject, target, Move(actor_id=3))
    assert subject.status is current, "a refused move changes nothing"
    assert recorded == [], "a refused move writes no custody event"


def test_one_forbidden_move_refuses_the_whole_batch(recorded):
    good, bad = Subject(DocumentStatus.registered), Subject(DocumentStatus.needs_fix)
    with pytest.raises(InvalidTransition):
        transition_each([(good, DocumentStatus.in_recap), (bad, DocumentStatus.in_recap)], Move(actor_id=1))
    assert good.status is DocumentStatus.registered and bad.status is DocumentStatus.needs_fix
    assert recorded == []


def test_check_all_names_the_first_refused_object():
    subjects = [Subject(DocumentStatus.registered), Subject(DocumentStatus.needs_fix)]
    with pytest.raises(InvalidTransition) as refused:
        check_all(subjects, DocumentStatus.in_recap)
    assert refused.value.message.startswith(
        "Dokumen KK 1471-TEST: Status tidak dapat diubah dari \u201cPerlu perbaikan\u201d"
    )


@pytest.mark.parametrize(
    ("state_enum", "target"),
    [pytest.param(e, t, id=f"{e.__name__}:{t}") for e in STATE_ENUMS for t in e if t not in CREATIONS[e]],
)
def test_create_many_refuses_a_non_initial_state_before_writing(state_enum, target):
    # Raises before any database access: no app context is needed to get the refusal.
    with pytest.raises(InvalidTransition):
        create_many(SimpleNamespace(), [{"office_id": 1}], target, Move(actor_id=None))


def test_enums_are_plain_strings_for_the_database():
    for state_enum in STATE_ENUMS:
        assert issubclass(state_enum, enum.StrEnum)
        assert all(member.value == member.name for member in state_enum)


# --- through the API: illegal moves answer 409 and change nothing -------------------------------------------


def _snapshot(document_ids):
    from distribusi.extensions import db
    from distribusi.intake.models import Document

    db.session.rollback()  # what a request's teardown does in production
    events = db.session.scalar(sa.select(sa.func.count()).select_from(custody.CustodyEvent))
    states = dict(
        db.session.execute(sa.select(Document.id, Document.status).where(Document.id.in_(document_ids))).all()
    )
    return events, states


def _assert_refused(response):
    assert response.status_code == 409, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["message"].startswith("Status tidak dapat diubah dari")


@pytest.fixture
def clerk(login_as):
    return login_as("clerk")


@pytest.mark.parametrize(
    ("prepare", "action"),
    [
        pytest.param([], "resolve", id="resolve-registered"),
        pytest.param(["flag"], "flag", id="flag-needs_fix"),
        pytest.param(["recap"], "flag", id="flag-in_recap"),
        pytest.param(["recap"], "resolve", id="resolve-in_recap"),
        pytest.param(["flag", "resolve"], "resolve", id="resolve-twice"),
    ],
)
def test_api_refuses_illegal_document_moves(clerk, documents, prepare, action):
    document = documents(clerk.user, 1, seed=5)[0]
    for step in prepare:
        if step == "recap":
            assert clerk.post("/api/v1/recaps", json={"document_ids": [document.id]}).status_code == 201
        else:
            body = {"reason": "data_error", "note": "NIK salah"} if step == "flag" else None
            assert clerk.post(f"/api/v1/documents/{document.id}/{step}", json=body).status_code == 200
    before = _snapshot([document.id])
    body = {"reason": "unsigned"} if action == "flag" else None
    _assert_refused(clerk.post(f"/api/v1/documents/{document.id}/{action}", json=body))
    assert _snapshot([document.id]) == before


def test_api_refuses_submitting_a_recap_twice(clerk, documents):
    from distribusi.extensions import db
    from distribusi.recap.models import Recap

    docs = documents(clerk.user, 2, seed=6)
    recap_id = clerk.post("/api/v1/recaps", json={"document_ids": [d.id for d in docs]}).get_json()["id"]
    assert clerk.post(f"/api/v1/recaps/{recap_id}/submit").status_code == 200
    before = _snapshot([d.id for d in docs])
    _assert_refused(clerk.post(f"/api/v1/recaps/{recap_id}/submit"))
    assert _snapshot([d.id for d in docs]) == before
    assert db.session.get(Recap, recap_id).status is workflow.RecapStatus.submitted
