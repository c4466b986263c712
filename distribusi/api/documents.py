"""Documents: register, import, list, flag and resolve."""
from flask import current_app, request

from distribusi.api import bp
from distribusi.api.access import api_route, current_user, get_in_office, json_body, load_body, load_query
from distribusi.errors import ApiError
from distribusi.extensions import db
from distribusi.intake import services
from distribusi.intake.models import Document
from distribusi.intake.schemas import DocumentIn, DocumentOut, DocumentPage, DocumentQuery, FlagIn, ImportResult


@api_route(bp, "/documents", methods=("POST",), verb="register_documents", summary="Daftarkan satu dokumen",
           body=DocumentIn, response=DocumentOut, status=201)
def register_document():
    document = services.register_document(current_user(), json_body())
    db.session.commit()
    return DocumentOut().dump(document), 201


@api_route(bp, "/documents/import", methods=("POST",), verb="register_documents",
           summary="Impor dokumen dari CSV/XLSX (semua atau tidak sama sekali)", response=ImportResult, status=201,
           content_type="multipart/form-data")
def import_documents():
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "Unggah berkas pada kolom \u201cfile\u201d.", fields={"file": ["Wajib diisi."]})
    created = services.import_documents(
        current_user(), upload.filename or "", upload.read(), current_app.config["MAX_IMPORT_ROWS"]
    )
    db.session.commit()
    return {"created": created}, 201


@api_route(bp, "/documents", verb="view_documents", summary="Daftar dokumen", query=DocumentQuery,
           response=DocumentPage)
def list_documents():
    args = load_query(DocumentQuery())
    page = db.paginate(
        services.document_query(current_user(), status=args.get("status"), doc_type=args.get("doc_type"),
                                q=args.get("q")),
        page=args["page"], per_page=args["per_page"], error_out=False, count=True,
    )
    return DocumentPage().dump(
        {"items": page.items, "page": page.page, "per_page": page.per_page, "total": page.total, "pages": page.pages}
    )


@api_route(bp, "/documents/<int:document_id>", verb="view_documents", summary="Satu dokumen", response=DocumentOut)
def get_document(document_id: int):
    return DocumentOut().dump(get_in_office(Document, document_id))


@api_route(bp, "/documents/<int:document_id>/flag", methods=("POST",), verb="flag_documents",
           summary="Tandai dokumen perlu perbaikan", body=FlagIn, response=DocumentOut)
def flag_document(document_id: int):
    document = get_in_office(Document, document_id)
    data = load_body(FlagIn())
    services.flag_document(current_user(), document, data["reason"], data.get("note"))
    db.session.commit()
    return DocumentOut().dump(document)


@api_route(bp, "/documents/<int:document_id>/resolve", methods=("POST",), verb="flag_documents",
           summary="Dokumen sudah diperbaiki", response=DocumentOut)
def resolve_document(document_id: int):
    document = get_in_office(Document, document_id)
    services.resolve_document(current_user(), document)
    db.session.commit()
    return DocumentOut().dump(document)
