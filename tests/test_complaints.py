"""The complaint book through its services and the API: every channel, auto-links, the ladder, due times on working
days (a clock moved by the test), routing, resolution, the transition table and the public status."""
from __future__ import annotations

import json
from datetime import datetime

import pytest
import sqlalchemy as sa

from distribusi.admin.services import update_office
from distribusi.complaints import services, states
from distribusi.complaints.models import Channel, Complaint, ComplaintStatus, Level
from distribusi.extensions import db
from distribusi.intake.models import Document
from distribusi.workflow import DocumentStatus, InvalidTransition

from flow import drive, submitted_recap

API = "/api/v1/complaints"
# Friday 14 August 2026, 15.00 WIB; Monday 17 August is Independence Day: due at the end of Tuesday 18 August (WIB).
FRIDAY_AFTERNOON = datetime(2026, 8, 14, 8, 0)
END_OF_TUESDAY = datetime(2026, 8, 18, 16, 59, 59)


def _body(**extra):
    return {"channel": "akapela_phone", "complainant_name": "Siti Aminah", "contact": "0812-3456-7890",
            "category": "delivery_status", "description": "Dokumen KK belum sampai.", **extra}


@pytest.fixture
def operator(login_as):
    return login_as("operator")


@pytest.mark.parametrize("channel", [c.value for c in Channel])
def test_register_from_every_channel(operator, channel):
    contact = "@siti.aminah" if channel == "bamsos_social" else "081234567890"
    answer = operator.post(API, json=_body(channel=channel, contact=contact))
    assert answer.status_code == 201, answer.get_json()
    data = answer.get_json()
    assert data["channel"] == channel and data["status"] == "open" and data["level"] == "officer"
    assert data["ticket_number"].startswith("ADU-PKU-") and data["due_at"]
    assert [e["action"] for e in data["events"]] == ["register"]


def test_ticket_numbers_are_gap_free_per_office_and_year(app, operator, login_as, other_office):
    numbers = [operator.post(API, json=_body()).get_json()["ticket_number"] for _ in range(3)]
    year = datetime.now().year
    assert numbers == [f"ADU-PKU-{year}-{n:06d}" for n in (1, 2, 3)]
    elsewhere = login_as("operator", other_office).post(API, json=_body()).get_json()["ticket_number"]
    assert elsewhere == f"ADU-MET-{year}-000001"


def test_bad_input_is_refused_in_indonesian_and_writes_nothing(operator):
    answer = operator.post(API, json=_body(channel="fax", nik="123", complainant_name=" "))
    assert answer.status_code == 422
    fields = answer.get_json()["error"]["fields"]
    assert {"channel", "nik", "complainant_name"} <= fields.keys()
    assert "16 digit" in fields["nik"][0]
    assert db.session.scalar(sa.select(sa.func.count(Complaint.id))) == 0


@pytest.mark.parametrize("role,status", [("clerk", 403), ("kasi", 403), ("courier", 403), ("operator", 201)])
def test_who_may_register(login_as, role, status):
    assert login_as(role).post(API, json=_body()).status_code == status


@pytest.fixture
def parcel(crew, documents, login_as):
    """A submitted recap; its first parcel (two documents of one household) is out for delivery."""
    recap = submitted_recap(crew.clerk, documents, count=4)
    return recap["parcels"][0], recap


def test_auto_link_by_tracking_code(operator, parcel):
    first, _recap = parcel
    data = operator.post(API, json=_body(tracking_code=first["tracking_code"], contact="@akun")).get_json()
    assert [p["tracking_code"] for p in data["linked_parcels"]] == [first["tracking_code"]]
    assert len(data["linked_documents"]) == len(first["documents"])
    assert data["delivery_status"].startswith("Dikemas")


def test_auto_link_by_nik(operator, parcel):
    first, _recap = parcel
    nik = db.session.get(Document, first["documents"][0]["id"]).nik
    data = operator.post(API, json=_body(nik=nik, contact="@akun")).get_json()
    assert [p["tracking_code"] for p in data["linked_parcels"]] == [first["tracking_code"]]
    assert [d["id"] for d in data["linked_documents"]] == [first["documents"][0]["id"]]


def test_auto_link_by_phone(operator, parcel):
    first, _recap = parcel
    national = "0" + first["phone"].removeprefix("+62")
    data = operator.post(API, json=_body(contact=national)).get_json()
    assert first["tracking_code"] in [p["tracking_code"] for p in data["linked_parcels"]]


