"""The returns desk: scan what a partner brings back, see it reconciled live, record the batch on "Selesai".

The codes scanned so far travel with the form as hidden inputs (one per scan), not in the server session:
nothing is stored before "Selesai", two desks or tabs never mix their lists, a thousand codes do not burst the
4 KB session cookie, and the page works without JavaScript too (each Enter posts the whole form back).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from distribusi.auth.permissions import ensure
from distribusi.extensions import db
from distribusi.problems import Problem, Refused
from distribusi.recap import codes as tracking_codes
from distribusi.returns import bp, services
from distribusi.returns.models import ReturnBatch
from distribusi.web.pages import in_office, paginate, refused

MAX_CODES = 5000  # the bounds of the API's ReturnsIn
MAX_CODE_TEXT = 300
HISTORY_PER_PAGE = 10
MISSING_SHOWN = 300  # a partner may hold thousands out for delivery; the count is always whole


def _scanned() -> list[str]:
    """The codes posted so far plus the one just typed (blank lines dropped), refused when beyond the API's bounds."""
    scanned = [code.strip() for code in request.form.getlist("codes") if code.strip()]
    typed = (request.form.get("kode") or "").strip()
    if typed:
        scanned.append(typed)
    if len(scanned) > MAX_CODES or any(len(code) > MAX_CODE_TEXT for code in scanned):
        raise Refused(f"Paling banyak {MAX_CODES} kode, masing-masing paling panjang {MAX_CODE_TEXT} karakter.",
                      fields={"kode": ["Kode terlalu panjang atau terlalu banyak."]})
    return scanned


def _shown(code: str) -> str:
    """A valid code grouped for reading (ABCDE-FGHJK); anything else as it was scanned."""
    return tracking_codes.display(code) if tracking_codes.normalize(code) == code else code


def _partner_id(raw: str | None) -> int:
    if raw is None or not raw.strip().isdigit() or len(raw.strip()) > 10:
        raise Refused("Pilih mitra kurir yang mengembalikan kiriman.",
                      fields={"courier_partner_id": ["Pilih mitra kurir kantor ini."]})
    return int(raw)


def _lists(partner_id: int, scanned: list[str]) -> dict:
    """The live reconciliation and what became of the last scan, for the lists partial."""
    preview = services.preview_returns(current_user, partner_id, scanned)
    last = None
    if scanned:
        key = services.scan_key(scanned[-1])
        row = next((r for r in preview["received"] if r["tracking_code"] == key), None)
        unexpected = next((r for r in preview["unexpected"] if r["tracking_code"] == key), None)
        last = {"code": key, "times": preview["times"].get(key, 1), "received": row is not None,
                "reason": unexpected["reason"] if unexpected else None}
    # those the courier has already declared on their way back first: they are the ones on the table
    missing = sorted(preview["missing"], key=lambda row: row["status"] != "returning")
    declared = sum(1 for row in missing if row["status"] == "returning")
    return {**preview, "missing": missing, "declared": declared, "last": last, "scanned": scanned,
            "missing_shown": MISSING_SHOWN}


def _desk(partner_id: int | None, scanned: list[str], errors: dict, status: int = 200):
    partners = services.partners(current_user)
    if partner_id is None and partners:
        partner_id = partners[0].id
    lists = None
    if partner_id is not None:
        try:
            lists = _lists(partner_id, scanned)
        except Problem as error:
            errors, status = refused(error), error.status
    history = paginate(services.batches_of(current_user.office_id, partner_id), per_page=HISTORY_PER_PAGE)
    return render_template("returns/desk.html", partners=partners, partner_id=partner_id, scanned=scanned,
                           lists=lists, errors=errors, display=_shown, history=history,
                           partner_names={p.id: p.name for p in partners}), status


@bp.route("", methods=["GET", "POST"])
@login_required
def desk():
    ensure(current_user, "receive_returns")
    if request.method == "GET":
        return _desk(request.args.get("mitra", type=int), [], {})
    try:  # without JavaScript each Enter posts the whole form here
        return _desk(_partner_id(request.form.get("courier_partner_id")), _scanned(), {})
    except Refused as error:
        return _desk(request.form.get("courier_partner_id", type=int), [], refused(error), 422)


@bp.route("/daftar", methods=["POST"])
@login_required
def lists():
    """The three lists after a scan, as a partial the desk's script swaps in."""
    ensure(current_user, "receive_returns")
    try:
        data = _lists(_partner_id(request.form.get("courier_partner_id")), _scanned())
    except Problem as error:
        db.session.rollback()
        return render_template("returns/_lists.html", problem=error.message), error.status
    return render_template("returns/_lists.html", lists=data, display=_shown)


@bp.route("/selesai", methods=["POST"])
@login_required
def finish():
    """Record the batch: the received parcels become returned; nothing was written before this."""
    ensure(current_user, "receive_returns")
    partner_id = request.form.get("courier_partner_id", type=int)
    scanned: list[str] = []
    try:
        scanned = _scanned()
        if not scanned:
            raise Refused("Belum ada kode yang dipindai: pindai atau ketik kode kiriman dulu.",
                          fields={"kode": ["Pindai atau ketik sedikitnya satu kode."]})
        batch = services.receive_returns(current_user, _partner_id(request.form.get("courier_partner_id")), scanned)
    except Problem as error:
        return _desk(partner_id, scanned, refused(error), error.status)
    db.session.commit()
    flash(f"Pengembalian tercatat: {len(batch.received)} kiriman diterima kembali.", "success")
    return redirect(url_for("returns.batch", batch_id=batch.id))


@bp.route("/<int:batch_id>")
@login_required
def batch(batch_id: int):
    ensure(current_user, "receive_returns")
    item = in_office(ReturnBatch, batch_id)
    partner = next((p for p in services.partners(current_user) if p.id == item.courier_partner_id), None)
    return render_template("returns/batch.html", batch=item, partner=partner, display=_shown)
