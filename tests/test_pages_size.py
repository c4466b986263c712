"""The two biggest staff pages stay cheap as they grow: the recap page and the documents list send the same number
of SQL statements for 2 parcels or 30, the recap page's plain rows say what the ORM says, a list shows 1,000."""
from __future__ import annotations

import re

import sqlalchemy as sa

from tests.flow import submitted_recap  # first: it imports the app's packages in a working order

from distribusi.extensions import db  # noqa: I001
from distribusi.printing.data import DocumentLine
from distribusi.recap import services
from distribusi.recap.codes import display
from distribusi.web.pages import MAX_PER_PAGE

PASSWORD = "rahasia-sekali-123"


def statements(app, client, path: str) -> tuple[int, str]:
    """(SQL statements sent, page text) of one GET."""
    count = 0

    def hook(*_args, **_kwargs):
        nonlocal count
        count += 1

    sa.event.listen(db.engine, "before_cursor_execute", hook)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", hook)
    assert response.status_code == 200
    return count, response.get_data(as_text=True)


def test_statements_do_not_grow_with_the_recap_or_the_list(app, login_as, documents):
    clerk = login_as("clerk")
    small = submitted_recap(clerk, documents, count=4, seed=1)
    large = submitted_recap(clerk, documents, count=60, seed=2)
    page = app.test_client()
    assert page.post("/login", data={"username": clerk.user.username, "password": PASSWORD}).status_code == 302

    small_count, _ = statements(app, page, f"/rekap/{small['id']}")
    large_count, html = statements(app, page, f"/rekap/{large['id']}")
    assert large_count == small_count
    assert "30 kiriman, 60 dokumen" in html
    assert html.count('href="/kartu/kiriman/') == 30
    first = large["parcels"][0]["tracking_code"]
    assert f'<a href="/kartu/kiriman/{first}">{display(first)}</a>' in html

    few, _ = statements(app, page, "/dokumen?per_page=4")
    many, listed = statements(app, page, "/dokumen?per_page=64")
    assert many == few
    assert len(re.findall(r'href="/dokumen/\d+">Lihat', listed)) == 64
    assert len(re.findall(r'href="/kartu/dokumen/\d+">Kartu kendali', listed)) == 64


def test_parcel_rows_say_what_the_recap_objects_say(app, login_as, documents):
    clerk = login_as("clerk")
    recap_id = submitted_recap(clerk, documents, count=9, seed=3)["id"]
    db.session.expunge_all()
    recap = services.load_recap(recap_id)
    rows = services.parcel_rows(recap_id)
    assert [(r.position, r.tracking_code, r.status, r.recipient_name, r.kecamatan, r.documents) for r in rows] == [
        (p.position, p.tracking_code, p.status, p.recipient_name, p.kecamatan,
         [DocumentLine(d.doc_type, d.owner_name) for d in p.documents]) for p in recap.parcels]
    assert services.parcel_groups(rows) == services.recap_groups(recap)
    assert services.parcel_rows(10**6) == []


def test_a_list_page_shows_up_to_a_thousand():
    assert MAX_PER_PAGE == 1_000
