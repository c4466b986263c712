"""Bearer tokens for the courier page and integrations."""
from flask import jsonify
from marshmallow import fields

from distribusi.api import bp
from distribusi.api.access import api_route, current_user, load_body
from distribusi.api.schemas import RevokeOut
from distribusi.auth.services import issue_token, revoke_tokens
from distribusi.auth.throttle import log_in
from distribusi.extensions import db
from distribusi.schemas import BaseSchema, UtcDateTime, text


class TokenIn(BaseSchema):
    username = text(64)
    password = text(200)


class TokenOut(BaseSchema):
    token = fields.String()
    role = fields.String()
    office = fields.String()
    expires_at = UtcDateTime()


@api_route(bp, "/auth/token", methods=("POST",), summary="Ambil token akses", body=TokenIn, response=TokenOut, status=201)
def create_token():
    data = load_body(TokenIn())
    user = log_in(data["username"], data["password"])  # failed-login limits shared with the login page
    raw, token = issue_token(user)
    db.session.commit()
    body = {"token": raw, "role": user.role.value, "office": user.office.code, "expires_at": token.expires_at}
    return TokenOut().dump(body), 201


@api_route(bp, "/auth/revoke", methods=("POST",), verb="revoke_own_tokens", summary="Cabut semua token milik sendiri",
           response=RevokeOut)
def revoke_own_tokens():
    count = revoke_tokens(current_user())
    db.session.commit()
    return jsonify({"revoked": count})
