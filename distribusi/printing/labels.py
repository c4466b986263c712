"""Parcel labels: one per parcel, placed cell by cell on the layout's grid, streamed page after page."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from reportlab.pdfgen.canvas import Canvas

from distribusi.printing import codes
from distribusi.printing.data import ParcelRecord, documents_text, parcel_record
from distribusi.printing.fitting import ELLIPSIS, Fitted, draw_fitted, fit
from distribusi.printing.fonts import font_name, register_fonts
from distribusi.printing.layouts import TEXT_FIELDS, FieldBox, Layout, label_positions


def labels_of(recap) -> Iterator[ParcelRecord]:
    """The record of every parcel of a recap (parcels and documents loaded), in recap order."""
    total = len(recap.parcels)
    for parcel in recap.parcels:
        yield parcel_record(parcel, parcel_count=total)


def field_texts(label: ParcelRecord, office_name: str) -> dict[str, str]:
    """The text of each text field of a label, as printed."""
    return {
        "office": office_name,
        "code_text": label.code,
        "recipient": label.recipient_name,
        "address": label.full_address,
        "phone": f"Telp. {label.phone}" if label.phone else "",
        "documents": f"Dokumen: {label.contents}",
        "recap": f"Rekapan {label.recap_number} · Kiriman {label.position} dari {label.parcel_count}",
    }


def fit_field(box: FieldBox, text: str, fallback: str = "") -> Fitted:
    """The text fitted to its box; the fallback instead when the text would be cut and a fallback is given."""
    fitted = fit(text, font_name(box.bold), box.width, box.height, box.size, box.min_size, box.max_lines)
    if fallback and fitted.lines[-1].endswith(ELLIPSIS) and not text.endswith(ELLIPSIS):
        return fit(fallback, font_name(box.bold), box.width, box.height, box.size, box.min_size, box.max_lines)
    return fitted


def tracking_url(base_url: str, tracking_code: str) -> str:
    """What a label's QR code holds: <base>/k/<code>."""
    return f"{base_url.rstrip('/')}/k/{tracking_code}"


def render_labels(layout: Layout, labels: Iterable[ParcelRecord], out: BinaryIO, *, office_name: str, base_url: str,
                  title: str = "Label kiriman", compress: bool = True) -> int:
    """Write a PDF of the labels on the layout's grid to out; returns how many labels were drawn.

    Labels are consumed one at a time from the iterable and each page is finished before the next begins.
    """
    register_fonts()
    canvas = Canvas(out, pagesize=(layout.page_width, layout.page_height), pageCompression=int(compress),
                    initialFontName=font_name(), invariant=0)
    canvas.setTitle(title)
    canvas.setAuthor(office_name)
    _static_form(canvas, layout, office_name)
    positions = label_positions(layout)
    count = 0
    for label in labels:
        new_page, x, y = next(positions)
        if new_page and count:
            canvas.showPage()
        count += 1
        _draw_label(canvas, layout, label, x, y, base_url)
    if not count:
        canvas.setFont(font_name(), 10)
        canvas.drawString(20, layout.page_height - 30, "Tidak ada kiriman.")
    canvas.showPage()
    canvas.save()
    return count


STATIC_FORM = "label-static"


def _static_form(canvas: Canvas, layout: Layout, office_name: str) -> None:
    """What every label shares (outline, rules, office name), drawn once as a form placed under each label."""
    canvas.beginForm(STATIC_FORM, lowerx=0, lowery=0, upperx=layout.label_width, uppery=layout.label_height)
    if layout.outline:
        canvas.setStrokeGray(0.75)
        canvas.setLineWidth(0.3)
        canvas.rect(0, 0, layout.label_width, layout.label_height, stroke=1, fill=0)
    if layout.rules:
        canvas.setStrokeGray(0)
        canvas.setLineWidth(0.5)
        top = layout.label_height
        canvas.lines([(x1, top - y1, x2, top - y2) for x1, y1, x2, y2 in layout.rules])
    box = layout.fields["office"]
    text_object = canvas.beginText()
    draw_fitted(text_object, fit(office_name, font_name(box.bold), box.width, box.height, box.size, box.min_size,
                                 box.max_lines), box.x, box.top, box.width, box.align)
    canvas.drawText(text_object)
    canvas.endForm()


def _draw_label(canvas: Canvas, layout: Layout, label: ParcelRecord, x: float, y: float, base_url: str) -> None:
    canvas.saveState()
    canvas.translate(x, y)
    canvas.doForm(STATIC_FORM)
    canvas.restoreState()
    texts = field_texts(label, "")
    text_object = canvas.beginText()
    for name in TEXT_FIELDS:
        if name == "office":
            continue
        box = layout.fields[name]
        # Whose documents these are, unless that would be cut short: then the types and their counts, uncut.
        fallback = f"Dokumen: {documents_text(label.doc_types)}" if name == "documents" else ""
        fitted = fit_field(box, texts[name], fallback)
        draw_fitted(text_object, fitted, x + box.x, y + box.top, box.width, box.align)
    canvas.drawText(text_object)
    qr: FieldBox = layout.fields["qr"]
    codes.draw_qr(canvas, tracking_url(base_url, label.tracking_code), x + qr.x, y + qr.y, qr.width, dot=layout.dot)
    bar: FieldBox = layout.fields["barcode"]
    codes.draw_code128(canvas, label.tracking_code, x + bar.x, y + bar.y, bar.width, bar.height, dot=layout.dot)
