"""Public tracking, staff lookups and the control card of a parcel."""
from flask import request
from marshmallow import fields, validate

from distribusi.api import bp
from distribusi.api.access import api_route, current_user, load_query
from distribusi.errors import ApiError
from distribusi.extensions import db
from distribusi.privacy.access import record_lookup, record_parcel_read
from distribusi.ratelimit import public_limit
from distribusi.schemas import BaseSchema, Text
from distribusi.tracking import services
from distribusi.tracking.schemas import CustodyOut, LookupOut, PublicTrackOut, public_answer

UNKNOWN = "Kode kiriman tidak ditemukan. Periksa kembali kode pada label."


class TrackQuery(BaseSchema):
    verify = fields.String(validate=validate.Length(max=10))


class LookupQuery(BaseSchema):
    nik = Text(16)
    kk = Text(16)
    phone = Text(20)
    name = Text(100, min_length=3)
    tracking_code = Text(300)


TRACK_QUERY = TrackQuery()  # built once: the busiest public endpoint


@api_route(bp, "/public/track/<code>", summary="Lacak kiriman (publik, nama disamarkan)", query=TrackQuery,
           response=PublicTrackOut)
@public_limit()
def public_track(code: str):
    args = load_query(TRACK_QUERY) if request.args else {}
    view = services.public_view(code[:300], args.get("verify"))
    if view is None:
        raise ApiError(404, UNKNOWN)
    return public_answer(view)  # PublicTrackOut's fields, written out


@api_route(bp, "/lookup", verb="lookup", summary="Cari dokumen dan kiriman (NIK, KK, HP, nama, kode)",
           query=LookupQuery, response=LookupOut)
def lookup():
    args = load_query(LookupQuery())
    if not any(args.values()):
        raise ApiError(422, "Isi salah satu: nik, kk, phone, name, tracking_code.",
                       fields={"_schema": ["Minimal satu kriteria pencarian."]})
    found = services.lookup(current_user(), **args)
    answer = LookupOut().dump(found)
    record_lookup(current_user(), args, found)  # UU PDP: every staff read of personal data is logged
    db.session.commit()
    return answer


@api_route(bp, "/parcels/<code>/custody", verb="view_custody", summary="Kartu kendali kiriman", response=CustodyOut)
def custody(code: str):
    parcel = services.find_parcel(code, current_user().office_id)
    if parcel is None:
        raise ApiError(404, "Kiriman tidak ditemukan.")
    answer = CustodyOut().dump({"tracking_code": parcel.tracking_code, "status": parcel.status.value,
                                "events": services.control_card(parcel)})
    record_parcel_read(current_user(), "custody_card", [parcel])
    db.session.commit()
    return answer
