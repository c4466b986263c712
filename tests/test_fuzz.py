"""Schemathesis fuzzes every API operation from the app's own OpenAPI document: no 5xx, answers as documented.

A short run is part of the normal suite; `make fuzz` sets FUZZ_EXAMPLES for the long run (≥ 10,000 requests). Each
role (clerk, kasubbag, courier, admin) gets a fresh database seeded with the demo data, on SQLite and PostgreSQL.
"""
from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import select

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))  # per operation and role; `make fuzz` raises it
ROLES = {"clerk": "fo", "kasubbag": "kasubbag", "courier": "kurir", "admin": "admin"}  # demo usernames
CHECKS = [not_a_server_error, response_schema_conformance]
TOTALS: dict[str, Counter] = {}  # per database: requests, server errors, schema violations

REVOKE = "/api/v1/auth/revoke"  # would end the run's own token
CONFIG = schemathesis.Config.from_dict({"seed": 20261201, "generation": {"deterministic": True, "database": "none"}})
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate, Phase.shrink])

pytestmark = pytest.mark.fuzz
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "distribusi-hypothesis"))  # nothing written in the repo


class Counted:
    """The app's WSGI callable, counting requests and 5xx answers."""

    def __init__(self, wsgi_app, counts: Counter):
        self.wsgi_app, self.counts = wsgi_app, counts

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            self.counts["requests"] += 1
            self.counts[status[0] + "xx"] += 1
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


@pytest.fixture(params=list(ROLES))
def role(request) -> str:
    return request.param


def _real_values() -> dict[str, list]:
    """Ids and codes of the demo data, so that path parameters often find a real object."""
    from distribusi.auth.models import User
    from distribusi.courier.models import ScanRecord
    from distribusi.extensions import db
    from distribusi.handover.models import Handover
    from distribusi.intake.models import Document
    from distribusi.letters.models import CoverLetter
    from distribusi.recap.models import Parcel, Recap

    def values(column) -> list:
        return [value for value in db.session.scalars(select(column).order_by(column)) if value is not None]

    return {"document_id": values(Document.id), "recap_id": values(Recap.id), "letter_id": values(CoverLetter.id),
            "handover_id": values(Handover.id), "user_id": values(User.id), "event_id": values(ScanRecord.event_id),
            "code": values(Parcel.tracking_code) + values(CoverLetter.verification_code)}


def _summary(counts: Counter) -> str:
    return (f"{counts['requests']} requests ({counts['2xx']} 2xx, {counts['4xx']} 4xx), {counts['5xx']} 5xx, "
            f"{counts['violations']} schema violations")


@pytest.fixture
def fuzz_counts(backend, role, request) -> Iterator[Counter]:
    counts: Counter = Counter()
    yield counts
    total = TOTALS.setdefault(backend, Counter())
    total.update(counts)
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        reporter.write_line(
            f"\nfuzz [{backend}, {role}]: {_summary(counts)}; so far on {backend}: {_summary(total)}")


def _seed(role: str) -> tuple[str, dict[str, list]]:
    """The demo data, and a bearer token of the role's demo user."""
    from distribusi.auth.models import User
    from distribusi.auth.services import issue_token
    from distribusi.demo_data import load_demo
    from distribusi.extensions import db

    load_demo("demo-rahasia-123")
    user = db.session.scalar(select(User).where(User.username == ROLES[role]))
    raw, _token = issue_token(user)
    db.session.commit()
    return raw, _real_values()


def _fuzz(operation, headers: dict, counts: Counter) -> None:
    """Valid and invalid requests to one operation; raises the (shrunk) first failure."""
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @SETTINGS
    @given(case=strategy)
    def run(case):
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as failure:  # a Failure, or a FailureGroup of several
            counts["violations"] += response.status_code < 500
            failure.add_note(f"Reproduce: {case.as_curl_command()}")
            raise

    run()


def _describe(error: BaseException) -> str:
    parts = error.exceptions if isinstance(error, BaseExceptionGroup) else (error,)
    notes = getattr(error, "__notes__", [])
    return "\n".join([*(str(part) for part in parts), *notes])


def test_api_answers_as_documented(app, role, fuzz_counts):
    token, real = _seed(role)
    app.wsgi_app = Counted(app.wsgi_app, fuzz_counts)
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
    fuzz_counts.subtract({"requests": 1, "2xx": 1})  # loading the document is not a fuzz request

    @loaded.hook
    def flatmap_path_parameters(context, parameters):
        if not parameters or any(not real.get(name) for name in parameters):
            return st.just(parameters)
        return st.one_of(st.just(parameters), st.fixed_dictionaries({n: st.sampled_from(real[n]) for n in parameters}))

    failures = []
    for result in loaded.get_all_operations():
        operation = result.ok()
        if operation.path == REVOKE:
            continue
        try:
            _fuzz(operation, {"Authorization": f"Bearer {token}"}, fuzz_counts)
        except (Exception, BaseExceptionGroup) as error:  # every operation is fuzzed; failures are listed at the end
            failures.append(f"{operation.label}: {_describe(error)}")
    assert not failures, "\n\n".join(failures)
