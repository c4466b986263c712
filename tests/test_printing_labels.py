"""Parcel labels: every QR code and barcode scans from a 200 dpi rendering, long text stays in its box, no NIK."""
from __future__ import annotations

import io

import pytest

from distribusi.printing.data import DocumentLine, ParcelRecord
from distribusi.printing.labels import render_labels, tracking_url
from distribusi.printing.layouts import TEXT_FIELDS, load_layout
from distribusi.recap.codes import new_code

from flow import submitted_recap
from test_printing_support import (
    contents_of, flat, glyph_boxes, page_count, pdf_text, personal_numbers, scanned, staff, text_in,
)

__all__ = ["staff"]  # the fixture, imported for pytest
LAYOUTS = ["a4-8", "thermal-100x150"]
BASE = "https://distribusi.test"
LONG_NAME = ("Hj. Raden Ayu Siti Nurhaliza Désirée Ma'ruf binti Abdullah Syahputra Nasution " * 3)[:200]
LONG_STREET = ("Jl. Letnan Jenderal Soeprapto Gang Kenanga Ujung Belakang Masjid Raya An-Nur Nomor 1234 " * 4)[:300]


def owned(*pairs: tuple[str, str]) -> tuple[DocumentLine, ...]:
    return tuple(DocumentLine(doc_type, owner) for doc_type, owner in pairs)


HOUSEHOLD = owned(("KK", "Andi Ma'ruf"), ("KTP_EL", "Andi Ma'ruf"), ("KIA", "Rizky Pratama"))


def label(position: int = 1, count: int = 8, **changes) -> ParcelRecord:
    values = dict(
        tracking_code=new_code(), recipient_name="Andi Ma'ruf", street="Jl. Sudirman No. 12", rt="001", rw="002",
        kelurahan="Kampung Melayu", kecamatan="Sukajadi", city="Pekanbaru", postal_code="28122",
        phone="081234567890", documents=HOUSEHOLD, recap_number="RKP/2026/0001", position=position,
        parcel_count=count,
    )
    return ParcelRecord(**{**values, **changes})


def render(layout_name: str, labels: list[ParcelRecord], office: str = "Dinas Kependudukan dan Pencatatan Sipil") -> bytes:
    out = io.BytesIO()
    render_labels(load_layout(layout_name), labels, out, office_name=office, base_url=BASE)
    return out.getvalue()


@pytest.mark.parametrize("layout_name", LAYOUTS)
def test_long_name_and_address_stay_inside_their_boxes(layout_name):
    layout = load_layout(layout_name)
    labels = [label(i, layout.per_page, recipient_name=LONG_NAME, street=LONG_STREET,
                    kelurahan="Tangkerang Labuai Selatan Ujung " * 3, kecamatan="Marpoyan Damai Raya " * 4,
                    documents=owned(*[(t, f"{LONG_NAME[:60]} {n}") for n in range(3) for t in
                                      ("KK", "KTP_EL", "KIA", "AKTA_KELAHIRAN", "AKTA_KEMATIAN", "AKTA_PERKAWINAN")]))
              for i in range(1, layout.per_page + 1)]
    data = render(layout_name, labels, office="Dinas Kependudukan dan Pencatatan Sipil Kabupaten " * 3)
    boxes = [(x + f.x, y + f.y, x + f.x + f.width, y + f.top)
             for x, y in layout.cells() for name, f in layout.fields.items() if name in TEXT_FIELDS]
    glyphs = glyph_boxes(data)
    assert len(glyphs) > 100 * layout.per_page
    tolerance = 0.3
    for char, (left, bottom, right, top) in glyphs:
        centre = ((left + right) / 2, (bottom + top) / 2)
        home = [b for b in boxes if b[0] <= centre[0] <= b[2] and b[1] <= centre[1] <= b[3]]
        assert home, f"{char!r} at {centre} is in no field box"
        b = home[0]
        assert b[0] - tolerance <= left and right <= b[2] + tolerance and b[1] - tolerance <= bottom \
            and top <= b[3] + tolerance, f"{char!r} {left, bottom, right, top} leaves its box {b}"
    for x, y in layout.cells():
        recipient = layout.fields["recipient"]
        shown = text_in(data, (x + recipient.x, y + recipient.y, x + recipient.x + recipient.width, y + recipient.top))
        assert shown.startswith("Hj. Raden Ayu") and shown.endswith("…")
    assert scanned(data)[0] == {("qr", tracking_url(BASE, item.tracking_code)) for item in labels} \
        | {("code128", item.tracking_code) for item in labels}


@pytest.mark.parametrize("layout_name", LAYOUTS)
def test_names_print_as_written(layout_name):
    names = ["Andi Ma'ruf", "Désirée Siregar", "Nguyễn Thị Ánh", "Ömer Çelik Şahin"]
    data = render(layout_name, [label(i, 4, recipient_name=name) for i, name in enumerate(names, start=1)])
    text = pdf_text(data)
    for name in names:
        assert name in text
    assert "Kiriman 1 dari 4" in text and "Kiriman 4 dari 4" in text
    assert "Dokumen: KK, KTP-el a.n. Andi Ma'ruf; KIA a.n. Rizky Pratama" in text


