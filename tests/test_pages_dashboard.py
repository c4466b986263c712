"""The staff home: who may open it, today's figures, waits over the office's limits, and the 30-day charts' data."""
from __future__ import annotations

from datetime import timedelta

import pytest

from distribusi.extensions import db
from distribusi.models import utcnow
from distribusi.recap.models import Parcel
from distribusi.reports import services as reports
from tests.flow import drive, handed_over_recap, letter_awaiting_signature, submitted_recap

PASSWORD = "rahasia-sekali-123"
STAFF = ("clerk", "kasubbag", "secretary", "operator", "kasi", "kabid", "head", "admin")


def log_in(client, user) -> None:
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.data[:500]


def today_row(html: str, key: str) -> str:
    return html.split(f'data-figure="{key}">')[1].split("<")[0]


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_opens_the_dashboard(client, make_user, role):
    log_in(client, make_user(role))
    page = client.get("/")
    assert page.status_code == 200
    assert b'id="flow-chart"' in page.data and b"chart.umd.min.js" in page.data and b"js/dashboard.js" in page.data
    assert client.get("/beranda/data.json").status_code == 200


def test_a_courier_is_sent_to_the_courier_page_or_refused(app, client, make_user):
    log_in(client, make_user("courier"))
    page = client.get("/")
    if "courier.home" in app.view_functions:
        assert page.status_code == 302 and page.headers["Location"].endswith("/kurir/")
    else:
        assert page.status_code == 403
    assert client.get("/beranda/data.json").status_code == 403


def test_anonymous_goes_to_login(client, office):
    assert client.get("/").status_code == 302
    assert "/login" in client.get("/beranda/data.json").headers["Location"]


@pytest.fixture
def day_of_work(crew, documents):
    """Today: one recap handed over (2 parcels), one parcel delivered and one returned; 4 documents registered."""
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=4)
    first, second = recap["parcels"]
    drive(crew, first, "delivered")
    drive(crew, second, "returned")
    return recap


def test_today_and_the_charts_count_the_day_of_work(client, crew, day_of_work, make_user):
    office = crew.clerk.user.office
    figures = reports.dashboard(office)
    assert figures["today"] == {"registered": 4, "recaps_submitted": 1, "letters_signed": 1, "handed_over": 2,
                                "delivered": 1, "failed": 1, "returned": 1}
    parcels = {p["tracking_code"]: db.session.scalar(
        db.select(Parcel.kecamatan).where(Parcel.tracking_code == p["tracking_code"])) for p in day_of_work["parcels"]}
    first, second = (parcels[p["tracking_code"]] for p in day_of_work["parcels"])
    expected: dict[str, dict] = {}
    for kecamatan, outcome in ((first, "delivered"), (second, "failed"), (second, "returned")):
        expected.setdefault(kecamatan, {"kecamatan": kecamatan, "delivered": 0, "failed": 0, "returned": 0})
        expected[kecamatan][outcome] += 1
    assert sorted(figures["kecamatan"], key=lambda r: r["kecamatan"]) == sorted(expected.values(),
                                                                                 key=lambda r: r["kecamatan"])

    log_in(client, make_user("head"))
    html = client.get("/").get_data(as_text=True)
    assert [today_row(html, key) for key in ("registered", "recaps_submitted", "letters_signed", "handed_over",
                                              "delivered", "returned")] == ["4", "1", "1", "2", "1", "1"]
    data = client.get("/beranda/data.json").get_json()
    assert len(data["days"]) == 30 and data["days"][-1] == office.local_now().date().isoformat()
    assert {name: values[-1] for name, values in data["series"].items()} == {
        "registered": 4, "handed_over": 2, "delivered": 1, "returned": 1}
    assert sum(sum(values[:-1]) for values in data["series"].values()) == 0
    assert sum(data["kecamatan"]["delivered"]) == 1 and sum(data["kecamatan"]["returned"]) == 1
    today = data["days"][-1]
    row = html.split(f'<tr data-day="{today}">')[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[:-1]] == ["4", "2", "1", "1"]
    assert f"<th scope=\"row\">{first}</th>" in html


def test_days_are_counted_in_the_office_zone(crew, documents):
    office = crew.clerk.user.office
    documents(crew.clerk.user, 2)
    now = utcnow()
    local_today = (now + timedelta(hours=7)).date().isoformat()
    flow = reports.daily_flow(office, now)
    assert flow["days"][-1] == local_today and flow["series"]["registered"][-1] == 2
    # a day later the same documents sit on yesterday's bar; 40 days later they fall out of the window
    assert reports.daily_flow(office, now + timedelta(days=1))["series"]["registered"][-2:] == [2, 0]
    assert sum(reports.daily_flow(office, now + timedelta(days=40))["series"]["registered"]) == 0