def test_no_link_for_another_office(login_as, other_office, parcel):
    first, _recap = parcel
    data = login_as("operator", other_office).post(API, json=_body(tracking_code=first["tracking_code"])).get_json()
    assert data["linked_parcels"] == [] and data["delivery_status"] is None


def test_link_later_and_status_follows_the_parcel(operator, parcel, crew):
    first, _recap = parcel
    ticket = operator.post(API, json=_body(contact="@akun")).get_json()
    assert ticket["linked_parcels"] == []
    answer = operator.post(f"{API}/{ticket['id']}/links", json={"tracking_code": first["tracking_code"]})
    assert answer.status_code == 200 and answer.get_json()["added"] == 1 + len(first["documents"])


def test_escalate_through_every_level(app, operator, login_as):
    user = operator.user
    complaint = services.register_complaint(user, _body(), now=FRIDAY_AFTERNOON)
    seen = [complaint.level]
    for _ in range(4):
        services.escalate(user, complaint, {"note": "Belum selesai"}, now=FRIDAY_AFTERNOON)
        seen.append(complaint.level)
    assert seen == list(Level)
    with pytest.raises(Exception) as refused:
        services.escalate(user, complaint, {}, now=FRIDAY_AFTERNOON)
    assert getattr(refused.value, "status", None) == 409
    assert [e.to_level for e in complaint.events] == ["officer", "kasi", "kabid", "secretary", "head"]


def test_escalate_through_the_api_with_each_desk(operator, login_as):
    ticket = operator.post(API, json=_body()).get_json()
    for role, level in (("operator", "kasi"), ("kasi", "kabid"), ("kabid", "secretary"), ("secretary", "head")):
        answer = login_as(role).post(f"{API}/{ticket['id']}/escalate")
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["level"] == level
    assert login_as("head").post(f"{API}/{ticket['id']}/escalate", json={}).status_code == 409
    assert login_as("clerk").post(f"{API}/{ticket['id']}/escalate", json={}).status_code == 403


def test_due_on_the_next_working_day_after_a_long_weekend(app, operator):
    complaint = services.register_complaint(operator.user, _body(), now=FRIDAY_AFTERNOON)
    assert complaint.due_at == END_OF_TUESDAY
    assert not complaint.is_overdue(datetime(2026, 8, 17, 23, 0))  # the holiday itself does not count
    assert not complaint.is_overdue(datetime(2026, 8, 18, 16, 59))
    assert complaint.is_overdue(datetime(2026, 8, 18, 17, 0))
    user = operator.user
    assert services.overdue_count(user, now=datetime(2026, 8, 18, 16, 0)) == 0
    assert services.overdue_count(user, Level.officer, now=datetime(2026, 8, 18, 17, 0)) == 1
    overdue = db.session.scalars(services.complaint_query(user, overdue=True, now=datetime(2026, 8, 18, 17, 0))).all()
    assert overdue == [complaint]


def test_escalation_restarts_the_clock_and_office_days_off_count(app, operator):
    user = operator.user
    update_office(user.office, {"days_off": [{"date": "2026-08-18", "name": "Libur kantor"}]})
    complaint = services.register_complaint(user, _body(), now=FRIDAY_AFTERNOON)
    assert complaint.due_at == datetime(2026, 8, 19, 16, 59, 59)
    services.escalate(user, complaint, {}, now=datetime(2026, 8, 20, 2, 0))  # Thursday morning: due Friday
    assert complaint.level is Level.kasi and complaint.due_at == datetime(2026, 8, 21, 16, 59, 59)
    assert services.overdue_count(user, Level.kasi, now=datetime(2026, 8, 21, 12, 0)) == 0


def test_level_days_setting(app, operator):
    user = operator.user
    update_office(user.office, {"complaint_level_days": 3})
    complaint = services.register_complaint(user, _body(), now=FRIDAY_AFTERNOON)
    assert complaint.due_at == datetime(2026, 8, 20, 16, 59, 59)  # Tue, Wed, Thu


