"""Shared set-up of bench/scans.py and bench/tracking.py: machine header, config, databases, people, a handed-over recap.

Nothing here is imported by the app or the tests; the scripts print figures, no test asserts a time.
PostgreSQL databases used here are the benchmark's own (`bench_engine`, `bench_engine_tracking`), created on the
server of BENCH_POSTGRES_URL when missing; the test suite's database `test` is never touched.
"""
from __future__ import annotations

import contextlib
import csv
import io
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts bench/ first on sys.path, not the project
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from common import load_average, machine  # noqa: E402  (one copy of the machine facts)
from distribusi import create_app  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
FORBIDDEN_DATABASES = {"test", "postgres", "template0", "template1"}
OFFICE = ("PKU", "Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru")
PARTNER = {"name": "PT Pos Indonesia (Persero)", "contract_number": "027/PKS/DUKCAPIL/2026", "contact": None}
PASSWORD = "bench-password-123"
ROLES = ("clerk", "kasubbag", "secretary", "courier")
HIGH_RATE_LIMIT = "1000000 per second"


# --------------------------------------------------------------------------- machine


def header(title: str) -> None:
    """Machine, Python and library versions, so printed figures can be compared."""
    import flask

    print(f"== {title} ==")
    print(f"date        {datetime.now().strftime('%Y-%m-%d %H:%M:%S')}")
    print(f"machine     {machine()}")
    print(f"python      {platform.python_version()} ({sys.executable})")
    print(f"libraries   flask {flask.__version__}, sqlalchemy {sa.__version__}, "
          f"sqlite {__import__('sqlite3').sqlite_version}")
    print(f"load avg    {load_average()}  (other processes on this machine skew the figures; compare with nproc)")
    sys.stdout.flush()


# --------------------------------------------------------------------------- configuration


def bench_config(url: str, **extra: Any) -> dict[str, Any]:
    """The production Config (not TestConfig) on one database, with the rate limiter off.

    ARGON2_FAST only makes creating the bench users quick; no password hashing is timed.
    """
    from distribusi.config import Config

    settings = {name: getattr(Config, name) for name in dir(Config) if name.isupper()}
    return {
        **settings,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench",
        "ARGON2_FAST": True,
        "RATELIMIT_ENABLED": False,
        "PUBLIC_RATE_LIMIT": HIGH_RATE_LIMIT,
        **extra,
    }


@contextlib.contextmanager
def quiet_stderr() -> Iterator[io.StringIO]:
    """Alembic's env.py logs INFO lines to stderr at every upgrade; keep them, show them only on failure."""
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            yield captured
    except BaseException:
        sys.stderr.write(captured.getvalue())
        raise


# --------------------------------------------------------------------------- databases


def pg_url(database: str) -> str:
    """BENCH_POSTGRES_URL's server with the given database (never the suite's `test`)."""
    if database in FORBIDDEN_DATABASES:
        raise SystemExit(f"refusing to use database {database!r} for a benchmark")
    given = make_url(os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG_URL))
    return given.set(database=database).render_as_string(hide_password=False)


def shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def ensure_pg_database(url: str) -> str | None:
    """Create the database when missing (on the server's `postgres` database); None when ready, else why not."""
    target = make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT",
                             connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": target.database})
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
        return None
    except Exception as error:  # any failure to reach or use the server: the caller skips PostgreSQL
        first = (str(error).strip().splitlines() or [""])[0]
        return f"cannot reach {shown(url)} ({error.__class__.__name__}: {first[:160]})"
    finally:
        admin.dispose()


def reset_pg_schema(url: str) -> None:
    if make_url(url).database in FORBIDDEN_DATABASES:
        raise SystemExit("refusing to reset a database that is not the benchmark's own")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    finally:
        engine.dispose()


def migrate(url: str) -> None:
    """Build the schema with the project's migrations (flask_migrate.upgrade), as production and the tests do."""
    from flask_migrate import upgrade

    app = create_app(bench_config(url))
    with app.app_context():
        from distribusi.extensions import db

        with quiet_stderr():
            upgrade()
        db.session.remove()
        db.engine.dispose()


def fresh_sqlite(workdir: Path, name: str, template: list[Path]) -> str:
    """A new SQLite file copied from a migrated template (migrated once per process)."""
    import shutil

    if not template:
        path = workdir / "template.db"
        migrate(f"sqlite:///{path}")
        template.append(path)
    target = workdir / f"{name}.db"
    shutil.copyfile(template[0], target)
    return f"sqlite:///{target}"


def fresh_postgres(url: str) -> str:
    reset_pg_schema(url)
    migrate(url)
    return url


