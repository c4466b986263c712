"""POST /api/v1/documents/import: CSV and XLSX in, all rows or none, every bad row reported by its spreadsheet row."""
import csv
import io
import zipfile

import pytest
from openpyxl import Workbook
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from distribusi import custody
from distribusi.custody import CustodyEvent
from distribusi.demo import document_rows
from distribusi.extensions import db
from distribusi.intake.importer import COLUMNS
from distribusi.intake.models import Document

URL = "/api/v1/documents/import"
GOOD_NIK = "1471011506900001"


def rows(count: int = 3, seed: int = 11, **changes) -> list[dict]:
    """Valid flat rows (two per household); changes apply to every row."""
    return [{**row, **changes} for row in document_rows(count, seed=seed, prefix="IMP")]


def csv_bytes(data: list[dict], *, columns=COLUMNS, delimiter=",", bom=False, newline="\n",
              encoding="utf-8") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(columns)
    writer.writerows([[row.get(column, "") for column in columns] for row in data])
    return ("\ufeff" if bom else "").encode(encoding) + out.getvalue().encode(encoding)


def xlsx_bytes(data: list[dict | None], *, columns=COLUMNS) -> bytes:
    """An XLSX workbook; None in data is a blank row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(columns))
    for row in data:
        sheet.append([] if row is None else [row.get(column, "") for column in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(api, content: bytes, filename: str = "hari-ini.csv", field: str = "file"):
    # Encoded here: the test client spools a large body to a temporary file that it never closes (ResourceWarning).
    boundary, body = encode_multipart({field: FileStorage(io.BytesIO(content), filename)})
    return api.post(URL, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def counts() -> tuple[int, int]:
    """(documents, custody events) in the database."""
    return (db.session.scalar(select(func.count()).select_from(Document)),
            db.session.scalar(select(func.count()).select_from(CustodyEvent)))


def refused(response, before: tuple[int, int]) -> dict:
    """The error of a 422 import refusal, after checking that nothing was written."""
    assert response.status_code == 422, response.get_json()
    assert counts() == before
    return response.get_json()["error"]


def row_errors(response, before) -> list[tuple[int, str]]:
    """(row, field) of every reported error; each also carries an Indonesian message."""
    error = refused(response, before)
    assert error["code"] == "import_refused"
    assert "tidak ada yang diimpor" in error["message"]
    for item in error["errors"]:
        assert set(item) == {"row", "field", "message"}
        assert item["message"]
    return [(item["row"], item["field"]) for item in error["errors"]]


def stored() -> dict[str, Document]:
    return {d.doc_number: d for d in db.session.scalars(select(Document))}


@pytest.fixture
def clerk(login_as):
    return login_as("clerk")


# ---------------------------------------------------------------- accepted files

def test_good_csv_creates_every_row(clerk):
    data = rows(5)

    response = upload(clerk, csv_bytes(data))

    assert response.status_code == 201
    assert response.get_json() == {"created": 5}
    documents = stored()
    assert set(documents) == {row["doc_number"] for row in data}
    for row in data:
        document = documents[row["doc_number"]]
        assert (document.nik, document.kk_number, document.owner_name) == (row["nik"], row["kk_number"],
                                                                          row["owner_name"])
        assert document.phone == "+62" + row["phone"][1:]
        assert document.office_id == clerk.user.office_id
        assert document.status.value == "registered"
    events = db.session.scalars(select(CustodyEvent)).all()
    assert sorted(e.subject_id for e in events) == sorted(d.id for d in documents.values())
    assert {(e.action, e.to_state, e.data["via"]) for e in events} == {("register", "registered", "import")}
    assert custody.verify_all() == []


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes])
def test_blank_optional_cells_under_the_full_header_are_not_given(clerk, make):
    data = rows(2, recipient_name="", application_number="")

    response = upload(clerk, make(data), "ekspor.xlsx" if make is xlsx_bytes else "hari-ini.csv")

    assert response.status_code == 201, response.get_json()
    for document in stored().values():
        assert document.recipient_name == document.owner_name
        assert document.application_number is None


def test_xlsx_is_imported(clerk):
    data = rows(4)
    data[0] = {**data[0], "nik": int(data[0]["nik"]), "postal_code": int(data[0]["postal_code"]), "rt": 7}

    response = upload(clerk, xlsx_bytes(data), "ekspor.xlsx")

    assert response.status_code == 201
    assert response.get_json() == {"created": 4}
    document = stored()[data[0]["doc_number"]]
    assert (document.nik, document.postal_code, document.rt) == (str(data[0]["nik"]), str(data[0]["postal_code"]),
                                                                 "007")


@pytest.mark.parametrize(("delimiter", "bom", "newline"), [
    (";", False, "\n"),  # Excel in an Indonesian locale
    (",", True, "\n"),  # Excel's "CSV UTF-8" starts with a byte order mark
    (";", True, "\r\n"),
    (",", False, "\r\n"),
])
def test_csv_dialects_of_excel_are_imported(clerk, delimiter, bom, newline):
    data = rows(3)
    response = upload(clerk, csv_bytes(data, delimiter=delimiter, bom=bom, newline=newline))
    assert response.status_code == 201
    assert response.get_json() == {"created": 3}
    assert set(stored()) == {row["doc_number"] for row in data}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_names_with_apostrophes_accents_and_commas_survive(clerk, kind):
    names = ["Andi Ma'ruf", "Désirée Siregar", "Nur'aini Çakra", "Lubis, S.Pd.", 'Siti "Ucok" Aminah']
    data = [{**row, "owner_name": name, "recipient_name": name} for row, name in zip(rows(5), names, strict=True)]
    content = csv_bytes(data, delimiter=";", bom=True) if kind == "csv" else xlsx_bytes(data)

    response = upload(clerk, content, f"nama.{kind}")

    assert response.status_code == 201
    assert sorted(d.owner_name for d in stored().values()) == sorted(names)


def test_columns_in_any_order_and_case_and_optional_columns_left_out(clerk):
    columns = [c for c in reversed(COLUMNS) if c not in ("recipient_name", "application_number")]
    data = rows(2)
    content = csv_bytes(data, columns=columns).replace(b"doc_type", b"DOC_TYPE", 1)

    response = upload(clerk, content)

    assert response.status_code == 201
    for document in stored().values():
        assert document.recipient_name == document.owner_name
        assert document.application_number is None


# ---------------------------------------------------------------- refused rows

BAD_NIKS = [
    "147101150690001",  # 15 digits
    "14710115069O0001",  # a letter
    "1001011506900001",  # province 10
    "2001011506900001",  # province 20
    "3701011506900001",  # province 37
    "9701011506900001",  # province 97
    "9901011506900001",  # province 99
    "1471010006900001",  # day 00
    "1471013206900001",  # day 32
    "1471017206900001",  # day 72
    "1471011500900001",  # month 00
    "1471011513900001",  # month 13
    "1471013102900001",  # 31 February
    "1471012902010001",  # 29 February 2001
    "1471011506900000",  # serial 0000
]


def import_with_bad_values(clerk, field: str, values: list[str]):
    """A good row, then one row per bad value (spreadsheet rows 3, 4, ...), then a good row."""
    data = rows(len(values) + 2)
    for row, value in zip(data[1:-1], values, strict=True):
        row[field] = value
    before = counts()
    return row_errors(upload(clerk, csv_bytes(data)), before)


def test_every_bad_nik_row_is_reported_by_spreadsheet_row(clerk):
    errors = import_with_bad_values(clerk, "nik", BAD_NIKS)
    assert errors == [(row, "nik") for row in range(3, 3 + len(BAD_NIKS))]


def test_every_bad_kk_row_is_reported(clerk):
    bad = ["147101150690001", "1001011506900001", "1471014506900001", "1471011513900001", "1471013102900001",
           "1471011506900000"]  # length, province, +40 day (NIK only), month, 31 Feb, serial
    assert import_with_bad_values(clerk, "kk_number", bad) == [(row, "kk_number") for row in range(3, 3 + len(bad))]


def test_every_bad_phone_row_is_reported(clerk):
    bad = ["02112345678", "0761123456", "0812345", "0812ABCDEFGH", "+6581234567", "81234567890"]
    assert import_with_bad_values(clerk, "phone", bad) == [(row, "phone") for row in range(3, 3 + len(bad))]


def test_every_bad_postal_code_row_is_reported(clerk):
    bad = ["08122", "2812", "281222", "28l22"]
    assert import_with_bad_values(clerk, "postal_code", bad) == [(row, "postal_code") for row in range(3, 3 + len(bad))]


def test_bad_row_messages_are_indonesian(clerk):
    data = rows(3)
    data[0]["nik"] = "1471011506900000"
    data[1]["doc_type"] = "PASPOR"
    data[2]["owner_name"] = ""
    response = upload(clerk, csv_bytes(data))
    messages = {(e["row"], e["field"]): e["message"] for e in refused(response, (0, 0))["errors"]}
    assert messages == {(2, "nik"): "NIK: nomor urut 0000 tidak sah.",
                        (3, "doc_type"): messages[(3, "doc_type")],
                        (4, "owner_name"): "Wajib diisi."}
    assert messages[(3, "doc_type")].startswith("Jenis dokumen tidak dikenal")


def test_several_bad_fields_in_one_row_are_all_reported(clerk):
    data = rows(2)
    data[1].update(nik="1", phone="021", postal_code="0", rt="x")
    errors = row_errors(upload(clerk, csv_bytes(data)), (0, 0))
    assert errors == [(3, "nik"), (3, "phone"), (3, "postal_code"), (3, "rt")]


def test_row_numbers_count_blank_lines_like_a_spreadsheet(clerk):
    data = rows(3)
    data[2]["nik"] = "123"
    text = csv_bytes(data).decode()
    header, first, second, third = text.splitlines()
    content = "\n".join([header, first, "", second, ",,,,,,,,,,,,,,", third, ""]).encode()

    assert row_errors(upload(clerk, content), (0, 0)) == [(6, "nik")]


def test_xlsx_row_numbers_are_the_sheets(clerk):
    data = rows(3)
    data[1]["phone"] = "021555"
    content = xlsx_bytes([data[0], None, data[1], data[2]])
    assert row_errors(upload(clerk, content, "ekspor.xlsx"), (0, 0)) == [(4, "phone")]


def test_duplicate_within_the_file_names_the_first_row(clerk):
    data = rows(4)
    data[2] = {**data[2], "doc_type": data[0]["doc_type"], "doc_number": data[0]["doc_number"]}
    data[3] = {**data[3], "doc_type": data[0]["doc_type"], "doc_number": data[0]["doc_number"]}

    error = refused(upload(clerk, csv_bytes(data)), (0, 0))

    assert [(e["row"], e["field"]) for e in error["errors"]] == [(4, "doc_number"), (5, "doc_number")]
    assert all("baris 2" in e["message"] for e in error["errors"])


def test_duplicate_of_a_registered_document_is_refused(clerk, documents):
    (existing,) = documents(clerk.user, 1)
    before = counts()
    data = rows(3)
    data[1] = {**data[1], "doc_type": existing.doc_type, "doc_number": existing.doc_number}

    error = refused(upload(clerk, csv_bytes(data)), before)

    assert [(e["row"], e["field"]) for e in error["errors"]] == [(3, "doc_number")]
    assert "sudah terdaftar" in error["errors"][0]["message"]


def test_another_offices_document_is_no_duplicate(clerk, login_as, other_office, documents):
    (theirs,) = documents(login_as("clerk", other_office).user, 1)
    data = rows(2)
    data[0] = {**data[0], "doc_type": theirs.doc_type, "doc_number": theirs.doc_number}
    assert upload(clerk, csv_bytes(data)).get_json() == {"created": 2}


def test_nul_character_deep_in_a_csv_is_a_row_error(clerk):
    """A NUL past the binary sniff reaches the rows; PostgreSQL cannot store it."""
    data = rows(60)
    data[55]["owner_name"] = "Siti\x00Aminah"
    assert row_errors(upload(clerk, csv_bytes(data)), (0, 0)) == [(57, "owner_name")]


@pytest.mark.parametrize("column", ["nik", "doc_type", "postal_code", "phone", "kk_number"])
def test_missing_column_is_named(clerk, column):
    columns = [c for c in COLUMNS if c != column]
    error = refused(upload(clerk, csv_bytes(rows(2), columns=columns)), (0, 0))
    assert column in error["message"]
    assert error["errors"] == [{"row": 1, "field": column, "message": "Kolom wajib tidak ada di baris judul."}]


# ---------------------------------------------------------------- refused files

def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"/>')
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


@pytest.mark.parametrize(("make", "filename"), [
    (lambda: PDF, "rekap.pdf"),
    (lambda: PDF, "rekap.csv"),
    (docx_bytes, "rekap.docx"),
    (docx_bytes, "rekap.xlsx"),
    (png_bytes, "rekap.png"),
    (png_bytes, "rekap.csv"),
    (png_bytes, "rekap.xlsx"),
    (lambda: xlsx_bytes(rows(2))[:300], "rusak.xlsx"),
    (lambda: csv_bytes(rows(2)), "rekap.pdf"),
    (lambda: csv_bytes(rows(2)), "rekap"),
], ids=["pdf", "pdf-as-csv", "docx", "docx-as-xlsx", "png", "png-as-csv", "png-as-xlsx", "truncated-xlsx",
        "csv-as-pdf", "no-extension"])
def test_wrong_file_type_is_refused(clerk, documents, make, filename):
    documents(clerk.user, 1)
    before = counts()
    error = refused(upload(clerk, make(), filename), before)
    assert error["code"] == "import_refused"
    assert error["message"]


@pytest.mark.parametrize(("content", "fragment"), [
    (b"", "kosong"),
    (b"   \r\n\n", "kosong"),
    (",".join(COLUMNS).encode(), "hanya berisi baris judul"),
    ((",".join(COLUMNS) + "\r\n\r\n,,,\n").encode(), "hanya berisi baris judul"),
    ("\ufeff".encode() + (";".join(COLUMNS) + "\n").encode(), "hanya berisi baris judul"),
])
def test_empty_or_header_only_file_is_refused(clerk, content, fragment):
    error = refused(upload(clerk, content), (0, 0))
    assert fragment in error["message"]


def test_file_that_is_not_utf8_is_refused(clerk):
    data = rows(3)
    data[2]["owner_name"] = "Désirée Siregar"
    error = refused(upload(clerk, csv_bytes(data, encoding="latin-1")), (0, 0))
    assert "UTF-8" in error["message"]


@pytest.mark.parametrize("field", [None, "berkas"])
def test_no_file_part_is_422(clerk, field):
    if field is None:
        response = clerk.post(URL, data={}, content_type="multipart/form-data")
    else:
        response = upload(clerk, csv_bytes(rows(1)), field=field)
    error = refused(response, (0, 0))
    assert error["fields"] == {"file": ["Wajib diisi."]}


def test_only_a_clerk_imports(login_as):
    response = upload(login_as("operator"), csv_bytes(rows(1)))
    assert response.status_code == 403
    assert counts() == (0, 0)


@pytest.mark.slow
def test_ten_thousand_rows_import_and_the_custody_chain_verifies(clerk, documents):
    documents(clerk.user, 2)  # the import continues an existing chain
    data = rows(10_000, seed=12)

    response = upload(clerk, csv_bytes(data), "sepuluh-ribu.csv")

    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"created": 10_000}
    assert counts() == (10_002, 10_002)
    assert custody.verify_all() == []
