"""The citizen's processing trail (UU PDP Pasal 32) on paper: the request, the data held, every step and every read."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from distribusi.models import ADDRESS_FIELDS
from distribusi.printing.office import OfficeInfo
from distribusi.printing.pages import BODY_LEFT, SMALL, SUBTITLE, TITLE, build, cell, frame_width, \
    letterhead_flowables, para, style, table_style
from distribusi.printing.text import format_date_id, format_datetime_id, format_number_id

MARGINS = (15, 15, 12, 18)
PAGE = landscape(A4)
WIDTH = frame_width(PAGE, MARGINS)
HEADING = style("trail-heading", 11, bold=True, space_before=8, space_after=3)
TITLE_TEXT = "JEJAK PEMROSESAN DATA PRIBADI"
NOTHING = "Tidak ada catatan."


def _person(person: dict | None) -> str:
    return f"{person['name']} ({person['role']})" if person else "Sistem"


def _address(address: dict) -> str:
    parts = {name: address.get(name) or "" for name in ADDRESS_FIELDS}
    return (f"{parts['street']} RT {parts['rt']}/RW {parts['rw']}, Kel. {parts['kelurahan']}, "
            f"Kec. {parts['kecamatan']}, {parts['city']} {parts['postal_code']}")


def _table(headers: Sequence[str], widths_mm: Sequence[float], rows: list[list[str]]) -> Flowable:
    """A ruled table whose column widths (mm) are scaled to the frame; one italic-free line when empty."""
    if not rows:
        return para(NOTHING, SMALL)
    scale = WIDTH / (sum(widths_mm) * mm)
    widths = [w * mm * scale for w in widths_mm]
    data = [[cell(h, w, bold=True) for h, w in zip(headers, widths, strict=True)]]
    data += [[cell(value, w) for value, w in zip(row, widths, strict=True)] for row in rows]
    return Table(data, colWidths=widths, repeatRows=1, style=table_style())


def _section(title: str, flowable: Flowable) -> list[Flowable]:
    return [para(title, HEADING), flowable]


def _request_lines(trail: dict[str, Any], zone, printed_at: datetime) -> list[list[str]]:
    request = trail["request"]
    return [["Nomor permintaan", f"#{request.id}"], ["NIK", trail["nik"]],
            ["Pemohon", request.requester_name], ["Nomor surat", request.letter_number],
            ["Tanggal surat", format_date_id(request.request_date)],
            ["Dicatat", format_datetime_id(request.created_at, zone)],
            ["Data per", format_datetime_id(printed_at, zone)]]


def trail_story(trail: dict[str, Any], office: OfficeInfo, printed_at: datetime) -> list[Flowable]:
    """The paper's flowables: request, data held, processing steps, messages, staff reads."""
    zone = office.zone
    when: Callable[[datetime | None], str] = lambda value: format_datetime_id(value, zone, " ") if value else "—"
    facts = Table([[cell(k, 45 * mm, bold=True), cell(v, WIDTH - 45 * mm)] for k, v in
                   _request_lines(trail, zone, printed_at)], colWidths=[45 * mm, WIDTH - 45 * mm],
                  style=table_style(8.5, 0))
    counts = (f"{format_number_id(len(trail['documents']))} dokumen, {format_number_id(len(trail['parcels']))} "
              f"kiriman, {format_number_id(len(trail['steps']))} langkah pemrosesan, "
              f"{format_number_id(len(trail['messages']))} pesan, {format_number_id(len(trail['accesses']))} "
              f"akses petugas.")
    documents = _table(
        ("Dokumen", "Nomor", "Pemilik / Penerima", "KK", "Telepon", "Alamat", "Didaftarkan"),
        (26, 36, 40, 32, 28, 60, 40),
        [[d["doc_type_label"], d["doc_number"], f"{d['owner_name']} / {d['recipient_name']}", d["kk_number"],
          d["phone"] or "—", _address(d["address"]), f"{when(d['registered_at'])} oleh {_person(d['registered_by'])}"]
         for d in trail["documents"]])
    parcels = _table(
        ("Kode kiriman", "Rekapan", "Penerima", "Telepon", "Alamat", "Isi", "Foto bukti"),
        (22, 26, 28, 22, 50, 26, 30),
        [[p["tracking_code"], p["recap_number"], p["recipient_name"], p["phone"] or "—", _address(p["address"]),
          f"{len(p['own_documents'])} dokumen Anda, {p['other_documents']} dokumen anggota keluarga lain",
          "; ".join(f"ada, {when(ph['taken_at'])}" for ph in p["photos"]) or "tidak ada"]
         for p in trail["parcels"]])
    steps = _table(("Waktu", "Objek", "Langkah", "Oleh", "Dari → Kepada"), (30, 40, 45, 40, 45),
                   [[when(s["at"]), s["subject"], s["action_label"], _person(s["actor"]),
                     " → ".join(x for x in (s["from_party"], s["to_party"]) if x) or "—"] for s in trail["steps"]])
    messages = _table(("Waktu", "Kiriman", "Pesan", "Saluran / Nomor", "Status"), (30, 25, 60, 45, 40),
                      [[when(m["at"]), m["tracking_code"], m["label"], f"{m['channel']} {m['recipient'] or ''}",
                        f"{m['status']}{' ' + when(m['sent_at']) if m['sent_at'] else ''}"] for m in trail["messages"]])
    accesses = _table(("Waktu", "Petugas", "Keperluan", "Keterangan", "Melalui"), (30, 45, 55, 50, 20),
                      [[when(a["at"]), _person(a["actor"]), a["purpose_label"], a["context"] or "—", a["channel"]]
                       for a in trail["accesses"]])
    return [
        *letterhead_flowables(office.letterhead, WIDTH), Spacer(1, 4 * mm),
        para(TITLE_TEXT, TITLE), para("Jawaban atas permintaan subjek data (UU 27/2022 Pasal 32)", SUBTITLE),
        Spacer(1, 4 * mm), facts, Spacer(1, 2 * mm), para(counts, BODY_LEFT),
        *_section("1. Dokumen yang disimpan", documents),
        *_section("2. Kiriman yang memuat dokumen tersebut", parcels),
        *_section("3. Langkah pemrosesan (pendaftaran, rekapan, surat, serah terima, pengantaran)", steps),
        *_section("4. Pesan yang dikirim", messages),
        *_section("5. Akses petugas (pencarian, kartu kendali, cetak dan unduh)", accesses),
    ]


def render_trail(trail: dict[str, Any], office: OfficeInfo, out: BinaryIO, *, printed_at: datetime) -> None:
    """Write the trail PDF to out."""
    build(out, trail_story(trail, office, printed_at), title="Jejak pemrosesan data pribadi", author=office.name,
          margins=MARGINS, pagesize=PAGE,
          footer_left=f"Jejak PDP permintaan #{trail['request'].id} · dicetak {format_datetime_id(printed_at, office.zone)}")
