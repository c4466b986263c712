"""Data for the load test: the demo office plus a few thousand handed-over parcels, all made by the app's services.

    .venv/bin/python bench/load/prepare.py [--parcels 3000] [--url postgresql+psycopg://postgres@127.0.0.1/bench_load]

Drops and makes the database again (never `test`), migrates it, loads the demo (users fo, kasubbag, sekretaris,
kurir..., password demo12345), imports N documents (one household each, so one parcel each) in recaps of 100 that
are submitted, signed and handed over to the demo courier partner. Writes the tracking codes to --out for the
locustfile: `handed_over` (the couriers scan these) and `all` (citizens track these), and the staff's recap ids.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import common  # noqa: E402  (puts the project on sys.path)
import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_load"


def fresh_database(url: str) -> None:
    name = make_url(url).database
    if name in common.FORBIDDEN_DATABASES:
        raise SystemExit(f"refusing to drop {name}")
    admin = sa.create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def build(url: str, parcels: int, out: Path) -> None:
    from flask_migrate import upgrade

    from distribusi import create_app
    from distribusi.auth.models import User
    from distribusi.demo import document_rows
    from distribusi.demo_data import load_demo
    from distribusi.extensions import db
    from distribusi.handover.services import hand_over
    from distribusi.intake.models import Document
    from distribusi.intake.services import import_documents
    from distribusi.letters.services import issue_letter, sign_letter
    from distribusi.models import CourierPartner
    from distribusi.recap.models import Parcel
    from distribusi.recap.services import create_recap, submit_recap

    app = create_app(common.bench_config(url, LOG_SETUP=False))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_demo("demo12345")
        db.session.commit()
        users = {u.username: u for u in db.session.scalars(sa.select(User))}
        fo, kasubbag, secretary = users["fo"], users["kasubbag"], users["sekretaris"]
        partner = db.session.scalar(sa.select(CourierPartner).where(CourierPartner.office_id == fo.office_id))
        rows = list(document_rows(parcels, seed=4242, prefix="LOAD", household_size=1))
        for start in range(0, len(rows), 1000):
            import_documents(fo, "load.csv", common.import_csv(rows[start:start + 1000]), 50_000)
            db.session.commit()
        ids = db.session.scalars(sa.select(Document.id).where(Document.doc_number.like("LOAD-%"))
                                 .order_by(Document.id)).all()
        handed = set()
        for start in range(0, len(ids), 100):
            recap = submit_recap(fo, create_recap(fo, ids[start:start + 100]))
            sign_letter(secretary, issue_letter(kasubbag, recap, partner.id))
            hand_over(kasubbag, recap, partner.id, "Kurir Beban")
            db.session.commit()
            handed.add(recap.id)
        codes = db.session.execute(sa.select(Parcel.tracking_code, Parcel.status, Parcel.recap_id)).all()
        data = {
            "handed_over": [c for c, status, r in codes if r in handed and status == "packed"],
            "all": [c for c, _, _ in codes],
            "recap_ids": sorted({r for _, _, r in codes if r}),
        }
        out.write_text(json.dumps(data))
        print(f"{len(data['all'])} parcels ({len(data['handed_over'])} handed over), "
              f"{len(data['recap_ids'])} recaps -> {out}")
        db.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parcels", type=int, default=3000)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--out", type=Path, default=Path("/tmp/distribusi-load.json"))
    args = parser.parse_args()
    start = time.perf_counter()
    fresh_database(args.url)
    build(args.url, args.parcels, args.out)
    print(f"built in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
