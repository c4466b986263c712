"""Public tracking: status and timeline, a masked name, more with the phone's last digits, never personal data."""
from __future__ import annotations

import re
from datetime import UTC

import pytest
import sqlalchemy as sa

from distribusi import create_app
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.intake.models import Document
from distribusi.recap import codes
from distribusi.recap.models import Parcel
from distribusi.tracking.schemas import PublicTrackOut, public_answer
from distribusi.tracking.services import public_view

from conftest import test_config as config_for
from flow import STATE_PATHS, drive, handed_over_recap, submitted_recap

TRACK = "/api/v1/public/track"
PUBLIC_FIELDS = {"tracking_code", "status", "status_label", "next_step", "recipient_name", "kecamatan", "city",
                 "kelurahan", "verified", "timeline"}


def masked(name: str) -> str:
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


def secrets_of(code: str) -> list[str]:
    """Everything about a parcel's household that the public page must never show."""
    parcel = db.session.scalar(sa.select(Parcel).where(Parcel.tracking_code == code))
    documents = db.session.scalars(sa.select(Document).where(
        Document.id.in_([d.id for d in parcel.documents]))).all()
    national = "0" + parcel.phone.removeprefix("+62")
    found = [parcel.kk_number, parcel.street, parcel.phone, national, parcel.phone.removeprefix("+"),
             parcel.phone[-8:], f"{national[:4]}-{national[4:8]}-{national[8:]}"]
    for document in documents:
        found += [document.nik, document.kk_number, document.doc_number, document.street, document.phone]
        if document.application_number:
            found.append(document.application_number)
    return found


@pytest.fixture
def parcel_in(crew, documents) -> dict:
    """A handed-over recap of one household parcel: returns the parcel JSON."""
    return handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2)["parcels"][0]


def test_tracking_shows_status_timeline_and_a_masked_name(crew, parcel_in, client):
    drive(crew, parcel_in, "delivered")

    response = client.get(f"{TRACK}/{parcel_in['tracking_code']}")  # no token

    assert response.status_code == 200
    view = response.get_json()
    assert set(view) == PUBLIC_FIELDS
    assert view["status"] == "delivered" and view["status_label"] == "Sudah diterima"
    assert view["recipient_name"] == masked(parcel_in["recipient_name"]) != parcel_in["recipient_name"]
    assert re.fullmatch(r"(\w\**)( \w\**)*", view["recipient_name"].replace("'", "")), view["recipient_name"]
    assert view["kecamatan"] == parcel_in["address"]["kecamatan"]
    assert view["kelurahan"] is None and view["verified"] is False
    assert [(step["status"], step["label"]) for step in view["timeline"]] == [
        ("packed", "Dikemas"), ("handed_over", "Diserahkan ke PT Pos Indonesia"), ("with_courier", "Diterima kurir"),
        ("out_for_delivery", "Sedang diantar"), ("delivered", "Sudah diterima")]
    assert view["timeline"][0]["place"] == "Dinas Dukcapil"
    assert all(step["at"].endswith("+00:00") for step in view["timeline"]), "a phone in WIB must not read UTC as local"
    assert parcel_in["address"]["kecamatan"] in view["timeline"][-1]["place"]


def test_the_phones_last_digits_unlock_the_full_name_and_kelurahan(crew, parcel_in, client):
    response = client.get(f"{TRACK}/{parcel_in['tracking_code']}?verify={parcel_in['phone'][-4:]}")

    view = response.get_json()
    assert response.status_code == 200 and set(view) == PUBLIC_FIELDS
    assert view["verified"] is True
    assert view["recipient_name"] == parcel_in["recipient_name"]
    assert view["kelurahan"] == parcel_in["address"]["kelurahan"]


def _wrong_digits(phone: str) -> str:
    return f"{(int(phone[-4:]) + 1) % 10000:04d}"


WRONG_HINTS = [
    ("wrong-digits", _wrong_digits), ("three-digits", lambda p: p[-3:]), ("five-digits", lambda p: p[-5:]),
    ("letters", lambda p: "abcd"), ("empty", lambda p: ""), ("first-digits", lambda p: p[1:5]),
    ("arabic-indic-digits", lambda p: "\u0661\u0662\u0663\u0664"),
    ("superscript-digits", lambda p: "\u00b2\u00b3\u00b9\u00b2"),
]