BIG_HOUSEHOLD = owned(("KK", "Hendra Kurniawan Syahputra"), ("KTP_EL", "Hendra Kurniawan Syahputra"),
                      ("KTP_EL", "Rahmawati Handayani Lubis"), ("KIA", "Rizky Pratama Syahputra"),
                      ("KIA", "Putri Wulandari Syahputra"), ("AKTA_KELAHIRAN", "Intan Maya Syahputra"))


@pytest.mark.parametrize("layout_name", LAYOUTS)
def test_a_household_of_six_shows_whose_each_document_is(layout_name):
    text = pdf_text(render(layout_name, [label(documents=BIG_HOUSEHOLD)]))
    assert ("Dokumen: KK, KTP-el a.n. Hendra Kurniawan Syahputra; KTP-el a.n. Rahmawati Handayani Lubis; "
            "KIA a.n. Rizky Pratama Syahputra; KIA a.n. Putri Wulandari Syahputra; "
            "Akta Kelahiran a.n. Intan Maya Syahputra") in text
    assert "…" not in text


def test_one_owner_s_repeated_type_is_counted():
    text = pdf_text(render("a4-8", [label(documents=owned(("AKTA_KELAHIRAN", "Siti Aminah"),
                                                          ("AKTA_KELAHIRAN", "siti  aminah"), ("KIA", "")))]))
    assert "Dokumen: Akta Kelahiran (2) a.n. Siti Aminah; KIA" in text


def test_owners_too_many_for_the_box_give_way_to_counted_types():
    crowd = owned(*[("KTP_EL", f"{LONG_NAME[:50]} {n}") for n in range(8)], ("KK", LONG_NAME))
    text = pdf_text(render("a4-8", [label(documents=crowd)]))
    assert "Dokumen: KTP-el (8), KK" in text and "a.n." not in text


@pytest.mark.parametrize("layout_name", LAYOUTS)
def test_every_label_of_a_recap_scans_back_to_its_code(staff, documents, layout_name):
    recap = submitted_recap(staff.clerk, documents, count=18)
    parcels = recap["parcels"]
    response = staff.clerk.get(f"/api/v1/recaps/{recap['id']}/labels.pdf?layout={layout_name}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'inline; filename=label-RKP-{recap["number"][4:8]}-' \
        f'{recap["number"][-4:]}-{layout_name}.pdf'
    assert response.headers["Cache-Control"] == "no-store"
    pages = scanned(response.data)
    per_page = load_layout(layout_name).per_page
    assert len(pages) == -(-len(parcels) // per_page)
    for number, page in enumerate(pages):  # each label on its page, in recap order
        on_page = parcels[number * per_page:(number + 1) * per_page]
        assert page == {("qr", f"{BASE}/k/{p['tracking_code']}") for p in on_page} \
            | {("code128", p["tracking_code"]) for p in on_page}

    text = pdf_text(response.data)
    for parcel in parcels:
        assert parcel["tracking_code_display"] in text
        assert flat(parcel["recipient_name"]) in text
        assert parcel["phone"] in text
        assert f"Dokumen: {contents_of(parcel)}" in text
    assert any(d["owner_name"] != p["recipient_name"] for p in parcels for d in p["documents"])
    assert f"Rekapan {recap['number']} · Kiriman 1 dari {len(parcels)}" in text
    assert "Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru" in text
    leaked = [number for number in personal_numbers() if number in text]
    assert leaked == []


def test_labels_point_to_the_office_base_url(staff, documents):
    base = "https://dukcapil.pekanbaru.go.id/distribusi"
    assert staff.admin.put("/api/v1/admin/office", json={"public_base_url": base}).status_code == 200
    recap = submitted_recap(staff.clerk, documents, count=4)
    response = staff.clerk.get(f"/api/v1/recaps/{recap['id']}/labels.pdf?layout=thermal-100x150")
    found = {t for page in scanned(response.data) for kind, t in page if kind == "qr"}
    assert found == {f"{base}/k/{p['tracking_code']}" for p in recap["parcels"]}


def test_the_default_layout_is_the_a4_sheet(staff, documents):
    recap = submitted_recap(staff.clerk, documents, count=2)
    response = staff.clerk.get(f"/api/v1/recaps/{recap['id']}/labels.pdf")
    assert response.status_code == 200 and page_count(response.data) == 1
    assert response.headers["Content-Disposition"].endswith("-a4-8.pdf")


@pytest.mark.parametrize("name", ["a5-99", "../labels/a4-8", "x" * 300])
def test_an_unknown_layout_is_422_listing_the_layouts(staff, documents, name):
    recap = submitted_recap(staff.clerk, documents, count=2)
    response = staff.clerk.get(f"/api/v1/recaps/{recap['id']}/labels.pdf", query_string={"layout": name})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "unknown_layout"
    assert {"a4-8", "thermal-100x150"} <= set(error["layouts"])
    assert "a4-8" in error["message"] and "thermal-100x150" in error["message"]
