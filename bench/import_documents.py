"""Benchmark: importing the day's export (CSV and XLSX) into a fresh database, through the API and the service.

    cd /work/main && SECRET_KEY=bench .venv/bin/python bench/import_documents.py [--rows 10000] [--repeat 3]
        [--backends sqlite,postgresql] [--budget SECONDS] [--profile] [--existing N]

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

--existing N: a big office instead. The office already holds N documents (the duplicate check has to look each
imported row up among them); only the CSV file is imported, through the API and the service. The N documents are
written once per backend, untimed (PostgreSQL: INSERT ... SELECT generate_series and ANALYZE, as autovacuum would;
SQLite: executemany); after each run the imported documents and their custody events are deleted again, so every run
starts from the same N. Goal: 10,000 rows in under 3 s on SQLite and under 5 s on PostgreSQL with 1,000,000 documents.

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
GOAL_EXISTING = 1_000_000
GOAL_SECONDS_EXISTING = {"sqlite": 3.0, "postgresql": 5.0}
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
    parser.add_argument("--existing", type=int, default=0,
                        help="documents already in the office (the big-office case, CSV only); default 0")
    args = parser.parse_args(argv)
    backends_wanted = common.parse_backends(parser, args.backends)
    if args.rows < 1 or args.repeat < 1 or args.existing < 0:
        parser.error("--rows and --repeat must be at least 1, --existing at least 0")
    if args.existing:
        return big_office(args, backends_wanted)

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


# --------------------------------------------------------------------------- the big office (--existing N)


def big_office(args, backends_wanted: list[str]) -> int:
    """Import one CSV file into an office that already holds args.existing documents, through the API and the service."""
    from distribusi.demo import document_rows

    common.header(f"Import documents into an office of {args.existing:,} documents (CSV)")
    with common.workdir() as tmp:
        workdir = Path(tmp)
        rows = list(document_rows(args.rows, seed=1, prefix="BENCH"))
        file = build_files(rows, workdir)["csv"]
        warm = build_small_files(list(document_rows(50, seed=99, prefix="WARM")))["csv"]
        print(f"file        {args.rows:,} rows: csv {len(file[1]) / 1e6:.2f} MB")
        print(f"runs        {args.repeat} per case (round-robin), on one database per backend holding "
              f"{args.existing:,} documents")
        backends, lines = common.open_backends(backends_wanted, workdir)
        for line in lines:
            print(f"backend     {line}")
        print(flush=True)
        results = []
        for backend in backends:
            with common.site(backend.fresh()) as site:
                setup, _ = common.timed(lambda: fill_office(site, args.existing))
                print(f"  {backend.name:<10} {args.existing:,} documents written in {setup.wall:.0f} s (untimed)",
                      flush=True)
                for path in PATHS:  # untimed warm-up: lazy imports (phone metadata) are not timed
                    big_office_run(site, path, warm, 50, args.existing)
                timings: dict[str, list[common.Timing]] = {path: [] for path in PATHS}
                for number in range(args.repeat):
                    for path in PATHS:
                        timing = big_office_run(site, path, file, args.rows, args.existing)
                        timings[path].append(timing)
                        print(f"  run {number + 1}  {backend.name:<10} csv  {path:<7} "
                              f"wall {timing.wall:6.3f} s  cpu {timing.cpu:6.3f} s", flush=True)
            results += [common.Result({"backend": backend.name, "existing": f"{args.existing:,}", "format": "csv",
                                       "path": path, "rows": f"{args.rows:,}"}, timings[path], args.rows)
                        for path in PATHS]
        print()
        common.print_table(results, "rows")
        print()
        for result in results:
            if result.columns["path"] != "api":
                continue
            backend = result.columns["backend"]
            goal = GOAL_SECONDS_EXISTING[backend]
            evaluated = args.rows == GOAL_ROWS and args.existing >= GOAL_EXISTING
            verdict = ("MET" if result.median < goal else "NOT MET") if evaluated else "not evaluated"
            print(f"goal        {backend}: {GOAL_ROWS:,} CSV rows through the API in under {goal:.0f} s with "
                  f"{GOAL_EXISTING:,} documents in the office: median {result.median:.2f} s "
                  f"(CPU {result.cpu_median:.2f} s) -> {verdict}")
        print(f"            load average at the end: {common.load_average()} on nproc={os.cpu_count()}")
    return 0


EXISTING_COLUMNS = ("office_id", "doc_type", "doc_number", "nik", "kk_number", "owner_name", "recipient_name",
                    "phone", "street", "rt", "rw", "kelurahan", "kecamatan", "city", "postal_code", "status",
                    "created_by_id")


def fill_office(site: common.Site, count: int) -> None:
    """`count` documents in the clerk's office, numbered among the imported ones (same prefix, series 0)."""
    import sqlalchemy as sa

    from distribusi.demo import DOC_TYPES
    from distribusi.extensions import db

    user = site.user()
    office_id, user_id = user.office_id, user.id
    if db.engine.dialect.name == "postgresql":
        types = "ARRAY[" + ", ".join(f"'{t}'" for t in DOC_TYPES) + "]"
        doc_type = f"({types})[1 + g % {len(DOC_TYPES)}]"
        db.session.execute(sa.text(f"""
            INSERT INTO documents ({", ".join(EXISTING_COLUMNS)}, created_at, updated_at)
            SELECT :office, {doc_type}, 'BENCH-' || {doc_type} || '-0-' || lpad(g::text, 7, '0'),
                   lpad(g::text, 16, '1'), lpad((g / 2)::text, 16, '2'), 'Warga Lama ' || g, 'Warga Lama ' || g,
                   '+62812' || lpad(g::text, 8, '0'), 'Jl. Lama No. 1', '001', '001', 'Sukajadi', 'Sukajadi',
                   'Pekanbaru', '28121', 'in_recap', :user, now(), now()
            FROM generate_series(1, :count) AS g"""), {"office": office_id, "user": user_id, "count": count})
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("ANALYZE documents"))
    else:
        table = db.metadata.tables["documents"]
        now = sa.func.current_timestamp()

        def batch(start: int, stop: int) -> list[dict]:
            return [{"office_id": office_id, "doc_type": DOC_TYPES[g % len(DOC_TYPES)],
                     "doc_number": f"BENCH-{DOC_TYPES[g % len(DOC_TYPES)]}-0-{g:07d}",
                     "nik": f"{g:1>16}", "kk_number": f"{g // 2:2>16}", "owner_name": f"Warga Lama {g}",
                     "recipient_name": f"Warga Lama {g}", "phone": f"+62812{g:08d}", "street": "Jl. Lama No. 1",
                     "rt": "001", "rw": "001", "kelurahan": "Sukajadi", "kecamatan": "Sukajadi", "city": "Pekanbaru",
                     "postal_code": "28121", "status": "in_recap", "created_by_id": user_id}
                    for g in range(start, stop)]

        statement = table.insert().values(created_at=now, updated_at=now)
        for start in range(1, count + 1, 50_000):
            db.session.execute(statement, batch(start, min(start + 50_000, count + 1)))
        db.session.commit()
    db.session.remove()


def big_office_run(site: common.Site, path: str, file: tuple[str, bytes], rows: int, existing: int) -> common.Timing:
    """Time one import into the big office, check it landed, then delete what it added (untimed)."""
    import sqlalchemy as sa

    from distribusi.custody import CustodyEvent
    from distribusi.extensions import db
    from distribusi.intake.models import Document

    common.clear_process_caches()
    if path == "api":
        timing, created = common.timed(lambda: import_via_api(site, *file))
    else:
        timing, created = common.timed(import_via_service(site, *file))
    stored, events = site.count(Document), site.count(CustodyEvent)
    if not (created == rows and stored == existing + rows and events == rows):
        raise RuntimeError(f"{path}: created={created} stored={stored} events={events}, expected {rows} "
                           f"on top of {existing:,}")
    db.session.execute(sa.delete(CustodyEvent))  # the office's documents were written without events
    db.session.execute(sa.delete(Document).where(Document.id > existing))  # ids 1..existing are the office's
    db.session.commit()
    db.session.remove()
    return timing


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
