"""Commands: backup, restore, retention purge."""
from __future__ import annotations

import os
import sys
from datetime import datetime

import click
from flask import Flask, current_app
from sqlalchemy import select

from distribusi.extensions import db

from distribusi.operations.common import OperationFailed


def register(app: Flask) -> None:
    """Attach the operations commands to the app's CLI."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(retention_cli)


@click.command("backup")
@click.option("--to", "target", type=click.Path(file_okay=False), default=None,
              help="Folder tujuan (bawaan: instance/backups); tiap cadangan satu subfolder bertanggal.")
def backup_command(target: str | None) -> None:
    """Write a consistent backup of the database and the proof photos, with a manifest."""
    from distribusi.operations.backup import make_backup

    root = target or os.path.join(current_app.instance_path, "backups")
    os.makedirs(root, exist_ok=True)
    try:
        folder, manifest = make_backup(root)
    except OperationFailed as error:
        raise click.ClickException(str(error)) from None
    rows = sum(manifest["row_counts"].values())
    click.echo(f"Cadangan ditulis ke {folder}: {rows} baris di {len(manifest['row_counts'])} tabel, "
               f"{len(manifest['photos'])} foto, revisi migrasi {manifest['migration_revision']}.")


@click.command("restore")
@click.argument("backup", type=click.Path(exists=True, file_okay=False))
def restore_command(backup: str) -> None:
    """Restore a backup folder into an EMPTY database, then check the custody chain and the row counts."""
    from distribusi.operations.restore import restore_backup

    try:
        report = restore_backup(backup)
    except OperationFailed as error:
        raise click.ClickException(str(error)) from None
    for line in report.photo_problems:
        click.echo(f"FOTO {line}", err=True)
    for line in report.chain_problems:
        click.echo(f"RUSAK {line}", err=True)
    for line in report.count_mismatches:
        click.echo(f"SELISIH {line}", err=True)
    if not report.ok:
        sys.exit(1)
    counts = report.manifest["row_counts"]
    click.echo(f"Pemulihan selesai: {sum(counts.values())} baris di {len(counts)} tabel cocok dengan manifes, "
               f"{len(report.manifest.get('photos', {}))} foto dipulihkan, rantai kartu kendali utuh.")
    if report.manifest.get("migration_revision") not in _migration_heads():
        click.echo("Cadangan ini dari versi skema yang lebih lama: jalankan `flask --app distribusi db upgrade`.")


def _migration_heads() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", current_app.extensions["migrate"].directory)
    return set(ScriptDirectory.from_config(config).get_heads())


@click.group("retention")
def retention_cli() -> None:
    """Retention of personal data (UU PDP)."""


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Hanya tampilkan apa yang akan dihapus; tidak mengubah apa pun.")
@click.option("--office", "office_code", default=None, help="Kode kantor (bawaan: semua kantor).")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Hitung masa simpan seolah-olah hari ini tanggal ini (untuk latihan; bawaan: sekarang).")
def retention_purge(dry_run: bool, office_code: str | None, as_of: datetime | None) -> None:
    """Erase personal data whose retention period has ended (photos, phone numbers, street addresses)."""
    from distribusi.custody import verify_office
    from distribusi.models import Office
    from distribusi.operations.retention import describe, plan_purge, purge, remove_photo_files

    stmt = select(Office).order_by(Office.code)
    offices = list(db.session.scalars(stmt.where(Office.code == office_code) if office_code else stmt))
    if not offices:
        raise click.ClickException(f"Kantor {office_code} tidak ditemukan.")
    failed, when = False, f", dihitung per {as_of:%Y-%m-%d}" if as_of else ""
    for office in offices:
        if dry_run:
            plan = plan_purge(office, as_of)
            click.echo(f"{office.code} (uji coba, tidak ada yang dihapus){when} — masa simpan {plan.periods}:")
            click.echo("\n".join(describe(plan.counts)))
            continue
        run, files = purge(office, as_of)
        db.session.commit()
        remove_photo_files(files)
        click.echo(f"{office.code}: penghapusan #{run.id} selesai{when} — masa simpan {run.periods}:")
        click.echo("\n".join(describe(run.counts)))
        if (problem := verify_office(office.id)) is not None:
            click.echo(f"RUSAK {problem}", err=True)
            failed = True
    db.session.rollback()
    if failed:
        sys.exit(1)
