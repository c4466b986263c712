"""Printed papers: labels, recap list (PDF and XLSX), cover letter, handover record, undelivered list."""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import BinaryIO

from flask import current_app, request, send_file
from marshmallow import fields

from distribusi.api import bp
from distribusi.api.access import api_route, current_user, get_in_office
from distribusi.api.recaps import recap_in_office
from distribusi.auth.models import User
from distribusi.errors import ApiError
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.letters.models import CoverLetter
from distribusi.letters.services import signed_letter_of
from distribusi.models import CourierPartner, utcnow
from distribusi.printing.handover_record import handover_data_of, render_handover_record
from distribusi.printing.labels import labels_of, render_labels
from distribusi.printing.layouts import LayoutError, UnknownLayout, load_layout
from distribusi.printing.letter import letter_data_of, render_letter
from distribusi.printing.office import OfficeInfo, office_info
from distribusi.printing.recap_list import RecapList, recap_list_of, render_recap_list
from distribusi.printing.sheets import MIMETYPE as XLSX, recap_xlsx, undelivered_xlsx
from distribusi.printing.undelivered import render_undelivered, undelivered_list_of
from distribusi.recap.services import load_recap
from distribusi.returns.services import failure_label, undelivered_parcels
from distribusi.schemas import BaseSchema
from distribusi.workflow import label

PDF = "application/pdf"
DEFAULT_LAYOUT = "a4-8"


class LabelsQuery(BaseSchema):
    layout = fields.String(load_default=DEFAULT_LAYOUT)


def _office() -> OfficeInfo:
    return office_info(current_user().office, current_app.config["PUBLIC_BASE_URL"])


def _file(write: Callable[[BinaryIO], object], mimetype: str, filename: str):
    """Render into memory and send; PDFs open in the browser to print, spreadsheets download."""
    buffer = io.BytesIO()
    write(buffer)
    buffer.seek(0)
    response = send_file(buffer, mimetype=mimetype, download_name=filename, as_attachment=mimetype != PDF,
                         max_age=0)
    response.headers["Cache-Control"] = "no-store"  # personal data: no copies in browser or proxy caches
    return response


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def _recap_list(recap) -> RecapList:
    letter = signed_letter_of(recap)
    partner = db.session.get(CourierPartner, recap.courier_partner_id) if recap.courier_partner_id else None
    return recap_list_of(recap, status=label(recap.status), partner=partner.name if partner else "",
                         letter_number=letter.letter_number if letter else "")


@api_route(bp, "/recaps/<int:recap_id>/labels.pdf", verb="print_papers", query=LabelsQuery,
           summary="Label kiriman (PDF) dengan tata letak dari labels/; ?layout=a4-8 atau thermal-100x150", response=PDF)
def recap_labels(recap_id: int):
    recap = recap_in_office(recap_id)
    name = request.args.get("layout") or DEFAULT_LAYOUT
    try:
        layout = load_layout(name, current_app.config.get("LABELS_DIR"))
    except UnknownLayout as error:
        choices = ", ".join(error.available)
        raise ApiError(422, f"Tata letak label tidak dikenal: {name[:40]}. Pilihan: {choices}.", code="unknown_layout",
                       fields={"layout": [f"Pilih salah satu: {choices}."]}, layouts=error.available) from None
    except LayoutError as error:
        raise ApiError(422, f"Berkas tata letak {name} tidak dapat dipakai: {error}", code="invalid_layout",
                       fields={"layout": [str(error)]}) from None
    office = _office()
    return _file(lambda out: render_labels(layout, labels_of(recap), out, office_name=office.name,
                                           base_url=office.base_url, title=f"Label kiriman {recap.number}"),
                 PDF, f"label-{_slug(recap.number)}-{layout.name}.pdf")


@api_route(bp, "/recaps/<int:recap_id>/recap.pdf", verb="print_papers", summary="Daftar rekapan (PDF)", response=PDF)
def recap_pdf(recap_id: int):
    recap = recap_in_office(recap_id)
    office, data = _office(), _recap_list(recap)
    return _file(lambda out: render_recap_list(data, office, out, printed_at=utcnow()), PDF,
                 f"rekapan-{_slug(recap.number)}.pdf")


@api_route(bp, "/recaps/<int:recap_id>/recap.xlsx", verb="print_papers", summary="Daftar rekapan (XLSX)", response=XLSX)
def recap_sheet(recap_id: int):
    recap = recap_in_office(recap_id)
    office, data = _office(), _recap_list(recap)
    return _file(lambda out: recap_xlsx(data, office, out), XLSX, f"rekapan-{_slug(recap.number)}.xlsx")


@api_route(bp, "/cover-letters/<int:letter_id>/letter.pdf", verb="print_papers",
           summary="Surat pengantar (PDF): DRAF sebelum ditandatangani, dengan QR verifikasi sesudahnya", response=PDF)
def letter_pdf(letter_id: int):
    letter = get_in_office(CoverLetter, letter_id)
    load_recap(letter.recap_id)  # parcels and documents in two queries; letter.recap then comes from the session
    signer = db.session.get(User, letter.signer_id) if letter.signer_id else None
    office = _office()
    data = letter_data_of(letter, office, signer)
    return _file(lambda out: render_letter(data, office, out, printed_at=utcnow()), PDF,
                 f"surat-pengantar-{_slug(letter.letter_number)}.pdf")


@api_route(bp, "/handovers/<int:handover_id>/record.pdf", verb="print_papers",
           summary="Berita acara serah terima (PDF)", response=PDF)
def handover_record(handover_id: int):
    handover = get_in_office(Handover, handover_id)
    user = db.session.get(User, handover.handed_over_by_id) if handover.handed_over_by_id else None
    office = _office()
    data = handover_data_of(handover, load_recap(handover.recap_id), office, user)
    return _file(lambda out: render_handover_record(data, office, out, printed_at=utcnow()), PDF,
                 f"berita-acara-{_slug(data.recap_number)}.pdf")


@api_route(bp, "/undelivered.pdf", verb="print_papers", summary="Daftar dokumen yang belum diserahkan (PDF)", response=PDF)
def undelivered_pdf():
    office, now = _office(), utcnow()
    data = undelivered_list_of(undelivered_parcels(current_user()), failure_label)
    return _file(lambda out: render_undelivered(data, office, out, printed_at=now), PDF,
                 f"belum-diserahkan-{now:%Y-%m-%d}.pdf")


@api_route(bp, "/undelivered.xlsx", verb="print_papers", summary="Daftar dokumen yang belum diserahkan (XLSX)", response=XLSX)
def undelivered_sheet():
    office, now = _office(), utcnow()
    data = undelivered_list_of(undelivered_parcels(current_user()), failure_label)
    return _file(lambda out: undelivered_xlsx(data, office, out, printed_at=now), XLSX,
                 f"belum-diserahkan-{now:%Y-%m-%d}.xlsx")
