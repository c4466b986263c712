"""A parcel's delivery code: its lock state, and the office's reset after five wrong codes."""
from marshmallow import fields

from distribusi.api import bp
from distribusi.api.access import api_route, current_user
from distribusi.courier import delivery_codes
from distribusi.extensions import db
from distribusi.problems import NotFound
from distribusi.recap.services import find_parcel
from distribusi.schemas import BaseSchema, UtcDateTime


class DeliveryCodeOut(BaseSchema):
    tracking_code = fields.String()
    issued = fields.Boolean()
    wrong_attempts = fields.Integer()
    locked = fields.Boolean()
    locked_at = UtcDateTime(allow_none=True)


def _parcel(code: str):
    parcel = find_parcel(code[:300], current_user().office_id)
    if parcel is None:
        raise NotFound("Kiriman tidak ditemukan.")
    return parcel


@api_route(bp, "/parcels/<code>/delivery-code", verb="view_custody", summary="Status kode serah terima kiriman",
           response=DeliveryCodeOut)
def delivery_code_state(code: str):
    parcel = _parcel(code)
    return DeliveryCodeOut().dump({"tracking_code": parcel.tracking_code, **delivery_codes.lock_state(parcel)})


@api_route(bp, "/parcels/<code>/delivery-code/reset", methods=("POST",), verb="reset_delivery_codes",
           summary="Buka kunci kode serah terima setelah lima kali salah", response=DeliveryCodeOut)
def reset_delivery_code(code: str):
    parcel = _parcel(code)
    delivery_codes.reset_lock(parcel, current_user())
    db.session.commit()
    return DeliveryCodeOut().dump({"tracking_code": parcel.tracking_code, **delivery_codes.lock_state(parcel)})
