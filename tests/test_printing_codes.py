"""QR codes and Code128 barcodes are drawn as vector paths and read back by a real decoder at 200 dpi."""
from __future__ import annotations

import io

import pytest
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from distribusi.printing.codes import code128_pattern, draw_code128, draw_qr, qr_matrix, qr_path
from distribusi.recap.codes import check_character, new_code

from test_printing_support import decoded


def tracking(body: str) -> str:
    return body + check_character(body)


# Leading "99" is the case python-barcode 0.16 gets wrong when it starts in charset C (it drops the pair).
CODES = [tracking("992R6DHR7"), tracking("990000000"), tracking("123456789"), tracking("ABCDEFGHJ"),
         tracking("0000ZZZZ9"), tracking("9A9A9A9A9"), tracking("99999999Z"), new_code(), new_code()]


def page_with(draw) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(210 * mm, 297 * mm), pageCompression=0)
    draw(canvas)
    canvas.save()
    return out.getvalue()


@pytest.mark.parametrize("code", CODES)
def test_code128_reads_back_as_the_tracking_code(code):
    data = page_with(lambda c: draw_code128(c, code, 20 * mm, 200 * mm, 70 * mm, 14 * mm, dot=0.125 * mm))
    assert decoded(data) == [[("code128", code)]]


@pytest.mark.parametrize("url", [
    "https://distribusi.test/k/" + new_code(),
    "http://127.0.0.1:8000/k/" + new_code(),
    "https://disdukcapil.pekanbaru.go.id/layanan/distribusi-dokumen/k/" + new_code(),
    "https://distribusi.test/verifikasi/" + "Ab-_9" * 5,
])
@pytest.mark.parametrize("size", [22, 32])
def test_qr_reads_back_as_the_url(url, size):
    data = page_with(lambda c: draw_qr(c, url, 30 * mm, 150 * mm, size * mm, dot=0.125 * mm))
    assert decoded(data) == [[("qr", url)]]


def test_codes_are_vector_paths_not_images():
    data = page_with(lambda c: (draw_qr(c, "https://distribusi.test/k/ABC", 10, 10, 100),
                                draw_code128(c, CODES[0], 10, 200, 300, 40)))
    assert b"/XObject" not in data and b"/Subtype /Image" not in data
    assert b" re" in data and b" f Q" in data


def test_the_qr_path_covers_exactly_the_dark_modules():
    matrix = qr_matrix("https://distribusi.test/k/" + CODES[0])
    size = len(matrix)
    painted = [[False] * size for _ in range(size)]
    ops = qr_path(matrix).split(" re")
    for op in filter(None, (o.strip() for o in ops)):
        x, y, width, height = map(int, op.split())
        for row in range(size - y - height, size - y):
            for column in range(x, x + width):
                assert not painted[row][column]  # no overlaps
                painted[row][column] = True
    assert painted == [[bool(m) for m in row] for row in matrix]


def test_code128_pattern_is_bars_and_spaces_from_python_barcode():
    pattern = code128_pattern(CODES[0])
    assert set(pattern) == {"0", "1"} and pattern.startswith("11010010000")  # start code B
    assert pattern.endswith("1100011101011")  # stop


def test_a_compressed_page_still_scans():
    out = io.BytesIO()
    canvas = Canvas(out, pageCompression=1)
    draw_qr(canvas, "https://distribusi.test/k/" + CODES[1], 100, 400, 90)
    canvas.save()
    assert b"/FlateDecode" in out.getvalue()
    assert decoded(out.getvalue()) == [[("qr", "https://distribusi.test/k/" + CODES[1])]]
    assert b"/ASCII85Decode" not in out.getvalue()  # binary zlib, not ASCII85 on top
