"""Recaps: build from documents, read, submit."""
from flask import request

from distribusi.api import bp
from distribusi.api.access import api_route, current_user, load_body
from distribusi.extensions import db
from distribusi.problems import NotFound
from distribusi.recap import services
from distribusi.recap.models import Recap
from distribusi.recap.schemas import RecapIn, RecapOut
from distribusi.auth.permissions import same_office

MAX_RECAP_BODY = 256 * 1024  # 5,000 ids take about 60 KB of JSON


def recap_in_office(recap_id: int) -> Recap:
    """The recap with parcels and documents loaded, if it is the user's office's; 404 otherwise."""
    recap = services.load_recap(recap_id)
    if not same_office(current_user(), recap):
        raise NotFound("Rekapan tidak ditemukan.")
    return recap


@api_route(bp, "/recaps", methods=("POST",), verb="create_recaps", summary="Buat rekapan dari dokumen terdaftar",
           body=RecapIn, response=RecapOut, status=201)
def create_recap():
    # 413 before a body of millions of ids is parsed; a lower app-wide limit still applies.
    request.max_content_length = min(request.max_content_length or MAX_RECAP_BODY, MAX_RECAP_BODY)
    data = load_body(RecapIn())
    recap = services.create_recap(current_user(), data["document_ids"])
    db.session.commit()
    return RecapOut().dump(recap_in_office(recap.id)), 201


@api_route(bp, "/recaps/<int:recap_id>", verb="view_recaps", summary="Rekapan dengan kirimannya", response=RecapOut)
def get_recap(recap_id: int):
    return RecapOut().dump(recap_in_office(recap_id))


@api_route(bp, "/recaps/<int:recap_id>/submit", methods=("POST",), verb="submit_recaps",
           summary="Ajukan rekapan ke Kasubbag Umum", response=RecapOut)
def submit_recap(recap_id: int):
    recap = recap_in_office(recap_id)
    services.submit_recap(current_user(), recap)
    db.session.commit()
    return RecapOut().dump(recap)
