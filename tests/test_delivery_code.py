"""Delivery codes: sent when the parcel goes out (only a hash kept), asked for `delivered`, wrong ones refused,
the lock after five, and the kasubbag's reset by the API and on the control card."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from distribusi.admin.services import update_office
from distribusi.courier.delivery_codes import DeliveryCode
from distribusi.extensions import db
from distribusi.notify.models import OutboxMessage
from distribusi.notify.worker import run_once
from distribusi.recap.models import Parcel

from fake_whatsapp import FakeGateway
from flow import DELIVERED, drive, handed_over_recap, scan


@pytest.fixture
def out(crew, documents, office):
    """A parcel out for delivery in an office that uses delivery codes; returns (tracking code, the code sent)."""
    update_office(office, {"delivery_code": True})
    db.session.commit()
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    drive(crew, recap["parcels"][0], "out_for_delivery")
    code = recap["parcels"][0]["tracking_code"]
    parcel = db.session.scalar(sa.select(Parcel).where(Parcel.tracking_code == code))
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.parcel_id == parcel.id,
                                                               OutboxMessage.template == "parcel_out_for_delivery"))
    return code, message.params["delivery_code"]


def deliver(crew, code: str, delivery_code: str | None):
    extra = {"delivery_code": delivery_code} if delivery_code is not None else {}
    return scan(crew.courier, code, "delivered", **DELIVERED, **extra)


def test_the_code_is_sent_and_only_its_hash_is_kept(out):
    code, sent = out
    assert len(sent) == 6 and sent.isdigit()
    row = db.session.scalar(sa.select(DeliveryCode))
    assert row.code_hash != sent and sent not in row.code_hash and len(row.code_hash) == 64


def test_the_right_code_records_delivered(crew, out):
    code, sent = out
    response = deliver(crew, code, sent)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "delivered"


def test_no_code_or_a_wrong_code_is_refused(crew, out):
    code, sent = out
    missing = deliver(crew, code, None)
    assert missing.status_code == 422 and missing.get_json()["error"]["code"] == "delivery_code_required"
    wrong = deliver(crew, code, "000000" if sent != "000000" else "111111")
    body = wrong.get_json()["error"]
    assert wrong.status_code == 422 and body["code"] == "wrong_delivery_code"
    assert "salah" in body["message"] and "Sisa percobaan: 4" in body["message"]
    assert body["fields"]["delivery_code"]
    assert deliver(crew, code, "12345").status_code == 422  # not six digits: the schema refuses
    db.session.expire_all()
    assert db.session.scalar(sa.select(DeliveryCode)).wrong_attempts == 1  # the count outlived the refusal
    parcel = db.session.scalar(sa.select(Parcel).where(Parcel.tracking_code == code))
    assert parcel.status.value == "out_for_delivery"


def test_five_wrong_codes_lock_until_the_office_resets(crew, out):
    code, sent = out
    wrong = f"{(int(sent) + 1) % 1_000_000:06d}"
    answers = [deliver(crew, code, wrong).get_json()["error"]["code"] for _ in range(5)]
    assert answers == ["wrong_delivery_code"] * 4 + ["delivery_locked"]
    locked = deliver(crew, code, sent)
    assert locked.status_code == 422 and locked.get_json()["error"]["code"] == "delivery_locked"

    state = crew.kasubbag.get(f"/api/v1/parcels/{code}/delivery-code").get_json()
    assert state["locked"] is True and state["wrong_attempts"] == 5
    assert crew.clerk.post(f"/api/v1/parcels/{code}/delivery-code/reset").status_code == 403
    assert crew.courier.post(f"/api/v1/parcels/{code}/delivery-code/reset").status_code == 403
    reset = crew.kasubbag.post(f"/api/v1/parcels/{code}/delivery-code/reset")
    assert reset.status_code == 200 and reset.get_json()["locked"] is False
    assert crew.kasubbag.post(f"/api/v1/parcels/{code}/delivery-code/reset").status_code == 409  # nothing to unlock
    assert deliver(crew, code, sent).status_code == 201


def test_the_control_card_shows_the_lock_and_the_kasubbag_resets_it(crew, out, client):
    code, sent = out
    wrong = f"{(int(sent) + 1) % 1_000_000:06d}"
    for _ in range(5):
        deliver(crew, code, wrong)
    kasubbag = crew.kasubbag.user
    client.post("/login", data={"username": kasubbag.username, "password": "rahasia-sekali-123"})
    card = client.get(f"/kartu/kiriman/{code}")
    assert "Terkunci" in card.text and "Buka kunci kode" in card.text
    response = client.post(f"/kurir/kiriman/{code}/kode-serah-terima/buka")
    assert response.status_code == 302
    assert "Kunci kode serah terima dibuka" in client.get(f"/kartu/kiriman/{code}").text
    assert deliver(crew, code, sent).status_code == 201


def test_the_clerk_sees_the_lock_without_the_button(crew, out, client):
    code, sent = out
    for _ in range(5):
        deliver(crew, code, f"{(int(sent) + 1) % 1_000_000:06d}")
    client.post("/login", data={"username": crew.clerk.user.username, "password": "rahasia-sekali-123"})
    card = client.get(f"/kartu/kiriman/{code}")
    assert "Terkunci" in card.text and "Buka kunci kode" not in card.text
    assert client.post(f"/kurir/kiriman/{code}/kode-serah-terima/buka").status_code == 403


def test_another_office_cannot_reset(crew, out, login_as, other_office):
    code, _sent = out
    stranger = login_as("kasubbag", other_office)
    assert stranger.post(f"/api/v1/parcels/{code}/delivery-code/reset").status_code == 404


def test_the_code_is_erased_from_the_outbox_once_sent(app, out):
    _code, sent = out
    with FakeGateway() as gateway:
        app.config.update(WHATSAPP_API_BASE_URL=gateway.url, WHATSAPP_ACCESS_TOKEN="x", WHATSAPP_PHONE_NUMBER_ID="1")
        run_once()
    template = gateway.received[0]["json"]["template"]
    assert template["name"] == "parcel_out_for_delivery_code"
    assert template["components"][0]["parameters"][2]["text"] == sent
    db.session.expire_all()
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.template == "parcel_out_for_delivery"))
    assert message.params["delivery_code"] == "******"


def test_without_the_setting_no_code_is_asked(crew, documents):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    drive(crew, recap["parcels"][0], "out_for_delivery")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeliveryCode)) == 0
    assert deliver(crew, recap["parcels"][0]["tracking_code"], None).status_code == 201


def test_the_courier_page_offers_the_field(crew, out, client):
    client.post("/login", data={"username": crew.courier.user.username, "password": "rahasia-sekali-123"})
    page = client.get("/kurir/")
    assert 'name="delivery_code"' in page.text and '"delivery_code": true' in page.text


def test_the_admin_turns_codes_on_in_the_settings_form(client, make_user, office):
    admin = make_user("admin")
    client.post("/login", data={"username": admin.username, "password": "rahasia-sekali-123"})
    page = client.get("/admin/pengaturan")
    assert 'name="delivery_code"' in page.text and "Wajib kode serah terima" in page.text
    form = {"name": office.name, "delivery_policy.allow_family": "1", "delivery_code": "1"}
    assert client.post("/admin/pengaturan", data=form).status_code == 302
    db.session.expire_all()
    assert office.settings["delivery_code"] is True
    form.pop("delivery_code")
    client.post("/admin/pengaturan", data=form)
    db.session.expire_all()
    assert office.settings["delivery_code"] is False
