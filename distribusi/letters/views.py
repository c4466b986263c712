"""The letters pages: the Kasubbag's recap inbox, letters awaiting signature, the signing desk and the history."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy.orm import selectinload

from distribusi.admin.services import list_partners
from distribusi.auth.permissions import PermissionDenied, can, ensure
from distribusi.custody import wait_limit
from distribusi.extensions import db
from distribusi.letters import bp, services
from distribusi.letters.models import CoverLetter
from distribusi.letters.schemas import LetterIn, RejectIn
from distribusi.models import utcnow
from distribusi.printing import services as printing
from distribusi.problems import Problem
from distribusi.recap.models import Parcel, Recap
from distribusi.security import allow_framing_by_own_pages
from distribusi.web.pages import form_payload, in_office, paginate, refused
from distribusi.workflow import LetterStatus

HISTORY_STATES = {"signed": [LetterStatus.signed], "rejected": [LetterStatus.rejected],
                  "": [LetterStatus.signed, LetterStatus.rejected]}


def _ensure_letter_desk() -> None:
    """The Kasubbag (who issues letters) and the secretary (who signs them) work on these pages; others get 403."""
    if not (can(current_user, "issue_letters") or can(current_user, "sign_letters")):
        raise PermissionDenied()


def _search() -> str:
    return (request.args.get("q") or "").strip()[:100]


def _recap_inbox(errors: dict | None = None, failed_recap: int | None = None, status: int = 200):
    stmt = services.recaps_awaiting_letter(current_user.office_id, _search()).options(
        selectinload(Recap.parcels).selectinload(Parcel.documents))
    pagination = paginate(stmt)
    recaps = list(pagination.items)
    partners = [p for p in list_partners(current_user.office) if p.active]
    return render_template(
        "letters/recap_inbox.html", pagination=pagination, recaps=recaps, partners=partners, now=utcnow(),
        rejections=services.last_rejections([r.id for r in recaps]), errors=errors or {},
        failed_recap=failed_recap, values=request.form if failed_recap else {}, q=_search(),
        limit=wait_limit(current_user.office.settings, "submitted"),
    ), status


@bp.route("/rekap-masuk")
@login_required
def recap_inbox():
    ensure(current_user, "issue_letters")
    return _recap_inbox()


@bp.route("/terbitkan/<int:recap_id>", methods=["POST"])
@login_required
def issue(recap_id: int):
    ensure(current_user, "issue_letters")
    recap = in_office(Recap, recap_id)
    try:
        payload = form_payload("courier_partner_id")
        if payload.get("courier_partner_id", "").isdigit():  # the API's JSON carries a number, a form a string
            payload["courier_partner_id"] = int(payload["courier_partner_id"])
        data = LetterIn().load(payload)
        letter = services.issue_letter(current_user, recap, data["courier_partner_id"])
    except (ValidationError, Problem) as error:
        return _recap_inbox(refused(error), recap_id, getattr(error, "status", 422))
    db.session.commit()
    flash(f"Surat pengantar {letter.letter_number} dibuat dan dikirim ke Sekretaris untuk ditandatangani.", "success")
    return redirect(url_for("letters.letter", letter_id=letter.id))


@bp.route("/menunggu")
@login_required
def awaiting():
    _ensure_letter_desk()
    stmt = services.office_letters(current_user.office_id, [LetterStatus.awaiting_signature], _search())
    pagination = paginate(stmt)
    letters = list(pagination.items)
    return render_template("letters/awaiting.html", pagination=pagination, letters=letters, now=utcnow(),
                           limit=wait_limit(current_user.office.settings, "awaiting_signature"),
                           people=services.people({letter.issued_by_id for letter in letters}), q=_search())


@bp.route("/riwayat")
@login_required
def history():
    _ensure_letter_desk()
    state = request.args.get("status", "")
    stmt = services.office_letters(current_user.office_id, HISTORY_STATES.get(state, HISTORY_STATES[""]), _search(),
                                   newest_first=True)
    pagination = paginate(stmt)
    letters = list(pagination.items)
    people = services.people({user_id for letter in letters for user_id in (letter.signer_id, letter.rejected_by_id)})
    return render_template("letters/history.html", pagination=pagination, letters=letters, people=people,
                           q=_search(), state=state if state in HISTORY_STATES else "")


def _letter_page(letter: CoverLetter, errors: dict | None = None, status: int = 200):
    summary = services.letter_summary(letter)
    people = services.people({letter.issued_by_id, letter.signer_id, letter.rejected_by_id})
    return render_template("letters/letter.html", letter=letter, people=people, errors=errors or {},
                           values=request.form, now=utcnow(), **summary), status


@bp.route("/<int:letter_id>")
@login_required
def letter(letter_id: int):
    _ensure_letter_desk()
    return _letter_page(in_office(CoverLetter, letter_id))


@bp.route("/<int:letter_id>/surat.pdf")
@login_required
def letter_pdf(letter_id: int):
    ensure(current_user, "print_papers")
    paper = printing.cover_letter_pdf(current_user, in_office(CoverLetter, letter_id))
    response = send_file(paper.render(), mimetype=paper.mimetype, download_name=paper.filename,
                         as_attachment=request.args.get("unduh") == "1", max_age=0)
    response.headers["Cache-Control"] = "no-store"  # personal data: no copies in browser or proxy caches
    return allow_framing_by_own_pages(response)


@bp.route("/<int:letter_id>/tandatangani", methods=["POST"])
@login_required
def sign(letter_id: int):
    ensure(current_user, "sign_letters")
    letter = in_office(CoverLetter, letter_id)
    try:
        services.sign_letter_with_password(current_user, letter, request.form.get("password", ""))
    except Problem as error:
        errors = refused(error)
        return _letter_page(db.session.get(CoverLetter, letter_id), errors, error.status)
    db.session.commit()
    flash(f"Surat pengantar {letter.letter_number} sudah ditandatangani.", "success")
    return redirect(url_for("letters.letter", letter_id=letter.id))


@bp.route("/<int:letter_id>/tolak", methods=["POST"])
@login_required
def reject(letter_id: int):
    ensure(current_user, "sign_letters")
    letter = in_office(CoverLetter, letter_id)
    try:
        data = RejectIn().load(form_payload("note"))
        services.reject_letter(current_user, letter, data["note"])
    except (ValidationError, Problem) as error:
        errors = refused(error)
        return _letter_page(db.session.get(CoverLetter, letter_id), errors, getattr(error, "status", 422))
    db.session.commit()
    flash(f"Surat pengantar {letter.letter_number} ditolak; Kasubbag Umum akan membuat surat baru.", "success")
    return redirect(url_for("letters.awaiting"))
