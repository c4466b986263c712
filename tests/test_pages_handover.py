"""The handover pages of the Kasubbag Umum: ready recaps, recording a handover, the courier's acceptance."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

import distribusi.web  # noqa: F401  (first: importing distribusi.recap first trips main's circular import)
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.recap.codes import display

from flow import handed_over_recap, scan, signed_recap, submitted_recap

PASSWORD = "rahasia-sekali-123"


def page_client(app, user):
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def handover_of(recap_id: int) -> Handover | None:
    return db.session.scalar(sa.select(Handover).where(Handover.recap_id == recap_id))


@pytest.mark.parametrize("role, allowed", [("kasubbag", True), ("clerk", False), ("secretary", False),
                                           ("courier", False)])
def test_only_the_kasubbag_opens_the_handover_pages(app, crew, documents, make_user, role, allowed):
    signed, _letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, seed=1)
    handed = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, seed=2)
    client = page_client(app, make_user(role))
    urls = ["/serah-terima", f"/serah-terima/rekap/{signed['id']}", f"/serah-terima/{handover_of(handed['id']).id}",
            f"/serah-terima/{handover_of(handed['id']).id}/kemajuan"]
    for url in urls:
        assert client.get(url).status_code == (200 if allowed else 403), url
    posted = client.post(f"/serah-terima/rekap/{signed['id']}",
                         data={"courier_partner_id": crew.partner_id, "received_by": "Joko"})
    assert posted.status_code == (302 if allowed else 403)


def test_another_offices_handover_and_recap_answer_404(app, crew, documents, make_user, other_office):
    handed = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, seed=2)
    signed, _letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, seed=3)
    stranger = page_client(app, make_user("kasubbag", other_office))
    handover_id = handover_of(handed["id"]).id
    for url in (f"/serah-terima/{handover_id}", f"/serah-terima/{handover_id}/kemajuan",
                f"/serah-terima/rekap/{signed['id']}", "/serah-terima/999999"):
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(f"/serah-terima/rekap/{signed['id']}",
                         data={"courier_partner_id": crew.partner_id, "received_by": "Joko"}).status_code == 404
    assert handover_of(signed["id"]) is None
    listing = stranger.get("/serah-terima").get_data(as_text=True)
    assert signed["number"] not in listing and handed["number"] not in listing


def test_the_list_shows_ready_recaps_with_their_partner_and_recent_handovers(app, crew, documents):
    signed, letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, seed=1)
    handed = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, seed=2, received_by="Budi Kurir")
    client = page_client(app, crew.kasubbag.user)

    html = client.get("/serah-terima").get_data(as_text=True)

    ready, recent = html.split("Serah terima terbaru")
    assert signed["number"] in ready and letter["letter_number"] in ready and "PT Pos Indonesia" in ready
    assert f'/serah-terima/rekap/{signed["id"]}' in ready
    assert handed["number"] in recent and "Budi Kurir" in recent and "diterima 0 dari 2" in recent
    found = client.get("/serah-terima", query_string={"q": "budi"}).get_data(as_text=True)
    assert handed["number"] in found and signed["number"] not in found
    assert handed["number"] not in client.get("/serah-terima", query_string={"q": "tidak-ada"}).get_data(as_text=True)


def test_recording_a_handover_preselects_the_letters_partner_and_shows_the_acceptance(app, crew, documents):
    recap, letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=4)
    client = page_client(app, crew.kasubbag.user)
    form = client.get(f"/serah-terima/rekap/{recap['id']}").get_data(as_text=True)
    assert f'<option value="{letter["courier_partner_id"]}" selected>' in form
    assert letter["letter_number"] in form

    response = client.post(f"/serah-terima/rekap/{recap['id']}",
                           data={"courier_partner_id": str(crew.partner_id), "received_by": "  Joko Susilo "})

    handover = handover_of(recap["id"])
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/serah-terima/{handover.id}")
    assert handover.received_by == "Joko Susilo" and handover.recap.status.value == "handed_over"
    page = client.get(f"/serah-terima/{handover.id}").get_data(as_text=True)
    assert "tercatat" in page and f"/api/v1/handovers/{handover.id}/record.pdf" in page
    assert "diterima <strong>0</strong> dari 2" in page and 'hx-trigger="every 5s"' in page
    codes = [p["tracking_code"] for p in recap["parcels"]]
    assert all(display(code) in page for code in codes)

    assert scan(crew.courier, codes[0], "accept").status_code == 201
    partial = client.get(f"/serah-terima/{handover.id}/kemajuan").get_data(as_text=True)
    assert "diterima <strong>1</strong> dari 2" in partial and display(codes[0]) not in partial
    assert display(codes[1]) in partial
    assert "diterima 1 dari 2" in client.get("/serah-terima").get_data(as_text=True)
    assert scan(crew.courier, codes[1], "accept").status_code == 201
    partial = client.get(f"/serah-terima/{handover.id}/kemajuan").get_data(as_text=True)
    assert "diterima <strong>2</strong> dari 2" in partial and "hx-trigger" not in partial  # polling stops

    again = client.get(f"/serah-terima/rekap/{recap['id']}")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/serah-terima/{handover.id}")


def test_refusals_are_shown_on_the_form_in_indonesian(app, crew, documents, login_as, subtests):
    recap, letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, seed=1)
    other = login_as("admin").post("/api/v1/admin/courier-partners",
                                   json={"name": "PT Tiki Kurir", "contract_number": "044/PKS/2026"}).get_json()["id"]
    client = page_client(app, crew.kasubbag.user)
    url = f"/serah-terima/rekap/{recap['id']}"
    cases = {
        "wrong partner": ({"courier_partner_id": other, "received_by": "Joko"}, 409, "ditujukan kepada"),
        "no receiver": ({"courier_partner_id": crew.partner_id, "received_by": "  "}, 422, "Data tidak valid"),
        "not a number": ({"courier_partner_id": "abc", "received_by": "Joko"}, 422, "Data tidak valid"),
    }
    for case, (data, status, message) in cases.items():
        with subtests.test(case):
            response = client.post(url, data=data)
            assert response.status_code == status
            assert message in response.get_data(as_text=True)
            assert handover_of(recap["id"]) is None

    submitted = submitted_recap(crew.clerk, documents, seed=5)
    shown = client.get(f"/serah-terima/rekap/{submitted['id']}")
    assert shown.status_code == 409 and "belum ditandatangani" in shown.get_data(as_text=True)
    refused = client.post(f"/serah-terima/rekap/{submitted['id']}",
                          data={"courier_partner_id": crew.partner_id, "received_by": "Joko"})
    assert refused.status_code == 409 and handover_of(submitted["id"]) is None
