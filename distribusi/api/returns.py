"""Returns from the courier partner, the undelivered list, collection at the counter."""
from flask import request

from distribusi.api import bp
from distribusi.api.access import api_route, current_user, load_body
from distribusi.api.schemas import items_of
from distribusi.extensions import db
from distribusi.problems import NotFound
from distribusi.recap.schemas import ParcelOut
from distribusi.recap.services import find_parcel
from distribusi.returns import services
from distribusi.returns.schemas import CollectIn, ReturnBatchOut, ReturnsIn, UndeliveredOut


@api_route(bp, "/returns", methods=("POST",), verb="receive_returns",
           summary="Terima kiriman yang dikembalikan dan rekonsiliasi", body=ReturnsIn, response=ReturnBatchOut,
           status=201)
def receive_returns():
    data = load_body(ReturnsIn())
    batch = services.receive_returns(current_user(), data["courier_partner_id"], data["tracking_codes"])
    db.session.commit()
    return ReturnBatchOut().dump(batch), 201


@api_route(bp, "/undelivered", verb="view_recaps", summary="Daftar rekapan dokumen yang belum diserahkan",
           response=items_of(UndeliveredOut, total=True))
def undelivered():
    parcels = services.undelivered_parcels(current_user())
    return {"items": UndeliveredOut(many=True).dump(parcels), "total": len(parcels)}


@api_route(bp, "/parcels/<code>/collected", methods=("POST",), verb="collect_parcels",
           summary="Kiriman yang kembali diambil warga di loket", body=CollectIn, response=ParcelOut)
def collect(code: str):
    parcel = find_parcel(code, current_user().office_id)
    if parcel is None:
        raise NotFound("Kiriman tidak ditemukan.")
    data = load_body(CollectIn()) if request.get_data(cache=True) else {}
    services.collect_parcel(current_user(), parcel, data.get("collected_by"), data.get("note"))
    db.session.commit()
    return ParcelOut().dump(parcel)

