"""Bring a backup into an empty database (SQLite backup API or pg_restore), put the photos back, then check it:
the custody chain verifies and every table holds the rows the manifest counted."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from distribusi.courier.photos import photo_dir
from distribusi.extensions import db
from distribusi.operations.backup import MANIFEST
from distribusi.operations.common import (OperationFailed, app_tables, existing_tables, file_sha256, libpq_address,
                                          pg_tool, row_counts)


@dataclass
class RestoreReport:
    """What the checks after a restore found; ok when the chain verifies and every count matches."""

    manifest: dict[str, Any]
    chain_problems: list[str] = field(default_factory=list)
    count_mismatches: list[str] = field(default_factory=list)
    photo_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.chain_problems or self.count_mismatches or self.photo_problems)


def read_manifest(folder: str) -> dict[str, Any]:
    path = os.path.join(folder, MANIFEST)
    if not os.path.isfile(path):
        raise OperationFailed(f"{folder} bukan folder cadangan Distribusi: {MANIFEST} tidak ada.")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def restore_backup(folder: str) -> RestoreReport:
    """Restore a backup folder into the app's (empty) database and photo folder, then check the result."""
    manifest = read_manifest(folder)
    backend = db.engine.dialect.name
    if manifest.get("backend") != backend:
        raise OperationFailed(f"Cadangan ini dari basis data {manifest.get('backend')}, sedangkan tujuan {backend}; "
                              "pulihkan ke jenis basis data yang sama.")
    database_file = os.path.join(folder, os.path.basename(manifest["database_file"]))
    db.session.remove()
    refuse_unless_empty()
    if backend == "sqlite":
        _restore_sqlite(database_file)
    else:
        _restore_postgres(database_file)
    db.session.remove()
    db.engine.dispose()
    report = RestoreReport(manifest, photo_problems=_restore_photos(folder, manifest.get("photos", {})))
    return check_restored(report)


def refuse_unless_empty() -> None:
    """Raise OperationFailed when any table of the target schema holds a row (alembic_version aside)."""
    with db.engine.connect() as connection:
        names = existing_tables(connection) - {"alembic_version", "sqlite_sequence"}
        filled = {name: count for name, count in row_counts(connection, sorted(names)).items() if count}
    if filled:
        order = {name: index for index, name in enumerate(app_tables())}
        sample = ", ".join(f"{name} ({count} baris)" for name, count in
                           sorted(filled.items(), key=lambda item: order.get(item[0], len(order)))[:4])
        raise OperationFailed(
            f"Basis data tujuan tidak kosong: {len(filled)} tabel berisi data, mis. {sample}. Pemulihan hanya ke basis data kosong, agar tidak ada data "
            "yang tertimpa; buat basis data baru lalu arahkan DATABASE_URL ke sana."
        )


def _restore_sqlite(path: str) -> None:
    """Copy the backup file into the target through the sqlite3 backup API (it replaces every page)."""
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    raw = db.engine.raw_connection()
    try:
        source.backup(raw.driver_connection)
    finally:
        raw.close()
        source.close()


def _restore_postgres(path: str) -> None:
    """Drop the target schema's empty tables, then pg_restore the dump (its schema entry left out) in one
    transaction."""
    restore = pg_tool("pg_restore")
    with db.engine.begin() as connection:
        schema = connection.execute(sa.text("SELECT current_schema()")).scalar_one()
        for name in existing_tables(connection):
            connection.execute(sa.text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
    listing = subprocess.run([restore, "--list", path], capture_output=True, text=True, check=False)
    if listing.returncode != 0:
        raise OperationFailed(f"Berkas cadangan PostgreSQL tidak terbaca: {listing.stderr.strip()}")
    wanted = [line for line in listing.stdout.splitlines() if " SCHEMA " not in line]
    dumped_schema = _dumped_schema(listing.stdout) or schema
    if dumped_schema != schema:
        raise OperationFailed(f"Cadangan ini berisi skema {dumped_schema}, sedangkan tujuan memakai skema {schema}; "
                              "pulihkan ke basis data baru dengan skema yang sama.")
    address, env = libpq_address(db.engine.url)
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as handle:
        handle.write("\n".join(wanted) + "\n")
    try:
        done = subprocess.run(
            [restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
             f"--use-list={handle.name}", f"--dbname={address}", path],
            env=env, capture_output=True, text=True, check=False,
        )
    finally:
        os.unlink(handle.name)
    if done.returncode != 0:
        raise OperationFailed(f"pg_restore gagal (kode {done.returncode}): {done.stderr.strip()}")


def _dumped_schema(listing: str) -> str | None:
    """The schema of the first table in a pg_restore --list (lines: "id; oid oid TABLE schema name owner")."""
    for line in listing.splitlines():
        tokens = line.split()
        if not line.startswith(";") and "TABLE" in tokens[3:4]:
            return tokens[4]
    return None


def _restore_photos(folder: str, checksums: dict[str, str | None]) -> list[str]:
    """Copy the photos back into the photo folder, checking each checksum; returns the problems found."""
    problems, target = [], photo_dir()
    for name, expected in sorted(checksums.items()):
        safe = os.path.basename(name)
        origin = os.path.join(folder, "photos", safe)
        if expected is None:
            problems.append(f"foto {safe} sudah hilang saat pencadangan")
            continue
        if not os.path.isfile(origin) or file_sha256(origin) != expected:
            problems.append(f"foto {safe} hilang atau rusak di cadangan")
            continue
        shutil.copy2(origin, os.path.join(target, safe))
    return problems


def check_restored(report: RestoreReport) -> RestoreReport:
    """Verify the custody chain and compare every table's rows with the manifest."""
    from distribusi.custody import verify_all

    report.chain_problems = [str(problem) for problem in verify_all()]
    counts = row_counts(db.session.connection(), app_tables())
    db.session.remove()
    for name, expected in sorted(report.manifest.get("row_counts", {}).items()):
        if counts.get(name) != expected:
            report.count_mismatches.append(f"{name}: cadangan {expected} baris, hasil pemulihan {counts.get(name)}")
    return report