def test_respond_route_resolve(operator, crew, documents):
    docs = documents(crew.clerk.user, 2)
    ticket = operator.post(API, json=_body(nik=docs[0].nik, category="data_error")).get_json()
    assert operator.post(f"{API}/{ticket['id']}/respond", json={"answer": "Sedang dicek."}).get_json()["status"] == "answered"
    routed = operator.post(f"{API}/{ticket['id']}/route", json={"route": "correction", "note": "Nama salah"})
    assert routed.status_code == 200 and routed.get_json()["status"] == "routed"
    assert db.session.get(Document, docs[0].id).status is DocumentStatus.needs_fix
    assert db.session.get(Document, docs[0].id).flag_reason.value == "data_error"
    resolved = operator.post(f"{API}/{ticket['id']}/resolve", json={"outcome": "Data diperbaiki, KK dicetak ulang."})
    data = resolved.get_json()
    assert data["status"] == "resolved" and data["outcome"].startswith("Data") and data["resolved_at"]
    assert [e["action"] for e in data["events"]] == ["register", "respond", "route", "resolve"]
    assert operator.post(f"{API}/{ticket['id']}/respond", json={"answer": "lagi"}).status_code == 409
    assert operator.post(f"{API}/{ticket['id']}/escalate", json={}).status_code == 409


def test_route_to_signers_flags_unsigned(operator, crew, documents):
    docs = documents(crew.clerk.user, 2)
    ticket = operator.post(API, json=_body(kk_number=docs[0].kk_number)).get_json()
    answer = operator.post(f"{API}/{ticket['id']}/route", json={"route": "signers", "document_id": docs[1].id})
    assert answer.status_code == 200
    assert db.session.get(Document, docs[1].id).flag_reason.value == "unsigned"
    assert db.session.get(Document, docs[0].id).status is DocumentStatus.registered


ALL_ACTIONS = ("register", "respond", "route", "escalate", "resolve")
ALLOWED = {
    (None, "open", "register"), ("open", "answered", "respond"), ("answered", "answered", "respond"),
    ("routed", "answered", "respond"), ("open", "routed", "route"), ("answered", "routed", "route"),
    ("open", "open", "escalate"), ("answered", "open", "escalate"), ("routed", "open", "escalate"),
    ("open", "resolved", "resolve"), ("answered", "resolved", "resolve"), ("routed", "resolved", "resolve"),
}
MOVES = [(a, b, act) for a in (None, *ComplaintStatus) for b in ComplaintStatus for act in ALL_ACTIONS]


@pytest.mark.parametrize("current,target,action", MOVES)
def test_transition_table(current, target, action):
    key = (current.value if current else None, target.value, action)
    assert states.is_allowed(current, target, action) is (key in ALLOWED)


def test_forbidden_move_is_refused_and_recorded_nowhere(app, operator):
    complaint = services.register_complaint(operator.user, _body())
    services.resolve(operator.user, complaint, {"outcome": "Selesai dijawab."})
    with pytest.raises(InvalidTransition):
        states.move(complaint, ComplaintStatus.answered, "respond", actor_id=None, at=complaint.received_at)
    assert len(complaint.events) == 2


def test_list_filters(operator, login_as):
    first = operator.post(API, json=_body()).get_json()
    operator.post(API, json=_body(channel="email", contact="warga@example.id"))
    login_as("kasi")
    operator.post(f"{API}/{first['id']}/escalate", json={})
    clerk = login_as("clerk")
    assert clerk.get(f"{API}?level=kasi").get_json()["total"] == 1
    assert clerk.get(f"{API}?channel=email").get_json()["total"] == 1
    assert clerk.get(f"{API}?q={first['ticket_number']}").get_json()["total"] == 1
    assert clerk.get(f"{API}?overdue=true").get_json()["total"] == 0
    assert clerk.get(f"{API}?status=nope").status_code == 422


def test_other_office_ticket_is_not_found(operator, login_as, other_office):
    ticket = operator.post(API, json=_body()).get_json()
    stranger = login_as("kasi", other_office)
    assert stranger.get(f"{API}/{ticket['id']}").status_code == 404
    assert stranger.post(f"{API}/{ticket['id']}/escalate", json={}).status_code == 404


PERSONAL = ("nik", "kk", "phone", "contact", "complainant", "street", "description", "answer", "outcome")


