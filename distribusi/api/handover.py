"""Handover of a signed recap to the courier partner."""
from distribusi.api import bp
from distribusi.api.access import api_route, current_user, get_in_office, load_body
from distribusi.api.recaps import recap_in_office
from distribusi.extensions import db
from distribusi.handover import services
from distribusi.handover.models import Handover
from distribusi.handover.schemas import HandoverIn, HandoverOut


@api_route(bp, "/recaps/<int:recap_id>/handover", methods=("POST",), verb="hand_over",
           summary="Catat serah terima rekapan bertanda tangan ke mitra kurir", body=HandoverIn,
           response=HandoverOut, status=201)
def hand_over(recap_id: int):
    recap = recap_in_office(recap_id)
    data = load_body(HandoverIn())
    handover = services.hand_over(current_user(), recap, data["courier_partner_id"], data["received_by"])
    db.session.commit()
    return HandoverOut().dump(services.handover_summary(handover)), 201


@api_route(bp, "/handovers/<int:handover_id>", verb="view_recaps",
           summary="Serah terima dengan kemajuan penerimaan oleh kurir", response=HandoverOut)
def get_handover(handover_id: int):
    return HandoverOut().dump(services.handover_summary(get_in_office(Handover, handover_id)))
