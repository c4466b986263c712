"""Benchmark: the period reports (deliveries, partner scorecard, time per step) over a year of a big city on PostgreSQL.

    .venv/bin/python bench/reports.py [--parcels 1000000] [--repeat 3] [--rebuild]

Data, in the benchmark's own database `bench_reports_<parcels>` (kept while it holds the current schema):
- the parcels and custody events of bench/tracking.py (its build_template and copy_template, reused: a recap
  walked by the services, then bulk copies by COPY + INSERT ... SELECT; 1 M parcels, about 5 M events);
- spread over a year: 365 handovers (one recap a day, cloned from the template's); the parcels, by id range (ids
  grow with time, as in use: a day's parcels and events lie together), moved to the recap of their day and their
  events moved back by the same number of days, so a month holds about 1/12 of the rows; delivered events are
  moved a further (id mod 9) hours, so waits differ.
Timed: each report for the last full month and for the whole year, through the services inside an app context
(production Config), median of --repeat runs after one warm-up. Goal: every report under 2 s.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta

import common  # (also puts the project on sys.path)
import sqlalchemy as sa
import tracking

from distribusi import create_app

DATABASE = "bench_reports_{}"
DAYS = 365
GOAL_SECONDS = 2.0
MARKER = "bench_reports_spread"


def spread(url: str) -> None:
    """Clone the template's recap and handover once per day and move each copy and its events to its day."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as c:
            recap = c.execute(sa.text("SELECT id FROM recaps ORDER BY id LIMIT 1")).scalar()
            columns = [r[0] for r in c.execute(sa.text(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'recaps' AND column_name <> 'id' "
                "ORDER BY ordinal_position"))]
            made = {"number": "r.number || '-' || d", "seq": "r.seq + d"}
            c.execute(sa.text(f"INSERT INTO recaps ({', '.join(columns)}) SELECT "
                              + ", ".join(made.get(name, f"r.{name}") for name in columns)
                              + f" FROM recaps r, generate_series(1, {DAYS}) d WHERE r.id = :recap"), {"recap": recap})
            c.execute(sa.text(
                "INSERT INTO handovers (office_id, recap_id, letter_id, courier_partner_id, received_by, "
                "handed_over_by_id, handed_over_at) SELECT h.office_id, r.id, h.letter_id, h.courier_partner_id, "
                "h.received_by, h.handed_over_by_id, h.handed_over_at - make_interval(days => r.seq - t.seq) "
                "FROM handovers h JOIN recaps t ON t.id = h.recap_id JOIN recaps r ON r.number LIKE t.number || '-%' "
                "WHERE h.recap_id = :recap"), {"recap": recap})
            c.execute(sa.text(
                "CREATE TEMP TABLE day_recaps AS SELECT r.seq - t.seq AS day, r.id FROM recaps r, recaps t "
                "WHERE t.id = :recap AND r.number LIKE t.number || '-%'"), {"recap": recap})
            c.exec_driver_sql("SET session_replication_role = replica")
            restore = tracking.drop_secondary_indexes(c, ("parcels", "custody_events"))
            low, high = c.execute(sa.text("SELECT min(id), max(id) FROM parcels")).one()
            day = f"(({high} - {{id}})::bigint * {DAYS} / {high - low + 1} + 1)::int"  # ids grow with time, as in use
            c.exec_driver_sql(f"UPDATE parcels p SET recap_id = d.id FROM day_recaps d WHERE d.day = {day.format(id='p.id')}")
            c.exec_driver_sql(
                f"UPDATE custody_events SET recorded_at = recorded_at - make_interval(days => {day.format(id='subject_id')})"
                " + CASE WHEN action = 'delivered' THEN make_interval(hours => subject_id %% 9) ELSE interval '0' END"
                " WHERE subject_type = 'parcel'")
            for statement in restore:
                c.exec_driver_sql(statement)
            c.exec_driver_sql(f"CREATE TABLE {MARKER} (done int)")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM (FULL, ANALYZE) parcels, custody_events")  # the updates left every row twice
            c.exec_driver_sql("VACUUM ANALYZE")
    finally:
        engine.dispose()


