"""Uploads under the size limit are refused at the row, record, unpacked-size and id limits, before they cost memory."""
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from openpyxl import Workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from distribusi.intake.importer import COLUMNS, MAX_XLSX_PART_BYTES
from test_import import URL, counts, csv_bytes, refused, rows, upload, xlsx_bytes

PROBE = Path(__file__).with_name("upload_probe.py")
SHEET = "xl/worksheets/sheet1.xml"
XLSX_TAIL_ROW = b'<row><c t="inlineStr"><is><t>a</t></is></c></row>'  # 48 bytes: one cell "a", no row number


@pytest.fixture
def clerk(login_as):
    return login_as("clerk")


@pytest.fixture
def ten_rows(app):
    """The import limit lowered to 10 rows, so the limit is reached with a small file."""
    app.config["MAX_IMPORT_ROWS"] = 10


def xlsx_with_sheet(sheet_parts, extra: dict[str, bytes] | None = None) -> bytes:
    """A workbook made by openpyxl whose first sheet's XML is replaced by the given byte strings, written in turn."""
    workbook = Workbook()
    workbook.active.append(["x"])
    base = io.BytesIO()
    workbook.save(base)
    out = io.BytesIO()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, source.read(info.filename))
        with target.open(SHEET, "w", force_zip64=True) as sheet:
            for part in sheet_parts:
                sheet.write(part)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def sheet_xml(tail_rows: int, chunk: int = 100_000, *, sized: bool = True):
    """The sheet XML: the import header, then tail_rows rows of one cell, in pieces."""
    header = "".join(f'<c t="inlineStr"><is><t>{escape(c)}</t></is></c>' for c in COLUMNS)
    dimension = f'<dimension ref="A1:O{tail_rows + 1}"/>' if sized else ""
    yield (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           + f"{dimension}<sheetData><row>{header}</row>".encode())
    for start in range(0, tail_rows, chunk):
        yield XLSX_TAIL_ROW * min(chunk, tail_rows - start)
    yield b"</sheetData></worksheet>"


# ---------------------------------------------------------------- rows

@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_past_the_row_limit_is_refused_and_nothing_is_written(clerk, ten_rows, fmt):
    make, name = (csv_bytes, "hari-ini.csv") if fmt == "csv" else (xlsx_bytes, "ekspor.xlsx")
    error = refused(upload(clerk, make(rows(11)), name), (0, 0))
    assert error["code"] == "import_refused"
    assert error["message"] == "Berkas berisi lebih dari 10 baris. Bagi menjadi beberapa berkas."


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_at_the_row_limit_with_blank_lines_after_it_is_imported(clerk, ten_rows, fmt):
    data = rows(10)
    if fmt == "csv":
        response = upload(clerk, csv_bytes(data) + b"\n" * 8)
    else:
        response = upload(clerk, xlsx_bytes([*data, *[None] * 5, {"owner_name": ""}]), "ekspor.xlsx")
    assert response.status_code == 201, response.get_json()
    assert counts() == (10, 10)


def test_a_tail_of_blank_lines_longer_than_the_limit_again_is_refused(clerk, ten_rows):
    error = refused(upload(clerk, csv_bytes(rows(3)) + b"\n" * 30), (0, 0))
    assert error["message"] == ("Berkas berisi lebih dari 20 baris, termasuk baris kosong. "
                                "Hapus baris kosong di akhir berkas.")


# ---------------------------------------------------------------- one record, unpacked size

def test_a_csv_record_longer_than_the_limit_is_refused_by_row(clerk):
    data = rows(3)
    data[1]["street"] = "Jl. " + "Panjang " * 9_000  # 72,000 characters in row 3
    error = refused(upload(clerk, csv_bytes(data)), (0, 0))
    assert error["message"] == "Baris 3 terlalu panjang (lebih dari 65.536 karakter)."


def test_a_quoted_field_running_over_many_lines_is_one_record(clerk):
    data = rows(2)
    data[0]["street"] = "Jl. Sudirman\n" * 6_000  # 78,000 characters in one quoted field of row 2
    error = refused(upload(clerk, csv_bytes(data)), (0, 0))
    assert error["message"] == "Baris 2 terlalu panjang (lebih dari 65.536 karakter)."


def test_an_xlsx_part_that_unpacks_past_the_limit_is_refused_before_it_is_read(clerk):
    bomb = xlsx_with_sheet(sheet_xml(3), {"xl/sharedStrings.xml": b" " * (MAX_XLSX_PART_BYTES + 1)})
    assert len(bomb) < 200_000
    error = refused(upload(clerk, bomb, "ekspor.xlsx"), (0, 0))
    assert error["message"] == "Berkas XLSX terlalu besar setelah dibuka. Bagi menjadi beberapa berkas."


def test_a_large_xlsx_sheet_without_its_size_is_refused_before_it_is_read(clerk):
    """openpyxl reads a sheet without <dimension> whole just to size it, when it opens the workbook."""
    content = xlsx_with_sheet(sheet_xml(520_000, sized=False))  # 25 MB of XML; smaller unsized sheets are read
    error = refused(upload(clerk, content, "ekspor.xlsx"), (0, 0))
    assert error["message"] == "Berkas XLSX tidak mencatat ukuran lembarnya. Simpan ulang dari Excel."


