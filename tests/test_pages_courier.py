"""The courier's phone page (/kurir): who may open it, the card data scoped to the partner, the offline files."""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import g

from distribusi.admin.services import create_partner
from distribusi.auth.models import Role
from distribusi.courier.views import ASSETS
from distribusi.extensions import db
from tests.flow import handed_over_recap, scan

STATIC = Path(__file__).resolve().parent.parent / "distribusi" / "static"


def _page_client(app, user):
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": "rahasia-sekali-123"})
    assert response.status_code == 302
    return client


@pytest.fixture
def courier_page(app, crew):
    """The crew's courier logged in to the pages, with the code of a parcel handed over to its partner."""
    return _page_client(app, crew.courier.user)


@pytest.fixture
def handed(crew, documents):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=4)
    return recap["parcels"]


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_only_couriers_open_the_page(app, make_user, role):
    client = _page_client(app, make_user(role))
    response = client.get("/kurir/")
    if role == "courier":
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "Pindai" in page and 'name="csrf-token"' in page and "courier/app.js" in page
    else:
        assert response.status_code == 403
        assert client.get("/kurir/kiriman.json").status_code == 403


def test_without_login_the_page_asks_to_log_in_and_the_data_answers_401(client):
    response = client.get("/kurir/")
    assert response.status_code == 302 and "/login?next=%2Fkurir%2F" in response.headers["Location"]
    answer = client.get("/kurir/kiriman/ABCDEFGHJK.json")
    assert answer.status_code == 401 and answer.get_json()["error"]["message"].startswith("Sesi berakhir")


def test_the_card_shows_recipient_documents_and_allowed_actions(courier_page, handed):
    parcel = handed[0]
    code = parcel["tracking_code"]
    typed = f"{code[:5].lower()}-{code[5:].lower()}"  # as a courier types it
    card = courier_page.get(f"/kurir/kiriman/{typed}.json").get_json()
    assert card["code"] == code and card["status"] == "packed" and card["actions"] == ["accept"]
    assert card["recipient_name"] == parcel["recipient_name"] and card["phone"]
    assert card["address"]["kecamatan"] and card["documents"][0]["type_label"] and card["documents"][0]["owner_name"]


def test_the_actions_follow_the_state(courier_page, crew, handed):
    code = handed[0]["tracking_code"]
    assert scan(crew.courier, code, "accept").status_code == 201
    assert courier_page.get(f"/kurir/kiriman/{code}.json").get_json()["actions"] == ["out_for_delivery", "return"]
    assert scan(crew.courier, code, "out_for_delivery").status_code == 201
    assert courier_page.get(f"/kurir/kiriman/{code}.json").get_json()["actions"] == ["delivered", "failed"]


def test_a_mistyped_code_is_not_found(courier_page, handed):
    code = handed[0]["tracking_code"]
    wrong_check = code[:9] + ("0" if code[9] != "0" else "1")
    answer = courier_page.get(f"/kurir/kiriman/{wrong_check}.json")
    assert answer.status_code == 404


def test_another_partners_parcel_is_refused_clearly(app, crew, documents, make_user, office):
    other = create_partner(office, {"name": "JNE Pekanbaru", "contract_number": "99/PKS/2026", "contact": None})
    db.session.commit()
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2, seed=7,
                              partner_id=other.id)
    client = _page_client(app, crew.courier.user)
    answer = client.get(f"/kurir/kiriman/{recap['parcels'][0]['tracking_code']}.json")
    assert answer.status_code == 404
    assert answer.get_json()["error"]["message"] == "Kiriman tidak ditemukan atau bukan milik mitra Anda."
    assert client.get("/kurir/kiriman.json").get_json()["parcels"] == []
    assert client.get("/kurir/serah-terima.json").get_json()["handovers"] == []


def test_a_courier_of_another_office_sees_nothing(app, handed, make_user, other_office):
    client = _page_client(app, make_user("courier", other_office))
    assert client.get(f"/kurir/kiriman/{handed[0]['tracking_code']}.json").status_code == 404
    assert client.get("/kurir/serah-terima.json").get_json()["handovers"] == []


