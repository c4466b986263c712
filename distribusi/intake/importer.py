"""Reading the day's export (CSV or XLSX) into rows with the row numbers the user sees."""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from distribusi.intake.models import ADDRESS_FIELDS

COLUMNS = (
    "doc_type", "doc_number", "nik", "kk_number", "owner_name", "recipient_name", "phone",
    *ADDRESS_FIELDS, "application_number",
)
REQUIRED_COLUMNS = tuple(c for c in COLUMNS if c not in ("recipient_name", "application_number"))


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class FileRefused(Exception):
    """The file as a whole cannot be read; nothing is imported."""

    message: str
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ParsedRow:
    row: int  # 1-based spreadsheet row; the header is row 1
    values: dict[str, Any]


def read_rows(filename: str, content: bytes, max_rows: int) -> list[ParsedRow]:
    """Rows of a CSV or XLSX file keyed by column name; raises FileRefused for an unreadable file."""
    if not content.strip():
        raise FileRefused("Berkas kosong.")
    name = (filename or "").lower()
    if content[:4] == b"PK\x03\x04":
        if not name.endswith(".xlsx"):
            raise FileRefused("Jenis berkas tidak didukung. Unggah berkas .csv atau .xlsx.")
        table = _xlsx_table(content)
    elif name.endswith(".csv") or name.endswith(".txt"):
        table = _csv_table(content)
    else:
        raise FileRefused("Jenis berkas tidak didukung. Unggah berkas .csv atau .xlsx.")
    return _rows(table, max_rows)


def _csv_table(content: bytes) -> list[list[Any]]:
    if b"\x00" in content[:4096]:
        raise FileRefused("Berkas bukan teks CSV (berisi data biner). Simpan ulang sebagai CSV UTF-8.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise FileRefused(
            f"Berkas bukan teks UTF-8 (baris {line}). Simpan ulang dari Excel sebagai \u201cCSV UTF-8\u201d."
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","  # Excel in Indonesian locale uses ;
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise FileRefused(f"Berkas CSV tidak dapat dibaca: {error}.") from None


def _xlsx_table(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise FileRefused("Berkas XLSX rusak atau tidak dapat dibaca.") from None
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def _rows(table: list[list[Any]], max_rows: int) -> list[ParsedRow]:
    while table and not any(_cell(v).strip() for v in table[-1]):
        table.pop()  # trailing blank lines
    if not table:
        raise FileRefused("Berkas kosong.")
    header = [_cell(v).strip().lower().lstrip("\ufeff") for v in table[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise FileRefused(
            "Kolom wajib tidak ada: " + ", ".join(missing) + ".",
            [RowError(1, column, "Kolom wajib tidak ada di baris judul.") for column in missing],
        )
    if len(table) == 1:
        raise FileRefused("Berkas hanya berisi baris judul, tanpa data.")
    if len(table) - 1 > max_rows:
        raise FileRefused(f"Berkas berisi lebih dari {max_rows} baris. Bagi menjadi beberapa berkas.")
    positions = {name: header.index(name) for name in COLUMNS if name in header}
    rows = []
    for number, raw in enumerate(table[1:], start=2):
        if not any(_cell(v).strip() for v in raw):
            continue  # a blank line in the middle is not a document
        values = {name: _cell(raw[pos]) if pos < len(raw) else "" for name, pos in positions.items()}
        rows.append(ParsedRow(number, values))
    return rows


def as_document_input(values: dict[str, Any]) -> dict[str, Any]:
    """A flat spreadsheet row in the nested shape of the JSON API."""
    data = {k: v for k, v in values.items() if k not in ADDRESS_FIELDS}
    data["address"] = {k: values.get(k, "") for k in ADDRESS_FIELDS}
    return data


def flatten_errors(messages: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, message) pairs from a marshmallow error dict, nested address fields by their column name."""
    pairs = []
    for name, value in messages.items():
        if isinstance(value, dict):
            pairs.extend(flatten_errors(value))
        else:
            for message in value if isinstance(value, list) else [value]:
                pairs.append((name, str(message)))
    return pairs
