"""Printed papers: labels, recap list (PDF and XLSX), cover letter, handover record, undelivered list."""
from __future__ import annotations

from flask import send_file
from marshmallow import fields

from distribusi.api import bp
from distribusi.api.access import api_route, current_user, get_in_office, load_query
from distribusi.api.recaps import recap_in_office
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.letters.models import CoverLetter
from distribusi.printing import services
from distribusi.printing.services import PDF, XLSX, Paper
from distribusi.privacy.access import record_parcel_read
from distribusi.returns.services import undelivered_parcels
from distribusi.schemas import BaseSchema


class LabelsQuery(BaseSchema):
    layout = fields.String(load_default=services.DEFAULT_LAYOUT)


def _send(paper: Paper, parcels=None, purpose: str | None = None, context: str | None = None):
    """Write the paper into memory and send it; PDFs open in the browser to print, spreadsheets download.

    A paper carrying citizens' data (its parcels given) is recorded as a read of every document in it (UU PDP)."""
    buffer = paper.render()
    if purpose is not None:
        record_parcel_read(current_user(), purpose, parcels, context)
        db.session.commit()
    response = send_file(buffer, mimetype=paper.mimetype, download_name=paper.filename,
                         as_attachment=paper.mimetype != PDF, max_age=0)
    response.headers["Cache-Control"] = "no-store"  # personal data: no copies in browser or proxy caches
    return response


@api_route(bp, "/recaps/<int:recap_id>/labels.pdf", verb="print_papers", query=LabelsQuery,
           summary="Label kiriman (PDF) dengan tata letak dari labels/; ?layout=a4-8 atau thermal-100x150", response=PDF)
def recap_labels(recap_id: int):
    layout, recap = load_query(LabelsQuery())["layout"], recap_in_office(recap_id)
    return _send(services.recap_labels(current_user(), recap, layout), recap.parcels, "labels_print", recap.number)


@api_route(bp, "/recaps/<int:recap_id>/recap.pdf", verb="print_papers", summary="Daftar rekapan (PDF)", response=PDF)
def recap_pdf(recap_id: int):
    recap = recap_in_office(recap_id)
    return _send(services.recap_list_pdf(current_user(), recap), recap.parcels, "recap_print", recap.number)


@api_route(bp, "/recaps/<int:recap_id>/recap.xlsx", verb="print_papers", summary="Daftar rekapan (XLSX)", response=XLSX)
def recap_sheet(recap_id: int):
    recap = recap_in_office(recap_id)
    return _send(services.recap_list_xlsx(current_user(), recap), recap.parcels, "recap_export", recap.number)


@api_route(bp, "/cover-letters/<int:letter_id>/letter.pdf", verb="print_papers",
           summary="Surat pengantar (PDF): DRAF sebelum ditandatangani, dengan QR verifikasi sesudahnya", response=PDF)
def letter_pdf(letter_id: int):
    return _send(services.cover_letter_pdf(current_user(), get_in_office(CoverLetter, letter_id)))


@api_route(bp, "/handovers/<int:handover_id>/record.pdf", verb="print_papers",
           summary="Berita acara serah terima (PDF)", response=PDF)
def handover_record(handover_id: int):
    return _send(services.handover_record_pdf(current_user(), get_in_office(Handover, handover_id)))


@api_route(bp, "/undelivered.pdf", verb="print_papers", summary="Daftar dokumen yang belum diserahkan (PDF)", response=PDF)
def undelivered_pdf():
    return _send(services.undelivered_pdf(current_user()), undelivered_parcels(current_user()), "undelivered_print")


@api_route(bp, "/undelivered.xlsx", verb="print_papers", summary="Daftar dokumen yang belum diserahkan (XLSX)", response=XLSX)
def undelivered_sheet():
    return _send(services.undelivered_sheet(current_user()), undelivered_parcels(current_user()), "undelivered_export")
