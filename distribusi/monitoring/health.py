"""Readiness for the load balancer and the notify worker's health: /health/ready and /health/notify.

`/health` (distribusi.web) only says the process answers and the database is reachable. `/health/ready` adds the
outbox figures; `/health/notify` answers 503 when the oldest due message has waited longer than
NOTIFY_BACKLOG_MAX_SECONDS (the worker is down or cannot reach the gateway) or when messages went dead.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, jsonify
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from distribusi.database import read_only
from distribusi.models import Office, utcnow
from distribusi.notify.models import OutboxMessage, OutboxStatus

_BY_OFFICE = (
    select(Office.code, OutboxMessage.status, func.count(), func.min(OutboxMessage.next_attempt_at))
    .join(Office, Office.id == OutboxMessage.office_id)
    .group_by(Office.code, OutboxMessage.status)
)


def outbox_figures() -> dict[str, dict[str, Any]]:
    """Per office code: messages pending, sent and dead, and seconds since the oldest pending one fell due."""
    now = utcnow()
    figures: dict[str, dict[str, Any]] = {}
    for office, status, count, first_due in read_only(_BY_OFFICE, {}):
        row = figures.setdefault(office, {"pending": 0, "sent": 0, "dead": 0, "oldest_due_seconds": 0.0})
        status = OutboxStatus(status).value
        row[status] = count
        if status == "pending" and first_due is not None and first_due <= now:
            row["oldest_due_seconds"] = round((now - first_due).total_seconds(), 1)
    return figures


def _database() -> str | None:
    """None when the database answers, else why not."""
    try:
        read_only(text("SELECT 1"), {})
    except SQLAlchemyError as error:
        return type(error).__name__
    return None


def ready():
    """200 when the database answers (with the outbox figures), 503 otherwise."""
    problem = _database()
    if problem:
        return jsonify({"status": "unavailable", "database": problem}), 503
    return jsonify({"status": "ok", "database": "ok", "outbox": outbox_figures()})


def notify_health():
    """503 when the outbox has due messages older than NOTIFY_BACKLOG_MAX_SECONDS or dead messages."""
    problem = _database()
    if problem:
        return jsonify({"status": "unavailable", "database": problem}), 503
    limit = current_app.config["NOTIFY_BACKLOG_MAX_SECONDS"]
    figures = outbox_figures()
    lagging = sorted(office for office, row in figures.items() if row["oldest_due_seconds"] > limit)
    dead = sorted(office for office, row in figures.items() if row["dead"])
    body = {"status": "ok" if not (lagging or dead) else "degraded", "backlog_limit_seconds": limit,
            "lagging_offices": lagging, "offices_with_dead_messages": dead, "outbox": figures}
    return jsonify(body), 200 if body["status"] == "ok" else 503


def register_health(app: Flask) -> None:
    app.add_url_rule("/health/ready", "health_ready", ready)
    app.add_url_rule("/health/notify", "health_notify", notify_health)
