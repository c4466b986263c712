"""Long ruled tables that split page by page cheaply, and the parcel table grouped by a heading and kecamatan.

reportlab's Table re-measures every remaining row (and its spans) each time it splits, which makes a 1,000-row
table quadratic; PagedTable knows its row heights and hands each page a small Table with the header on top.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table

from distribusi.printing.data import Group, ParcelRecord
from distribusi.printing.fonts import BOLD
from distribusi.printing.pages import GROUP_SHADE, SHADE, cell, table_style
from distribusi.printing.text import format_number_id

PADDING_HEIGHT = 1.5 + 2.5  # top and bottom padding of table_style
CODE_WIDTH = 29  # mm: the widest tracking code, WWWWW-WWWWW at 7.5 pt, on one line
LEADING = 1.2


@dataclass(slots=True)
class Row:
    """Cells of one table row, its style commands with row 0 meaning this row, and its height in points."""

    cells: list[str]
    height: float
    commands: list[tuple] = field(default_factory=list)
    keep_with_next: bool = False
    continued: Row | None = None  # the row that heads a page this row starts: its group's title, '(lanjutan)'


def row(cells: list[str], size: float, commands: list[tuple] | None = None, keep_with_next: bool = False) -> Row:
    """A Row whose height follows from its tallest cell's line count."""
    lines = max(c.count("\n") + 1 for c in cells)
    return Row(cells, lines * size * LEADING + PADDING_HEIGHT, commands or [], keep_with_next)


def _shift(command: tuple, offset: int) -> tuple:
    name, (c0, r0), (c1, r1), *rest = command
    return (name, (c0, r0 + offset), (c1, r1 + offset), *rest)


class PagedTable(Flowable):
    """Header rows and body rows with known heights; splits into one Table per page, header repeated."""

    def __init__(self, header: list[Row], body: list[Row], widths: list[float], size: float):
        super().__init__()
        self.header, self.body, self.widths, self.size = header, body, widths, size
        self.width = sum(widths)
        self.header_height = sum(r.height for r in header)
        self._table: Table | None = None

    def _make(self, body: list[Row]) -> Table:
        rows = self.header + body
        commands = [_shift(c, index) for index, r in enumerate(rows) for c in r.commands]
        table = Table([r.cells for r in rows], colWidths=self.widths, rowHeights=[r.height for r in rows])
        table.setStyle(table_style(self.size, len(self.header), *commands))
        return table

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.height = self.header_height + sum(r.height for r in self.body)
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        room = avail_height - self.header_height
        count, used = 0, 0.0
        while count < len(self.body) and used + self.body[count].height <= room:
            used += self.body[count].height
            count += 1
        while count and self.body[count - 1].keep_with_next:  # no group title alone at the foot of a page
            count -= 1
        if count == 0:
            return []
        if count == len(self.body):
            return [self]
        rest = self.body[count:]
        if rest[0].continued is not None:
            rest = [rest[0].continued, *rest]
        return [self._make(self.body[:count]), PagedTable(self.header, rest, self.widths, self.size)]

    def draw(self) -> None:
        table = self._make(self.body)
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: header, width in mm, how to get a row's text, alignment, and an optional header over it."""

    title: str
    width: float
    value: Callable[[ParcelRecord], str]
    align: str = "LEFT"
    parent: str = ""


def blank(_row: ParcelRecord) -> str:
    """An empty cell, for paraf and date columns filled in by hand."""
    return ""


def header_rows(columns: Sequence[Column], size: float) -> list[Row]:
    """One header row, or two when some columns sit under a shared parent header (spans included)."""
    widths = [c.width * mm for c in columns]
    if not any(c.parent for c in columns):
        return [row([cell(c.title, w, size, bold=True) for c, w in zip(columns, widths, strict=True)], size)]
    top, bottom, commands = [], [], []
    index = 0
    while index < len(columns):
        column = columns[index]
        if not column.parent:
            top.append(cell(column.title, widths[index], size, bold=True))
            bottom.append("")
            commands.append(("SPAN", (index, 0), (index, 1)))
            index += 1
            continue
        end = index
        while end + 1 < len(columns) and columns[end + 1].parent == column.parent:
            end += 1
        top.append(cell(column.parent, sum(widths[index:end + 1]), size, bold=True))
        top.extend([""] * (end - index))
        bottom.extend(cell(c.title, w, size, bold=True)
                      for c, w in zip(columns[index:end + 1], widths[index:end + 1], strict=True))
        commands.append(("SPAN", (index, 0), (end, 0)))
        index = end + 1
    spanned = [i for i, c in enumerate(columns) if not c.parent]
    first = row([c if i not in spanned else "" for i, c in enumerate(top)], size, commands)
    second = row(bottom, size)
    first.cells = top
    needed = max(row([top[i]], size).height for i in spanned) if spanned else 0
    if first.height + second.height < needed:  # a title spanning both rows needs more than the two rows hold
        extra = (needed - first.height - second.height) / 2
        first.height += extra
        second.height += extra
    return [first, second]


def grouped_table(groups: Sequence[Group], columns: Sequence[Column], *, count_column: int, size: float = 7.5,
                  total_label: str = "Jumlah seluruhnya") -> PagedTable:
    """Header (repeated on every page), per group a title row, its parcels and a subtotal; then the overall total.

    count_column is the index of the column where group and overall document counts go.
    """
    widths = [c.width * mm for c in columns]
    last = len(columns) - 1
    label_width = sum(widths[:count_column])
    aligns = [("ALIGN", (i, 0), (i, 0), c.align) for i, c in enumerate(columns) if c.align != "LEFT"]
    body: list[Row] = []

    def total_row(text: str, count: int, shade: bool = False) -> Row:
        commands = [("SPAN", (0, 0), (count_column - 1, 0)), ("FONT", (0, 0), (-1, 0), BOLD, size),
                    ("ALIGN", (count_column, 0), (count_column, 0), "RIGHT")]
        if count_column < last:
            commands.append(("SPAN", (count_column + 1, 0), (last, 0)))
        if shade:
            commands.append(("BACKGROUND", (0, 0), (last, 0), SHADE))
        return row([cell(text, label_width, size, bold=True)] + [""] * (count_column - 1) + [format_number_id(count)]
                   + [""] * (last - count_column), size, commands)

    def title_row(text: str) -> Row:
        return row([cell(text, sum(widths), size + 0.5, bold=True)] + [""] * last, size + 0.5, [
            ("SPAN", (0, 0), (last, 0)), ("BACKGROUND", (0, 0), (last, 0), GROUP_SHADE),
            ("FONT", (0, 0), (last, 0), BOLD, size + 0.5)], keep_with_next=True)

    for group in groups:
        continued = title_row(f"{group.title} (lanjutan)")
        body.append(title_row(group.title))
        for parcel in group.rows:
            body.append(row([cell(c.value(parcel), w, size) for c, w in zip(columns, widths, strict=True)], size,
                            aligns))
            body[-1].continued = continued
        body[-1].keep_with_next = True  # a subtotal never starts a page without a row of its group
        body.append(total_row(f"Jumlah {group.title}: {format_number_id(group.parcel_count)} kiriman",
                              group.document_count))
        body[-1].continued = continued
    if body:
        body[-1].keep_with_next = True  # the overall total never starts a page alone
    parcels = sum(g.parcel_count for g in groups)
    body.append(total_row(f"{total_label}: {format_number_id(parcels)} kiriman",
                          sum(g.document_count for g in groups), shade=True))
    return PagedTable(header_rows(columns, size), body, widths, size)
