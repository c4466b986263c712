"""Benchmark: importing the day's export (CSV and XLSX) into a fresh database, through the API and the service.

    cd /work/main && SECRET_KEY=bench .venv/bin/python bench/import_documents.py [--rows 10000] [--repeat 3]
        [--backends sqlite,postgresql] [--budget SECONDS] [--profile]

Cases run round-robin (run 1 of every case, then run 2, ...) after one small untimed warm-up per backend. Each
run prints its wall time and the CPU time of this process; the table gives median and best wall time, the rate
from the median, and the median CPU time (steadier than wall time when other processes load the machine, but
without the PostgreSQL server's own work). Once --budget seconds have passed no new round starts, so the script
stays bounded on a busy machine. --profile adds a per-phase wall-time breakdown and cProfile hotspots of one
SQLite service run.

Every repetition starts from a fresh database (SQLite: a new file copied from a migrated template; PostgreSQL: the
separate `bench` database with its schema dropped and migrated again), a new app, an office and a clerk.

- api:     POST /api/v1/documents/import (multipart upload, bearer token of the clerk) through app.test_client();
           the time covers building the upload, the request, parsing, validation, the bulk insert and the commit.
- service: distribusi.intake.services.import_documents(...) + db.session.commit() in an app context, no HTTP.

The rows come from distribusi.demo.document_rows (valid, two documents per household); the CSV is written with
distribusi.demo.write_csv and the XLSX with openpyxl in write_only mode. Generating the files is not timed.
"""
from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402  (also puts the project on sys.path)

GOAL_ROWS = 10_000
GOAL_SECONDS = 3.0
FORMATS = ("csv", "xlsx")
PATHS = ("api", "service")


def build_files(rows: list[dict], workdir: Path) -> dict[str, tuple[str, bytes]]:
    """{'csv': (filename, bytes), 'xlsx': (filename, bytes)} with the import columns."""
    from openpyxl import Workbook

    from distribusi.demo import write_csv
    from distribusi.intake.importer import COLUMNS

    csv_path = workdir / "impor.csv"
    write_csv(str(csv_path), rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Dokumen")
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row.get(name, "") for name in COLUMNS])
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    return {"csv": ("impor.csv", csv_path.read_bytes()), "xlsx": ("impor.xlsx", xlsx.getvalue())}


def import_via_api(site: common.Site, filename: str, content: bytes) -> int:
    response = site.client.post(
        "/api/v1/documents/import", headers=site.auth,
        data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data",
    )
    if response.status_code != 201:
        raise RuntimeError(f"import answered {response.status_code}: {response.get_data(as_text=True)[:500]}")
    return response.get_json()["created"]


def import_via_service(site: common.Site, filename: str, content: bytes):
    """A no-argument callable doing the service import and commit for the clerk (loaded before timing)."""
    from distribusi.extensions import db
    from distribusi.intake.services import import_documents

    user = site.user()
    max_rows = site.app.config["MAX_IMPORT_ROWS"]

    def run() -> int:
        created = import_documents(user, filename, content, max_rows)
        db.session.commit()
        return created

    return run


def one_run(backend, path: str, filename: str, content: bytes, rows: int) -> common.Timing:
    """Time one import on a fresh database and check that every row (and its custody event) landed."""
    from distribusi.custody import CustodyEvent
    from distribusi.intake.models import Document

    with common.site(backend.fresh()) as site:
        common.clear_process_caches()
        if path == "api":
            timing, created = common.timed(lambda: import_via_api(site, filename, content))
        else:
            timing, created = common.timed(import_via_service(site, filename, content))
        stored, events = site.count(Document), site.count(CustodyEvent)
        if not created == stored == events == rows:
            raise RuntimeError(f"{backend.name} {path} {filename}: created={created} stored={stored} events={events}, "
                               f"expected {rows}")
    return timing


def warm_up(backend, files: dict[str, tuple[str, bytes]]) -> None:
    """One small untimed import per format and path, so lazy imports (openpyxl, phone metadata) are not timed."""
    from distribusi.demo import document_rows

    small = build_small_files(list(document_rows(50, seed=99, prefix="WARM")))
    for fmt in FORMATS:
        for path in PATHS:
            one_run(backend, path, *small[fmt], 50)


