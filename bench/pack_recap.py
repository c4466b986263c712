"""Benchmark: packing registered documents into one recap (household parcels), through the API and the service.

    cd /work/main && SECRET_KEY=bench .venv/bin/python bench/pack_recap.py [--documents 2000] [--repeat 3]
        [--backends sqlite,postgresql] [--budget SECONDS] [--profile]

Cases run round-robin (run 1 of every case, then run 2, ...) after one small untimed warm-up per backend. Each
run prints its wall time and the CPU time of this process; the table gives median and best wall time, the rate
from the median, and the median CPU time (steadier than wall time when other processes load the machine, but
without the PostgreSQL server's own work). Once --budget seconds have passed no new round starts, so the script
stays bounded on a busy machine. --profile adds a per-phase wall-time breakdown and cProfile hotspots of one
SQLite service run.

Every repetition starts from a fresh database (as in bench/import_documents.py) with an office and a clerk; the
documents are registered untimed with distribusi.intake.services.import_documents (rows from
distribusi.demo.document_rows: two documents per household, so 2,000 documents make 1,000 parcels).

- api:     POST /api/v1/recaps {"document_ids": [...all...]} through app.test_client() with the clerk's bearer token;
           the time covers locking and loading the documents, grouping, tracking codes, the inserts, the custody
           events, the commit, and reading the recap back for the response (RecapOut).
- service: distribusi.recap.services.create_recap(user, ids) + db.session.commit(), no HTTP and no response body.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402  (also puts the project on sys.path)

import sqlalchemy as sa  # noqa: E402

DEFAULT_DOCUMENTS = 2_000
PATHS = ("api", "service")


def csv_file(count: int, workdir: Path, *, seed: int = 1, prefix: str = "PACK") -> tuple[str, bytes]:
    from distribusi.demo import document_rows, write_csv

    path = workdir / f"pack-{prefix}-{count}.csv"
    write_csv(str(path), list(document_rows(count, seed=seed, prefix=prefix)))
    return path.name, path.read_bytes()


def register(site: common.Site, file: tuple[str, bytes]) -> list[int]:
    """Register the file's documents with the import service (untimed set-up); their ids in id order."""
    from distribusi.extensions import db
    from distribusi.intake.models import Document
    from distribusi.intake.services import import_documents

    import_documents(site.user(), *file, site.app.config["MAX_IMPORT_ROWS"])
    db.session.commit()
    ids = list(db.session.scalars(sa.select(Document.id).order_by(Document.id)))
    db.session.remove()  # the timed part starts with an empty session, as a new request does
    return ids


def pack_via_api(site: common.Site, ids: list[int]) -> int:
    response = site.client.post("/api/v1/recaps", headers=site.auth, json={"document_ids": ids})
    if response.status_code != 201:
        raise RuntimeError(f"recap answered {response.status_code}: {response.get_data(as_text=True)[:500]}")
    return response.get_json()["id"]


def pack_via_service(site: common.Site, ids: list[int]):
    """A no-argument callable creating the recap and committing, for the clerk loaded before timing."""
    from distribusi.extensions import db
    from distribusi.recap.services import create_recap

    user = site.user()

    def run() -> int:
        recap = create_recap(user, ids)
        db.session.commit()
        return recap.id

    return run


def one_run(backend, path: str, file: tuple[str, bytes], documents: int) -> tuple[common.Timing, int]:
    """(timing, parcels) of one packing on a fresh database, after checking every document went in."""
    from distribusi.extensions import db
    from distribusi.intake.models import Document
    from distribusi.recap.models import Parcel
    from distribusi.workflow import DocumentStatus

    with common.site(backend.fresh()) as site:
        ids = register(site, file)
        if len(ids) != documents:
            raise RuntimeError(f"registered {len(ids)} documents, expected {documents}")
        common.clear_process_caches()
        if path == "api":
            timing, recap_id = common.timed(lambda: pack_via_api(site, ids))
        else:
            timing, recap_id = common.timed(pack_via_service(site, ids))
        db.session.remove()
        parcels = db.session.scalar(sa.select(sa.func.count()).where(Parcel.recap_id == recap_id))
        packed = db.session.scalar(sa.select(sa.func.count()).where(Document.status == DocumentStatus.in_recap))
        if packed != documents or not parcels:
            raise RuntimeError(f"{backend.name} {path}: {packed} documents packed in {parcels} parcels, "
                               f"expected {documents}")
    return timing, parcels


