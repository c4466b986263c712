"""Reading the day's export (CSV or XLSX) into rows with the row numbers the user sees."""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from itertools import islice
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


MAX_COLUMNS = 64  # columns read from a row; the import uses 15, an export may carry a few more
MAX_RECORD_CHARS = 64 * 1024  # characters in one CSV record (a real row is well under 1,000)
MAX_XLSX_SHEET_BYTES = 128 * 1024 * 1024  # uncompressed worksheet XML; a full 50,000-row export is about 50 MB
MAX_XLSX_PART_BYTES = 48 * 1024 * 1024  # any other part (shared strings, styles), read whole by openpyxl
MAX_XLSX_UNSIZED_SHEET_BYTES = 24 * 1024 * 1024  # a sheet without <dimension> is read twice by openpyxl (about 5 s here)
XLSX_HEAD_BYTES = 64 * 1024  # where a sheet's <dimension> is, before <sheetData>
READ_CHUNK = 1024 * 1024


OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_rows(filename: str, content: bytes, max_rows: int) -> list[ParsedRow]:
    """Rows of a CSV or XLSX file keyed by column name, read as a stream; raises FileRefused for an unreadable file.

    Reading stops at the first row past the limit, so an oversized file costs no more than an allowed one.
    """
    if not content or content.isspace():
        raise FileRefused("Berkas kosong.")
    name = (filename or "").lower()
    if content[:4] == b"PK\x03\x04":
        if not name.endswith(".xlsx"):
            raise FileRefused("Jenis berkas tidak didukung. Unggah berkas .csv atau .xlsx.")
        table = _xlsx_table(content)
    elif content[:8] == OLE_SIGNATURE and name.endswith((".xlsx", ".xls")):
        # Excel saves a workbook with a password (and the old .xls format) as an OLE compound file, not a zip
        raise FileRefused("Berkas Excel ini terkunci kata sandi atau berformat .xls lama. "
                          "Buka di Excel, hapus kata sandinya, lalu simpan sebagai .xlsx atau .csv.")
    elif name.endswith(".csv") or name.endswith(".txt"):
        table = _csv_table(content)
    else:
        raise FileRefused("Jenis berkas tidak didukung. Unggah berkas .csv atau .xlsx.")
    with closing(table):
        return _rows(table, max_rows)


def _csv_table(content: bytes) -> Iterator[list[str]]:
    if b"\x00" in content[:4096]:
        raise FileRefused("Berkas bukan teks CSV (berisi data biner). Simpan ulang sebagai CSV UTF-8.")
    _check_utf8(content)
    return _csv_records(io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline=""))


