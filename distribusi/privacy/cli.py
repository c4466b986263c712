"""`flask pdp trail`: record a citizen's written request and write its answer (PDF and JSON) from the server."""
from __future__ import annotations

from datetime import date

import click
from marshmallow import ValidationError
from sqlalchemy import select

from distribusi.extensions import db


@click.group("pdp")
def pdp_cli() -> None:
    """The citizen's processing trail (UU PDP Pasal 32)."""


@pdp_cli.command("trail")
@click.option("--nik", required=True, help="NIK yang diminta (16 digit)")
@click.option("--operator", "username", required=True, help="Nama pengguna operator/admin yang menjawab")
@click.option("--requester", required=True, help="Nama pemohon sesuai surat")
@click.option("--letter", "letter_number", required=True, help="Nomor surat permintaan")
@click.option("--date", "request_date", default=None, help="Tanggal surat (YYYY-MM-DD; bawaan: hari ini)")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, writable=True), help="Tulis jawaban PDF ke berkas ini")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, writable=True), help="Tulis jawaban JSON ke berkas ini")
def pdp_trail(nik: str, username: str, requester: str, letter_number: str, request_date: str | None,
              pdf_path: str | None, json_path: str | None) -> None:
    """Record the request as the operator, produce the answer, and record who produced it and when."""
    from distribusi.auth.models import User
    from distribusi.auth.permissions import can
    from distribusi.privacy import services
    from distribusi.privacy.schemas import TrailRequestIn

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not can(user, "answer_pdp_requests"):
        raise click.ClickException(f"{username}: bukan pengguna aktif yang boleh menjawab permintaan PDP.")
    try:
        data = TrailRequestIn().load({"nik": nik, "requester_name": requester, "letter_number": letter_number,
                                 "request_date": request_date or date.today().isoformat()})
    except ValidationError as error:
        raise click.ClickException(f"Isian tidak sah: {error.messages}") from None
    trail_request = services.create_request(user, data)
    for fmt, path in (("pdf", pdf_path), ("json", json_path)):
        if path:
            content, trail = services.produce_answer(user, trail_request, fmt)
            with open(path, "wb") as out:
                out.write(content)
            click.echo(f"{fmt.upper()} ditulis ke {path}: {services.entry_count(trail)} entri.")
    db.session.commit()
    click.echo(f"Permintaan #{trail_request.id} dicatat di kantor {user.office.code} oleh {user.full_name}.")
