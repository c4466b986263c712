"""The clerk's two ways in: register one document by hand, import the day's CSV/XLSX export."""
from __future__ import annotations

import csv
import io

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from distribusi.auth.permissions import ensure
from distribusi.demo import document_rows
from distribusi.extensions import db
from distribusi.intake import bp, services
from distribusi.intake.importer import COLUMNS, REQUIRED_COLUMNS
from distribusi.intake.models import ADDRESS_FIELDS
from distribusi.intake.views import doc_type_options
from distribusi.printing.text import format_number_id
from distribusi.problems import Problem
from distribusi.web.pages import form_payload, refused

DOCUMENT_FIELDS = ("doc_type", "doc_number", "nik", "kk_number", "owner_name", "recipient_name", "phone",
                   "application_number")


def _document_payload() -> dict:
    """The posted form in the API's JSON shape: the address always nested, so each missing part is named."""
    payload = form_payload(*DOCUMENT_FIELDS)
    address = form_payload(*(f"address.{name}" for name in ADDRESS_FIELDS))
    payload["address"] = {name.removeprefix("address."): value for name, value in address.items()}
    return payload


def _register_page(values, errors: dict, status: int = 200):
    return render_template("intake/register.html", values=values, errors=errors,
                           doc_types=doc_type_options(current_user.office)), status


@bp.route("/baru", methods=["GET", "POST"])
@login_required
def register():
    ensure(current_user, "register_documents")
    if request.method == "GET":
        return _register_page({}, {})
    try:
        document = services.register_document(current_user, _document_payload())
    except (ValidationError, Problem) as error:
        return _register_page(request.form, refused(error), getattr(error, "status", 422))
    db.session.commit()
    flash(f"Dokumen {document.custody_label()} atas nama {document.owner_name} terdaftar.", "success")
    return redirect(url_for("intake.document", document_id=document.id))


COLUMN_LABELS = {
    "doc_type": "Jenis dokumen", "doc_number": "Nomor dokumen", "nik": "NIK, 16 angka",
    "kk_number": "Nomor KK, 16 angka", "owner_name": "Nama pemilik", "recipient_name": "Nama penerima",
    "phone": "Nomor HP", "street": "Jalan dan nomor rumah", "rt": "RT", "rw": "RW", "kelurahan": "Kelurahan",
    "kecamatan": "Kecamatan", "city": "Kota/kabupaten", "postal_code": "Kode pos, 5 angka",
    "application_number": "Nomor permohonan",
}


def _import_page(*, row_errors=(), status: int = 200):
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return render_template(
        "intake/import.html", row_errors=row_errors, columns=COLUMNS, required=REQUIRED_COLUMNS,
        labels={**COLUMN_LABELS, "doc_type": "Jenis dokumen: " + ", ".join(services.doc_types(current_user.office))},
        max_bytes=limit, max_mb=limit // (1024 * 1024),
        max_rows=current_app.config["MAX_IMPORT_ROWS"],
    ), status


@bp.route("/impor/contoh.csv")
@login_required
def import_sample():
    ensure(current_user, "register_documents")
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(document_rows(2, seed=1, prefix="CONTOH"))
    return Response(out.getvalue().encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=contoh-impor-dokumen.csv"})


@bp.route("/impor", methods=["GET", "POST"])
@login_required
def import_file():
    ensure(current_user, "register_documents")
    if request.method == "GET":
        return _import_page()
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        flash(f"Berkas terlalu besar (paling besar {limit // (1024 * 1024)} MB). Bagi menjadi beberapa berkas.",
              "error")
        return _import_page(status=413)
    if upload is None or not upload.filename:
        flash("Pilih berkas CSV atau XLSX yang akan diimpor.", "error")
        return _import_page(status=422)
    try:
        created = services.import_documents(current_user, upload.filename, upload.read(),
                                            current_app.config["MAX_IMPORT_ROWS"])
    except services.ImportRefused as error:
        refused(error)
        return _import_page(row_errors=error.errors, status=error.status)
    db.session.commit()
    flash(f"{format_number_id(created)} dokumen diimpor.", "success")
    return redirect(url_for("intake.documents", status="registered"))
