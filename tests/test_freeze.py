"""A signed recap is frozen: no write path can change what the signature covers."""
import pytest
import sqlalchemy as sa

from distribusi.extensions import db
from distribusi.intake.models import Document
from distribusi.recap.models import Parcel, Recap
from distribusi.recap.services import RecapFrozen

from flow import signed_recap, submitted_recap

CHANGES = [
    (Parcel, "street", "Jl. Lain No. 1"),
    (Parcel, "tracking_code", "0000000000"),
    (Parcel, "recipient_name", "Orang Lain"),
    (Document, "doc_number", "DIGANTI-1"),
    (Document, "nik", "1471010101900001"),
    (Recap, "number", "RKP/2026/9999"),
]


def _target(model, recap_json):
    parcel = db.session.scalar(db.select(Parcel).where(Parcel.recap_id == recap_json["id"]))
    return {Parcel: parcel, Document: parcel.documents[0], Recap: parcel.recap}[model]


def stored(model, row_id: int, column: str):
    """The column as the database holds it, read on a connection of its own (the test's session must hold no
    transaction: on SQLite each one begins IMMEDIATE)."""
    with db.engine.connect() as connection:
        return connection.scalar(sa.select(getattr(model, column)).where(model.id == row_id))


@pytest.mark.parametrize(("model", "column", "value"), CHANGES, ids=[f"{m.__name__}.{c}" for m, c, _ in CHANGES])
def test_signed_content_cannot_change(login_as, documents, model, column, value):
    clerk, kasubbag, secretary = login_as("clerk"), login_as("kasubbag"), login_as("secretary")
    recap, _letter = signed_recap(clerk, kasubbag, secretary, documents)
    target = _target(model, recap)
    row_id, before = target.id, getattr(target, column)
    assert before != value
    setattr(target, column, value)
    with pytest.raises(RecapFrozen):
        db.session.flush()
    db.session.rollback()
    db.session.commit()  # nothing is left to commit
    assert stored(model, row_id, column) == before


UNSIGNED = CHANGES[:4]


@pytest.mark.parametrize(("model", "column", "value"), UNSIGNED, ids=[f"{m.__name__}.{c}" for m, c, _ in UNSIGNED])
def test_unsigned_content_may_change(login_as, documents, model, column, value):
    recap = submitted_recap(login_as("clerk"), documents)
    target = _target(model, recap)
    row_id = target.id
    assert getattr(target, column) != value
    setattr(target, column, value)
    db.session.commit()
    assert stored(model, row_id, column) == value


def test_state_changes_of_a_signed_recap_are_not_content(login_as, documents):
    clerk, kasubbag, secretary = login_as("clerk"), login_as("kasubbag"), login_as("secretary")
    recap, _letter = signed_recap(clerk, kasubbag, secretary, documents)
    parcel = _target(Parcel, recap)
    parcel_id, before = parcel.id, parcel.failed_attempts
    parcel.failed_attempts += 1  # operational facts keep being recorded after signing
    db.session.commit()
    assert stored(Parcel, parcel_id, "failed_attempts") == before + 1
