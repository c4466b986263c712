"""The clerk's document desk: list, register, import, one document, flag and resolve, by role and office."""
from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from distribusi.demo import as_api_payload, document_rows
from distribusi.extensions import db
from distribusi.intake.importer import COLUMNS
from distribusi.intake.models import Document
from distribusi.workflow import DocumentStatus

PASSWORD = "rahasia-sekali-123"
VIEWERS = ("kasubbag", "secretary", "admin", "head", "operator", "kasi", "kabid")


def log_in(client, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return user


def as_role(client, make_user, role: str, office=None):
    return log_in(client, make_user(role, office))


def csv_bytes(rows: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def upload(client, content: bytes, filename: str = "hari-ini.csv"):
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), filename)})
    return client.post("/dokumen/impor", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def document_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Document))


def form_of(row: dict) -> dict:
    """A document row as the register form posts it: the address parts as address.<name>."""
    payload = as_api_payload(row)
    address = payload.pop("address")
    return {**payload, **{f"address.{name}": value for name, value in address.items()}}


def text(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- who may open what

PAGES = [("GET", "/dokumen"), ("GET", "/dokumen/{id}"), ("GET", "/dokumen/baru"), ("GET", "/dokumen/impor"),
         ("POST", "/dokumen/{id}/tandai")]
ALLOWED = {
    "clerk": {0, 1, 2, 3, 4},
    **{role: {0, 1} for role in VIEWERS},
    "courier": set(),
}


@pytest.mark.parametrize("role", ["clerk", *VIEWERS, "courier"])
def test_each_role_opens_its_pages_and_gets_403_on_the_rest(client, make_user, documents, role):
    doc = documents(make_user("clerk"), 1)[0]
    as_role(client, make_user, role)
    for index, (method, path) in enumerate(PAGES):
        url = path.format(id=doc.id)
        response = client.get(url) if method == "GET" else client.post(url, data={"reason": "data_error"})
        expected = (200, 302) if index in ALLOWED[role] else (403,)
        assert response.status_code in expected, (role, method, url, response.status_code)


@pytest.mark.parametrize("role", ["clerk", "kasubbag"])
def test_another_offices_document_is_404(client, make_user, documents, other_office, role):
    doc = documents(make_user("clerk", other_office), 1)[0]
    as_role(client, make_user, role)
    assert client.get(f"/dokumen/{doc.id}").status_code == 404
    if role == "clerk":
        assert client.post(f"/dokumen/{doc.id}/tandai", data={"reason": "data_error"}).status_code == 404
        assert client.post(f"/dokumen/{doc.id}/selesai").status_code == 404
    assert doc.doc_number not in text(client.get("/dokumen"))


def test_only_the_clerk_sees_the_action_buttons(client, make_user, documents):
    documents(make_user("clerk"), 2)
    as_role(client, make_user, "kasubbag")
    page = text(client.get("/dokumen"))
    assert "T1-" in page and "/dokumen/baru" not in page and "/dokumen/impor" not in page
    client.post("/logout")
    as_role(client, make_user, "clerk")
    page = text(client.get("/dokumen"))
    assert "/dokumen/baru" in page and "/dokumen/impor" in page


def test_build_recap_button_links_to_the_recap_builder(app, client, make_user):
    from flask import url_for

    if "recap.build" not in app.view_functions:
        app.add_url_rule("/rekap/buat", "recap.build", lambda: "")  # stands in for the recap helper's page
    with app.test_request_context():
        target = url_for("recap.build")
    as_role(client, make_user, "clerk")
    page = text(client.get("/dokumen?status=registered"))
    assert re.search(rf'<a class="btn btn-primary btn-lg"\s+href="{re.escape(target)}">Buat rekapan</a>', page)
    client.post("/logout")
    as_role(client, make_user, "kasubbag")
    assert "Buat rekapan" not in text(client.get("/dokumen?status=registered"))


# ---------------------------------------------------------------- the list

def test_list_filters_by_state_type_search_and_today(client, make_user, documents):
    clerk = make_user("clerk")
    docs = documents(clerk, 6)
    old = docs[0]
    old.created_at = old.created_at.replace(year=old.created_at.year - 1)
    from distribusi.intake.services import flag_document
    flag_document(clerk, docs[1], "unsigned", None)
    db.session.commit()
    log_in(client, clerk)

    def numbers(query: str) -> set[str]:
        return set(re.findall(r"T1-[A-Z_]+-1-\d{6}", text(client.get(f"/dokumen?{query}"))))

    every = {d.doc_number for d in docs}
    assert numbers("") == every
    assert numbers("status=needs_fix") == {docs[1].doc_number}
    assert numbers("status=registered") == every - {docs[1].doc_number}
    assert numbers(f"doc_type={docs[2].doc_type}") == {d.doc_number for d in docs if d.doc_type == docs[2].doc_type}
    assert numbers(f"q={docs[3].nik}") == {docs[3].doc_number}
    assert numbers(f"q={docs[4].owner_name.split()[0].lower()}") >= {docs[4].doc_number}
    assert numbers("today=1") == every - {old.doc_number}
    assert numbers("status=bogus&doc_type=nope&page=x") == every  # unknown values are ignored, never a 500


def test_todays_counts_by_state_at_the_top(client, make_user, documents):
    clerk = make_user("clerk")
    docs = documents(clerk, 3)
    from distribusi.intake.services import flag_document
    flag_document(clerk, docs[0], "data_error", "salah ketik")
    db.session.commit()
    log_in(client, clerk)
    page = text(client.get("/dokumen"))
    assert re.search(r'data-state="registered">2<', page)
    assert re.search(r'data-state="needs_fix">1<', page)
    assert re.search(r'data-state="in_recap">0<', page)


def test_list_is_paginated_with_filters_kept(client, make_user, documents):
    clerk = make_user("clerk")
    documents(clerk, 7)
    log_in(client, clerk)
    first = text(client.get("/dokumen?per_page=3&status=registered"))
    assert len(re.findall(r"T1-[A-Z_]+-1-\d{6}</td>", first)) == 3
    assert "halaman 1 dari 3" in first
    assert "status=registered" in first and "page=2" in first
    last = text(client.get("/dokumen?per_page=3&status=registered&page=3"))
    assert len(re.findall(r"T1-[A-Z_]+-1-\d{6}</td>", last)) == 1


def test_list_of_many_documents_runs_a_fixed_number_of_queries(app, client, make_user, documents):
    from sqlalchemy import event

    clerk = make_user("clerk")
    documents(clerk, 60)
    log_in(client, clerk)
    client.get("/dokumen")  # warm the user and office loads
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get("/dokumen?per_page=50").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 5, statements  # counts, page count, page rows (+ user)


# ---------------------------------------------------------------- register one

def test_register_shows_each_fields_message_keeps_values_and_422(client, make_user):
    as_role(client, make_user, "clerk")
    row = next(document_rows(1, seed=5, prefix="REG"))
    form = {**form_of(row), "nik": "123", "phone": "abc", "address.postal_code": "", "address.rt": "x"}
    response = client.post("/dokumen/baru", data=form)
    assert response.status_code == 422
    page = text(response)
    for name in ("nik", "phone", "address-postal_code", "address-rt"):
        assert f'id="{name}-error"' in page, name
    assert 'id="doc_number-error"' not in page
    assert f'value="{row["owner_name"]}"' in page and f'value="{row["doc_number"]}"' in page
    assert "Wajib diisi." in page
    assert document_count() == 0


def test_register_an_empty_form_names_every_required_field(client, make_user):
    as_role(client, make_user, "clerk")
    page = text(client.post("/dokumen/baru", data={}))
    for name in ("doc_type", "doc_number", "nik", "kk_number", "owner_name", "phone", "address-street",
                 "address-kelurahan", "address-kecamatan", "address-city"):
        assert f'id="{name}-error"' in page, name
    assert 'id="recipient_name-error"' not in page


def test_register_offers_the_offices_types_and_saves(client, make_user):
    clerk = as_role(client, make_user, "clerk")
    assert '<option value="KTP_EL"' in text(client.get("/dokumen/baru"))
    row = next(document_rows(1, seed=5, prefix="REG"))
    response = client.post("/dokumen/baru", data=form_of(row))
    assert response.status_code == 302
    doc = db.session.scalar(select(Document))
    assert doc.doc_number == row["doc_number"] and doc.street == row["street"] and doc.created_by_id == clerk.id
    assert response.headers["Location"].endswith(f"/dokumen/{doc.id}")
    assert "terdaftar" in text(client.get(response.headers["Location"]))
    again = client.post("/dokumen/baru", data=form_of(row))
    assert again.status_code == 409 and 'id="doc_number-error"' in text(again)
    assert document_count() == 1


# ---------------------------------------------------------------- import

def test_bad_csv_shows_every_bad_row_and_imports_nothing(client, make_user):
    as_role(client, make_user, "clerk")
    rows = list(document_rows(6, seed=9, prefix="IMP"))
    rows[1]["nik"] = "123"
    rows[3]["phone"] = "telepon"
    rows[3]["postal_code"] = ""
    rows[5]["doc_number"] = rows[0]["doc_number"]
    rows[5]["doc_type"] = rows[0]["doc_type"]
    response = upload(client, csv_bytes(rows))
    assert response.status_code == 422
    page = text(response)
    assert "tidak ada yang diimpor" in page
    table = page.split('id="row-errors"', 1)[1]
    found = re.findall(r"<tr><td>(\d+)</td><td><code>(\w+)</code>[^<]*</td><td>([^<]+)</td></tr>", table)
    assert {(int(r), f) for r, f, _ in found} == {(3, "nik"), (5, "phone"), (5, "postal_code"), (7, "doc_number")}
    assert all(message.strip() for _, _, message in found)
    assert "sama dengan baris 2" in table
    assert document_count() == 0


def test_good_csv_imports_and_leads_to_the_registered_list(client, make_user):
    as_role(client, make_user, "clerk")
    response = upload(client, csv_bytes(list(document_rows(12, seed=9, prefix="IMP"))))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dokumen?status=registered")
    assert document_count() == 12
    assert "12 dokumen diimpor." in text(client.get(response.headers["Location"]))


def test_xlsx_imports_too(client, make_user):
    from openpyxl import Workbook

    as_role(client, make_user, "clerk")
    workbook = Workbook()
    workbook.active.append(list(COLUMNS))
    for row in document_rows(4, seed=8, prefix="XL"):
        workbook.active.append([row.get(column, "") for column in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    assert upload(client, out.getvalue(), "hari-ini.xlsx").status_code == 302
    assert document_count() == 4


@pytest.mark.parametrize(("content", "filename", "fragment"), [
    (b"%PDF-1.4 bukan tabel", "rekap.pdf", "Jenis berkas tidak didukung"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "terkunci.xlsx", "terkunci kata sandi"),
    (b"", "kosong.csv", "Berkas kosong"),
    (b"nama,alamat\nA,B\n", "salah.csv", "Kolom wajib tidak ada"),
])
def test_a_refused_file_shows_its_indonesian_message(client, make_user, content, filename, fragment):
    as_role(client, make_user, "clerk")
    response = upload(client, content, filename)
    assert response.status_code == 422
    assert fragment in text(response)
    assert document_count() == 0


def test_no_file_and_too_big_a_file_are_4xx(app, client, make_user):
    as_role(client, make_user, "clerk")
    assert client.post("/dokumen/impor", data={}).status_code == 422
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = upload(client, csv_bytes(list(document_rows(30, seed=9, prefix="IMP"))))
    assert response.status_code == 413 and "terlalu besar" in text(response)
    assert document_count() == 0


def test_the_sample_csv_has_the_import_columns_and_imports_cleanly(client, make_user):
    as_role(client, make_user, "clerk")
    sample = client.get("/dokumen/impor/contoh.csv")
    assert sample.status_code == 200 and sample.mimetype == "text/csv"
    assert sample.data.decode().splitlines()[0] == ",".join(COLUMNS)
    assert upload(client, sample.data, "contoh.csv").status_code == 302
    assert document_count() == 2


def test_import_form_is_one_file_input_and_one_button(client, make_user):
    as_role(client, make_user, "clerk")
    page = text(client.get("/dokumen/impor"))
    form = page.split('enctype="multipart/form-data"', 1)[1].split("</form>", 1)[0]
    assert form.count('type="file"') == 1 and 'accept=".csv,.xlsx"' in form
    assert form.count("<button") == 1
    assert "nik" in page and "postal_code" in page


# ---------------------------------------------------------------- one document, flag and resolve

def test_flag_and_resolve(client, make_user, documents):
    clerk = make_user("clerk")
    doc = documents(clerk, 1)[0]
    log_in(client, clerk)
    page = text(client.get(f"/dokumen/{doc.id}"))
    assert doc.nik in page and "Tandai perlu perbaikan" in page and "Belum ditandatangani" in page
    response = client.post(f"/dokumen/{doc.id}/tandai", data={"reason": "unsigned", "note": "Belum diparaf"})
    assert response.status_code == 302
    db.session.refresh(doc)
    assert doc.status is DocumentStatus.needs_fix and doc.flag_note == "Belum diparaf"
    page = text(client.get(f"/dokumen/{doc.id}"))
    assert "Belum diparaf" in page and "Selesai diperbaiki" in page
    assert client.post(f"/dokumen/{doc.id}/selesai").status_code == 302
    db.session.refresh(doc)
    assert doc.status is DocumentStatus.registered and doc.flag_reason is None


def test_flag_refusals_are_shown_not_500(client, make_user, documents):
    clerk = make_user("clerk")
    docs = documents(clerk, 2)
    log_in(client, clerk)
    bad = client.post(f"/dokumen/{docs[0].id}/tandai", data={"reason": "bosan"})
    assert bad.status_code == 422 and 'id="reason-error"' in text(bad)
    assert client.post(f"/dokumen/{docs[0].id}/selesai").status_code == 409  # not flagged
    from distribusi.recap.services import create_recap

    create_recap(clerk, [docs[1].id])
    db.session.commit()
    packed = client.post(f"/dokumen/{docs[1].id}/tandai", data={"reason": "data_error"})
    assert packed.status_code == 409 and "alert-danger" in text(packed)
    db.session.refresh(docs[1])
    assert docs[1].status is DocumentStatus.in_recap
    page = text(client.get(f"/dokumen/{docs[1].id}"))
    assert "sudah masuk rekapan" in page and "Tandai perlu perbaikan" not in page


def test_a_document_in_a_recap_shows_its_parcel(client, make_user, documents):
    from distribusi.recap.models import Parcel
    from distribusi.recap.services import create_recap

    clerk = make_user("clerk")
    doc = documents(clerk, 1)[0]
    create_recap(clerk, [doc.id])
    db.session.commit()
    log_in(client, clerk)
    parcel = db.session.get(Parcel, doc.parcel_id)
    assert parcel.tracking_code in text(client.get(f"/dokumen/{doc.id}"))
