"""GET /webhooks/whatsapp (the verification handshake) and POST (signed incoming messages)."""
from __future__ import annotations

import hashlib
import hmac
import logging

from flask import abort, current_app, request
from sqlalchemy.exc import IntegrityError

from distribusi.extensions import db
from distribusi.webhooks import bp
from distribusi.webhooks import services

log = logging.getLogger(__name__)


def signature_valid(secret: str | None, body: bytes, header: str | None) -> bool:
    """Whether X-Hub-Signature-256 is `sha256=` + the HMAC-SHA256 of the raw body with the app secret."""
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.removeprefix("sha256=").strip().lower().encode())


@bp.get("/whatsapp")
def whatsapp_verify():
    """Meta's subscription check: echo hub.challenge when hub.verify_token is ours."""
    token = current_app.config.get("WHATSAPP_VERIFY_TOKEN")
    given = request.args.get("hub.verify_token", "")
    if (request.args.get("hub.mode") != "subscribe" or not token
            or not hmac.compare_digest(token.encode(), given.encode())):
        log.warning("whatsapp webhook: verification refused from %s", request.remote_addr)
        abort(403)
    return request.args.get("hub.challenge", ""), 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.post("/whatsapp")
def whatsapp_receive():
    """Answer each new text message through the outbox; a repeated message id is ignored."""
    body = request.get_data(cache=True)
    if not signature_valid(current_app.config.get("WHATSAPP_APP_SECRET"), body,
                           request.headers.get("X-Hub-Signature-256")):
        # no body, no sender: only that a delivery was refused, and from where
        log.warning("whatsapp webhook: bad or missing signature (%d bytes) from %s", len(body), request.remote_addr)
        abort(403)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        abort(400)
    handled = 0
    for incoming in services.incoming_messages(payload):
        try:
            with db.session.begin_nested():
                handled += services.handle_message(incoming)
        except IntegrityError:  # the same message id arriving twice at once: the other delivery answers it
            continue
    db.session.commit()
    return {"received": handled}, 200
