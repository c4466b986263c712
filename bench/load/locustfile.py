"""Mixed load on Distribusi: staff pages and API, couriers syncing batches of scans, citizens tracking.

    .venv/bin/locust -f bench/load/locustfile.py --headless -u 60 -r 10 -t 60s --host http://127.0.0.1:8000

Data from bench/load/prepare.py (LOAD_DATA, default /tmp/distribusi-load.json): demo accounts (password demo12345),
tracking codes, recap ids. The server must allow the load's public requests from one address (PUBLIC_RATE_LIMIT).
Request names start with the group (staff, courier, public); at the end the p50/p95/p99 of each group and the
request rate are written to LOAD_SUMMARY (default /tmp/distribusi-load-summary.json). bench/load/steps.py runs this
at rising user counts and watches CPU and the database while it does.
"""
from __future__ import annotations

import json
import os
import random
import re
import time
import uuid
from collections import defaultdict, deque
from datetime import UTC, datetime
from pathlib import Path

from locust import FastHttpUser, between, events, task

DATA = json.loads(Path(os.environ.get("LOAD_DATA", "/tmp/distribusi-load.json")).read_text())
PASSWORD = os.environ.get("LOAD_PASSWORD", "demo12345")
WAITING = deque(DATA["handed_over"])  # parcels no courier has taken yet; each is scanned by one courier
SYNCED: list[list[dict]] = []  # batches already sent, replayed once the parcels run out (a phone resending)
TIMES: dict[str, list[float]] = defaultdict(list)
STARTED = [0.0]
DELIVERED_TO = {"recipient_name": "Penerima Beban", "recipient_relation": "self"}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **_kwargs):
    TIMES[name.split(":", 1)[0]].append(response_time)
    TIMES["all"].append(response_time)


@events.test_start.add_listener
def _start(**_kwargs):
    STARTED[0] = time.monotonic()


@events.test_stop.add_listener
def _summary(environment, **_kwargs):
    elapsed = max(time.monotonic() - STARTED[0], 1e-9)
    stats = environment.stats.total
    summary = {"seconds": round(elapsed, 1), "users": environment.runner.user_count if environment.runner else None,
               "requests": stats.num_requests, "failures": stats.num_failures,
               "rps": round(stats.num_requests / elapsed, 1), "groups": {}}
    for group, times in sorted(TIMES.items()):
        ordered = sorted(times)
        pick = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)  # noqa: E731
        summary["groups"][group] = {"requests": len(ordered), "rps": round(len(ordered) / elapsed, 1),
                                    "p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99)}
    Path(os.environ.get("LOAD_SUMMARY", "/tmp/distribusi-load-summary.json")).write_text(json.dumps(summary))


class Citizen(FastHttpUser):
    """A citizen checking a parcel from the SMS link or the tracking form."""

    weight = 6
    wait_time = between(1, 3)

    @task(5)
    def track_api(self):
        self.client.get(f"/api/v1/public/track/{random.choice(DATA['all'])}",
                        name="public: GET /api/v1/public/track/<code>")

    @task(1)
    def track_page(self):
        self.client.get(f"/k/{random.choice(DATA['all'])}", name="public: GET /k/<code>")


class Staff(FastHttpUser):
    """A clerk or kasubbag at a desk: pages with the session, the API with a token, now and then a label sheet."""

    weight = 3
    wait_time = between(2, 5)

    def on_start(self):
        username = random.choice(["fo", "kasubbag"])
        page = self.client.get("/login", name="login: GET /login")
        token = CSRF.search(page.text or "")
        self.client.post("/login", data={"username": username, "password": PASSWORD,
                                         "csrf_token": token.group(1) if token else ""}, name="login: POST /login")
        answer = self.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD},
                                  name="login: POST /api/v1/auth/token")
        self.bearer = {"Authorization": f"Bearer {answer.json()['token']}"}

    @task(3)
    def dashboard(self):
        self.client.get("/", name="staff: GET /")
        self.client.get("/beranda/data.json", name="staff: GET /beranda/data.json")

    @task(4)
    def documents_page(self):
        self.client.get(f"/dokumen?page={random.randint(1, 20)}", name="staff: GET /dokumen")

    @task(2)
    def recaps_page(self):
        self.client.get("/rekap", name="staff: GET /rekap")
        self.client.get(f"/rekap/{random.choice(DATA['recap_ids'])}", name="staff: GET /rekap/<id>")

    @task(4)
    def documents_api(self):
        self.client.get(f"/api/v1/documents?page={random.randint(1, 20)}&per_page=50", headers=self.bearer,
                        name="staff: GET /api/v1/documents")

    @task(2)
    def recap_api(self):
        self.client.get(f"/api/v1/recaps/{random.choice(DATA['recap_ids'])}", headers=self.bearer,
                        name="staff: GET /api/v1/recaps/<id>")

    @task(1)
    def labels(self):
        self.client.get(f"/api/v1/recaps/{random.choice(DATA['recap_ids'])}/labels.pdf", headers=self.bearer,
                        name="papers: GET /api/v1/recaps/<id>/labels.pdf")


class Courier(FastHttpUser):
    """A courier's phone syncing its offline queue: accept, out for delivery and delivered for 10 parcels."""

    weight = 1
    wait_time = between(5, 15)

    def on_start(self):
        answer = self.client.post("/api/v1/auth/token", json={"username": "kurir", "password": PASSWORD},
                                  name="login: POST /api/v1/auth/token (courier)")
        self.bearer = {"Authorization": f"Bearer {answer.json()['token']}"}

    def _batch(self) -> list[dict]:
        codes = [WAITING.popleft() for _ in range(min(10, len(WAITING)))]
        if not codes:
            return random.choice(SYNCED) if SYNCED else []
        now = datetime.now(UTC).isoformat()
        batch = [{"tracking_code": code, "action": action, "idempotency_key": uuid.uuid4().hex, "at": now,
                  **(DELIVERED_TO if action == "delivered" else {})}
                 for code in codes for action in ("accept", "out_for_delivery", "delivered")]
        SYNCED.append(batch)
        return batch

    @task
    def sync(self):
        batch = self._batch()
        if batch:
            self.client.post("/api/v1/scans/batch", json={"scans": batch}, headers=self.bearer,
                             name="courier: POST /api/v1/scans/batch")
