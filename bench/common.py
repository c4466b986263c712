"""The one helper module of the benchmark scripts: machine facts, fresh databases, people and a handed-over recap
made by the app's services, timing and printed tables.

Nothing here is imported by the app or the tests. The scripts print figures; no test asserts a time. PostgreSQL
databases are the benchmark's own (`bench`, `bench_tracking`) on the server of BENCH_POSTGRES_URL, created when
missing; the test suite's database `test` is never touched.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import io
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts bench/ first on the path, not the project
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from distribusi import create_app  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_BENCH_DATABASE = "bench"  # never the test suite's `test` database
FORBIDDEN_DATABASES = {"test", "postgres", "template0", "template1"}
BACKENDS = ("sqlite", "postgresql")
CLERK = {"username": "bench.fo", "password": "bench-password-123", "full_name": "Petugas FO Bench", "role": "clerk"}
OFFICE = ("PKU", "Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru")
PARTNER = {"name": "PT Pos Indonesia (Persero)", "contract_number": "027/PKS/DUKCAPIL/2026", "contact": None}
ROLES = ("clerk", "kasubbag", "secretary", "courier")


# --------------------------------------------------------------------------- configuration


def bench_config(url: str, **extra: Any) -> dict[str, Any]:
    """The production Config (not TestConfig) pointed at one database.

    SECRET_KEY comes from the environment like in production; `make bench` does not set one, so a throw-away key
    is used then. ARGON2_FAST only makes creating the bench user quick; no password hashing is timed.
    """
    from distribusi.config import Config

    settings = {name: getattr(Config, name) for name in dir(Config) if name.isupper()}
    return {
        **settings,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-throw-away-secret",
        "ARGON2_FAST": True,
        **extra,
    }


def header(title: str) -> None:
    """Machine, Python and library versions, so printed figures can be compared."""
    print(f"== {title} ==")
    print(f"date        {datetime.now().strftime('%Y-%m-%d %H:%M')}")
    print(f"machine     {machine()}")
    print(f"python      {platform.python_version()} ({sys.executable})")
    print(f"code        {code_version()}")
    print(f"load        {load_average()}  (other processes on the machine skew the figures; compare with nproc)")
    print(f"calibration {calibrate() * 1000:.0f} ms CPU for a fixed pure-Python loop (grows when the cores are shared)")
    from importlib.metadata import version

    names = ("flask", "werkzeug", "sqlalchemy", "marshmallow", "openpyxl", "phonenumbers", "psycopg")
    print("libraries   " + ", ".join(f"{name} {version(name)}" for name in names)
          + f", sqlite {__import__('sqlite3').sqlite_version}")


def code_version() -> str:
    """The commit measured, and whether app code differs from it (figures then belong to the working tree)."""
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        changed = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "distribusi", "migrations"],
                                 capture_output=True, text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"commit {commit}" + (f" + {len(changed)} uncommitted change(s) in distribusi/ or migrations/"
                                 if changed else " (clean)")


def calibrate() -> float:
    """CPU seconds of a fixed workload like the app's (dicts, JSON, SHA-256, str methods); best of 3.

    Compare it between runs: when it is higher, every CPU figure of that run is inflated by about the same factor.
    """
    import hashlib
    import json

    def work() -> None:
        for number in range(6000):
            values = {"n": number, "name": f"Nama {number}", "street": " jl.  sudirman  no. 1 ".strip().title()}
            hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()

    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def cores() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return str(os.cpu_count())


def machine() -> str:
    """nproc, the CPU model and the kernel, for the header of every script."""
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"nproc={cores()}  {cpu or platform.machine()}  {platform.system()} {platform.release()}"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages."""
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def common_arguments(parser: argparse.ArgumentParser, *, repeat: int, budget: float) -> None:
    parser.add_argument("--repeat", type=int, default=repeat, help=f"repetitions per case, each on a fresh database "
                        f"(default {repeat})")
    parser.add_argument("--backends", default=",".join(BACKENDS),
                        help="comma-separated subset of sqlite,postgresql (default both)")
    parser.add_argument("--budget", type=float, default=budget,
                        help=f"seconds after which no case gets another repetition; every case still runs once "
                             f"(default {budget:.0f}; 0 = no limit)")
    parser.add_argument("--profile", action="store_true",
                        help="after the table, time the phases of one SQLite service run and cProfile another "
                             "(top hotspots)")