def test_an_ended_day_is_counted_once(app, crew, documents, monkeypatch):
    office = crew.clerk.user.office
    documents(crew.clerk.user, 2)
    two_days_on = utcnow() + timedelta(days=2)
    monkeypatch.setattr(reports, "utcnow", lambda: two_days_on)  # today has ended, by the report's clock
    assert reports.daily_flow(office, two_days_on)["series"]["registered"][-3:] == [2, 0, 0]
    documents(crew.clerk.user, 1, seed=2)  # written into the ended day behind the clock's back: not counted again
    assert reports.daily_flow(office, two_days_on)["series"]["registered"][-3:] == [2, 0, 0]
    app.extensions["reports.closed_days"].clear()
    assert reports.daily_flow(office, two_days_on)["series"]["registered"][-3:] == [3, 0, 0]


def test_the_window_starts_at_the_right_event(crew, documents):
    office = crew.clerk.user.office
    documents(crew.clerk.user, 3)
    assert reports.first_seq_since(office.id, utcnow() - timedelta(hours=1)) == 1
    assert reports.first_seq_since(office.id, utcnow() + timedelta(hours=1)) == 4  # past the last of three events


def open_every_day(office) -> None:
    """Make the weeks around today all working days, so clock hours in these tests are working hours whatever day
    the suite runs (weekends and holidays are left out of waits: tests/test_workdays.py)."""
    today = office.local_now().date()
    office.settings = {**office.settings, "work_days": [
        {"date": (today + timedelta(days=n)).isoformat()} for n in range(-30, 31)]}
    db.session.commit()


def test_waits_over_the_limit_are_listed_with_their_card(client, crew, documents, make_user):
    office = crew.clerk.user.office
    open_every_day(office)
    recap = submitted_recap(crew.clerk, documents, count=2, seed=1)
    _other, letter = letter_awaiting_signature(crew.clerk, crew.kasubbag, documents, count=2, seed=2)
    now = utcnow()
    waiting = {group["step"].key: group for group in reports.waiting_too_long(office, now)}
    assert all(group["total"] == 0 for group in waiting.values())
    later = {group["step"].key: group for group in reports.waiting_too_long(office, now + timedelta(hours=5))}
    assert later["submitted"]["total"] == 1 and later["submitted"]["items"][0]["subject"].id == recap["id"]
    assert later["awaiting_signature"]["items"][0]["subject"].id == letter["id"]
    assert later["signed"]["total"] == 0 and later["returned"]["total"] == 0

    log_in(client, make_user("kasubbag"))
    html = client.get("/").get_data(as_text=True)
    assert 'id="no-waiting"' in html and recap["number"] not in html
    office.settings = {**office.settings, "wait_limits": {"submitted": 0, "awaiting_signature": 0}}
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    submitted = html.split('id="waiting-submitted"')[1].split("</table>")[0]
    assert recap["number"] in submitted and f"/api/v1/recaps/{recap['id']}/recap.pdf" in submitted
    awaiting = html.split('id="waiting-awaiting_signature"')[1].split("</table>")[0]
    assert letter["letter_number"] in awaiting and f"/api/v1/cover-letters/{letter['id']}/letter.pdf" in awaiting
    if "web.recap_card" in client.application.view_functions:
        assert f"/{recap['id']}" in submitted and "Kartu kendali" in submitted


def test_a_returned_parcel_waiting_too_long_is_listed(crew, day_of_work):
    office = crew.clerk.user.office
    open_every_day(office)
    second = day_of_work["parcels"][1]
    week_later = {g["step"].key: g for g in reports.waiting_too_long(office, utcnow() + timedelta(days=8))}
    assert [item["subject"].tracking_code for item in week_later["returned"]["items"]] == [second["tracking_code"]]


def test_a_waiting_rows_updated_at_is_when_its_state_began(crew, documents, day_of_work):
    """The waits read updated_at; it must agree with the custody event that moved the object into its state."""
    from distribusi.custody import CustodyEvent

    submitted_recap(crew.clerk, documents, count=2, seed=3)
    letter_awaiting_signature(crew.clerk, crew.kasubbag, documents, count=2, seed=4)
    db.session.expire_all()
    checked = 0
    for step in reports.WAIT_STEPS:
        for subject in db.session.scalars(db.select(step.model).where(step.model.status == step.state)):
            entered = db.session.scalar(db.select(db.func.max(CustodyEvent.recorded_at)).where(
                CustodyEvent.subject_type == step.model.__custody_subject__, CustodyEvent.subject_id == subject.id,
                CustodyEvent.to_state == step.state.value))
            assert abs(subject.updated_at - entered) < timedelta(seconds=2), (step.key, subject.id)
            checked += 1
    assert checked >= 3


def test_another_office_sees_none_of_it(client, crew, day_of_work, other_office, make_user):
    figures = reports.dashboard(other_office)
    assert sum(figures["today"].values()) == 0 and figures["kecamatan"] == []
    log_in(client, make_user("head", other_office))
    data = client.get("/beranda/data.json").get_json()
    assert sum(sum(values) for values in data["series"].values()) == 0 and data["kecamatan"]["labels"] == []
