"""What backup and restore share: table counts, the pg_dump/pg_restore binaries and a libpq address."""
from __future__ import annotations

import glob
import hashlib
import os
import shutil
from typing import Any

import sqlalchemy as sa

from distribusi.extensions import db


class OperationFailed(Exception):
    """A backup or restore cannot go on; the message is for the operator, in Indonesian."""


def app_tables() -> list[str]:
    """The application's tables, parents first, plus alembic_version."""
    import distribusi.all_models  # noqa: F401  (every table in the metadata)

    return [table.name for table in db.metadata.sorted_tables] + ["alembic_version"]


def row_counts(connection: sa.Connection | Any, tables: list[str]) -> dict[str, int]:
    """Rows per table that exists, through a SQLAlchemy connection or a DB-API (sqlite3) connection."""
    counts = {}
    existing = existing_tables(connection)
    for name in tables:
        if name not in existing:
            continue
        query = f'SELECT COUNT(*) FROM "{name}"'
        if isinstance(connection, sa.Connection):
            counts[name] = connection.execute(sa.text(query)).scalar_one()
        else:
            counts[name] = connection.execute(query).fetchone()[0]
    return counts


def existing_tables(connection: sa.Connection | Any) -> set[str]:
    if isinstance(connection, sa.Connection):
        return set(sa.inspect(connection).get_table_names())
    return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def pg_tool(name: str) -> str:
    """The newest pg_dump/pg_restore under /usr/lib/postgresql/*/bin, else on PATH; clear message when missing."""
    def version(path: str) -> float:
        try:
            return float(path.split(os.sep)[-3])
        except ValueError:
            return 0.0

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version, reverse=True)
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        raise OperationFailed(
            f"Program {name} tidak ditemukan (dicari di /usr/lib/postgresql/*/bin dan PATH). Pasang paket "
            "postgresql-client dengan versi yang sama atau lebih baru dari server PostgreSQL, lalu ulangi."
        )
    return found


def libpq_address(url: sa.URL) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password (the password goes in PGPASSWORD) and the environment for the tools."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env
