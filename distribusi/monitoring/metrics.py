"""Prometheus metrics: requests and latency per URL rule (RequestMetrics), import and paper durations,
and the notify outbox (backlog, age of the oldest due message, dead messages) counted at scrape time.

`/metrics` answers only callers from METRICS_ALLOWED_NETWORKS or with `Authorization: Bearer <METRICS_TOKEN>`.
Under gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR (deploy/gunicorn.conf.py): each worker then
writes its figures to that directory and a scrape, whichever worker answers it, adds them all up.
"""
from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from time import perf_counter

from flask import Flask, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

IMPORT_SECONDS = Histogram(
    "distribusi_import_duration_seconds", "Time to read, check and register one CSV/XLSX import", ["outcome"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80))
PAPER_SECONDS = Histogram(
    "distribusi_paper_render_seconds", "Time to write one paper (PDF or XLSX): labels, recap list, letter...",
    ["paper"], buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32))
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10)


def timed_import(function: Callable[..., Any]) -> Callable[..., Any]:
    """Observe the duration of an import service call in IMPORT_SECONDS (outcome ok, or refused when it raised)."""

    @wraps(function)
    def observed(*args: Any, **kwargs: Any) -> Any:
        start = _clock()
        outcome = "refused"
        try:
            result = function(*args, **kwargs)
            outcome = "ok"
            return result
        finally:
            IMPORT_SECONDS.labels(outcome=outcome).observe(_clock() - start)

    return observed


def paper_timer(write: Callable[..., Any]):
    """A context manager timing one paper, labelled with the printing function that made it (recap_labels...)."""
    kind = getattr(write, "__qualname__", "paper").split(".", 1)[0]
    return PAPER_SECONDS.labels(paper=kind).time()


def _clock() -> float:
    return perf_counter()


def url_rule(req) -> str:
    """The label of a request: its URL rule (`/k/<code>`), never the raw path with a code or an id in it."""
    rule = req.url_rule
    return rule.rule if rule is not None else "(unmatched)"


STARTED = "distribusi.started"  # the request's start, in its WSGI environ
NOT_COUNTED = frozenset({"metrics"})  # the scrape itself


class RequestMetrics:
    """Per request: its duration by method, URL rule and status (a histogram) and a count by method and status.

    The names and labels are those prometheus-flask-exporter gave (`distribusi_http_request_duration_seconds`,
    `distribusi_http_request_total`), which the dashboards and alerts in docs/deploy.md read. Its hooks cost
    about 0.2 M instructions on every request (a third of the app's own per-request work on public tracking);
    these look up one labelled child per label set, made once, and observe it.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.duration = Histogram("distribusi_http_request_duration_seconds", "HTTP request duration in seconds",
                                  ("method", "url_rule", "status"), registry=registry, buckets=LATENCY_BUCKETS)
        self.total = Counter("distribusi_http_request_total", "Total number of HTTP requests", ("method", "status"),
                             registry=registry)
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def start(self) -> None:
        request.environ[STARTED] = perf_counter()

    def record(self, response: Response) -> Response:
        started = request.environ.get(STARTED)
        if started is None or request.endpoint in NOT_COUNTED:
            return response
        self.observe(request.method, url_rule(request), response.status_code, perf_counter() - started)
        return response

    def observe(self, method: str, rule: str, status: int, seconds: float) -> None:
        key = (method, rule, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (self.duration.labels(method, rule, str(status)),
                                               self.total.labels(method, str(status)))
        children[0].observe(max(seconds, 0.0))
        children[1].inc()


class OutboxCollector(Collector):
    """The notify outbox per office and status, and the age of the oldest message that is due and not sent."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from sqlalchemy.exc import SQLAlchemyError

        from distribusi.monitoring.health import outbox_figures

        up = GaugeMetricFamily("distribusi_database_up", "1 when the outbox could be counted in the database")
        try:
            counted = outbox_figures()
        except SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        messages = GaugeMetricFamily("distribusi_outbox_messages", "Messages in the notify outbox by status",
                                     labels=["office", "status"])
        oldest = GaugeMetricFamily("distribusi_outbox_oldest_due_seconds",
                                   "Age of the oldest pending message that is due (0 when none): the worker's lag",
                                   labels=["office"])
        for office, figures in counted.items():
            for status in ("pending", "sent", "dead"):
                messages.add_metric([office, status], figures[status])
            oldest.add_metric([office], figures["oldest_due_seconds"])
        yield messages
        yield oldest


def _networks(setting: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip()]


def may_read_metrics() -> bool:
    """True for a caller from an allowed network or with the bearer token METRICS_TOKEN."""
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in current_app.extensions["distribusi_metrics_networks"])


def exposition(app: Flask, requests_registry: CollectorRegistry) -> bytes:
    """The text the scraper reads: every worker's figures (or this process's), then the outbox counted now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        parts = [generate_latest(registry)]
    else:
        parts = [generate_latest(REGISTRY), generate_latest(requests_registry)]
    outbox = CollectorRegistry(auto_describe=False)
    outbox.register(OutboxCollector(app))
    parts.append(generate_latest(outbox))
    return b"".join(parts)


def register_metrics(app: Flask) -> None:
    """Count requests per URL rule and serve /metrics to the allowed networks or the token holder."""
    if not app.config.get("METRICS_ENABLED", True):
        return
    app.extensions["distribusi_metrics_networks"] = _networks(app.config["METRICS_ALLOWED_NETWORKS"])
    registry = CollectorRegistry(auto_describe=True)  # one per app: the tests build many apps in one process
    counted = app.extensions["distribusi_metrics"] = RequestMetrics(registry)
    app.before_request(counted.start)
    app.after_request(counted.record)

    def metrics():
        if not may_read_metrics():
            abort(403)
        return Response(exposition(app, registry), mimetype=CONTENT_TYPE_LATEST,
                        headers={"Cache-Control": "no-store"})

    app.add_url_rule("/metrics", "metrics", metrics)
