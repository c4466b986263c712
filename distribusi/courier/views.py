"""The courier's phone page (/kurir): the page shell, the data it reads as JSON, its service worker and manifest."""
from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from flask import Response, current_app, jsonify, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from distribusi.auth.permissions import can, ensure
from distribusi.courier import bp, cards
from distribusi.errors import answer_of
from distribusi.problems import Problem
from distribusi.recap import codes

STATIC = Path(__file__).resolve().parent.parent / "static"
# Everything the page needs to open with no signal; the service worker caches these on install.
ASSETS = ("courier/app.js", "courier/queue.js", "courier/code.js", "courier/ui.js", "courier/scanner.js",
          "courier/sync.js", "courier/lists.js", "courier/courier.css", "courier/icon-192.png", "courier/icon-512.png",
          "vendor/qr-scanner/qr-scanner.min.js", "vendor/qr-scanner/qr-scanner-worker.min.js")


def courier_json(view):
    """A JSON read of the courier page: 401 (not a login redirect) when the session is gone, 403 for other roles."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return jsonify(error={"code": "unauthorized", "message": "Sesi berakhir. Silakan masuk lagi."}), 401
        if not can(current_user, "record_scans"):
            return jsonify(error={"code": "forbidden", "message": "Halaman ini khusus kurir."}), 403
        try:
            response = jsonify(view(*args, **kwargs))
        except Problem as error:  # e.g. another partner's parcel: a clear refusal the page can show
            status, body = answer_of(error)
            return jsonify(error=body), status
        response.headers["Cache-Control"] = "private, no-store"
        return response
    return wrapper


@bp.route("/")
@login_required
def home():
    ensure(current_user, "record_scans")
    code = codes.normalize(request.args.get("kode", "")) if request.args.get("kode") else None
    return render_template("courier/home.html", settings=cards.page_settings(current_user), open_code=code or "")


@bp.route("/kiriman/<code>.json")
@courier_json
def parcel(code: str):
    return cards.find_card(current_user, code[:300])


@bp.route("/kiriman.json")
@courier_json
def my_parcels():
    return {"parcels": cards.todays_parcels(current_user)}


@bp.route("/serah-terima.json")
@courier_json
def handovers():
    return {"handovers": cards.open_handovers(current_user)}


@bp.route("/csrf.json")
@courier_json
def csrf():
    return {"csrf_token": generate_csrf()}


@functools.cache
def _asset_version(static_folder: str) -> str:
    digest = hashlib.sha256()
    for name in ASSETS:
        digest.update((Path(static_folder) / name).read_bytes())
    return digest.hexdigest()[:16]


@bp.route("/sw.js")
def service_worker():
    """The service worker, served under /kurir/ so that its scope is the page; its cache is named by the files' hash."""
    static = current_app.static_folder
    head = "const VERSION = {};\nconst SHELL = {};\nconst ASSETS = {};\n".format(
        json.dumps(_asset_version(static)), json.dumps(url_for("courier.home")),
        json.dumps([url_for("static", filename=name) for name in ASSETS]
                   + [url_for("courier.manifest")]))
    body = (Path(static) / "courier" / "sw.js").read_text()
    return Response(head + body, mimetype="text/javascript", headers={"Cache-Control": "no-cache"})


@bp.route("/manifest.webmanifest")
def manifest():
    data = {
        "name": "Distribusi — Kurir", "short_name": "Kurir", "lang": "id", "start_url": url_for("courier.home"),
        "scope": url_for("courier.home"), "display": "standalone", "orientation": "portrait",
        "background_color": "#ffffff", "theme_color": "#0b5394",
        "icons": [{"src": url_for("static", filename=f"courier/icon-{size}.png"), "sizes": f"{size}x{size}",
                   "type": "image/png", "purpose": "any maskable"} for size in (192, 512)],
    }
    return Response(json.dumps(data), mimetype="application/manifest+json")
from distribusi.courier import code_views  # noqa: E402,F401  (delivery-code lock on the control card)
