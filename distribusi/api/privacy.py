"""The citizen's processing trail (UU PDP Pasal 32): written requests and their answers as JSON or PDF."""
from flask import Response

from distribusi.api import bp
from distribusi.api.access import api_route, current_user, get_in_office, load_body, load_query
from distribusi.extensions import db
from distribusi.printing.services import PDF
from distribusi.privacy import services
from distribusi.privacy.models import TrailRequest
from distribusi.privacy.schemas import TrailRequestIn, TrailRequestOut, TrailRequestPage, TrailRequestQuery, TrailOut


def _file(content: bytes, mimetype: str, filename: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"  # personal data: no copies in browser or proxy caches
    return response


@api_route(bp, "/pdp/requests", methods=("POST",), verb="answer_pdp_requests", body=TrailRequestIn, response=TrailRequestOut,
           status=201, summary="Catat permintaan tertulis jejak data pribadi (UU PDP Pasal 32)")
def create_pdp_request():
    trail_request = services.create_request(current_user(), load_body(TrailRequestIn()))
    db.session.commit()
    return TrailRequestOut().dump(trail_request), 201


@api_route(bp, "/pdp/requests", verb="answer_pdp_requests", query=TrailRequestQuery, response=TrailRequestPage,
           summary="Daftar permintaan jejak data pribadi (terbaru dahulu)")
def list_pdp_requests():
    return TrailRequestPage().dump(services.request_page(current_user(), **load_query(TrailRequestQuery())))


@api_route(bp, "/pdp/requests/<int:request_id>", verb="answer_pdp_requests", response=TrailRequestOut,
           summary="Satu permintaan jejak data pribadi dan jawaban yang sudah dibuat")
def get_pdp_request(request_id: int):
    return TrailRequestOut().dump(get_in_office(TrailRequest, request_id))


@api_route(bp, "/pdp/requests/<int:request_id>/trail.json", verb="answer_pdp_requests", response=TrailOut,
           summary="Jejak pemrosesan data pribadi (JSON); pembuatannya dicatat sebagai jawaban")
def pdp_trail_json(request_id: int):
    trail_request = get_in_office(TrailRequest, request_id)
    content, _trail = services.produce_answer(current_user(), trail_request, "json")
    db.session.commit()
    return _file(content, "application/json", f"jejak-pdp-{request_id}.json")


@api_route(bp, "/pdp/requests/<int:request_id>/trail.pdf", verb="answer_pdp_requests", response=PDF,
           summary="Jejak pemrosesan data pribadi (PDF); pembuatannya dicatat sebagai jawaban")
def pdp_trail_pdf(request_id: int):
    trail_request = get_in_office(TrailRequest, request_id)
    content, _trail = services.produce_answer(current_user(), trail_request, "pdf")
    db.session.commit()
    return _file(content, PDF, f"jejak-pdp-{request_id}.pdf")
