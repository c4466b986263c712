"""What the printing tests share: text, glyph boxes and barcodes read back from rendered PDFs (pypdfium2, zxing-cpp).

Barcodes are decoded from the page rendered at 200 dpi, the way a phone camera or scanner sees print, never by
comparing with what the encoder was given.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

import openpyxl
import pypdfium2 as pdfium
import zxingcpp

DPI = 200
CODE = re.compile(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b")


@contextmanager
def opened(data: bytes) -> Iterator[pdfium.PdfDocument]:
    """A PdfDocument closed afterwards (pypdfium2 complains about documents left open)."""
    pdf = pdfium.PdfDocument(data)
    try:
        yield pdf
    finally:
        pdf.close()


def page_texts(data: bytes) -> list[str]:
    """The text of every page."""
    texts = []
    with opened(data) as pdf:
        for index in range(len(pdf)):
            page = pdf[index]
            text_page = page.get_textpage()
            texts.append(text_page.get_text_range())
            text_page.close()
            page.close()
    return texts


def flat(text: str) -> str:
    """Whitespace and line breaks collapsed, so text wrapped over lines matches as one string."""
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    """All pages' text, flattened."""
    return flat("\n".join(page_texts(data)))


KINDS = {zxingcpp.BarcodeFormat.QRCode: "qr", zxingcpp.BarcodeFormat.Code128: "code128"}


def decoded(data: bytes, dpi: int = DPI) -> list[list[tuple[str, str]]]:
    """Per page, the (kind, text) of every QR code and Code128 barcode zxing-cpp finds in the page at dpi."""
    pages = []
    with opened(data) as pdf:
        for index in range(len(pdf)):
            page = pdf[index]
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            image = bitmap.to_pil()
            found = [(KINDS[r.format], r.text) for r in zxingcpp.read_barcodes(image, formats=tuple(KINDS))]
            bitmap.close()
            page.close()
            pages.append(found)
    return pages


def scanned(data: bytes, dpi: int = DPI) -> list[set[tuple[str, str]]]:
    """Per page, what a scanner app would accept: every QR text, and every Code128 text that is a valid tracking code.

    At 200 dpi zxing-cpp now and then also reports a second, garbled reading of a barcode it has already read right
    (about one barcode in 3,000 in our runs); the app's own check character rejects those, and so do we.
    """
    from distribusi.recap.codes import normalize

    return [{(kind, text) for kind, text in page if kind == "qr" or normalize(text) == text}
            for page in decoded(data, dpi)]


def glyph_boxes(data: bytes, page_index: int = 0) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(character, (left, bottom, right, top)) of every visible character on a page, in points."""
    boxes = []
    with opened(data) as pdf:
        page = pdf[page_index]
        text_page = page.get_textpage()
        for index in range(text_page.count_chars()):
            char = text_page.get_text_range(index, 1)
            if char.strip():
                boxes.append((char, text_page.get_charbox(index)))
        text_page.close()
        page.close()
    return boxes


def text_in(data: bytes, box: tuple[float, float, float, float], page_index: int = 0) -> str:
    """The text inside a rectangle (left, bottom, right, top) of a page, flattened."""
    with opened(data) as pdf:
        page = pdf[page_index]
        text_page = page.get_textpage()
        text = text_page.get_text_bounded(*box)
        text_page.close()
        page.close()
    return flat(text)


def page_count(data: bytes) -> int:
    with opened(data) as pdf:
        return len(pdf)


def sheet_rows(data: bytes, sheet: str | None = None) -> list[dict]:
    """The rows under the header row (the first row whose first cell is 'No') as dicts."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    values = list((book[sheet] if sheet else book.active).iter_rows(values_only=True))
    header_index = next(i for i, row in enumerate(values) if row and row[0] == "No")
    header = values[header_index]
    return [dict(zip(header, row, strict=True)) for row in values[header_index + 1:]]


def test_decoding_reads_what_reportlab_draws():
    """The helper itself: a QR code and a barcode drawn by reportlab's own widgets come back out."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    widget = QrCodeWidget("https://contoh.test/k/ABC")
    drawing = Drawing(120, 120)
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, 50, 500)
    Code128("TEST123", barHeight=40, barWidth=1.2).drawOn(canvas, 50, 300)
    canvas.drawString(50, 250, "Halo dunia")
    canvas.save()
    data = out.getvalue()
    assert sorted(decoded(data)[0]) == [("code128", "TEST123"), ("qr", "https://contoh.test/k/ABC")]
    assert "Halo dunia" in pdf_text(data)


# --------------------------------------------------------------------------- fixtures for the API tests

import pytest  # noqa: E402
from types import SimpleNamespace  # noqa: E402


@pytest.fixture
def staff(login_as):
    """Clerk, kasubbag, secretary, courier and admin of an office whose letterhead and officials are set."""
    from distribusi.demo_data import PKU_SETTINGS

    admin = login_as("admin")
    response = admin.put("/api/v1/admin/office", json={key: PKU_SETTINGS[key] for key in ("letterhead", "officials")})
    assert response.status_code == 200, response.get_json()
    return SimpleNamespace(admin=admin, clerk=login_as("clerk"), kasubbag=login_as("kasubbag"),
                           secretary=login_as("secretary"), courier=login_as("courier"))


SHORT_TYPES = {"KK": "KK", "KTP_EL": "KTP-el", "KIA": "KIA", "AKTA_KELAHIRAN": "Akta Kelahiran",
               "AKTA_KEMATIAN": "Akta Kematian", "AKTA_PERKAWINAN": "Akta Perkawinan"}


def contents_of(parcel: dict) -> str:
    """What papers say a parcel (its JSON) holds, when no owner has two documents of one type: KIA a.n. Rizky."""
    owners: dict[str, list[str]] = {}
    for document in parcel["documents"]:
        owners.setdefault(document["owner_name"], []).append(SHORT_TYPES[document["doc_type"]])
    return "; ".join(f"{', '.join(types)} a.n. {owner}" for owner, types in owners.items())


def personal_numbers() -> set[str]:
    """Every NIK, KK number and document number in the database: none may appear where it must not."""
    from sqlalchemy import select

    from distribusi.extensions import db
    from distribusi.intake.models import Document

    numbers = set()
    for nik, kk, doc_number in db.session.execute(select(Document.nik, Document.kk_number, Document.doc_number)):
        numbers |= {nik, kk, doc_number}
    return numbers