def build_small_files(rows: list[dict]) -> dict[str, tuple[str, bytes]]:
    with common.workdir() as tmp:
        return build_files(rows, Path(tmp))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=GOAL_ROWS, help=f"rows per file (default {GOAL_ROWS:,})")
    common.common_arguments(parser, repeat=3, budget=240)
    args = parser.parse_args(argv)
    backends_wanted = common.parse_backends(parser, args.backends)
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be at least 1")

    from distribusi.demo import document_rows

    common.header("Import documents (CSV / XLSX)")
    with common.workdir() as tmp:
        workdir = Path(tmp)
        rows = list(document_rows(args.rows, seed=1, prefix="BENCH"))
        files = build_files(rows, workdir)
        print(f"files       {args.rows:,} rows: csv {len(files['csv'][1]) / 1e6:.2f} MB, "
              f"xlsx {len(files['xlsx'][1]) / 1e6:.2f} MB (openpyxl write_only)")
        limit = f"budget {args.budget:.0f} s" if args.budget else "no budget"
        print(f"runs        {args.repeat} per case (round-robin, {limit}), each on a fresh database")
        backends, lines = common.open_backends(backends_wanted, workdir)
        for line in lines:
            print(f"backend     {line}")
        print(flush=True)

        cases = [(backend, fmt, path) for backend in backends for fmt in FORMATS for path in PATHS]
        timings: dict[tuple, list[common.Timing]] = {case: [] for case in cases}
        for backend in backends:
            warm_up(backend, files)
        budget = common.Budget(args.budget)
        for number in budget.rounds(args.repeat):
            for case in cases:  # round-robin: run 1 of every case, then run 2 of every case, ...
                backend, fmt, path = case
                timing = one_run(backend, path, *files[fmt], args.rows)
                timings[case].append(timing)
                print(f"  run {number + 1}  {backend.name:<10} {fmt:<4} {path:<7} "
                      f"wall {timing.wall:6.3f} s  cpu {timing.cpu:6.3f} s", flush=True)
        results = [
            common.Result({"backend": backend.name, "format": fmt, "path": path, "rows": f"{args.rows:,}"},
                          timings[(backend, fmt, path)], args.rows)
            for backend, fmt, path in cases
        ]

        print()
        common.print_table(results, "rows")
        budget.report()
        print()
        report_goal(results, args.rows)

        if args.profile:
            sqlite = next((b for b in backends if b.name == "sqlite"), None)
            if sqlite is None:
                print("\n--profile needs the sqlite backend")
            else:
                profile_import(sqlite, files["csv"], args.rows)
    return 0


def profile_import(sqlite, file: tuple[str, bytes], rows: int) -> None:
    """Where the time of a SQLite CSV service import goes: wall time per phase, then cProfile hotspots."""
    from distribusi import custody
    from distribusi.extensions import db
    from distribusi.intake import services

    print(f"\n== where the time goes: sqlite csv service import of {rows:,} rows (fresh database) ==")
    phases = common.Phases([
        ("read_rows: parse the file into rows", services, "read_rows"),
        ("validate_rows: schema per row, duplicates", services, "validate_rows"),
        ("  of which _existing_pairs: SELECT already registered", services, "_existing_pairs"),
        ("create_many: bulk INSERT documents + events", services, "create_many"),
        ("  of which custody.append_events: chain + INSERT events", custody, "append_events"),
        ("    of which custody.compute_hash: SHA-256 of JSON", custody, "compute_hash"),
        ("db.session.commit", db.session, "commit"),
    ])
    with common.site(sqlite.fresh()) as site:
        common.clear_process_caches()
        run = import_via_service(site, *file)
        with phases:
            total, _ = common.timed(run)
    phases.print(total.wall)

    print(f"\n== cProfile: the same import on another fresh database (profiler overhead inflates the total) ==")
    with common.site(sqlite.fresh()) as site:
        common.clear_process_caches()
        common.profile(import_via_service(site, *file))


def report_goal(results: list[common.Result], rows: int) -> None:
    goal = f"goal        CSV import of {GOAL_ROWS:,} rows on SQLite in under {GOAL_SECONDS:.0f} s"
    csv_sqlite = {r.columns["path"]: r for r in results
                  if r.columns["backend"] == "sqlite" and r.columns["format"] == "csv"}
    if rows != GOAL_ROWS or "api" not in csv_sqlite:
        print(f"{goal}: not evaluated (needs --rows {GOAL_ROWS} and the sqlite backend)")
        return
    api, service = csv_sqlite["api"], csv_sqlite.get("service")
    verdict = "MET" if api.median < GOAL_SECONDS else "NOT MET"
    print(f"{goal}")
    print(f"            end to end through the API: median {api.median:.2f} s (best {api.best:.2f} s, "
          f"CPU {api.cpu_median:.2f} s) -> {verdict}")
    if service is not None:
        print(f"            service alone: median {service.median:.2f} s (best {service.best:.2f} s, "
              f"CPU {service.cpu_median:.2f} s)")
    print(f"            load average at the end: {common.load_average()} on nproc={os.cpu_count()} "
          "(above ~1, other processes inflate the wall times; the CPU column is the steadier figure)")


if __name__ == "__main__":
    sys.exit(main())
