"""Cover letters: issue, sign, reject, read; public verification."""
from distribusi.api import bp
from distribusi.api.access import api_route, current_user, get_in_office, load_body
from distribusi.api.recaps import recap_in_office
from distribusi.extensions import db
from distribusi.problems import NotFound
from distribusi.letters import services
from distribusi.letters.models import CoverLetter
from distribusi.letters.schemas import LetterIn, LetterOut, RejectIn, VerificationOut
from distribusi.ratelimit import public_limit


@api_route(bp, "/recaps/<int:recap_id>/cover-letter", methods=("POST",), verb="issue_letters",
           summary="Buat surat pengantar untuk rekapan yang diajukan", body=LetterIn, response=LetterOut, status=201)
def issue_letter(recap_id: int):
    recap = recap_in_office(recap_id)
    data = load_body(LetterIn())
    letter = services.issue_letter(current_user(), recap, data["courier_partner_id"])
    db.session.commit()
    return LetterOut().dump(letter), 201


@api_route(bp, "/cover-letters/<int:letter_id>", verb="view_recaps", summary="Satu surat pengantar",
           response=LetterOut)
def get_letter(letter_id: int):
    return LetterOut().dump(get_in_office(CoverLetter, letter_id))


@api_route(bp, "/cover-letters/<int:letter_id>/sign", methods=("POST",), verb="sign_letters",
           summary="Tandatangani surat pengantar", response=LetterOut)
def sign_letter(letter_id: int):
    letter = get_in_office(CoverLetter, letter_id)
    services.sign_letter(current_user(), letter)
    db.session.commit()
    return LetterOut().dump(letter)


@api_route(bp, "/cover-letters/<int:letter_id>/reject", methods=("POST",), verb="sign_letters",
           summary="Tolak surat pengantar dengan catatan", body=RejectIn, response=LetterOut)
def reject_letter(letter_id: int):
    letter = get_in_office(CoverLetter, letter_id)
    data = load_body(RejectIn())
    services.reject_letter(current_user(), letter, data["note"])
    db.session.commit()
    return LetterOut().dump(letter)


@api_route(bp, "/public/verify/<code>", summary="Verifikasi surat pengantar bertanda tangan (publik)",
           response=VerificationOut)
@public_limit()
def verify_letter(code: str):
    facts = services.verify_letter(code[:100])
    if facts is None:
        raise NotFound("Kode verifikasi tidak dikenal.")
    return VerificationOut().dump(facts)

