"""Parcel labels: one per parcel, placed cell by cell on the layout's grid, streamed page after page."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from reportlab.pdfgen.canvas import Canvas

from distribusi.printing import codes
from distribusi.printing.data import documents_text
from distribusi.printing.fitting import draw_fitted, fit
from distribusi.printing.fonts import font_name, register_fonts
from distribusi.printing.layouts import TEXT_FIELDS, FieldBox, Layout, label_positions
from distribusi.recap.codes import display


@dataclass(frozen=True, slots=True)
class LabelData:
    """What a label shows of one parcel: never a NIK, KK or document number."""

    tracking_code: str
    recipient_name: str
    street: str
    rt: str
    rw: str
    kelurahan: str
    kecamatan: str
    city: str
    postal_code: str
    phone: str
    doc_types: tuple[str, ...]
    recap_number: str
    position: int
    parcel_count: int

    @property
    def address(self) -> str:
        rt_rw = f"RT {self.rt}/RW {self.rw}" if self.rt or self.rw else ""
        city = " ".join(p for p in (self.city, self.postal_code) if p)
        parts = [self.street, rt_rw, f"Kel. {self.kelurahan}" if self.kelurahan else "",
                 f"Kec. {self.kecamatan}" if self.kecamatan else "", city]
        return ", ".join(p for p in parts if p)


def labels_of(recap) -> Iterator[LabelData]:
    """LabelData of every parcel of a recap (parcels and documents loaded), in recap order."""
    total = len(recap.parcels)
    for parcel in recap.parcels:
        yield LabelData(
            tracking_code=parcel.tracking_code, recipient_name=parcel.recipient_name, street=parcel.street,
            rt=parcel.rt, rw=parcel.rw, kelurahan=parcel.kelurahan, kecamatan=parcel.kecamatan, city=parcel.city,
            postal_code=parcel.postal_code, phone=parcel.phone,
            doc_types=tuple(d.doc_type for d in parcel.documents), recap_number=recap.number,
            position=parcel.position, parcel_count=total,
        )


def field_texts(label: LabelData, office_name: str) -> dict[str, str]:
    """The text of each text field of a label, as printed."""
    return {
        "office": office_name,
        "code_text": display(label.tracking_code),
        "recipient": label.recipient_name,
        "address": label.address,
        "phone": f"Telp. {label.phone}" if label.phone else "",
        "documents": f"Dokumen: {documents_text(label.doc_types)}",
        "recap": f"Rekapan {label.recap_number} · Kiriman {label.position} dari {label.parcel_count}",
    }


def tracking_url(base_url: str, tracking_code: str) -> str:
    """What a label's QR code holds: <base>/k/<code>."""
    return f"{base_url.rstrip('/')}/k/{tracking_code}"


def render_labels(layout: Layout, labels: Iterable[LabelData], out: BinaryIO, *, office_name: str, base_url: str,
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


def _draw_label(canvas: Canvas, layout: Layout, label: LabelData, x: float, y: float, base_url: str) -> None:
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
        fitted = fit(texts[name], font_name(box.bold), box.width, box.height, box.size, box.min_size, box.max_lines)
        draw_fitted(text_object, fitted, x + box.x, y + box.top, box.width, box.align)
    canvas.drawText(text_object)
    qr: FieldBox = layout.fields["qr"]
    codes.draw_qr(canvas, tracking_url(base_url, label.tracking_code), x + qr.x, y + qr.y, qr.width, dot=layout.dot)
    bar: FieldBox = layout.fields["barcode"]
    codes.draw_code128(canvas, label.tracking_code, x + bar.x, y + bar.y, bar.width, bar.height, dot=layout.dot)