def _check_utf8(content: bytes) -> None:
    """Refuse a file that is not UTF-8, naming the line, without holding the decoded text."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(content)
    for start in range(0, len(content), READ_CHUNK):
        try:
            decoder.decode(view[start : start + READ_CHUNK], final=start + READ_CHUNK >= len(content))
        except UnicodeDecodeError as error:
            line = content[: max(0, start + error.start)].count(b"\n") + 1
            raise FileRefused(
                f"Berkas bukan teks UTF-8 (baris {line}). Simpan ulang dari Excel sebagai \u201cCSV UTF-8\u201d."
            ) from None


class _Lines:
    """The lines of a text stream for csv.reader, refusing a record longer than MAX_RECORD_CHARS."""

    def __init__(self, stream: io.TextIOBase):
        self.stream = stream
        self.used = 0  # characters of the record being read

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.stream.readline(MAX_RECORD_CHARS + 1)
        if not line:
            raise StopIteration
        self.used += len(line)
        if self.used > MAX_RECORD_CHARS:
            raise _RecordTooLong
        return line


class _RecordTooLong(Exception):
    pass


def _csv_records(stream: io.TextIOBase) -> Iterator[list[str]]:
    lines = _Lines(stream)
    first = lines.stream.readline(MAX_RECORD_CHARS + 1)
    delimiter = ";" if first.count(";") > first.count(",") else ","  # Excel in Indonesian locale uses ;
    lines.stream.seek(0)
    number = 0  # records read so far; the one being read is number + 1
    try:
        for number, record in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
            yield record
            lines.used = 0
    except _RecordTooLong:
        raise FileRefused(
            f"Baris {number + 1} terlalu panjang (lebih dari {MAX_RECORD_CHARS:,} karakter).".replace(",", ".")
        ) from None
    except csv.Error:
        raise FileRefused(f"Berkas CSV tidak dapat dibaca (baris {number + 1}).") from None


# SyntaxError covers the XML parsers' ParseError; RuntimeError and NotImplementedError an encrypted or oddly
# compressed part.
_XLSX_BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, OSError, TypeError, SyntaxError,
                RuntimeError, NotImplementedError)


def _xlsx_table(content: bytes) -> Iterator[tuple[Any, ...]]:
    from openpyxl import load_workbook

    _check_xlsx_sizes(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except _XLSX_BROKEN:
        raise FileRefused("Berkas XLSX rusak atau tidak dapat dibaca.") from None
    return _xlsx_records(workbook)


def _check_xlsx_sizes(content: bytes) -> None:
    """Refuse a workbook whose parts unpack to more than the limits (a zip bomb), before anything is unpacked.

    openpyxl reads a sheet without a <dimension> whole when it opens the workbook, to size it: such a sheet is
    allowed only while small.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        for part in archive.infolist():
            sheet = part.filename.startswith("xl/worksheets/")
            if part.file_size > (MAX_XLSX_SHEET_BYTES if sheet else MAX_XLSX_PART_BYTES):
                raise FileRefused("Berkas XLSX terlalu besar setelah dibuka. Bagi menjadi beberapa berkas.")
            if sheet and part.file_size > MAX_XLSX_UNSIZED_SHEET_BYTES:
                with archive.open(part) as stream:
                    if b"dimension" not in stream.read(XLSX_HEAD_BYTES).split(b"sheetData", 1)[0]:
                        raise FileRefused("Berkas XLSX tidak mencatat ukuran lembarnya. Simpan ulang dari Excel.")
    except _XLSX_BROKEN:
        raise FileRefused("Berkas XLSX rusak atau tidak dapat dibaca.") from None


def _xlsx_records(workbook) -> Iterator[tuple[Any, ...]]:
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # read every row, whatever size the file declares
        yield from sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    except _XLSX_BROKEN:
        raise FileRefused("Berkas XLSX rusak atau tidak dapat dibaca.") from None
    finally:
        workbook.close()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def _blank(raw: Sequence[Any]) -> bool:
    return not any(_cell(v).strip() for v in raw)


def _rows(table: Iterator[Sequence[Any]], max_rows: int) -> list[ParsedRow]:
    """Data rows under the header; refuses at the first non-blank row past max_rows.

    Blank rows past the limit may be a trailing tail (Excel keeps formatted empty rows), so they are skipped, up to
    as many again as the limit: a file of millions of empty lines is refused without reading it all.
    """
    header_raw = next(table, None)
    if header_raw is None or _blank(header_raw):
        if header_raw is None or all(_blank(raw) for raw in islice(table, max_rows)):
            raise FileRefused("Berkas kosong.")
        header_raw = ()
    header = [_cell(v).strip().lower().lstrip("\ufeff") for v in header_raw]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise FileRefused(
            "Kolom wajib tidak ada: " + ", ".join(missing) + ".",
            [RowError(1, column, "Kolom wajib tidak ada di baris judul.") for column in missing],
        )
    positions = {name: header.index(name) for name in COLUMNS if name in header}
    rows = []
    for number, raw in enumerate(table, start=2):
        if _blank(raw):
            if number - 1 > 2 * max_rows:
                raise FileRefused(f"Berkas berisi lebih dari {2 * max_rows} baris, termasuk baris kosong. "
                                  "Hapus baris kosong di akhir berkas.")
            continue  # a blank line is not a document
        if number - 1 > max_rows:
            raise FileRefused(f"Berkas berisi lebih dari {max_rows} baris. Bagi menjadi beberapa berkas.")
        values = {name: _cell(raw[pos]) if pos < len(raw) else "" for name, pos in positions.items()}
        rows.append(ParsedRow(number, values))
    if not rows:
        raise FileRefused("Berkas hanya berisi baris judul, tanpa data.")
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
