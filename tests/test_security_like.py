"""LIKE wildcards in a searched name are matched literally, in the staff lookup and the documents list (issue 14.7)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from distribusi.extensions import db
from distribusi.intake.models import Document

from test_lookup import LOOKUP, crew  # noqa: F401  (fixture)
from flow import handed_over_recap

NAMES = ["Persen 100% Benar", "Garis_Bawah Saja", "Garing\\Miring Juga", "Garing/Miring Pula"]


@pytest.fixture
def named(crew, documents):  # noqa: F811  (crew is the imported fixture)
    """Four documents handed over, whose names (and so their parcels' recipients) hold %, _, \\ and /.

    Returns name -> (document id, parcel id).
    """
    def renamed(user, count, seed=1):
        created = documents(user, count, seed=seed)
        for document, name in zip(created, NAMES, strict=True):  # straight to the rows: no form takes these
            db.session.execute(sa.update(Document).where(Document.id == document.id)
                               .values(owner_name=name, recipient_name=name))
        db.session.commit()
        db.session.expire_all()
        return created

    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, renamed, count=4)
    parcel_of = {document["id"]: parcel["id"] for parcel in recap["parcels"] for document in parcel["documents"]}
    names = dict(db.session.execute(sa.select(Document.owner_name, Document.id)).all())
    return {name: (names[name], parcel_of[names[name]]) for name in NAMES}


@pytest.mark.parametrize(("text", "expected"), [
    ("%%%", []), ("___", []), ("\\%%", []), ("%_\\", []), ("//%", []),
    ("100%", ["Persen 100% Benar"]), ("0% b", ["Persen 100% Benar"]),
    ("s_b", ["Garis_Bawah Saja"]), ("g\\m", ["Garing\\Miring Juga"]), ("g/m", ["Garing/Miring Pula"]),
], ids=["percents", "underscores", "backslash-percent", "mixed", "slashes", "percent", "percent-inside",
        "underscore", "backslash", "slash"])
def test_the_lookup_takes_wildcards_literally(crew, named, text, expected):  # noqa: F811
    response = crew.operator.get(LOOKUP, query_string={"name": text})
    assert response.status_code == 200, response.get_json()
    found = response.get_json()
    assert sorted(d["id"] for d in found["documents"]) == sorted(named[name][0] for name in expected)
    assert sorted(p["id"] for p in found["parcels"]) == sorted({named[name][1] for name in expected})


@pytest.mark.parametrize(("text", "expected"), [
    ("%%%", []), ("___", []), ("\\%%", []), ("100%", ["Persen 100% Benar"]), ("s_b", ["Garis_Bawah Saja"]),
    ("g\\m", ["Garing\\Miring Juga"]),
], ids=["percents", "underscores", "backslash-percent", "percent", "underscore", "backslash"])
def test_the_documents_list_takes_wildcards_literally(crew, named, text, expected):  # noqa: F811
    response = crew.clerk.get("/api/v1/documents", query_string={"q": text, "per_page": 100})
    assert response.status_code == 200, response.get_json()
    assert sorted(d["id"] for d in response.get_json()["items"]) == sorted(named[name][0] for name in expected)
