"""Admin API: courier partners, users, office settings and the audit log of their changes."""
from distribusi.admin import services
from distribusi.admin.schemas import (
    AuditPage,
    AuditQuery,
    OfficeOut,
    OfficeSettingsIn,
    PartnerIn,
    PartnerList,
    PartnerOut,
    PartnerUpdateIn,
    UserIn,
    UserList,
    UserOut,
    UserUpdateIn,
)
from distribusi.api import bp
from distribusi.api.access import api_route, current_user, get_in_office, load_body, load_query
from distribusi.auth.models import User
from distribusi.extensions import db
from distribusi.models import CourierPartner


@api_route(bp, "/admin/courier-partners", methods=("POST",), verb="administer", summary="Tambah mitra kurir",
           body=PartnerIn, response=PartnerOut, status=201)
def create_partner():
    partner = services.create_partner(current_user().office, load_body(PartnerIn()), actor=current_user())
    db.session.commit()
    return PartnerOut().dump(partner), 201


@api_route(bp, "/admin/courier-partners", verb="view_recaps", summary="Daftar mitra kurir", response=PartnerList)
def list_partners():
    return PartnerList().dump({"items": services.list_partners(current_user().office)})


@api_route(bp, "/admin/courier-partners/<int:partner_id>", methods=("PATCH",), verb="administer",
           summary="Ubah mitra kurir (nonaktifkan saat kontrak berakhir)", body=PartnerUpdateIn, response=PartnerOut)
def update_partner(partner_id: int):
    partner = get_in_office(CourierPartner, partner_id)
    services.update_partner(partner, load_body(PartnerUpdateIn()), actor=current_user())
    db.session.commit()
    return PartnerOut().dump(partner)


@api_route(bp, "/admin/users", methods=("POST",), verb="administer", summary="Tambah pengguna", body=UserIn,
           response=UserOut, status=201)
def create_user():
    user = services.create_user(current_user().office, load_body(UserIn()), actor=current_user())
    db.session.commit()
    return UserOut().dump(user), 201


@api_route(bp, "/admin/users", verb="administer", summary="Daftar pengguna", response=UserList)
def list_users():
    return UserList().dump({"items": services.list_users(current_user().office)})


@api_route(bp, "/admin/users/<int:user_id>", methods=("PATCH",), verb="administer",
           summary="Ubah pengguna (nonaktifkan, atur ulang kata sandi)", body=UserUpdateIn, response=UserOut)
def update_user(user_id: int):
    user = get_in_office(User, user_id)
    services.update_user(user, load_body(UserUpdateIn()), actor=current_user())
    db.session.commit()
    return UserOut().dump(user)


@api_route(bp, "/admin/office", verb="administer", summary="Pengaturan kantor", response=OfficeOut)
def get_office():
    return OfficeOut().dump(current_user().office)


@api_route(bp, "/admin/office", methods=("PUT",), verb="administer", summary="Ubah pengaturan kantor",
           body=OfficeSettingsIn, response=OfficeOut)
def put_office():
    office = current_user().office
    services.update_office(office, load_body(OfficeSettingsIn()), actor=current_user())
    db.session.commit()
    return OfficeOut().dump(office)


@api_route(bp, "/admin/audit", verb="administer", summary="Jejak perubahan oleh admin (terbaru dahulu)",
           query=AuditQuery, response=AuditPage)
def list_audit():
    args = load_query(AuditQuery())
    return AuditPage().dump(services.audit_page(current_user().office, **args))
