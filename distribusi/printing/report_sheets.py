"""Report spreadsheets: one sheet per table of the report paper, figures as numbers (never text), shares as
percentages, cells over their standard filled."""
from __future__ import annotations

from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from distribusi.printing.report_pdf import ReportPaper
from distribusi.printing.sheets import HEADER_FILL, _put

OVER_FILL = PatternFill("solid", fgColor="FFD0D0")


def _sheet_title(text: str, taken: set[str]) -> str:
    name = "".join(ch for ch in text if ch not in "[]:*?/\\")[:28] or "Lembar"
    while name in taken:
        name = name[:26] + f"{len(taken)}"
    taken.add(name)
    return name


def render_report_xlsx(paper: ReportPaper, out: BinaryIO) -> None:
    """Write the report's tables to an XLSX workbook."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for section in paper.sections:
        sheet = book.create_sheet(_sheet_title(section.heading, taken))
        _put(sheet, 1, 1, _text(paper.title)).font = Font(bold=True, size=13)
        _put(sheet, 2, 1, _text(paper.subtitle))
        _put(sheet, 3, 1, _text(section.heading)).font = Font(bold=True)
        header = 5
        for column, title in enumerate(section.columns, start=1):
            cell = _put(sheet, header, column, title)
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
            sheet.column_dimensions[get_column_letter(column)].width = 38 if column == 1 else 16
        for row_index, row in enumerate(section.rows):
            for column, value in enumerate(row, start=1):
                cell = _put(sheet, header + 1 + row_index, column, _value(value))
                if isinstance(value, float):
                    cell.number_format = "0.00"
                if (row_index, column - 1) in section.over:
                    cell.fill = OVER_FILL
        if section.note:
            _put(sheet, header + 2 + len(section.rows), 1, section.note)
        sheet.freeze_panes = sheet.cell(row=header + 1, column=2)
    book.save(out)


def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, str):
        return _text(value)
    return value


def _text(value: str) -> str:
    """Text without the control characters a worksheet cannot hold (a name may carry them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)
