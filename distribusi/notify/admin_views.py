"""The admin's view of the outbox: messages waiting or dead, and a retry button (under /admin, admins only)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from distribusi.admin import bp
from distribusi.extensions import db
from distribusi.notify.models import OutboxMessage, OutboxStatus
from distribusi.notify.worker import retry_message
from distribusi.web.pages import paginate

TEMPLATE_LABELS = {
    "parcel_out_for_delivery": "Sedang diantar",
    "parcel_delivered": "Sudah diterima",
    "parcel_failed": "Gagal diantar",
    "parcel_returned": "Kembali di Dinas",
    "pandawa_reply": "Balasan PANDAWA",
}
STATUS_LABELS = {OutboxStatus.pending: "Menunggu", OutboxStatus.sent: "Terkirim", OutboxStatus.dead: "Gagal permanen"}


@bp.route("/notifikasi")
def outbox():
    """Dead and waiting messages first (the ones that need an eye), filterable by status and template."""
    status = request.args.get("status") or "attention"
    stmt = select(OutboxMessage).where(OutboxMessage.office_id == current_user.office_id)
    if status in {s.value for s in OutboxStatus}:
        stmt = stmt.where(OutboxMessage.status == OutboxStatus(status))
    else:
        status = "attention"
        stmt = stmt.where(OutboxMessage.status != OutboxStatus.sent)
    if (template := request.args.get("template")) in TEMPLATE_LABELS:
        stmt = stmt.where(OutboxMessage.template == template)
    if (query := request.args.get("q", "").strip()).isdigit():  # the recipient's last digits
        stmt = stmt.where(OutboxMessage.recipient.endswith(query, autoescape=True))
    counts = dict(db.session.execute(
        select(OutboxMessage.status, db.func.count()).where(OutboxMessage.office_id == current_user.office_id)
        .group_by(OutboxMessage.status)).all())
    return render_template("admin/outbox.html", pagination=paginate(stmt.order_by(OutboxMessage.id.desc())),
                           status=status, counts=counts, templates=TEMPLATE_LABELS, status_labels=STATUS_LABELS)


@bp.route("/notifikasi/<int:message_id>/ulang", methods=["POST"])
def outbox_retry(message_id: int):
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.office_id != current_user.office_id:
        abort(404)
    if message.status is OutboxStatus.sent:
        flash("Pesan ini sudah terkirim.", "error")
        return redirect(url_for("admin.outbox"))
    retry_message(message)
    db.session.commit()
    flash(f"Pesan #{message.id} dijadwalkan untuk dikirim ulang.", "success")
    return redirect(url_for("admin.outbox", status=request.args.get("status")))