def test_my_parcels_are_those_on_the_road_ordered_by_kecamatan(courier_page, crew, handed):
    assert courier_page.get("/kurir/kiriman.json").get_json()["parcels"] == []  # not accepted yet
    for parcel in handed:
        scan(crew.courier, parcel["tracking_code"], "accept")
    listed = courier_page.get("/kurir/kiriman.json").get_json()["parcels"]
    assert sorted(p["code"] for p in listed) == sorted(p["tracking_code"] for p in handed)
    assert [p["kecamatan"] for p in listed] == sorted(p["kecamatan"] for p in listed)


def test_the_handover_lists_what_is_still_missing(courier_page, crew, handed):
    scan(crew.courier, handed[0]["tracking_code"], "accept")
    (handover,) = courier_page.get("/kurir/serah-terima.json").get_json()["handovers"]
    assert handover["total"] == len(handed)
    assert sorted(handover["not_accepted"]) == sorted(p["tracking_code"] for p in handed[1:])
    assert handed[0]["tracking_code"] in handover["codes"]


def test_a_label_opened_by_a_logged_in_courier_lands_on_the_card(courier_page, client, handed):
    code = handed[0]["tracking_code"]
    response = courier_page.get(f"/k/{code}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/kurir/?kode={code}")
    assert f'data-open-code="{code}"' in courier_page.get(f"/kurir/?kode={code}").get_data(as_text=True)
    g.pop("_login_user", None)  # the test's app context outlives requests; Flask-Login keeps the user in g
    assert client.get(f"/k/{code}").status_code == 200  # a citizen still sees the public tracking page


def test_the_office_policy_decides_the_relations_offered(courier_page, crew):
    office = crew.courier.user.office
    office.settings = {**(office.settings or {}), "delivery_policy": {"allow_family": False, "allow_other": False}}
    db.session.commit()
    page = courier_page.get("/kurir/").get_data(as_text=True)
    settings = json.loads(page.split("data-settings='", 1)[1].split("'", 1)[0])
    assert [r["value"] for r in settings["relations"]] == ["self"]
    assert "recipient_absent" in [r["value"] for r in settings["reasons"]]


def test_a_fresh_csrf_token_for_the_page(courier_page):
    assert len(courier_page.get("/kurir/csrf.json").get_json()["csrf_token"]) > 20


def test_the_service_worker_lives_under_the_page_and_lists_its_files(courier_page):
    response = courier_page.get("/kurir/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    text = response.get_data(as_text=True)
    assert 'const SHELL = "/kurir/"' in text and "/static/vendor/qr-scanner/qr-scanner-worker.min.js" in text
    manifest = json.loads(courier_page.get("/kurir/manifest.webmanifest").get_data())
    assert manifest["start_url"] == "/kurir/" and {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}
    for name in ASSETS:
        response = courier_page.get(f"/static/{name}")
        response.close()  # a static file is streamed from disk
        assert response.status_code == 200, name


def test_all_scripts_and_styles_of_the_page_weigh_at_most_150_kb_gzipped():
    total = sum(len(gzip.compress((STATIC / name).read_bytes())) for name in ASSETS if name.endswith((".js", ".css")))
    assert total <= 150 * 1024, total


def test_the_phone_checks_codes_as_the_server_does():
    """The JS port of the check character gives the same answers as recap/codes.py (run with node when present)."""
    import shutil
    import subprocess

    from distribusi.recap import codes

    node = shutil.which("node")
    if node is None:
        pytest.skip("node tidak ada")
    samples = [codes.new_code() for _ in range(50)]
    typos = [c[:3] + ("Z" if c[3] != "Z" else "Y") + c[4:] for c in samples]
    inputs = samples + typos + ["http://x/k/" + samples[0].lower(), "abcde", samples[1][:5] + "-" + samples[1][5:]]
    script = ("import('" + (STATIC / "courier" / "code.js").as_uri() + "').then(m => console.log(JSON.stringify("
              + json.dumps(inputs) + ".map(m.normalize))))")
    out = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == [codes.normalize(raw) for raw in inputs]