def parse_backends(parser: argparse.ArgumentParser, value: str) -> list[str]:
    chosen = [b.strip() for b in value.split(",") if b.strip()]
    unknown = [b for b in chosen if b not in BACKENDS]
    if unknown or not chosen:
        parser.error(f"--backends: unknown {', '.join(unknown) or '(empty)'}; choose from {', '.join(BACKENDS)}")
    return list(dict.fromkeys(chosen))


# --------------------------------------------------------------------------- databases


class SqliteDatabases:
    """Fresh SQLite files under a temp dir: migrated once into a template, copied for every run."""

    name = "sqlite"

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.template = workdir / "template.db"
        self.count = 0
        _migrate(f"sqlite:///{self.template}")

    def describe(self) -> str:
        return f"sqlite file databases under {self.workdir} (schema by flask_migrate.upgrade, copied per run)"

    def fresh(self) -> str:
        for old in self.workdir.glob(f"run-{self.count}.db*"):  # the previous run's file, -wal and -shm
            old.unlink()
        self.count += 1
        path = self.workdir / f"run-{self.count}.db"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"


class PostgresDatabases:
    """The separate `bench` database on the server of BENCH_POSTGRES_URL; its schema is rebuilt for every run."""

    name = "postgresql"
    server = "?"  # the server version, once connected

    def __init__(self, url: str):
        self.url = url

    @classmethod
    def connect(cls, database: str = PG_BENCH_DATABASE) -> tuple[PostgresDatabases | None, str]:
        """(databases, message); databases is None and the message says why when the server does not answer."""
        if database in FORBIDDEN_DATABASES:
            raise SystemExit(f"refusing to use database {database!r} for a benchmark")
        url = make_url(os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG_URL)).set(database=database)
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT",
                                 connect_args={"connect_timeout": 3})
        try:
            with admin.connect() as connection:
                exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                           {"name": database})
                if not exists:
                    connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
                server = connection.scalar(sa.text("SHOW server_version"))
        except Exception as error:  # any failure to reach or use the server: skip, do not fail
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            return None, (f"PostgreSQL skipped: cannot reach {url.render_as_string(hide_password=True)} "
                          f"({error.__class__.__name__}: {first[:160]})")
        finally:
            admin.dispose()
        databases = cls(url.render_as_string(hide_password=False))
        databases.server = server
        return databases, databases.describe()

    def describe(self) -> str:
        return (f"postgresql {self.server} at {make_url(self.url).render_as_string(hide_password=True)} "
                "(DROP SCHEMA public CASCADE + flask_migrate.upgrade per run)")

    def fresh(self) -> str:
        _migrate(self.url)
        return self.url


def _migrate(url: str) -> None:
    """Build the schema with the project's migrations, as production does (PostgreSQL: from an empty schema)."""
    from flask_migrate import upgrade

    app = create_app(bench_config(url))
    with app.app_context():
        from distribusi.extensions import db

        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        # alembic's env.py re-reads alembic.ini (INFO lines to stderr) at every upgrade; keep the output readable
        captured = io.StringIO()
        try:
            with contextlib.redirect_stderr(captured):
                upgrade()
        except BaseException:
            sys.stderr.write(captured.getvalue())
            raise
        db.session.remove()
        db.engine.dispose()


def open_backends(names: list[str], workdir: Path) -> tuple[list[Any], list[str]]:
    """The usable backends and the lines to print about each (including a skipped PostgreSQL)."""
    backends, lines = [], []
    for name in names:
        if name == "sqlite":
            sqlite = SqliteDatabases(workdir)
            backends.append(sqlite)
            lines.append(sqlite.describe())
        else:
            postgres, message = PostgresDatabases.connect()
            lines.append(postgres.describe() if postgres else message)
            if postgres:
                backends.append(postgres)
    return backends, lines


# --------------------------------------------------------------------------- app, office, clerk


@dataclass
class Site:
    """An app on one fresh database with the PKU office and a logged-in clerk."""

    app: Any
    user_id: int
    token: str
    client: Any = field(repr=False, default=None)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def user(self):
        from distribusi.auth.models import User
        from distribusi.extensions import db

        return db.session.get(User, self.user_id)

    def count(self, model) -> int:
        from distribusi.extensions import db

        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    def close(self) -> None:
        from distribusi.extensions import db

        db.session.remove()
        db.engine.dispose()


