"""What a citizen's browser shows on the public pages, for a parcel in every state of the demo office: no NIK, KK
number, document number, phone or street, with or without the phone hint; and the public limit answers 429."""
from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

SHOWN_TO_PUBLIC = ("/k/{code}", "/k/{code}?hp={hint}", "/lacak?kode={code}&hp={hint}",
                   "/api/v1/public/track/{code}", "/api/v1/public/track/{code}?verify={hint}")


def secrets_of(parcel) -> set[str]:
    """Every personal value of a parcel and its documents, in the forms a page could print them."""
    found = {parcel.phone, "0" + parcel.phone.removeprefix("+62"), parcel.phone.removeprefix("+"), parcel.street,
             parcel.kk_number}
    for document in parcel.documents:
        found |= {document.nik, document.kk_number, document.doc_number, document.phone, document.street}
    return {value for value in found if value and len(value) >= 6}


def test_no_public_page_shows_personal_data_in_any_state(page, live_server):
    from distribusi.complaints.models import Complaint
    from distribusi.extensions import db
    from distribusi.recap.models import Parcel

    live_server.app.config["PUBLIC_RATE_LIMIT"] = "10000 per minute"
    with live_server.app.app_context():
        parcels = db.session.scalars(sa.select(Parcel).order_by(Parcel.id)).all()
        states = {parcel.status.value for parcel in parcels}
        cases = [(parcel.tracking_code, parcel.phone[-4:], secrets_of(parcel)) for parcel in parcels]
        tickets = [(c.ticket_number, (c.phone or "")[-4:], {c.phone, c.nik, c.kk_number} - {None})
                   for c in db.session.scalars(sa.select(Complaint)).all() if c.phone]
        db.session.remove()
    assert len(states) >= 8, states  # the demo holds parcels in (nearly) every state
    for code, hint, secrets in cases:
        for path in SHOWN_TO_PUBLIC:
            page.goto(live_server.url + path.format(code=code, hint=hint))
            text = page.inner_text("body")
            assert "Penerima" in text or '"status"' in text, (path, code)  # the parcel was found and shown
            leaked = {secret for secret in secrets if secret in text}
            assert not leaked, (path.format(code=code, hint=hint), leaked)
    assert tickets, "the demo holds complaint tickets"
    for ticket, hint, secrets in tickets:
        page.goto(f"{live_server.url}/api/v1/public/complaints/{ticket}?verify={hint}")
        text = page.inner_text("body")
        assert ticket in text and not {secret for secret in secrets if secret in text}


def test_the_public_limit_answers_429_in_indonesian(page, live_server):
    live_server.app.config["PUBLIC_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert page.goto(f"{live_server.url}/lacak").status == 200
    refused = page.goto(f"{live_server.url}/lacak")
    assert refused.status == 429 and refused.headers.get("retry-after")
    expect(page.get_by_role("heading", name="Terlalu banyak permintaan")).to_be_visible()