def test_a_wrong_hint_looks_like_no_hint(crew, parcel_in, client, subtests):
    url = f"{TRACK}/{parcel_in['tracking_code']}"
    plain = client.get(url).get_json()
    assert plain["verified"] is False
    for case, verify in WRONG_HINTS:
        hint = verify(parcel_in["phone"])
        if hint == parcel_in["phone"][-4:]:
            continue  # the digits happen to match
        with subtests.test(case):
            response = client.get(url, query_string={"verify": hint})

            assert response.status_code == 200
            assert response.get_json() == plain


TYPED = [("lower-case", str.lower), ("hyphenated", codes.display),
         ("lower-hyphenated", lambda c: codes.display(c).lower()),
         ("read-aloud-letters", lambda c: c.replace("1", "l").replace("0", "o")), ("spaced", lambda c: " ".join(c))]


def test_a_code_is_found_however_it_is_typed(crew, parcel_in, client, subtests):
    for case, typed in TYPED:
        with subtests.test(case):
            response = client.get(f"{TRACK}/{typed(parcel_in['tracking_code'])}")
            assert response.status_code == 200
            assert response.get_json()["tracking_code"] == parcel_in["tracking_code"]


@pytest.mark.parametrize("code", [lambda c: c, lambda c: c[:-1] + ("0" if c[-1] != "0" else "1"),
                                  lambda c: "bukan-kode", lambda c: "%00" * 4],
                         ids=["unknown", "bad-check-character", "garbage", "nul"])
def test_an_unknown_code_is_404(client, code):
    response = client.get(f"{TRACK}/{code(codes.new_code())}")
    assert response.status_code == 404
    assert set(response.get_json()["error"]) == {"code", "message", "fields"}


def test_no_state_ever_shows_personal_data(crew, documents, client, subtests):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2 * len(STATE_PATHS))
    parcels = dict(zip(STATE_PATHS, recap["parcels"], strict=True))
    for state, parcel in parcels.items():
        drive(crew, parcel, state)

    for state, parcel in parcels.items():
        code = parcel["tracking_code"]
        secrets = secrets_of(code)
        assert len(secrets) >= 10
        for verify in (None, parcel["phone"][-4:]):
            with subtests.test(state, verified=verify is not None):
                response = client.get(f"{TRACK}/{code}", query_string={"verify": verify} if verify else None)
                assert response.status_code == 200, response.get_json()
                view = response.get_json()
                assert view["status"] == ("handed_over" if state == "packed" else state)
                assert set(view) == PUBLIC_FIELDS
                assert "handed_over" in [step["status"] for step in view["timeline"]]
                assert view["verified"] is (verify is not None)
                page = client.get(f"/k/{code}", query_string={"hp": verify} if verify else None)
                assert page.status_code == 200
                for text in (response.get_data(as_text=True), page.get_data(as_text=True)):
                    for secret in secrets:
                        assert secret not in text
                    if verify is None:
                        assert parcel["recipient_name"] not in text


def test_a_handed_over_parcel_says_to_whom_before_the_courier_scans_it(crew, parcel_in, client):
    view = client.get(f"{TRACK}/{parcel_in['tracking_code']}").get_json()

    assert view["status"] == "handed_over" and view["status_label"] == "Diserahkan ke PT Pos Indonesia"
    assert "PT Pos Indonesia" in view["next_step"] and "disiapkan" not in view["next_step"]
    assert [(step["status"], step["label"], step["place"]) for step in view["timeline"]] == [
        ("packed", "Dikemas", "Dinas Dukcapil"), ("handed_over", "Diserahkan ke PT Pos Indonesia", "Dinas Dukcapil")]
    handed_over_at = db.session.scalar(sa.select(Handover.handed_over_at).join(
        Parcel, Parcel.recap_id == Handover.recap_id).where(Parcel.tracking_code == parcel_in["tracking_code"]))
    assert view["timeline"][1]["at"] == handed_over_at.replace(tzinfo=UTC).isoformat()


def test_a_parcel_not_yet_handed_over_is_still_being_packed(crew, documents, client):
    recap = submitted_recap(crew.clerk, documents, count=2)
    # another recap's handover is not this parcel's
    handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2, seed=2)

    view = client.get(f"{TRACK}/{recap['parcels'][0]['tracking_code']}").get_json()

    assert view["status"] == "packed" and view["status_label"] == "Dikemas"
    assert view["next_step"] == "Dokumen sedang disiapkan untuk dikirim."
    assert [step["status"] for step in view["timeline"]] == ["packed"]


