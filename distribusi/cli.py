"""Commands: create-admin, demo-data, custody verify, and each package's own (db upgrade comes from Flask-Migrate)."""
from __future__ import annotations

import os
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup
from sqlalchemy import select

from distribusi.extensions import db
from distribusi.privacy.cli import pdp_cli


def register(app: Flask) -> None:
    """Attach the commands to the app's CLI."""
    app.cli.add_command(create_admin)
    app.cli.add_command(demo_data)
    app.cli.add_command(custody_cli)
    app.cli.add_command(pdp_cli)
    from distribusi.complaints.cli import complaints_cli
    from distribusi.notify.cli import notify_cli
    from distribusi.operations.cli import register as register_operations
    from distribusi.reports.cli import reports_cli

    app.cli.add_command(notify_cli)
    app.cli.add_command(complaints_cli)
    app.cli.add_command(reports_cli)
    register_operations(app)


@click.command("create-admin")
@click.option("--office-code", required=True, help="Kode kantor, mis. PKU")
@click.option("--office-name", required=True, help="Nama kantor, mis. \"Dinas Dukcapil Kota Pekanbaru\"")
@click.option("--username", required=True)
@click.option("--full-name", default="Administrator")
def create_admin(office_code: str, office_name: str, username: str, full_name: str) -> None:
    """Create the first office (if new) and its admin; password from DISTRIBUSI_ADMIN_PASSWORD or a prompt."""
    from distribusi.admin.services import create_office, create_user
    from distribusi.models import Office
    from distribusi.workflow import DomainError

    password = os.environ.get("DISTRIBUSI_ADMIN_PASSWORD") or click.prompt(
        "Kata sandi admin", hide_input=True, confirmation_prompt=True
    )
    if len(password) < 10:
        raise click.ClickException("Kata sandi minimal 10 karakter.")
    office = db.session.scalar(select(Office).where(Office.code == office_code)) or create_office(office_code, office_name)
    try:
        create_user(office, {"username": username, "password": password, "full_name": full_name, "role": "admin"})
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Admin {username} untuk {office.name} ({office.code}) dibuat.")


@click.command("demo-data")
@click.option("--password", default="demo12345", show_default=True, help="Kata sandi semua pengguna demo")
def demo_data(password: str) -> None:
    """Load the demo offices, users, courier partner and documents once; always print the demo logins."""
    from distribusi.demo_data import DEMO_USERS, load_demo

    created = load_demo(password)
    db.session.commit()
    click.echo("Data demo dimuat." if created else "Data demo sudah ada; tidak dimuat ulang.")
    click.echo("\nMasuk di /login (atau POST /api/v1/auth/token) dengan salah satu akun demo:")
    for username, _full_name, role, office_code in DEMO_USERS:
        click.echo(f"  {username:<12} {role:<10} kantor {office_code}   kata sandi: {password}")


@click.group("custody")
def custody_cli() -> None:
    """The custody log (kartu kendali)."""


@custody_cli.command("verify")
def custody_verify() -> None:
    """Check every office's hash chain; exit 1 naming the first broken event."""
    from distribusi.custody import CustodyEvent, verify_all

    problems = verify_all()
    total = db.session.scalar(select(db.func.count()).select_from(CustodyEvent))
    if problems:
        for problem in problems:
            click.echo(f"RUSAK {problem}", err=True)
        sys.exit(1)
    click.echo(f"Rantai kartu kendali utuh: {total} event diperiksa.")


def main() -> None:
    """The `distribusi` console script: the Flask CLI of this app."""
    from distribusi import create_app

    FlaskGroup(create_app=create_app)(prog_name="distribusi")
