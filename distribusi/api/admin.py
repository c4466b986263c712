"""Admin API: courier partners, users, office settings."""
from sqlalchemy import select

from distribusi.admin import services
from distribusi.admin.schemas import OfficeOut, OfficeSettingsIn, PartnerIn, PartnerOut, UserIn, UserOut, UserUpdateIn
from distribusi.api import bp
from distribusi.api.access import api_route, current_user, get_in_office, load_body
from distribusi.api.schemas import items_of
from distribusi.auth.models import User
from distribusi.extensions import db
from distribusi.models import CourierPartner


@api_route(bp, "/admin/courier-partners", methods=("POST",), verb="administer", summary="Tambah mitra kurir",
           body=PartnerIn, response=PartnerOut, status=201)
def create_partner():
    partner = services.create_partner(current_user().office, load_body(PartnerIn()))
    db.session.commit()
    return PartnerOut().dump(partner), 201


@api_route(bp, "/admin/courier-partners", verb="view_recaps", summary="Daftar mitra kurir",
           response=items_of(PartnerOut))
def list_partners():
    partners = db.session.scalars(
        select(CourierPartner).where(CourierPartner.office_id == current_user().office_id).order_by(CourierPartner.name)
    )
    return {"items": PartnerOut(many=True).dump(partners)}


@api_route(bp, "/admin/users", methods=("POST",), verb="administer", summary="Tambah pengguna", body=UserIn,
           response=UserOut, status=201)
def create_user():
    user = services.create_user(current_user().office, load_body(UserIn()))
    db.session.commit()
    return UserOut().dump(user), 201


@api_route(bp, "/admin/users", verb="administer", summary="Daftar pengguna", response=items_of(UserOut))
def list_users():
    users = db.session.scalars(select(User).where(User.office_id == current_user().office_id).order_by(User.username))
    return {"items": UserOut(many=True).dump(users)}


@api_route(bp, "/admin/users/<int:user_id>", methods=("PATCH",), verb="administer",
           summary="Ubah pengguna (nonaktifkan, atur ulang kata sandi)", body=UserUpdateIn, response=UserOut)
def update_user(user_id: int):
    user = get_in_office(User, user_id)
    services.update_user(user, load_body(UserUpdateIn()))
    db.session.commit()
    return UserOut().dump(user)


@api_route(bp, "/admin/office", verb="administer", summary="Pengaturan kantor", response=OfficeOut)
def get_office():
    return OfficeOut().dump(current_user().office)


@api_route(bp, "/admin/office", methods=("PUT",), verb="administer", summary="Ubah pengaturan kantor",
           body=OfficeSettingsIn, response=OfficeOut)
def put_office():
    office = current_user().office
    services.update_office(office, load_body(OfficeSettingsIn()))
    db.session.commit()
    return OfficeOut().dump(office)

