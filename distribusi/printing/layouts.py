"""Label layouts: data files in labels/ (JSON or TOML) giving page, grid, label size and each field's box, in mm."""
from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm

LABELS_DIR = Path(__file__).resolve().parents[2] / "labels"
SUFFIXES = (".json", ".toml")
TEXT_FIELDS = ("office", "code_text", "recipient", "address", "phone", "documents", "recap")
CODE_FIELDS = ("qr", "barcode")
FIELDS = TEXT_FIELDS + CODE_FIELDS
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class LayoutError(ValueError):
    """A layout file that cannot be used: missing field, box outside the label, grid larger than the page."""


class UnknownLayout(LookupError):
    """No layout file of that name; `available` lists the names there are."""

    def __init__(self, name: str, available: list[str]):
        super().__init__(name)
        self.name = name
        self.available = available


@dataclass(frozen=True, slots=True)
class FieldBox:
    """A field's box in points, relative to the label's lower-left corner, with its text style."""

    name: str
    x: float
    y: float
    width: float
    height: float
    size: float = 8.0
    min_size: float = 6.0
    bold: bool = False
    align: str = "left"
    max_lines: int | None = None

    @property
    def top(self) -> float:
        return self.y + self.height


@dataclass(frozen=True, slots=True)
class Layout:
    """A sheet of labels: page size, grid, label size and field boxes, all in points."""

    name: str
    title: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    margin_left: float
    margin_top: float
    gap_x: float
    gap_y: float
    dot: float | None
    outline: bool
    fields: dict[str, FieldBox]
    rules: tuple[tuple[float, float, float, float], ...]

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def cells(self) -> Iterator[tuple[float, float]]:
        """Lower-left corners of the labels on one page, row by row from the top, left to right."""
        for row in range(self.rows):
            y = self.page_height - self.margin_top - (row + 1) * self.label_height - row * self.gap_y
            for column in range(self.columns):
                yield self.margin_left + column * (self.label_width + self.gap_x), y


def label_positions(layout: Layout) -> Iterator[tuple[bool, float, float]]:
    """Endless (new_page, x, y) for successive labels: the grid cell by cell, page after page."""
    cells = list(layout.cells())
    while True:
        for index, (x, y) in enumerate(cells):
            yield index == 0, x, y


def available_layouts(directory: Path | None = None) -> list[str]:
    """Names of the layout files, sorted."""
    folder = Path(directory or LABELS_DIR)
    return sorted({p.stem for p in folder.iterdir() if p.suffix in SUFFIXES and _NAME.match(p.stem)}) \
        if folder.is_dir() else []


def load_layout(name: str, directory: Path | None = None) -> Layout:
    """The named layout; raises UnknownLayout when there is no such file, LayoutError when it is malformed."""
    folder = Path(directory or LABELS_DIR)
    if _NAME.match(name or ""):
        for suffix in SUFFIXES:
            path = folder / f"{name}{suffix}"
            if path.is_file():
                return parse_layout(name, _read(path))
    raise UnknownLayout(name, available_layouts(folder))


def _read(path: Path) -> dict[str, Any]:
    try:
        if path.suffix == ".toml":
            return tomllib.loads(path.read_text(encoding="utf-8"))
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise LayoutError(f"{path.name}: {error}") from error


def _number(data: dict[str, Any], key: str, where: str, default: float | None = None, minimum: float = 0) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise LayoutError(f"{where}.{key} harus angka ≥ {minimum} (mm)")
    return float(value)


def parse_layout(name: str, data: dict[str, Any]) -> Layout:
    """Build and check a Layout from a layout file's data; raises LayoutError."""
    page, margin, grid, label = (data.get(k) or {} for k in ("page", "margin", "grid", "label"))
    label_width = _number(label, "width", "label", minimum=10) * mm
    label_height = _number(label, "height", "label", minimum=10) * mm
    fields = {}
    for field_name, spec in (data.get("fields") or {}).items():
        if field_name not in FIELDS:
            raise LayoutError(f"fields.{field_name}: bidang tidak dikenal (pilihan: {', '.join(FIELDS)})")
        fields[field_name] = _field(field_name, spec, label_width, label_height)
    missing = [f for f in FIELDS if f not in fields]
    if missing:
        raise LayoutError(f"bidang belum diatur: {', '.join(missing)}")
    layout = Layout(
        name=name, title=str(data.get("title") or name),
        page_width=_number(page, "width", "page", minimum=10) * mm,
        page_height=_number(page, "height", "page", minimum=10) * mm,
        columns=int(_number(grid, "columns", "grid", minimum=1)), rows=int(_number(grid, "rows", "grid", minimum=1)),
        label_width=label_width, label_height=label_height,
        margin_left=_number(margin, "left", "margin", 0) * mm, margin_top=_number(margin, "top", "margin", 0) * mm,
        gap_x=_number(grid, "gap_x", "grid", 0) * mm, gap_y=_number(grid, "gap_y", "grid", 0) * mm,
        dot=(_number(data, "dot", "layout") * mm) if data.get("dot") else None,
        outline=bool(data.get("outline", False)), fields=fields,
        rules=tuple(tuple(float(v) * mm for v in rule) for rule in data.get("rules", [])),
    )
    right = layout.margin_left + layout.columns * label_width + (layout.columns - 1) * layout.gap_x
    bottom = layout.margin_top + layout.rows * label_height + (layout.rows - 1) * layout.gap_y
    if right > layout.page_width + 0.01 or bottom > layout.page_height + 0.01:
        raise LayoutError("grid label lebih besar dari halaman")
    for rule in layout.rules:
        if len(rule) != 4:
            raise LayoutError("rules: setiap garis [x1, y1, x2, y2] dalam mm")
    return layout


def _field(name: str, spec: dict[str, Any], label_width: float, label_height: float) -> FieldBox:
    where = f"fields.{name}"
    x, top = _number(spec, "x", where) * mm, _number(spec, "y", where) * mm
    if name == "qr":
        width = height = _number(spec, "size", where, minimum=10) * mm
    else:
        width, height = _number(spec, "width", where, minimum=1) * mm, _number(spec, "height", where, minimum=1) * mm
    if x + width > label_width + 0.01 or top + height > label_height + 0.01:
        raise LayoutError(f"{where}: kotak keluar dari label")
    align = spec.get("align", "left")
    if align not in ("left", "center", "right"):
        raise LayoutError(f"{where}.align: left, center atau right")
    size = _number(spec, "size", where, 8, minimum=4) if name != "qr" else 0.0
    max_lines = spec.get("max_lines")
    return FieldBox(
        name=name, x=x, y=label_height - top - height, width=width, height=height, size=size,
        min_size=min(size, _number(spec, "min_size", where, min(size, 6), minimum=4)) if name != "qr" else 0.0,
        bold=bool(spec.get("bold", False)), align=align, max_lines=int(max_lines) if max_lines else None,
    )