def test_a_parcel_returned_unscanned_keeps_its_handover_in_the_timeline(crew, parcel_in, client):
    received = crew.kasubbag.post("/api/v1/returns", json={"courier_partner_id": crew.partner_id,
                                                           "tracking_codes": [parcel_in["tracking_code"]]})
    assert received.status_code == 201, received.get_json()

    returned = client.get(f"{TRACK}/{parcel_in['tracking_code']}").get_json()

    assert returned["status"] == "returned" and returned["status_label"] == "Kembali di Dinas"
    assert [step["status"] for step in returned["timeline"]] == ["packed", "handed_over", "returned"]


@pytest.mark.parametrize("endpoint", ["track", "verify"])
def test_public_endpoints_are_rate_limited(app, client, crew, parcel_in, endpoint):
    app.config["PUBLIC_RATE_LIMIT"] = "3 per minute"  # read per request, so a change after start-up counts
    url = f"{TRACK}/{parcel_in['tracking_code']}" if endpoint == "track" else "/api/v1/public/verify/tidak-ada-kode-ini"

    statuses = [client.get(url).status_code for _ in range(4)]

    assert statuses[:3] == ([200] * 3 if endpoint == "track" else [404] * 3)
    assert statuses[3] == 429
    refused = client.get(url)
    error = refused.get_json()["error"]
    assert error["code"] == "rate_limited" and error["message"] and error["fields"] == {}
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_the_public_limit_is_shared_by_the_public_endpoints(app, client, crew, parcel_in):
    app.config["PUBLIC_RATE_LIMIT"] = "2 per minute"

    assert client.get(f"{TRACK}/{parcel_in['tracking_code']}").status_code == 200
    assert client.get(f"/k/{parcel_in['tracking_code']}").status_code == 200
    page = client.get("/verifikasi/tidak-ada-kode-ini")

    assert page.status_code == 429 and "Terlalu banyak permintaan" in page.get_data(as_text=True)
    assert page.headers["Retry-After"]


@pytest.mark.parametrize("hops, own_budget", [(0, False), (1, True)], ids=["no-proxy-trusted", "behind-one-proxy"])
def test_behind_a_proxy_each_citizen_has_their_own_budget(database_url, hops, own_budget):
    """Behind nginx every request comes from the proxy's address; X-Forwarded-For counts only when trusted."""
    app = create_app(config_for(database_url, PROXY_FIX_X_FOR=hops, PUBLIC_RATE_LIMIT="2 per minute"))
    client, url = app.test_client(), "/api/v1/public/verify/tidak-ada-kode-ini"
    first = {"X-Forwarded-For": "203.0.113.7"}
    try:
        assert [client.get(url, headers=first).status_code for _ in range(2)] == [404, 404]
        assert client.get(url, headers=first).status_code == 429
        second = client.get(url, headers={"X-Forwarded-For": "198.51.100.23"}).status_code
        assert second == (404 if own_budget else 429)
    finally:
        with app.app_context():
            db.engine.dispose()


def test_tracking_answers_while_another_transaction_holds_the_write_lock(crew, parcel_in, client):
    """A citizen's lookup runs outside any transaction: an import or a scan in progress does not hold it up."""
    code = parcel_in["tracking_code"]
    db.session.rollback()  # the test's own session (shared with the requests) lets go of the lock first
    with db.engine.connect() as writer:  # on SQLite this takes the write lock (BEGIN IMMEDIATE)
        writer.execute(sa.text("UPDATE parcels SET recipient_name = 'Belum Disimpan' WHERE tracking_code = :c"),
                       {"c": code})

        response = client.get(f"{TRACK}/{code}", query_string={"verify": parcel_in["phone"][-4:]})

        assert response.status_code == 200
        assert response.get_json()["recipient_name"] == parcel_in["recipient_name"], "only committed data is shown"
        writer.rollback()


def test_the_written_out_answer_is_the_public_schemas_dump_in_every_state(crew, documents, app, subtests):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2 * len(STATE_PATHS))
    parcels = dict(zip(STATE_PATHS, recap["parcels"], strict=True))
    for state, parcel in parcels.items():
        drive(crew, parcel, state)
    parcels["not handed over"] = submitted_recap(crew.clerk, documents, count=2, seed=3)["parcels"][0]
    schema = PublicTrackOut()

    for state, parcel in parcels.items():
        for verify in (None, parcel["phone"][-4:]):
            with subtests.test(state, verified=verify is not None):
                view = public_view(parcel["tracking_code"], verify)
                assert view["timeline"]
                assert public_answer(view) == schema.dump(view)
