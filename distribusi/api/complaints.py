"""The complaint book: register, list, answer, route, escalate, resolve; the public ticket status."""
from flask import request
from marshmallow import fields

from distribusi.api import bp
from distribusi.api.access import api_route, current_user, json_body, load_query, parsed_json
from distribusi.api.papers import _send as send_paper
from distribusi.complaints import papers, services
from distribusi.printing.services import PDF, XLSX
from distribusi.complaints.schemas import (ComplaintIn, ComplaintOut, ComplaintPage, ComplaintQuery, EscalateIn, PeriodQuery,
                                           PublicComplaintOut, PublicComplaintQuery, ResolveIn, RespondIn, RouteIn)
from distribusi.errors import ApiError
from distribusi.extensions import db
from distribusi.ratelimit import public_limit
from distribusi.schemas import BaseSchema, Text

UNKNOWN_TICKET = "Nomor pengaduan tidak ditemukan, atau empat digit terakhir nomor HP tidak cocok."


class LinkIn(BaseSchema):
    nik = Text(16)
    kk = Text(16)
    phone = Text(20)
    tracking_code = Text(32)


class LinkOut(BaseSchema):
    added = fields.Integer()
    complaint = fields.Nested(ComplaintOut)


@api_route(bp, "/complaints", methods=("POST",), verb="register_complaints", status=201,
           summary="Catat pengaduan atau pertanyaan dari saluran mana pun", body=ComplaintIn, response=ComplaintOut)
def register_complaint():
    complaint = services.register_complaint(current_user(), json_body())
    db.session.commit()
    return ComplaintOut().dump(complaint), 201


@api_route(bp, "/complaints", verb="view_complaints", summary="Buku pengaduan (filter status, tingkat, terlambat)",
           query=ComplaintQuery, response=ComplaintPage)
def list_complaints():
    args = load_query(ComplaintQuery())
    page = db.paginate(
        services.complaint_query(current_user(), status=args.get("status"), level=args.get("level"),
                                 channel=args.get("channel"), overdue=args.get("overdue"), q=args.get("q")),
        page=args["page"], per_page=args["per_page"], error_out=False, count=True)
    items = [services.decorate(item) for item in page.items]
    return ComplaintPage().dump({"items": items, "page": page.page, "per_page": page.per_page, "total": page.total,
                                 "pages": page.pages})


@api_route(bp, "/complaints/<int:complaint_id>", verb="view_complaints", summary="Satu pengaduan dengan riwayatnya",
           response=ComplaintOut)
def get_complaint(complaint_id: int):
    return ComplaintOut().dump(services.get_complaint(current_user(), complaint_id))


def _act(complaint_id: int, action, payload):
    complaint = services.get_complaint(current_user(), complaint_id)
    action(current_user(), complaint, payload)
    db.session.commit()
    return ComplaintOut().dump(complaint)


@api_route(bp, "/complaints/<int:complaint_id>/respond", methods=("POST",), verb="handle_complaints",
           summary="Catat jawaban yang diberikan", body=RespondIn, response=ComplaintOut)
def respond_complaint(complaint_id: int):
    return _act(complaint_id, services.respond, json_body())


@api_route(bp, "/complaints/<int:complaint_id>/route", methods=("POST",), verb="handle_complaints",
           summary="Teruskan ke perbaikan data atau ke penanda tangan", body=RouteIn, response=ComplaintOut)
def route_complaint(complaint_id: int):
    return _act(complaint_id, services.route, json_body())


@api_route(bp, "/complaints/<int:complaint_id>/escalate", methods=("POST",), verb="escalate_complaints",
           summary="Naikkan pengaduan satu tingkat", body=EscalateIn, response=ComplaintOut)
def escalate_complaint(complaint_id: int):
    payload = parsed_json()
    if payload is None and not _empty_body():
        raise ApiError(400, "Isi permintaan harus JSON yang sah (Content-Type: application/json).", code="invalid_json")
    return _act(complaint_id, services.escalate, payload or {})


@api_route(bp, "/complaints/<int:complaint_id>/resolve", methods=("POST",), verb="handle_complaints",
           summary="Selesaikan pengaduan dengan hasilnya", body=ResolveIn, response=ComplaintOut)
def resolve_complaint(complaint_id: int):
    return _act(complaint_id, services.resolve, json_body())


@api_route(bp, "/complaints/<int:complaint_id>/links", methods=("POST",), verb="handle_complaints",
           summary="Tautkan kiriman dan dokumen yang ditemukan (NIK, KK, HP, kode)", body=LinkIn, response=LinkOut)
def link_complaint(complaint_id: int):
    keys = LinkIn().load(json_body())
    complaint = services.get_complaint(current_user(), complaint_id)
    added = services.link_related(current_user(), complaint, keys)
    db.session.commit()
    return LinkOut().dump({"added": added, "complaint": services.decorate(complaint)})


def _empty_body() -> bool:
    return not request.get_data(cache=True).strip()


PAPER_SUMMARY = "{} satu periode ({}); ?from=YYYY-MM-DD&to=YYYY-MM-DD"


def _paper(kind: str, extension: str):
    period = load_query(PeriodQuery())
    return send_paper(papers.complaint_paper(current_user(), kind, extension, period["date_from"], period["date_to"]))


@api_route(bp, "/complaints/book.pdf", verb="view_complaints", query=PeriodQuery,
           summary=PAPER_SUMMARY.format("Buku laporan pengaduan", "PDF"), response=PDF)
def complaint_book_pdf():
    return _paper("book", "pdf")


@api_route(bp, "/complaints/book.xlsx", verb="view_complaints", query=PeriodQuery,
           summary=PAPER_SUMMARY.format("Buku laporan pengaduan", "XLSX"), response=XLSX)
def complaint_book_xlsx():
    return _paper("book", "xlsx")


@api_route(bp, "/complaints/follow-up.pdf", verb="view_complaints", query=PeriodQuery,
           summary=PAPER_SUMMARY.format("Laporan tindak lanjut penyelesaian", "PDF"), response=PDF)
def complaint_follow_up_pdf():
    return _paper("follow-up", "pdf")


@api_route(bp, "/complaints/follow-up.xlsx", verb="view_complaints", query=PeriodQuery,
           summary=PAPER_SUMMARY.format("Laporan tindak lanjut penyelesaian", "XLSX"), response=XLSX)
def complaint_follow_up_xlsx():
    return _paper("follow-up", "xlsx")


PUBLIC_QUERY, PUBLIC_OUT = PublicComplaintQuery(), PublicComplaintOut()


@api_route(bp, "/public/complaints/<ticket>", summary="Status pengaduan (publik; ?verify=4 digit terakhir HP)",
           query=PublicComplaintQuery, response=PublicComplaintOut)
@public_limit()
def public_complaint(ticket: str):
    args = load_query(PUBLIC_QUERY)
    view = services.public_status(ticket, args.get("verify"))
    if view is None:
        raise ApiError(404, UNKNOWN_TICKET)
    return PUBLIC_OUT.dump(view)
