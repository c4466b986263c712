"""Backup and restore drill on SQLite and PostgreSQL: load data with photos, back up, restore into a fresh
database, compare every table's rows and verify the custody chain; a non-empty target is refused."""
from __future__ import annotations

import io
import json
import os

import pytest
import sqlalchemy as sa
from PIL import Image

from conftest import PG_URL
from conftest import test_config as config_for
from distribusi import create_app
from distribusi.courier.photos import photo_dir, store_photo
from distribusi.extensions import db
from distribusi.operations.common import app_tables, row_counts

from flow import DELIVERED, drive, handed_over_recap, scan


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def loaded(crew, documents) -> dict:
    """Two recaps walked through the flow: a delivered parcel with a proof photo, a returned and a collected one."""
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=6, seed=3)
    first, second, third = recap["parcels"][:3]
    scan(crew.courier, first["tracking_code"], "accept")
    scan(crew.courier, first["tracking_code"], "out_for_delivery")
    delivered = scan(crew.courier, first["tracking_code"], "delivered", lat=0.5071, lon=101.4478, **DELIVERED)
    store_photo(crew.courier.user, delivered.get_json()["event_id"], jpeg())
    db.session.commit()
    drive(crew, second, "returned")
    drive(crew, third, "collected")
    db.session.commit()
    return row_counts(db.session.connection(), app_tables())


def fresh_target(backend: str, tmp_path, source_url: str) -> str:
    """An empty database of the same kind: a new SQLite file, or a new PostgreSQL database with the same schema."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.db'}"
    name = f"distribusi_restore_{os.getpid()}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = sa.make_url(source_url)
    target = url.set(database=name)
    schema = url.query["options"].split("=")[-1]
    engine = sa.create_engine(target.set(query={}))
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return target.render_as_string(hide_password=False)


def drop_target(backend: str) -> None:
    if backend == "postgresql":
        admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS distribusi_restore_{os.getpid()} WITH (FORCE)"))
        admin.dispose()


def test_drill_backup_then_restore_into_a_fresh_database(app, runner, loaded, backend, database_url, tmp_path):
    result = runner.invoke(args=["backup", "--to", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["backend"] == backend
    assert manifest["row_counts"] == loaded
    assert manifest["row_counts"]["custody_events"] > 10 and manifest["row_counts"]["delivery_photos"] == 1
    assert manifest["migration_revision"] and manifest["app_version"]
    ((photo_name, checksum),) = manifest["photos"].items()
    assert checksum and len(checksum) == 64

    target_url = fresh_target(backend, tmp_path, database_url)
    try:
        target = create_app(config_for(target_url))
        target.instance_path = str(tmp_path / "restored-instance")
        with target.app_context():
            restored = target.test_cli_runner().invoke(args=["restore", str(folder)])
            assert restored.exit_code == 0, restored.output
            assert "cocok dengan manifes" in restored.output and "db upgrade" not in restored.output
            assert row_counts(db.session.connection(), app_tables()) == loaded
            db.session.remove()
            assert os.path.isfile(os.path.join(photo_dir(), photo_name))
            verified = target.test_cli_runner().invoke(args=["custody", "verify"])
            assert verified.exit_code == 0, verified.output
            # the restored database now holds rows: a second restore into it is refused
            again = target.test_cli_runner().invoke(args=["restore", str(folder)])
            assert again.exit_code != 0 and "tidak kosong" in again.output
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_target(backend)


def test_restore_refuses_a_database_that_holds_rows(app, runner, loaded, tmp_path):
    assert runner.invoke(args=["backup", "--to", str(tmp_path / "b")]).exit_code == 0
    (folder,) = (tmp_path / "b").iterdir()
    result = runner.invoke(args=["restore", str(folder)])
    assert result.exit_code != 0
    assert "Basis data tujuan tidak kosong" in result.output and "offices (1 baris)" in result.output
    assert row_counts(db.session.connection(), app_tables()) == loaded  # nothing was touched


def test_restore_into_a_migrated_but_empty_database(app, runner, loaded, backend, database_url, tmp_path):
    """`flask db upgrade` already ran on the target: its tables are empty, so the restore replaces them."""
    from conftest import _migrate

    assert runner.invoke(args=["backup", "--to", str(tmp_path / "b")]).exit_code == 0
    (folder,) = (tmp_path / "b").iterdir()
    target_url = fresh_target(backend, tmp_path, database_url)
    try:
        _migrate(target_url)
        target = create_app(config_for(target_url))
        target.instance_path = str(tmp_path / "i2")
        with target.app_context():
            result = target.test_cli_runner().invoke(args=["restore", str(folder)])
            assert result.exit_code == 0, result.output
            assert row_counts(db.session.connection(), app_tables()) == loaded
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_target(backend)


def test_restore_reports_a_tampered_photo_and_a_missing_manifest(app, runner, loaded, tmp_path, backend):
    assert runner.invoke(args=["backup", "--to", str(tmp_path / "b")]).exit_code == 0
    (folder,) = (tmp_path / "b").iterdir()
    no_backup = runner.invoke(args=["restore", str(tmp_path)])
    assert no_backup.exit_code != 0 and "manifest.json tidak ada" in no_backup.output
    if backend != "sqlite":
        return
    (photo,) = (folder / "photos").iterdir()
    photo.write_bytes(b"bukan foto")
    target = create_app(config_for(f"sqlite:///{tmp_path / 'r.db'}"))
    target.instance_path = str(tmp_path / "i3")
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", str(folder)])
        assert result.exit_code == 1 and "hilang atau rusak" in result.output
        db.engine.dispose()


def test_missing_pg_dump_gives_a_clear_message(monkeypatch):
    from distribusi.operations import common

    monkeypatch.setattr(common.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(common.shutil, "which", lambda name: None)
    with pytest.raises(common.OperationFailed, match="pg_dump tidak ditemukan.*postgresql-client"):
        common.pg_tool("pg_dump")
