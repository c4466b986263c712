"""`flask --app distribusi reports ...`: rebuild the report facts from the custody log, or check them against it."""
from __future__ import annotations

import sys
import time

import click

from distribusi.extensions import db
from distribusi.reports.facts import facts_differ, rebuild_facts


@click.group("reports")
def reports_cli() -> None:
    """The period reports."""


@reports_cli.command("rebuild-facts")
def rebuild_facts_command() -> None:
    """Replace the report facts with what the custody log and the parcels say now, in one transaction (after data
    was changed behind the services' back, e.g. a bulk load or a hand repair)."""
    start = time.perf_counter()
    parcels = rebuild_facts()
    db.session.commit()
    click.echo(f"Fakta laporan dibangun ulang: {parcels} kiriman dalam {time.perf_counter() - start:.1f} detik.")


@reports_cli.command("check-facts")
def check_facts_command() -> None:
    """Compare the kept report facts with a rebuild from the log (nothing written); exit 1 and the first
    differences."""
    problems = facts_differ()
    if problems:
        for problem in problems:
            click.echo(problem)
        click.echo("Fakta laporan berbeda dari kartu kendali: jalankan `flask reports rebuild-facts`.")
        sys.exit(1)
    click.echo("Fakta laporan sama dengan kartu kendali.")