@contextlib.contextmanager
def site(url: str) -> Iterator[Site]:
    """The app on `url` with an office and a clerk whose bearer token came from POST /api/v1/auth/token.

    Yields inside an app context; the database session is clean (committed) when the caller starts timing.
    """
    from distribusi.admin.services import create_office, create_user
    from distribusi.extensions import db

    app = create_app(bench_config(url))
    with app.app_context():
        office = create_office(*OFFICE)
        user = create_user(office, dict(CLERK))
        db.session.commit()
        user_id = user.id
        client = app.test_client()
        response = client.post("/api/v1/auth/token", json={"username": CLERK["username"], "password": CLERK["password"]})
        if response.status_code != 201:
            raise RuntimeError(f"login failed: {response.status_code} {response.get_data(as_text=True)[:300]}")
        db.session.remove()  # start the timed part with an empty identity map, as a new request does
        result = Site(app=app, user_id=user_id, token=response.get_json()["token"], client=client)
        try:
            yield result
        finally:
            result.close()


def clear_process_caches() -> None:
    """Forget what an earlier run left in process-wide caches, so every repetition starts equal."""
    from distribusi.intake import validators

    validators.normalize_phone.cache_clear()


@dataclass
class People:
    """The PKU office, its courier partner and one user per role of the flow."""

    office_id: int
    partner_id: int
    user_ids: dict[str, int]  # role -> user id

    def user(self, role: str):
        from distribusi.auth.models import User
        from distribusi.extensions import db

        return db.session.get(User, self.user_ids[role])


def create_people() -> People:
    """The office, partner and users, made by the admin services (inside an app context), committed."""
    from distribusi.admin.services import create_office, create_partner, create_user
    from distribusi.extensions import db

    office = create_office(*OFFICE)
    partner = create_partner(office, dict(PARTNER))
    ids = {}
    for role in ROLES:
        user = create_user(office, {
            "username": f"bench.{role}", "password": CLERK["password"], "full_name": f"Bench {role.title()}",
            "role": role, "courier_partner_id": partner.id if role == "courier" else None,
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


def handed_over_recap(people: People, parcels: int, *, seed: int = 7) -> list[str]:
    """The tracking codes of one recap of `parcels` household parcels walked to `handed_over` by the services."""
    from distribusi.demo import document_rows
    from distribusi.extensions import db
    from distribusi.handover.services import hand_over
    from distribusi.intake.models import Document
    from distribusi.intake.services import import_documents
    from distribusi.letters.services import issue_letter, sign_letter
    from distribusi.recap.models import Parcel
    from distribusi.recap.services import MAX_DOCUMENTS_PER_RECAP, create_recap, submit_recap

    household = 2 if parcels * 2 <= MAX_DOCUMENTS_PER_RECAP else 1
    if parcels * household > MAX_DOCUMENTS_PER_RECAP:
        raise SystemExit(f"at most {MAX_DOCUMENTS_PER_RECAP} parcels fit one recap")
    rows = list(document_rows(parcels * household, seed=seed, prefix=f"BS{seed}", household_size=household))
    import_documents(people.user("clerk"), "bench.csv", import_csv(rows), 50_000)
    ids = list(db.session.scalars(sa.select(Document.id).where(Document.office_id == people.office_id)
                                  .order_by(Document.id)))
    recap = submit_recap(people.user("clerk"), create_recap(people.user("clerk"), ids))
    sign_letter(people.user("secretary"), issue_letter(people.user("kasubbag"), recap, people.partner_id))
    hand_over(people.user("kasubbag"), recap, people.partner_id, "Joko Susilo")
    db.session.commit()
    return list(db.session.scalars(sa.select(Parcel.tracking_code).where(Parcel.recap_id == recap.id)
                                   .order_by(Parcel.position)))


def bearer(user) -> dict[str, str]:
    """An Authorization header with a new token of `user` (committed)."""
    from distribusi.auth.services import issue_token
    from distribusi.extensions import db

    raw, _token = issue_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


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


# --------------------------------------------------------------------------- timing and tables


class Budget:
    """A soft time limit for the whole script, so it stays bounded on a slow or busy machine."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.start = time.monotonic()
        self.cut: list[str] = []

    def rounds(self, times: int) -> Iterator[int]:
        """Round numbers 0..times-1; a round after the first starts only if it should end within the budget
        (judged by the longest round so far).

        Every case runs once per round (round-robin), so a busy spell on the machine spreads over all cases and a
        cut budget leaves every case with the same number of runs.
        """
        longest = 0.0
        for number in range(times):
            elapsed = time.monotonic() - self.start
            if number and self.seconds and elapsed + longest > self.seconds:
                self.cut.append(f"{number} of {times} runs per case")
                return
            started = time.monotonic()
            yield number
            longest = max(longest, time.monotonic() - started)

    def report(self) -> None:
        if self.cut:
            print(f"budget      {self.seconds:.0f} s used up after " + ", ".join(self.cut)
                  + " (raise --budget on a busy machine)")


@dataclass
class Timing:
    """Wall-clock seconds of one timed call, and the CPU seconds this process spent in it.

    On a busy machine the wall time grows with the other processes' load; the CPU time much less so (it leaves
    out the PostgreSQL server's own work and any waiting, so it is a lower bound there).
    """

    wall: float
    cpu: float


def timed(action: Callable[[], Any]) -> tuple[Timing, Any]:
    start, start_cpu = time.perf_counter(), time.process_time()
    result = action()
    return Timing(time.perf_counter() - start, time.process_time() - start_cpu), result


@dataclass
class Result:
    """The repetitions of one case."""

    columns: dict[str, Any]  # the descriptive columns (backend, format, path, rows...)
    timings: list[Timing]
    per_second_of: int  # rows counted for the rate

    @property
    def seconds(self) -> list[float]:
        return [t.wall for t in self.timings]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def cpu_median(self) -> float:
        return statistics.median(t.cpu for t in self.timings)


def print_table(results: list[Result], rate_name: str) -> None:
    """One line per case: its columns, median and best wall seconds, the rate from the median, median CPU seconds."""
    if not results:
        print("(no results)")
        return
    names = list(results[0].columns) + ["runs", "median s", "best s", f"{rate_name}/s (median)", "cpu s (median)"]
    rows = [
        [str(v) for v in r.columns.values()]
        + [str(len(r.seconds)), f"{r.median:.3f}", f"{r.best:.3f}", f"{r.per_second_of / r.median:,.0f}",
           f"{r.cpu_median:.3f}"]
        for r in results
    ]
    widths = [max(len(names[i]), *(len(row[i]) for row in rows)) for i in range(len(names))]
    numeric_from = len(results[0].columns)

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i >= numeric_from or c.replace(",", "").isdigit() else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))

    print(line(names))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def profile(action: Callable[[], Any], *, top: int = 25) -> None:
    """cProfile one call and print the hotspots by own time and by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    action()
    profiler.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order)
        stats.print_stats(top)
        text = out.getvalue()
        start = text.find("   ncalls")
        total = next((l for l in text.splitlines() if "function calls" in l), "").strip()
        print(f"\n-- top {top} by {order} ({total})")
        print(text[start:].rstrip())


def workdir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="distribusi-bench-")


