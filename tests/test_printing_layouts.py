"""Label layouts are data: the shipped files load and fit their pages, bad files are refused with a reason."""
import json
from itertools import islice

import pytest
from reportlab.lib.units import mm

from distribusi.printing.layouts import (
    FIELDS, LABELS_DIR, LayoutError, UnknownLayout, available_layouts, label_positions, load_layout, parse_layout,
)


def test_shipped_layouts_are_listed():
    assert {"a4-8", "thermal-100x150"} <= set(available_layouts())


@pytest.mark.parametrize("name", ["a4-8", "thermal-100x150"])
def test_every_field_box_lies_inside_the_label(name):
    layout = load_layout(name)
    assert set(layout.fields) == set(FIELDS)
    for box in layout.fields.values():
        assert 0 <= box.x and box.x + box.width <= layout.label_width + 0.01, box.name
        assert 0 <= box.y and box.top <= layout.label_height + 0.01, box.name


def test_a4_sheet_is_two_by_four_labels_of_100_by_70_mm():
    layout = load_layout("a4-8")
    assert (round(layout.page_width / mm), round(layout.page_height / mm)) == (210, 297)
    assert (layout.columns, layout.rows, layout.per_page) == (2, 4, 8)
    assert (round(layout.label_width / mm), round(layout.label_height / mm)) == (100, 70)


def test_thermal_is_one_100_by_150_mm_label_a_page():
    layout = load_layout("thermal-100x150")
    assert (round(layout.page_width / mm), round(layout.page_height / mm)) == (100, 150)
    assert layout.per_page == 1


def test_positions_walk_the_grid_row_by_row_then_start_a_new_page():
    layout = load_layout("a4-8")
    positions = list(islice(label_positions(layout), 17))
    assert [new_page for new_page, _x, _y in positions] == [True] + [False] * 7 + [True] + [False] * 7 + [True]
    first_page = [(x, y) for _new, x, y in positions[:8]]
    assert first_page == list(layout.cells())
    assert first_page[0][1] == first_page[1][1] > first_page[2][1]  # left, right, then the next row down
    assert first_page[0][0] < first_page[1][0]
    for x, y in first_page:
        assert 0 <= x and x + layout.label_width <= layout.page_width + 0.01
        assert 0 <= y and y + layout.label_height <= layout.page_height + 0.01
    assert positions[8][1:] == positions[0][1:]


def _layout_data(**changes) -> dict:
    data = json.loads((LABELS_DIR / "a4-8.json").read_text(encoding="utf-8"))
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for key in parents:
            target = target[key]
        if value is None:
            del target[last]
        else:
            target[last] = value
    return data


@pytest.mark.parametrize(("changes", "reason"), [
    ({"fields__qr": None}, "qr"),
    ({"fields__recipient__width": 99}, "keluar dari label"),
    ({"grid__columns": 3}, "lebih besar dari halaman"),
    ({"fields__stamp": {"x": 1, "y": 1, "width": 5, "height": 5}}, "tidak dikenal"),
    ({"label__width": "seratus"}, "label.width"),
    ({"fields__office__align": "justify"}, "align"),
])
def test_bad_layouts_are_refused_with_a_reason(changes, reason):
    with pytest.raises(LayoutError, match=reason):
        parse_layout("x", _layout_data(**changes))


def test_a_new_sticker_sheet_is_a_new_file_json_or_toml(tmp_path):
    (tmp_path / "a4-8.json").write_text(json.dumps(_layout_data()), encoding="utf-8")
    toml = ['page = { width = 210, height = 297 }', 'margin = { left = 5, top = 13.5 }',
            'grid = { columns = 3, rows = 5, gap_x = 0 }', 'label = { width = 66, height = 54 }', "[fields]"]
    toml += [f'{name} = {{ x = 2, y = {2 + i * 5.5}, width = 40, height = 5, size = 7 }}'
             for i, name in enumerate(["office", "code_text", "recipient", "address", "phone", "documents", "recap"])]
    toml += ["qr = { x = 43, y = 2, size = 21 }", "barcode = { x = 2, y = 41, width = 62, height = 10 }"]
    (tmp_path / "a4-15.toml").write_text("\n".join(toml), encoding="utf-8")
    assert available_layouts(tmp_path) == ["a4-15", "a4-8"]
    assert load_layout("a4-15", tmp_path).per_page == 15


@pytest.mark.parametrize("name", ["a5-4", "../labels/a4-8", "a4-8.json", "", "A4-8"])
def test_unknown_or_unsafe_names_list_what_there_is(name):
    with pytest.raises(UnknownLayout) as raised:
        load_layout(name)
    assert "a4-8" in raised.value.available and "thermal-100x150" in raised.value.available
