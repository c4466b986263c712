"""The papers of a recap, a cover letter, a handover and the undelivered list, assembled from the database.

The API and the staff pages call the same functions: each returns a Paper (how to write it, its type, its file name)
for the edge to send; who may print what and which office's objects are reachable is the edge's to check.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app

from distribusi.auth.models import User
from distribusi.errors import ApiError
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.letters.models import CoverLetter
from distribusi.letters.services import signed_letter_of
from distribusi.models import CourierPartner, utcnow
from distribusi.monitoring.metrics import paper_timer
from distribusi.printing.handover_record import handover_data_of, render_handover_record
from distribusi.printing.labels import labels_of, render_labels
from distribusi.printing.layouts import Layout, LayoutError, UnknownLayout, load_layout
from distribusi.printing.letter import letter_data_of, render_letter
from distribusi.printing.office import OfficeInfo, office_info
from distribusi.printing.recap_list import RecapList, recap_list_of, render_recap_list
from distribusi.printing.sheets import MIMETYPE as XLSX, recap_xlsx, undelivered_xlsx
from distribusi.printing.undelivered import render_undelivered, undelivered_list_of
from distribusi.recap.models import Recap
from distribusi.recap.services import load_recap
from distribusi.returns.services import failure_label, undelivered_parcels
from distribusi.workflow import label

PDF = "application/pdf"
DEFAULT_LAYOUT = "a4-8"


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper ready to be written: the writer, its MIME type and the file name it is sent under."""

    write: Callable[[BinaryIO], object]
    mimetype: str
    filename: str

    def render(self) -> io.BytesIO:
        """The paper written into memory, read from its start."""
        buffer = io.BytesIO()
        with paper_timer(self.write):  # distribusi_paper_render_seconds{paper="recap_labels"...}
            self.write(buffer)
        buffer.seek(0)
        return buffer


def office_of(user: User) -> OfficeInfo:
    """What the user's office puts on paper; its own public_base_url wins over the app's PUBLIC_BASE_URL."""
    return office_info(user.office, current_app.config["PUBLIC_BASE_URL"])


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def label_layout(name: str | None) -> Layout:
    """The named label layout (the A4 sheet by default); raises ApiError 422 naming the layouts there are."""
    name = name or DEFAULT_LAYOUT
    try:
        return load_layout(name, current_app.config.get("LABELS_DIR"))
    except UnknownLayout as error:
        choices = ", ".join(error.available)
        raise ApiError(422, f"Tata letak label tidak dikenal: {name[:40]}. Pilihan: {choices}.", code="unknown_layout",
                       fields={"layout": [f"Pilih salah satu: {choices}."]}, layouts=error.available) from None
    except LayoutError as error:
        raise ApiError(422, f"Berkas tata letak {name} tidak dapat dipakai: {error}", code="invalid_layout",
                       fields={"layout": [str(error)]}) from None


def recap_labels(user: User, recap: Recap, layout_name: str | None = None) -> Paper:
    """The labels of a recap (parcels and documents loaded) on a layout; raises ApiError 422 for a bad layout."""
    layout, office = label_layout(layout_name), office_of(user)
    return Paper(lambda out: render_labels(layout, labels_of(recap), out, office_name=office.name,
                                           base_url=office.base_url, title=f"Label kiriman {recap.number}"),
                 PDF, f"label-{_slug(recap.number)}-{layout.name}.pdf")


def recap_list_data(recap: Recap) -> RecapList:
    """The recap list of a recap (parcels and documents loaded), with its partner and signed letter's number."""
    letter = signed_letter_of(recap)
    partner = db.session.get(CourierPartner, recap.courier_partner_id) if recap.courier_partner_id else None
    return recap_list_of(recap, status=label(recap.status), partner=partner.name if partner else "",
                         letter_number=letter.letter_number if letter else "")


def recap_list_pdf(user: User, recap: Recap) -> Paper:
    """The recap list as PDF."""
    office, data, now = office_of(user), recap_list_data(recap), utcnow()
    return Paper(lambda out: render_recap_list(data, office, out, printed_at=now), PDF,
                 f"rekapan-{_slug(recap.number)}.pdf")


def recap_list_xlsx(user: User, recap: Recap) -> Paper:
    """The recap list as a spreadsheet."""
    office, data = office_of(user), recap_list_data(recap)
    return Paper(lambda out: recap_xlsx(data, office, out), XLSX, f"rekapan-{_slug(recap.number)}.xlsx")


def cover_letter_pdf(user: User, letter: CoverLetter) -> Paper:
    """The cover letter as PDF: a draft before signing, with its verification QR code after."""
    load_recap(letter.recap_id)  # parcels and documents in two queries; letter.recap then comes from the session
    signer = db.session.get(User, letter.signer_id) if letter.signer_id else None
    office, now = office_of(user), utcnow()
    data = letter_data_of(letter, office, signer)
    return Paper(lambda out: render_letter(data, office, out, printed_at=now), PDF,
                 f"surat-pengantar-{_slug(letter.letter_number)}.pdf")


def handover_record_pdf(user: User, handover: Handover) -> Paper:
    """The handover record (berita acara serah terima) as PDF."""
    handed_over_by = db.session.get(User, handover.handed_over_by_id) if handover.handed_over_by_id else None
    office, now = office_of(user), utcnow()
    data = handover_data_of(handover, load_recap(handover.recap_id), office, handed_over_by)
    return Paper(lambda out: render_handover_record(data, office, out, printed_at=now), PDF,
                 f"berita-acara-{_slug(data.recap_number)}.pdf")


def undelivered_pdf(user: User) -> Paper:
    """The office's undelivered list as PDF."""
    office, now = office_of(user), utcnow()
    data = undelivered_list_of(undelivered_parcels(user), failure_label)
    return Paper(lambda out: render_undelivered(data, office, out, printed_at=now), PDF,
                 f"belum-diserahkan-{now:%Y-%m-%d}.pdf")


def undelivered_sheet(user: User) -> Paper:
    """The office's undelivered list as a spreadsheet."""
    office, now = office_of(user), utcnow()
    data = undelivered_list_of(undelivered_parcels(user), failure_label)
    return Paper(lambda out: undelivered_xlsx(data, office, out, printed_at=now), XLSX,
                 f"belum-diserahkan-{now:%Y-%m-%d}.xlsx")
