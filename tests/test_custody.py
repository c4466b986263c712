"""The custody log: one hash-chained event per change, per office; verify finds edits, deletions and reordering."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from distribusi.custody import (
    GENESIS_HASH, ChainHead, CustodyEvent, compute_hash, events_for, verify_all, verify_office,
)
from distribusi.extensions import db

from concurrency import race


def _chain(office_id: int) -> list[CustodyEvent]:
    db.session.expire_all()
    return list(db.session.scalars(
        sa.select(CustodyEvent).where(CustodyEvent.office_id == office_id).order_by(CustodyEvent.seq)
    ))


def _assert_linked(events: list[CustodyEvent]) -> None:
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    prev = GENESIS_HASH
    for event in events:
        assert event.prev_hash == prev
        assert len(event.hash) == 64 and event.hash != prev
        prev = event.hash


def _sql(statement: str, **params) -> None:
    db.session.execute(sa.text(statement), params)
    db.session.commit()


@pytest.fixture
def clerk(make_user):
    return make_user("clerk")


@pytest.fixture
def chain(office, clerk, documents):
    """Six events in the office's chain (six registered documents); returns them in order."""
    documents(clerk, 6, seed=21)
    events = _chain(office.id)
    assert len(events) == 6 and verify_all() == []
    return events


def test_register_flag_resolve_write_one_event_each(office, clerk, documents):
    from distribusi.intake.services import flag_document, resolve_document

    document = documents(clerk, 1, seed=20)[0]
    flag_document(clerk, document, "unsigned", "Belum ditandatangani Kadis")
    db.session.commit()
    resolve_document(clerk, document)
    db.session.commit()

    events = events_for("document", [document.id])
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("register", None, "registered"), ("flag", "registered", "needs_fix"), ("resolve", "needs_fix", "registered"),
    ]
    assert {e.actor_id for e in events} == {clerk.id}
    assert {e.office_id for e in events} == {office.id}
    assert events[0].to_party == clerk.party
    assert events[1].data == {"reason": "unsigned", "note": "Belum ditandatangani Kadis"}
    assert all(e.recorded_at is not None for e in events)
    _assert_linked(_chain(office.id))
    assert verify_all() == []


def test_recap_creation_writes_one_event_per_document_parcel_and_recap(office, clerk, documents):
    from distribusi.recap.services import create_recap

    docs = documents(clerk, 4, seed=22)  # two households of two
    before = len(_chain(office.id))
    recap = create_recap(clerk, [d.id for d in docs])
    db.session.commit()

    new = _chain(office.id)[before:]
    by_subject = {(e.subject_type, e.subject_id): e for e in new}
    assert len(new) == len(by_subject) == 1 + len(recap.parcels) + 4
    assert (by_subject[("recap", recap.id)].action, by_subject[("recap", recap.id)].to_state) == ("create", "draft")
    for parcel in recap.parcels:
        event = by_subject[("parcel", parcel.id)]
        assert (event.action, event.from_state, event.to_state) == ("pack", None, "packed")
    for document in docs:
        event = by_subject[("document", document.id)]
        assert (event.action, event.from_state, event.to_state) == ("pack", "registered", "in_recap")
    assert {e.actor_id for e in new} == {clerk.id}
    assert {e.data["recap"] for e in new} == {recap.number}
    _assert_linked(_chain(office.id))
    head = db.session.get(ChainHead, office.id)
    assert (head.last_seq, head.last_hash) == (len(_chain(office.id)), _chain(office.id)[-1].hash)


def test_hash_covers_the_stored_values(chain):
    for event in chain:
        values = {column.name: getattr(event, column.name) for column in CustodyEvent.__table__.columns}
        assert compute_hash(values) == event.hash


def test_intact_chain_verifies(chain, runner):
    assert verify_all() == []
    result = runner.invoke(args=["custody", "verify"])
    assert result.exit_code == 0, result.output
    assert "utuh" in result.output and "6 event" in result.output


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param("UPDATE custody_events SET to_state = 'in_recap' WHERE id = :id", id="to_state"),
        pytest.param("UPDATE custody_events SET actor_id = NULL WHERE id = :id", id="actor"),
        pytest.param("UPDATE custody_events SET recorded_at = '2020-01-01 00:00:00' WHERE id = :id", id="time"),
        pytest.param("UPDATE custody_events SET subject_id = subject_id + 1 WHERE id = :id", id="subject"),
    ],
)
def test_an_edited_event_is_found(office, chain, runner, tamper):
    target = chain[2]
    _sql(tamper, id=target.id)
    problems = verify_all()
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.office_id, problem.seq, problem.event_id) == (office.id, 3, target.id)
    assert "diubah" in problem.reason

    result = runner.invoke(args=["custody", "verify"])
    assert result.exit_code == 1
    assert f"event id={target.id} seq=3" in result.output


