"""Spreadsheet (XLSX) exports of the recap list and the undelivered list: the rows of the PDF, one parcel a row,
with the group in columns so the sheet can be filtered, and a summary sheet of the group totals."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from distribusi.printing.data import Group, ParcelRecord, doc_type_label
from distribusi.printing.office import OfficeInfo
from distribusi.printing.recap_list import RecapList
from distribusi.printing.text import format_date_id, format_datetime_id
from distribusi.printing.undelivered import TITLE as UNDELIVERED_TITLE, UndeliveredList
from distribusi.zones import to_office_time

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
SheetColumn = tuple[str, float, Callable[[ParcelRecord, Group], Any]]

RECAP_COLUMNS: tuple[SheetColumn, ...] = (
    ("No", 6, lambda r, g: r.position),
    ("Kode Kiriman", 14, lambda r, g: r.code),
    ("Kelompok Dokumen", 20, lambda r, g: doc_type_label(r.group_doc_type)),
    ("Kecamatan", 18, lambda r, g: r.kecamatan),
    ("Nama Penerima", 30, lambda r, g: r.recipient_name),
    ("Alamat", 45, lambda r, g: r.address),
    ("Kota", 14, lambda r, g: r.city),
    ("Telepon", 16, lambda r, g: r.phone),
    ("Jenis Dokumen", 30, lambda r, g: r.contents),
    ("Jml Dok", 8, lambda r, g: r.document_count),
    ("Serah: Paraf", 12, lambda r, g: None),
    ("Serah: Tanggal", 14, lambda r, g: None),
    ("Terima: Paraf", 12, lambda r, g: None),
    ("Terima: Tanggal", 14, lambda r, g: None),
)
UNDELIVERED_COLUMNS: tuple[SheetColumn, ...] = (
    ("No", 6, lambda r, g: r.position),
    ("Kode Kiriman", 14, lambda r, g: r.code),
    ("Alasan", 26, lambda r, g: r.failure),
    ("Kecamatan", 18, lambda r, g: r.kecamatan),
    ("Rekapan", 16, lambda r, g: r.recap_number),
    ("Nama Penerima", 30, lambda r, g: r.recipient_name),
    ("Alamat", 45, lambda r, g: r.address),
    ("Telepon", 16, lambda r, g: r.phone),
    ("Jenis Dokumen", 30, lambda r, g: r.contents),
    ("Jml Dok", 8, lambda r, g: r.document_count),
    ("Percobaan", 10, lambda r, g: r.failed_attempts),
    ("Diambil: Tanggal", 14, lambda r, g: None),
    ("Diambil: Paraf", 12, lambda r, g: None),
)


def _put(sheet: Worksheet, row: int, column: int, value: Any):
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # a name or street starting with '=' stays text, never a formula
    return cell


def _table(sheet: Worksheet, title_lines: Sequence[str], columns: Sequence[SheetColumn],
           groups: Sequence[Group]) -> None:
    for index, line in enumerate(title_lines, start=1):
        _put(sheet, index, 1, line).font = Font(bold=index == 1, size=13 if index == 1 else 11)
    header_row = len(title_lines) + 2
    for column, (title, width, _value) in enumerate(columns, start=1):
        cell = _put(sheet, header_row, column, title)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    row = header_row
    for group in groups:
        for parcel in group.rows:
            row += 1
            for column, (_title, _width, value) in enumerate(columns, start=1):
                _put(sheet, row, column, value(parcel, group))
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{max(row, header_row)}"


def _summary(book: Workbook, heading: str, groups: Sequence[Group]) -> None:
    sheet = book.create_sheet("Ringkasan")
    for column, (title, width) in enumerate(((heading, 28), ("Kecamatan", 20), ("Kiriman", 10), ("Dokumen", 10)),
                                            start=1):
        cell = _put(sheet, 1, column, title)
        cell.font, cell.fill = BOLD, HEADER_FILL
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row, group in enumerate(groups, start=2):
        for column, value in enumerate((group.heading, group.kecamatan, group.parcel_count, group.document_count),
                                       start=1):
            _put(sheet, row, column, value)
    total = len(groups) + 2
    for column, value in enumerate(("Jumlah seluruhnya", None, sum(g.parcel_count for g in groups),
                                    sum(g.document_count for g in groups)), start=1):
        _put(sheet, total, column, value).font = BOLD


def recap_xlsx(data: RecapList, office: OfficeInfo, out: BinaryIO) -> None:
    """Write the recap list as an XLSX workbook to out."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Daftar Rekapan"
    lines = ["DAFTAR REKAPAN DOKUMEN KEPENDUDUKAN", office.name,
             f"Nomor {data.number} · Tanggal {format_date_id(to_office_time(data.created_at, office.zone))} · "
             f"Status: {data.status}"]
    if data.partner:
        lines.append(f"Mitra kurir: {data.partner}")
    _table(sheet, lines, RECAP_COLUMNS, data.groups)
    _summary(book, "Kelompok Dokumen", data.groups)
    book.save(out)


def undelivered_xlsx(data: UndeliveredList, office: OfficeInfo, out: BinaryIO, *, printed_at: datetime) -> None:
    """Write the undelivered list as an XLSX workbook to out."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Belum Diserahkan"
    _table(sheet, [UNDELIVERED_TITLE, office.name, f"Per {format_datetime_id(printed_at, office.zone)}"],
           UNDELIVERED_COLUMNS, data.groups)
    _summary(book, "Alasan", data.groups)
    book.save(out)