def workdir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="distribusi-bench-engine-")


# --------------------------------------------------------------------------- people and a recap


@dataclass
class People:
    office_id: int
    partner_id: int
    user_ids: dict[str, int]  # role -> user id

    def user(self, role: str):
        from distribusi.auth.models import User
        from distribusi.extensions import db

        return db.session.get(User, self.user_ids[role])


def create_people() -> People:
    """The PKU office, its courier partner and one user per role of the flow (inside an app context)."""
    from distribusi.admin.services import create_office, create_partner, create_user
    from distribusi.extensions import db

    office = create_office(*OFFICE)
    partner = create_partner(office, dict(PARTNER))
    ids = {}
    for role in ROLES:
        user = create_user(office, {
            "username": f"bench.{role}", "password": PASSWORD, "full_name": f"Bench {role.title()}", "role": role,
            "courier_partner_id": partner.id if role == "courier" else None,
        })
        ids[role] = user.id
    db.session.commit()
    return People(office.id, partner.id, ids)


def import_csv(rows: list[dict[str, Any]]) -> bytes:
    from distribusi.intake.importer import COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({name: row.get(name, "") for name in COLUMNS} for row in rows)
    return out.getvalue().encode()


def handed_over_recap(people: People, parcels: int, *, seed: int = 7) -> tuple[int, list[str], dict[str, float]]:
    """One recap of `parcels` household parcels walked to `handed_over` through the services, committed per step.

    Returns (recap id, tracking codes in recap order, seconds per step).
    """
    from distribusi.demo import document_rows
    from distribusi.extensions import db
    from distribusi.handover.services import hand_over
    from distribusi.intake.models import Document
    from distribusi.intake.services import import_documents
    from distribusi.letters.services import issue_letter, sign_letter
    from distribusi.recap.models import Parcel, Recap
    from distribusi.recap.services import MAX_DOCUMENTS_PER_RECAP, create_recap, submit_recap

    household = 2 if parcels * 2 <= MAX_DOCUMENTS_PER_RECAP else 1
    if parcels * household > MAX_DOCUMENTS_PER_RECAP:
        raise SystemExit(f"--parcels: at most {MAX_DOCUMENTS_PER_RECAP} parcels fit one recap")
    steps: dict[str, float] = {}

    def step(name: str, action):
        start = time.perf_counter()
        result = action()
        db.session.commit()
        steps[name] = time.perf_counter() - start
        return result

    rows = list(document_rows(parcels * household, seed=seed, prefix=f"BS{seed}", household_size=household))
    clerk = people.user("clerk")
    step("import_documents", lambda: import_documents(clerk, "bench-scans.csv", import_csv(rows), 50_000))
    ids = list(db.session.scalars(sa.select(Document.id).where(Document.office_id == people.office_id)
                                  .order_by(Document.id)))
    recap = step("create_recap", lambda: create_recap(people.user("clerk"), ids))
    recap_id = recap.id
    step("submit_recap", lambda: submit_recap(people.user("clerk"), db.session.get(Recap, recap_id)))
    letter = step("issue_letter", lambda: issue_letter(people.user("kasubbag"), db.session.get(Recap, recap_id),
                                                      people.partner_id))
    letter_id = letter.id
    from distribusi.letters.models import CoverLetter

    step("sign_letter", lambda: sign_letter(people.user("secretary"), db.session.get(CoverLetter, letter_id)))
    step("hand_over", lambda: hand_over(people.user("kasubbag"), db.session.get(Recap, recap_id), people.partner_id,
                                        "Joko Susilo"))
    codes = list(db.session.scalars(sa.select(Parcel.tracking_code).where(Parcel.recap_id == recap_id)
                                    .order_by(Parcel.position)))
    db.session.remove()
    return recap_id, codes, steps


def courier_token(people: People) -> str:
    from distribusi.auth.services import issue_token
    from distribusi.extensions import db

    raw, _token = issue_token(people.user("courier"))
    db.session.commit()
    return raw


class QueryCounter:
    """Counts SQL statements sent on an engine (before_cursor_execute)."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _hook(self, *_args, **_kwargs):
        self.count += 1

    def __enter__(self) -> QueryCounter:
        sa.event.listen(self.engine, "before_cursor_execute", self._hook)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._hook)


def print_table(names: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(names[i]), *(len(row[i]) for row in rows)) if rows else len(names[i]) for i in range(len(names))]

    def line(cells):
        return "  ".join(c.rjust(w) if c[:1].isdigit() or c[:1] == "-" and c[1:2].isdigit() else c.ljust(w)
                         for c, w in zip(cells, widths))

    print(line(names))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
    sys.stdout.flush()