def test_edited_data_is_found(office, chain):
    db.session.execute(
        sa.update(CustodyEvent.__table__).where(CustodyEvent.id == chain[1].id).values(data={"via": "edit"})
    )
    db.session.commit()
    problem = verify_office(office.id)
    assert (problem.seq, problem.event_id) == (2, chain[1].id)


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(office, chain):
    """Recomputing the edited event's own hash is not enough: the next event still points at the old one."""
    edited = chain[2]
    values = {column.name: getattr(edited, column.name) for column in CustodyEvent.__table__.columns}
    values["to_state"] = "needs_fix"
    _sql("UPDATE custody_events SET to_state = 'needs_fix', hash = :hash WHERE id = :id",
         hash=compute_hash(values), id=edited.id)
    problem = verify_office(office.id)
    assert (problem.seq, problem.event_id) == (4, chain[3].id)


def test_a_deleted_middle_event_is_found(office, chain, runner):
    _sql("DELETE FROM custody_events WHERE id = :id", id=chain[2].id)
    problems = verify_all()
    assert len(problems) == 1
    assert (problems[0].seq, problems[0].event_id) == (4, chain[3].id)
    assert "3" in problems[0].reason

    result = runner.invoke(args=["custody", "verify"])
    assert result.exit_code == 1
    assert "seq=4" in result.output


def test_a_deleted_middle_event_with_renumbering_is_found(office, chain):
    _sql("DELETE FROM custody_events WHERE id = :id", id=chain[2].id)
    # renumber 4..6 to 3..5 through negative values, so the unique (office_id, seq) is never violated
    _sql("UPDATE custody_events SET seq = -seq WHERE office_id = :office AND seq > 3", office=office.id)
    _sql("UPDATE custody_events SET seq = -seq - 1 WHERE office_id = :office AND seq < 0", office=office.id)
    _sql("UPDATE custody_chain_heads SET last_seq = 5 WHERE office_id = :office", office=office.id)
    problem = verify_office(office.id)
    assert (problem.seq, problem.event_id) == (3, chain[3].id)


def test_a_deleted_last_event_is_found(office, chain, runner):
    _sql("DELETE FROM custody_events WHERE id = :id", id=chain[-1].id)
    problems = verify_all()
    assert len(problems) == 1
    assert (problems[0].office_id, problems[0].seq) == (office.id, 6)
    assert "terakhir" in problems[0].reason

    result = runner.invoke(args=["custody", "verify"])
    assert result.exit_code == 1
    assert "seq=6" in result.output


def test_a_whole_chain_deleted_is_found(office, chain):
    _sql("DELETE FROM custody_events WHERE office_id = :office", office=office.id)
    assert [p.office_id for p in verify_all()] == [office.id]


def test_a_reordered_pair_is_found(office, chain, runner):
    second, third = chain[1], chain[2]
    # swap seq 2 and 3 through a temporary value: (office_id, seq) is unique
    _sql("UPDATE custody_events SET seq = -1 WHERE id = :id", id=second.id)
    _sql("UPDATE custody_events SET seq = 2 WHERE id = :id", id=third.id)
    _sql("UPDATE custody_events SET seq = 3 WHERE id = :id", id=second.id)
    problems = verify_all()
    assert len(problems) == 1
    assert (problems[0].seq, problems[0].event_id) == (2, third.id)

    result = runner.invoke(args=["custody", "verify"])
    assert result.exit_code == 1
    assert f"event id={third.id} seq=2" in result.output


def test_chains_are_per_office(office, other_office, make_user, documents, runner):
    clerk_a, clerk_b = make_user("clerk", office), make_user("clerk", other_office)
    documents(clerk_a, 3, seed=23)
    documents(clerk_b, 2, seed=24)
    documents(clerk_a, 1, seed=25)
    chain_a, chain_b = _chain(office.id), _chain(other_office.id)
    assert [e.seq for e in chain_a] == [1, 2, 3, 4]
    assert [e.seq for e in chain_b] == [1, 2]
    _assert_linked(chain_a)
    _assert_linked(chain_b)
    assert verify_all() == []

    _sql("UPDATE custody_events SET to_state = 'needs_fix' WHERE id = :id", id=chain_b[0].id)
    assert [(p.office_id, p.event_id) for p in verify_all()] == [(other_office.id, chain_b[0].id)]
    assert verify_office(office.id) is None
    result = runner.invoke(args=["custody", "verify"])
    assert result.exit_code == 1
    assert f"office {other_office.id}:" in result.output and f"office {office.id}:" not in result.output


@pytest.mark.postgres_only
def test_concurrent_appends_make_one_unbroken_chain(office, make_user):
    from distribusi.auth.models import User
    from distribusi.demo import as_api_payload, document_rows
    from distribusi.intake.services import register_document

    user_id = make_user("clerk").id
    rows = list(document_rows(20, seed=26, prefix="CONC"))

    def register(index: int) -> None:
        register_document(db.session.get(User, user_id), as_api_payload(rows[index]))
        db.session.commit()

    race(len(rows), register)

    events = _chain(office.id)
    assert len(events) == 20
    _assert_linked(events)
    assert len({e.subject_id for e in events}) == 20
    assert db.session.get(ChainHead, office.id).last_seq == 20
    assert verify_all() == []