def ensure_data(databases, parcels: int, rebuild: bool) -> str:
    """Build (tracking's data, then spread over a year) unless the database already holds it; then bring the
    schema (a kept database's migrations backfill new report facts) and the report facts up to date."""
    engine = sa.create_engine(databases.url)
    try:
        with engine.connect() as c:
            ready = c.scalar(sa.text(f"SELECT to_regclass('public.{MARKER}') IS NOT NULL"))
            have = c.scalar(sa.text("SELECT count(*) FROM parcels")) if ready else None
    finally:
        engine.dispose()
    if ready and have == parcels and not rebuild:
        return f"kept ({parcels:,} parcels; --rebuild to make them again); {_facts(databases.url)}"
    start = time.perf_counter()
    databases.fresh()
    tracking.build_template(databases.url)
    tracking.copy_template(databases.url, parcels)
    spread(databases.url)
    return f"built in {time.perf_counter() - start:.0f} s; {_facts(databases.url)}"


def _facts(url: str) -> str:
    """Migrate, then rebuild the report facts with the app's own command code when they do not cover every parcel
    (the bulk copies and the spread bypass the services that keep them)."""
    from flask_migrate import upgrade

    from distribusi.extensions import db
    from distribusi.reports.facts import rebuild_facts

    app = create_app(common.bench_config(url))
    with app.app_context():
        upgrade()
        facts, parcels = db.session.execute(sa.text(
            "SELECT (SELECT count(*) FROM parcel_facts), (SELECT count(*) FROM parcels)")).one()
        if facts == parcels:
            message = f"report facts cover all {parcels:,} parcels"
        else:
            start = time.perf_counter()
            rebuild_facts()
            db.session.commit()
            message = f"report facts rebuilt in {time.perf_counter() - start:.0f} s"
        db.session.remove()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE parcel_facts, failure_facts")
        db.engine.dispose()
    return message


def measure(url: str, repeat: int) -> list[list[str]]:
    from distribusi.extensions import db
    from distribusi.models import Office
    from distribusi.reports.couriers import courier_scorecard
    from distribusi.reports.deliveries import delivery_report
    from distribusi.reports.periods import month_of, period_of
    from distribusi.reports.steps import step_times

    app = create_app(common.bench_config(url))
    rows = []
    with app.app_context():
        office = db.session.scalar(sa.select(Office))
        latest = db.session.scalar(sa.text("SELECT max(handed_over_at) FROM handovers"))
        last_month = month_of((latest + timedelta(hours=7)).date().replace(day=1) - timedelta(days=1))
        periods = {"last full month": period_of(office, *last_month),
                   "whole year": period_of(office, (latest - timedelta(days=DAYS + 2)).date(), latest.date())}
        counts = db.session.execute(sa.text(
            "SELECT (SELECT count(*) FROM parcels), (SELECT count(*) FROM custody_events)")).one()
        print(f"rows        {counts[0]:,} parcels, {counts[1]:,} custody events, {DAYS + 1} handovers\n")
        for name, period in periods.items():
            for label, report in (("deliveries", delivery_report), ("couriers", courier_scorecard),
                                  ("steps", step_times)):
                report(office, period)  # warm-up
                db.session.rollback()
                seconds = []
                for _ in range(repeat):
                    start = time.perf_counter()
                    result = report(office, period)
                    seconds.append(time.perf_counter() - start)
                    db.session.rollback()
                median = statistics.median(seconds)
                rows.append([f"{label} ({name} {period.first}..{period.last})", f"{median:.3f}",
                             f"{min(seconds):.3f}", _summary(label, result), "yes" if median < GOAL_SECONDS else "NO"])
                print("  measured  " + "  ".join(rows[-1]), flush=True)
    return rows


def _summary(label: str, result: dict) -> str:
    if label == "deliveries":
        totals = result["totals"]["parcels"]
        return f"handed over {totals['handed_over']:,}, delivered {totals['delivered']:,}"
    if label == "couriers":
        return f"handed over {sum(row['handed_over'] for row in result['partners']):,}"
    return f"accepted->delivered n={result['steps'][-1]['count']:,}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parcels", type=int, default=1_000_000, help="parcels, about 5 events each")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per report (median shown)")
    parser.add_argument("--rebuild", action="store_true", help="make the data again even if it is there")
    args = parser.parse_args()
    common.header("period reports over a year of parcels")
    database = DATABASE.format(args.parcels)
    databases, message = common.PostgresDatabases.connect(database)
    if databases is None:
        print(f"database    {message}")
        return 1
    print(f"database    postgresql {databases.server}, {database}")
    print(f"data        {ensure_data(databases, args.parcels, args.rebuild)}", flush=True)
    rows = measure(databases.url, args.repeat)
    common.print_rows(["report (period)", "median s", "best s", "figures", f"< {GOAL_SECONDS:.0f} s"], rows)
    print(f"\nload        {common.load_average()} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
