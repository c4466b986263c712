"""Commands: backup, restore, retention purge."""
from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app

from distribusi.operations.common import OperationFailed


def register(app: Flask) -> None:
    """Attach the operations commands to the app's CLI."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


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
