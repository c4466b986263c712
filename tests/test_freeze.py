"""A signed recap is frozen: no write path can change what the signature covers."""
import pytest

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


@pytest.mark.parametrize(("model", "column", "value"), CHANGES, ids=[f"{m.__name__}.{c}" for m, c, _ in CHANGES])
def test_signed_content_cannot_change(login_as, documents, model, column, value):
    clerk, kasubbag, secretary = login_as("clerk"), login_as("kasubbag"), login_as("secretary")
    recap, _letter = signed_recap(clerk, kasubbag, secretary, documents)
    setattr(_target(model, recap), column, value)
    with pytest.raises(RecapFrozen):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(("model", "column", "value"), CHANGES[:4], ids=[f"{m.__name__}.{c}" for m, c, _ in CHANGES[:4]])
def test_unsigned_content_may_change(login_as, documents, model, column, value):
    recap = submitted_recap(login_as("clerk"), documents)
    setattr(_target(model, recap), column, value)
    db.session.flush()


def test_state_changes_of_a_signed_recap_are_not_content(login_as, documents):
    clerk, kasubbag, secretary = login_as("clerk"), login_as("kasubbag"), login_as("secretary")
    recap, _letter = signed_recap(clerk, kasubbag, secretary, documents)
    parcel = _target(Parcel, recap)
    parcel.failed_attempts += 1  # operational facts keep being recorded after signing
    db.session.flush()