def test_public_status_needs_the_phone_digits_and_leaks_nothing(client, operator, crew, documents):
    docs = documents(crew.clerk.user, 2)
    ticket = operator.post(API, json=_body(nik=docs[0].nik, kk_number=docs[0].kk_number,
                                           contact="0812-3456-7890")).get_json()
    url = f"/api/v1/public/complaints/{ticket['ticket_number'].lower()}"
    assert client.get(url).status_code == 404
    assert client.get(f"{url}?verify=0000").status_code == 404
    assert client.get("/api/v1/public/complaints/ADU-PKU-2026-999999?verify=7890").status_code == 404
    answer = client.get(f"{url}?verify=7890")
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["ticket_number"] == ticket["ticket_number"] and data["status"] == "open"
    text = json.dumps(data)
    for secret in (docs[0].nik, docs[0].kk_number, "3456", "Siti", docs[0].street, "Dokumen KK"):
        assert secret not in text
    assert not any(key.startswith(PERSONAL) for key in data)


def test_public_status_is_rate_limited(app, client, operator):
    app.config["PUBLIC_RATE_LIMIT"] = "3/minute"
    ticket = operator.post(API, json=_body()).get_json()["ticket_number"]
    codes = [client.get(f"/api/v1/public/complaints/{ticket}?verify=7890").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[-1] == 429


def _pdf_text(content: bytes) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def test_the_printed_book_and_follow_up_list_the_period(app, operator, login_as):
    user = operator.user
    inside = [services.register_complaint(user, _body(channel=channel, complainant_name=f"Warga {i}"),
                                          now=FRIDAY_AFTERNOON)
              for i, channel in enumerate(("akapela_phone", "pandawa_whatsapp", "letter"))]
    outside = services.register_complaint(user, _body(), now=datetime(2026, 9, 1, 3, 0))
    services.escalate(user, inside[0], {}, now=FRIDAY_AFTERNOON)
    services.resolve(user, inside[1], {"outcome": "KK sudah diterima warga."}, now=datetime(2026, 8, 18, 3, 0))
    db.session.commit()
    kasi = login_as("kasi")
    book = kasi.get(f"{API}/book.pdf?from=2026-08-01&to=2026-08-31")
    assert book.status_code == 200 and book.mimetype == "application/pdf"
    text = _pdf_text(book.data)
    assert "BUKU LAPORAN PENGADUAN" in text and "3 pengaduan, 1 selesai" in text
    for complaint in inside:
        assert complaint.ticket_number in text
    assert outside.ticket_number not in text and "PANDAWA" in text and "Warga 2" in text
    follow = _pdf_text(kasi.get(f"{API}/follow-up.pdf?from=2026-08-01&to=2026-08-31").data)
    assert "LAPORAN TINDAK LANJUT PENYELESAIAN" in follow and "KK sudah diterima warga." in follow
    sheet = kasi.get(f"{API}/book.xlsx?from=2026-08-01&to=2026-08-31")
    assert sheet.status_code == 200 and sheet.mimetype.endswith("spreadsheetml.sheet")
    from io import BytesIO

    from openpyxl import load_workbook

    values = [row for row in load_workbook(BytesIO(sheet.data)).active.iter_rows(values_only=True)]
    assert [row[1] for row in values[6:]] == [c.ticket_number for c in inside]
    assert kasi.get(f"{API}/follow-up.xlsx?from=2026-08-01&to=2026-08-31").status_code == 200
    assert kasi.get(f"{API}/book.pdf?from=2026-08-31&to=2026-08-01").status_code == 422
    assert kasi.get(f"{API}/book.pdf").status_code == 422
    assert login_as("courier").get(f"{API}/book.pdf?from=2026-08-01&to=2026-08-31").status_code == 403


def test_overdue_tickets_are_raised_by_the_command(app, operator, runner):
    user = operator.user
    late = services.register_complaint(user, _body(), now=FRIDAY_AFTERNOON)
    fresh = services.register_complaint(user, _body(), now=datetime(2026, 8, 18, 3, 0))
    done = services.register_complaint(user, _body(), now=FRIDAY_AFTERNOON)
    services.resolve(user, done, {"outcome": "Dijawab."}, now=FRIDAY_AFTERNOON)
    db.session.commit()
    raised = services.escalate_overdue(user.office, now=datetime(2026, 8, 18, 17, 0))
    assert raised == [late] and late.level is Level.kasi and fresh.level is Level.officer
    assert late.events[-1].actor_id is None and "Otomatis" in late.events[-1].note
    assert late.due_at == datetime(2026, 8, 20, 16, 59, 59)  # raised at 00.00 WIB on Wednesday: due Thursday
    db.session.commit()
    result = runner.invoke(args=["complaints", "escalate-overdue"])
    assert result.exit_code == 0, result.output
    assert "pengaduan dinaikkan" in result.output
