"""Bearer tokens for the courier page and integrations."""
from flask import current_app, jsonify, request
from marshmallow import fields

from distribusi.api import bp
from distribusi.api.access import api_route, current_user, load_body, parsed_json
from distribusi.api.schemas import RevokeOut
from distribusi.auth.services import authenticate, issue_token, revoke_tokens
from distribusi.extensions import db, limiter
from distribusi.schemas import BaseSchema, UtcDateTime, text


class TokenIn(BaseSchema):
    username = text(64)
    password = text(200)


class TokenOut(BaseSchema):
    token = fields.String()
    role = fields.String()
    office = fields.String()
    expires_at = UtcDateTime()


def _username_key() -> str:
    data = parsed_json()
    name = data.get("username") if isinstance(data, dict) else None
    return f"login-account:{str(name).strip().lower()[:64]}" if name else f"login-address:{request.remote_addr}"


def _failed(response) -> bool:
    return response.status_code == 401


@api_route(bp, "/auth/token", methods=("POST",), summary="Ambil token akses", body=TokenIn, response=TokenOut, status=201)
# shared scopes: the login page counts against the same allowance (distribusi.auth.views)
@limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], scope="login-account",
                      key_func=_username_key, deduct_when=_failed)
@limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], scope="login-address", deduct_when=_failed)
def create_token():
    data = load_body(TokenIn())
    user = authenticate(data["username"], data["password"])
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
