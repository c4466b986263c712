"""A consistent backup: the database (SQLite online backup API or pg_dump in custom format), the proof photos and
a manifest (time, app version, migration revision, rows per table, photo checksums)."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import sqlalchemy as sa

from distribusi.courier.photos import photo_dir
from distribusi.extensions import db
from distribusi.models import utcnow
from distribusi.operations.common import (OperationFailed, app_tables, file_sha256, libpq_address, pg_tool,
                                          row_counts)

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
FORMAT_VERSION = 1


def app_version() -> str:
    try:
        return version("distribusi")
    except PackageNotFoundError:
        return "unknown"


def make_backup(target_root: str) -> tuple[str, dict[str, Any]]:
    """Write one backup folder under target_root; returns its path and the manifest."""
    started = utcnow()
    folder = os.path.join(target_root, "distribusi-backup-" + started.strftime("%Y%m%dT%H%M%S%fZ"))
    os.makedirs(folder, exist_ok=False)
    try:
        backend = db.engine.dialect.name
        if backend == "sqlite":
            counts, revision, photos = _backup_sqlite(os.path.join(folder, SQLITE_FILE))
            database_file = SQLITE_FILE
        elif backend == "postgresql":
            counts, revision, photos = _backup_postgres(os.path.join(folder, PG_FILE))
            database_file = PG_FILE
        else:
            raise OperationFailed(f"Basis data {backend} tidak didukung untuk cadangan.")
        checksums = _copy_photos(photos, os.path.join(folder, "photos"))
        manifest = {
            "format": FORMAT_VERSION, "created_at": started.isoformat() + "Z", "finished_at": utcnow().isoformat() + "Z",
            "app_version": app_version(), "backend": backend, "migration_revision": revision,
            "database_file": database_file, "row_counts": counts, "photos": checksums,
        }
        with open(os.path.join(folder, MANIFEST), "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, indent=2, sort_keys=True)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, manifest


def _backup_sqlite(path: str) -> tuple[dict[str, int], str | None, list[str]]:
    """Copy the live database page by page (sqlite3 backup API), then read counts and photos from the copy."""
    db.session.remove()
    raw = db.engine.raw_connection()
    try:
        copy = sqlite3.connect(path)
        try:
            raw.driver_connection.backup(copy)
            counts = row_counts(copy, app_tables())
            revision = _first(copy.execute("SELECT version_num FROM alembic_version").fetchall())
            photos = [row[0] for row in copy.execute("SELECT storage_name FROM delivery_photos")]
        finally:
            copy.close()
    finally:
        raw.close()
    return counts, revision, photos


def _backup_postgres(path: str) -> tuple[dict[str, int], str | None, list[str]]:
    """pg_dump the app's schema in one exported snapshot; counts and the photo list are read in that snapshot."""
    dump = pg_tool("pg_dump")
    db.session.remove()
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            schema = connection.execute(sa.text("SELECT current_schema()")).scalar_one()
            counts = row_counts(connection, app_tables())
            revision = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            photos = list(connection.execute(sa.text("SELECT storage_name FROM delivery_photos")).scalars())
            address, env = libpq_address(db.engine.url)
            done = subprocess.run(
                [dump, "--format=custom", f"--snapshot={snapshot}", f"--schema={schema}", "--no-owner",
                 "--no-privileges", f"--file={path}", f"--dbname={address}"],
                env=env, capture_output=True, text=True, check=False,
            )
    if done.returncode != 0:
        raise OperationFailed(f"pg_dump gagal (kode {done.returncode}): {done.stderr.strip()}")
    return counts, revision, photos


def _first(rows: list) -> str | None:
    return rows[0][0] if rows else None


def _copy_photos(names: list[str], target: str) -> dict[str, str | None]:
    """Copy each stored photo the database knows; checksum per file, None for a file that is missing."""
    os.makedirs(target, exist_ok=True)
    source, checksums = photo_dir(), {}
    for name in sorted(names):
        origin = os.path.join(source, name)
        if not os.path.isfile(origin):
            checksums[name] = None
            continue
        shutil.copy2(origin, os.path.join(target, name))
        checksums[name] = file_sha256(os.path.join(target, name))
    return checksums
