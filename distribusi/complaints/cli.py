"""`flask --app distribusi complaints ...`: raise overdue tickets one level, office by office."""
from __future__ import annotations

import click
from sqlalchemy import select

from distribusi.complaints import services
from distribusi.extensions import db
from distribusi.models import Office


@click.group("complaints")
def complaints_cli() -> None:
    """The complaint book."""


@complaints_cli.command("escalate-overdue")
def escalate_overdue() -> None:
    """Raise every open ticket past its due time one level up the ladder (run it every hour, e.g. from cron)."""
    total = 0
    for office in db.session.scalars(select(Office).order_by(Office.id)).all():
        raised = services.escalate_overdue(office)
        db.session.commit()
        for complaint in raised:
            click.echo(f"{office.code} {complaint.ticket_number} -> {complaint.level.value}")
        total += len(raised)
    click.echo(f"{total} pengaduan dinaikkan.")
