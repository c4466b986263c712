"""Monitoring: JSON logs with a request id and no personal data, Prometheus metrics, readiness checks."""
from __future__ import annotations

from flask import Flask

from distribusi.monitoring.health import register_health
from distribusi.monitoring.logs import configure_logging, register_request_id
from distribusi.monitoring.metrics import register_metrics


def register_monitoring(app: Flask) -> None:
    """Logging first (so every later line is masked JSON), then the request id, the metrics and the health checks."""
    configure_logging(app)
    register_request_id(app)
    register_metrics(app)
    register_health(app)