def main(argv: list[str] | None = None) -> int:
    from distribusi.recap.services import MAX_DOCUMENTS_PER_RECAP

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=DEFAULT_DOCUMENTS,
                        help=f"documents in the recap (default {DEFAULT_DOCUMENTS:,}; "
                             f"at most {MAX_DOCUMENTS_PER_RECAP:,})")
    common.common_arguments(parser, repeat=3, budget=120)
    args = parser.parse_args(argv)
    backends_wanted = common.parse_backends(parser, args.backends)
    if not 1 <= args.documents <= MAX_DOCUMENTS_PER_RECAP or args.repeat < 1:
        parser.error(f"--documents must be 1..{MAX_DOCUMENTS_PER_RECAP} and --repeat at least 1")

    common.header("Pack documents into a recap")
    with common.workdir() as tmp:
        workdir = Path(tmp)
        file = csv_file(args.documents, workdir)
        warm = csv_file(20, workdir, seed=99, prefix="WARM")
        print(f"documents   {args.documents:,} registered per run (untimed, import service), all in one recap")
        limit = f"budget {args.budget:.0f} s" if args.budget else "no budget"
        print(f"runs        {args.repeat} per case (round-robin, {limit}), each on a fresh database")
        backends, lines = common.open_backends(backends_wanted, workdir)
        for line in lines:
            print(f"backend     {line}")
        print(flush=True)

        cases = [(backend, path) for backend in backends for path in PATHS]
        runs: dict[tuple, list[tuple[common.Timing, int]]] = {case: [] for case in cases}
        for backend in backends:
            for path in PATHS:  # warm-up: lazy imports and first queries are not timed
                one_run(backend, path, warm, 20)
        budget = common.Budget(args.budget)
        for number in budget.rounds(args.repeat):
            for case in cases:  # round-robin: run 1 of every case, then run 2 of every case, ...
                backend, path = case
                timing, parcels = one_run(backend, path, file, args.documents)
                runs[case].append((timing, parcels))
                print(f"  run {number + 1}  {backend.name:<10} {path:<7} wall {timing.wall:6.3f} s  "
                      f"cpu {timing.cpu:6.3f} s  parcels {parcels:,}", flush=True)
        results = [
            common.Result(
                {"backend": backend.name, "path": path, "documents": f"{args.documents:,}",
                 "parcels": ",".join(f"{p:,}" for p in sorted({p for _, p in runs[(backend, path)]}))},
                [t for t, _ in runs[(backend, path)]], args.documents,
            )
            for backend, path in cases
        ]

        print()
        common.print_table(results, "documents")
        budget.report()
        print(f"\nload        {common.load_average()} at the end of the run (above ~1, other processes inflate the "
              "wall times; the CPU column is the steadier figure)")

        if args.profile:
            sqlite = next((b for b in backends if b.name == "sqlite"), None)
            if sqlite is None:
                print("\n--profile needs the sqlite backend")
            else:
                profile_pack(sqlite, file, args.documents)
    return 0


def profile_pack(sqlite, file: tuple[str, bytes], documents: int) -> None:
    """Where the time of a SQLite service packing goes: wall time per phase, then cProfile hotspots."""
    from distribusi import custody
    from distribusi.extensions import db
    from distribusi.recap import services

    print(f"\n== where the time goes: sqlite service packing of {documents:,} documents (fresh database) ==")
    phases = common.Phases([
        ("_load_documents: SELECT ... FOR UPDATE", services, "_load_documents"),
        ("_packable: refuse flagged / already packed", services, "_packable"),
        ("_households: group and sort", services, "_households"),
        ("_fresh_codes: tracking codes", services, "_fresh_codes"),
        ("next_number: recap number", services, "next_number"),
        ("transition_each: flush parcels/documents + events", services, "transition_each"),
        ("  of which custody.append_events", custody, "append_events"),
        ("db.session.commit", db.session, "commit"),
    ])
    with common.site(sqlite.fresh()) as site:
        ids = register(site, file)
        run = pack_via_service(site, ids)
        with phases:
            total, _ = common.timed(run)
    phases.print(total.wall)

    print("\n== cProfile: the same packing on another fresh database (profiler overhead inflates the total) ==")
    with common.site(sqlite.fresh()) as site:
        ids = register(site, file)
        common.profile(pack_via_service(site, ids))


if __name__ == "__main__":
    sys.exit(main())
