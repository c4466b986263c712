"""The cover letter (Surat Pengantar): kop surat, number and date, addressee, body, signature block; a DRAF mark
before signing, the electronic-signature statement with a verification QR code after."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from distribusi.printing import codes
from distribusi.printing.data import doc_type_counts, parcel_record
from distribusi.printing.fonts import BOLD
from distribusi.printing.office import OfficeInfo, Official, official_for
from distribusi.printing.pages import BODY, BODY_LEFT, RIGHT, SMALL, build, frame_width, letterhead_flowables, para, \
    style
from distribusi.printing.text import format_date_id, format_datetime_id, format_nip, format_number_id, \
    spell_number_id

MARGINS = (25, 20, 12, 18)
HASH_SHOWN = 16


@dataclass(frozen=True, slots=True)
class LetterData:
    """A cover letter as printed; signed_at, verification_url and content_sha256 only once signed."""

    number: str
    letter_date: date
    subject: str
    partner: str
    contract_number: str
    recap_number: str
    parcel_count: int
    document_count: int
    doc_type_counts: tuple[tuple[str, int], ...]
    signer: Official | None
    status: str  # "awaiting_signature", "signed" or "rejected"
    signed_at: datetime | None = None
    verification_url: str = ""
    content_sha256: str = ""
    rejection_note: str = ""
    nature: str = "Biasa"
    attachments: int = 1

    @property
    def signed(self) -> bool:
        return self.status == "signed"


class QrCode(Flowable):
    """A vector QR code as a flowable."""

    def __init__(self, data: str, size: float):
        super().__init__()
        self.data, self.width, self.height = data, size, size

    def draw(self) -> None:
        codes.draw_qr(self.canv, self.data, 0, 0, self.width, quiet=2)


def render_letter(data: LetterData, office: OfficeInfo, out: BinaryIO, *, printed_at: datetime) -> None:
    """Write the letter PDF to out."""
    width = frame_width(A4, MARGINS)
    place = f"{office.place}, " if office.place else ""
    story: list[Flowable] = [*letterhead_flowables(office.letterhead, width), Spacer(1, 5 * mm),
                             para(f"{place}{format_date_id(data.letter_date)}", RIGHT), Spacer(1, 2 * mm)]
    story.append(_heading(data, width))
    story += [Spacer(1, 5 * mm), para("Kepada", BODY_LEFT), para(f"Yth. Pimpinan {data.partner}", BODY_LEFT),
              para("di –", BODY_LEFT), para("\u00a0\u00a0\u00a0\u00a0\u00a0Tempat", BODY_LEFT), Spacer(1, 5 * mm)]
    story += _body(data, office, width)
    story += [Spacer(1, 6 * mm), _signature(data, office, width)]

    def mark(canvas, _doc) -> None:
        if data.signed:
            return
        canvas.saveState()
        canvas.setFillGray(0.82)
        canvas.setFont(BOLD, 110)
        canvas.translate(A4[0] / 2, A4[1] / 2)
        canvas.rotate(40)
        canvas.drawCentredString(0, -30, "DRAF")
        canvas.restoreState()

    build(out, story, title=f"Surat Pengantar {data.number}", author=office.name, margins=MARGINS, on_page=mark,
          footer_left=f"Surat Pengantar {data.number} · dicetak {format_datetime_id(printed_at, office.zone)}")


def _heading(data: LetterData, width: float) -> Table:
    attachments = f"{data.attachments} ({spell_number_id(data.attachments)}) berkas"
    rows = [[para(k, BODY_LEFT), para(":", BODY_LEFT), para(v, BODY_LEFT)] for k, v in (
        ("Nomor", data.number), ("Sifat", data.nature), ("Lampiran", attachments), ("Perihal", data.subject))]
    table = Table(rows, colWidths=[24 * mm, 4 * mm, width - 28 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return table


def _body(data: LetterData, office: OfficeInfo, width: float) -> list[Flowable]:
    sender = office.name
    contract = f"Nomor {data.contract_number} " if data.contract_number else ""
    paragraphs = [
        para("Dengan hormat,", BODY_LEFT), Spacer(1, 2 * mm),
        para(f"Menindaklanjuti Perjanjian Kerja Sama {contract}tentang layanan pengantaran dokumen kependudukan "
             f"antara {sender} dan {data.partner}, bersama ini kami sampaikan dokumen kependudukan sebanyak "
             f"{format_number_id(data.parcel_count)} kiriman berisi {format_number_id(data.document_count)} dokumen "
             f"sebagaimana tercantum dalam Daftar Rekapan Nomor {data.recap_number} (terlampir), untuk diantarkan "
             "kepada penduduk yang bersangkutan.", BODY),
        Spacer(1, 2 * mm),
    ]
    if data.doc_type_counts:
        rows = [[para(f"{index}. {label}", BODY_LEFT), para(f"{format_number_id(n)} dokumen", BODY_LEFT)]
                for index, (label, n) in enumerate(data.doc_type_counts, start=1)]
        table = Table(rows, colWidths=[70 * mm, 40 * mm], hAlign="LEFT")
        table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
        paragraphs += [para("dengan rincian:", BODY_LEFT), table, Spacer(1, 2 * mm)]
    paragraphs += [
        para("Setiap kiriman berlabel kode QR dan kode kiriman; mohon setiap kiriman dipindai pada saat diterima, "
             "diantar, diserahkan kepada penduduk, atau dikembalikan ke Dinas.", BODY),
        Spacer(1, 2 * mm),
        para("Demikian disampaikan, atas perhatian dan kerja samanya diucapkan terima kasih.", BODY),
    ]
    return paragraphs


def _signature(data: LetterData, office: OfficeInfo, width: float) -> KeepTogether:
    signer = data.signer or Official(name="", position="Sekretaris")
    agency = " ".join(p for p in (office.letterhead.agency, office.region) if p).upper()
    block = [para(f"a.n. KEPALA {agency}" if agency else "a.n. KEPALA DINAS", BODY_LEFT),
             para(f"{signer.position or 'Sekretaris'},", BODY_LEFT)]
    if data.signed:
        block.append(para("Ditandatangani secara elektronik", style("esign", 9, bold=True)))
        block.append(para(f"pada {format_datetime_id(data.signed_at, office.zone)}", SMALL))
    elif data.status == "rejected":
        block.append(para("DRAF — DITOLAK" + (f": {data.rejection_note}" if data.rejection_note else ""),
                          style("rejected", 9, bold=True)))
    else:
        block.append(para("DRAF — belum ditandatangani", style("draft", 9, bold=True)))
    block.append(Spacer(1, 10 * mm if not data.signed else 3 * mm))
    block.append(para(f"<u>{escape(signer.name) or '.' * 40}</u>", style("signer", 11, bold=True), markup=True))
    if signer.rank:
        block.append(para(signer.rank, BODY_LEFT))
    block.append(para(f"NIP. {format_nip(signer.nip)}" if signer.nip else "NIP. " + "." * 30, BODY_LEFT))
    left: list[Flowable] = []
    if data.signed:
        left = [QrCode(data.verification_url, 30 * mm),
                para(f"Pindai untuk memeriksa keaslian: {data.verification_url}", style("verify", 7)),
                para(f"SHA-256 {data.content_sha256[:HASH_SHOWN]}…", style("hash", 7))]
    table = Table([[left, block]], colWidths=[width * 0.42, width * 0.58])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return KeepTogether([table])


def letter_data_of(letter, office: OfficeInfo, signer_user=None) -> LetterData:
    """LetterData of a CoverLetter; the signer is the signing user (with the secretary's rank when it is them)."""
    recap = letter.recap
    rows = [parcel_record(p) for p in recap.parcels]
    signer = official_for(office, "secretary", signer_user, "Sekretaris")
    signed = letter.status.value == "signed"
    return LetterData(
        number=letter.letter_number, letter_date=letter.letter_date, subject=letter.subject,
        partner=letter.courier_partner.name, contract_number=letter.courier_partner.contract_number or "",
        recap_number=recap.number, parcel_count=len(rows), document_count=sum(r.document_count for r in rows),
        doc_type_counts=tuple(doc_type_counts(rows)), signer=signer, status=letter.status.value,
        signed_at=letter.signed_at if signed else None,
        verification_url=f"{office.base_url}/verifikasi/{letter.verification_code}" if signed else "",
        content_sha256=letter.content_sha256 or "", rejection_note=letter.rejection_note or "",
    )