class Phases:
    """Wall time spent in named module functions during one call, measured by wrapping them (no profiler overhead).

    targets: (label, module, attribute). The wrappers are removed again when the block ends; nested phases are
    reported as they are (an outer phase includes its inner ones).
    """

    def __init__(self, targets: list[tuple[str, Any, str]]):
        self.targets = targets
        self.seconds: dict[str, float] = {label: 0.0 for label, _, _ in targets}
        self.calls: dict[str, int] = {label: 0 for label, _, _ in targets}
        self._saved: list[tuple[Any, str, Any, bool]] = []

    def __enter__(self) -> Phases:
        for label, module, name in self.targets:
            original = getattr(module, name)
            self._saved.append((module, name, original, name in vars(module)))
            setattr(module, name, self._wrap(label, original))
        return self

    def __exit__(self, *exc) -> None:
        for module, name, original, own in reversed(self._saved):
            if own:
                setattr(module, name, original)
            else:  # came from the class (e.g. db.session.commit): drop the instance attribute again
                delattr(module, name)
        self._saved.clear()

    def _wrap(self, label: str, original: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - start
                self.calls[label] += 1

        return wrapper

    def print(self, total: float) -> None:
        print(f"{'phase (wall time)':<58} {'calls':>6} {'seconds':>8} {'share':>6}")
        for label, _, _ in self.targets:
            seconds = self.seconds[label]
            print(f"{label:<58} {self.calls[label]:>6} {seconds:>8.3f} {seconds / total:>6.0%}")
        print(f"{'total (timed call)':<58} {'':>6} {total:>8.3f} {1:>6.0%}")


def print_rows(names: list[str], rows: list[list[str]]) -> None:
    """A plain table: numbers right-aligned, text left-aligned."""
    widths = [max(len(names[i]), *(len(row[i]) for row in rows)) if rows else len(names[i]) for i in range(len(names))]

    def line(cells):
        return "  ".join(c.rjust(w) if c[:1].isdigit() or c[:1] == "-" and c[1:2].isdigit() else c.ljust(w)
                         for c, w in zip(cells, widths))

    print(line(names))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
    sys.stdout.flush()
