"""The notification worker: claims due outbox rows, sends them, and records the outcome with backoff or `dead`.

Claiming is its own short transaction: the due rows are locked (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two
workers never pick the same row; SQLite takes its write lock at BEGIN IMMEDIATE), counted as an attempt and given
a lease, then committed. Sending happens outside any transaction; the outcome is written per message. A worker
that dies between sending and writing leaves the row to come due again after the lease (at least once, never
twice in normal work).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from distribusi.extensions import db
from distribusi.models import Office, utcnow
from distribusi.notify.models import OutboxMessage, OutboxStatus
from distribusi.notify.senders import Outgoing, SendError, sender_for

log = logging.getLogger(__name__)
SECRET_PARAMS = ("delivery_code",)  # erased from the row once the message went out


@dataclass
class Claimed:
    """A claimed row, detached from the session while it is sent."""

    id: int
    office_id: int
    channel: str
    attempts: int
    outgoing: Outgoing


@dataclass
class RunStats:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    ids: list[int] = field(default_factory=list)


def backoff(attempts: int, config: dict[str, Any]) -> timedelta:
    """The wait before the next try: the base doubled per failed attempt, capped."""
    base = float(config["NOTIFY_BACKOFF_SECONDS"])
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), float(config["NOTIFY_BACKOFF_MAX_SECONDS"])))


def lease(config: dict[str, Any]) -> timedelta:
    """How long a claimed row stays invisible to other workers: longer than one send can take."""
    return timedelta(seconds=float(config["NOTIFY_TIMEOUT_SECONDS"]) * 3 + 60)


def claim(limit: int, config: dict[str, Any], due_by: datetime | None = None) -> list[Claimed]:
    """Lock up to `limit` pending rows due by then, count the attempt, lease them, commit; returns what to send."""
    now = utcnow()
    stmt = (select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_attempt_at <= (due_by or now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = db.session.scalars(stmt).all()
    claimed = []
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + lease(config)
        claimed.append(Claimed(row.id, row.office_id, row.channel, row.attempts,
                               Outgoing(row.recipient, row.template, dict(row.params or {}))))
    db.session.commit()
    return claimed


def _phone_number_id(office_id: int, cache: dict[int, str | None]) -> str | None:
    if office_id not in cache:
        office = db.session.get(Office, office_id)
        cache[office_id] = (office.settings or {}).get("whatsapp_phone_number_id") if office else None
    return cache[office_id]


def _scrub(params: dict[str, Any] | None) -> dict[str, Any]:
    return {key: ("******" if key in SECRET_PARAMS else value) for key, value in (params or {}).items()}


def record_outcome(item: Claimed, error: SendError | None, config: dict[str, Any]) -> str:
    """Write one send's outcome: sent, retry later (backoff), or dead; returns which."""
    row = db.session.get(OutboxMessage, item.id, with_for_update=True)
    if error is None:
        row.status, row.sent_at, row.last_error = OutboxStatus.sent, utcnow(), None
        row.params = _scrub(row.params)
        outcome = "sent"
    elif error.permanent or item.attempts >= int(config["NOTIFY_MAX_ATTEMPTS"]):
        row.status, row.last_error = OutboxStatus.dead, str(error)[:500]  # kept whole for the admin's retry
        outcome = "dead"
    else:
        row.last_error, row.next_attempt_at = str(error)[:500], utcnow() + backoff(item.attempts, config)
        outcome = "retried"
    db.session.commit()
    return outcome


def run_once(limit: int | None = None) -> RunStats:
    """Send every message due now, batch after batch, until none is left; returns the counts."""
    config = current_app.config
    batch = limit or int(config["NOTIFY_BATCH_SIZE"])
    stats, numbers = RunStats(), {}
    started = utcnow()  # a retry due again at once waits for the next run, so a run ends
    while True:
        claimed = claim(batch, config, started)
        if not claimed:
            return stats
        for item in claimed:
            error = None
            try:
                sender = sender_for(item.channel, config, _phone_number_id(item.office_id, numbers))
                sender.send(item.outgoing)
            except SendError as failure:
                error = failure
            outcome = record_outcome(item, error, config)
            setattr(stats, outcome, getattr(stats, outcome) + 1)
            stats.ids.append(item.id)
            if error is not None:
                log.warning("outbox message %s: %s (%s, attempt %s)", item.id, error, outcome, item.attempts)


def run_forever(poll_seconds: float | None = None) -> None:  # pragma: no cover (a loop; run_once is tested)
    """Send due messages, then sleep, until interrupted."""
    pause = poll_seconds if poll_seconds is not None else float(current_app.config["NOTIFY_POLL_SECONDS"])
    while True:
        stats = run_once()
        if stats.sent or stats.retried or stats.dead:
            log.info("outbox: %s sent, %s to retry, %s dead", stats.sent, stats.retried, stats.dead)
        db.session.remove()
        time.sleep(pause)


def retry_message(message: OutboxMessage) -> OutboxMessage:
    """Put a dead (or waiting) message back in the queue with a fresh set of attempts."""
    message.status, message.attempts, message.next_attempt_at = OutboxStatus.pending, 0, utcnow()
    db.session.flush()
    return message