def test_an_xlsx_written_without_its_size_is_imported(clerk):
    """openpyxl's write-only mode (and other generators) leave out <dimension>: a day's export is still read."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(COLUMNS))
    data = rows(4)
    for row in data:
        sheet.append([row.get(column, "") for column in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    assert b"dimension" not in zipfile.ZipFile(out).read(SHEET)

    response = upload(clerk, out.getvalue(), "ekspor.xlsx")

    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"created": 4}


def test_an_xlsx_sheet_declaring_a_small_size_is_read_whole(clerk, ten_rows):
    """openpyxl trusts the sheet's <dimension>; the import reads every row, so a lying file still hits the limit."""
    content = xlsx_bytes(rows(11))
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        sheet = source.read(SHEET).replace(b'<dimension ref="A1:O12" />', b'<dimension ref="A1:O2" />')
        assert b'<dimension ref="A1:O2" />' in sheet
    lying = xlsx_with_sheet([sheet])
    error = refused(upload(clerk, lying, "ekspor.xlsx"), (0, 0))
    assert "lebih dari 10 baris" in error["message"]


# ---------------------------------------------------------------- recaps

def test_a_recap_of_more_ids_than_the_limit_is_refused_before_each_id_is_checked(clerk):
    response = clerk.post("/api/v1/recaps", json={"document_ids": ["bukan angka"] * 5001})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"document_ids": ["Maksimal 5000 dokumen per rekapan."]}


def test_a_recap_body_past_its_size_limit_is_413(clerk):
    body = json.dumps({"document_ids": list(range(1, 60_001))}).encode()  # 400 KB
    response = clerk.post("/api/v1/recaps", data=body, content_type="application/json")
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert (error["code"], error["message"]) == ("too_large", "Berkas atau data terlalu besar.")


# ---------------------------------------------------------------- memory, in a fresh process

def probe(sqlite_template: str, tmp_path: Path, kind: str, payload: bytes, filename: str = "berkas.csv") -> dict:
    """One upload with the default limits in a new process: its status, JSON answer and peak-memory growth."""
    database = tmp_path / "probe.db"
    shutil.copyfile(sqlite_template, database)
    if kind == "import":
        boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(payload), filename)})
        path, content_type = URL, f"multipart/form-data; boundary={boundary}"
    else:
        body, path, content_type = payload, "/api/v1/recaps", "application/json"
    body_file = tmp_path / "body"
    body_file.write_bytes(body)
    del body
    done = subprocess.run([sys.executable, str(PROBE), f"sqlite:///{database}", path, content_type, str(body_file)],
                          capture_output=True, text=True, timeout=600, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_19_mb_csv_of_one_character_lines_stops_at_the_row_limit(sqlite_template, tmp_path):
    content = (",".join(COLUMNS) + "\n").encode() + b"a\n" * 9_500_000
    assert len(content) > 19_000_000

    result = probe(sqlite_template, tmp_path, "import", content)

    assert result["status"] == 422
    assert result["body"]["error"]["message"] == "Berkas berisi lebih dari 50000 baris. Bagi menjadi beberapa berkas."
    assert result["growth_mb"] < 150, result


@pytest.mark.slow
def test_an_xlsx_of_a_million_rows_stops_at_the_row_limit(sqlite_template, tmp_path):
    content = xlsx_with_sheet(sheet_xml(1_000_000))

    result = probe(sqlite_template, tmp_path, "import", content, "ekspor.xlsx")

    assert result["status"] == 422
    assert result["body"]["error"]["message"] == "Berkas berisi lebih dari 50000 baris. Bagi menjadi beberapa berkas."
    assert result["growth_mb"] < 150, result


@pytest.mark.slow
def test_an_xlsx_of_3_9_million_rows_is_refused_by_its_unpacked_size(sqlite_template, tmp_path):
    content = xlsx_with_sheet(sheet_xml(3_900_000))

    result = probe(sqlite_template, tmp_path, "import", content, "ekspor.xlsx")

    assert result["status"] == 422
    assert "terlalu besar setelah dibuka" in result["body"]["error"]["message"]
    assert result["growth_mb"] < 150, result


@pytest.mark.slow
def test_a_recap_of_9_5_million_ids_is_refused_unread(sqlite_template, tmp_path):
    content = b'{"document_ids": [' + b"1," * 9_500_000 + b"1]}"

    result = probe(sqlite_template, tmp_path, "recap", content)

    assert result["status"] == 413
    assert result["growth_mb"] < 50, result


@pytest.mark.parametrize("filename", ["terkunci.xlsx", "lama.xls"])
def test_a_password_protected_or_old_excel_file_is_named_for_what_it_is(clerk, filename):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # the compound-file header Excel writes for both
    error = refused(upload(clerk, ole, filename), (0, 0))
    assert "terkunci kata sandi atau berformat .xls lama" in error["message"]
