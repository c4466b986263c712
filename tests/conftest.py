"""Fixtures: the app on SQLite and on PostgreSQL (each test gets a clean database), clients and factories."""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from distribusi import create_app
from distribusi.config import TestConfig

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_SERVICES = os.environ.get("DISTRIBUSI_REQUIRE_SERVICES") == "1"


def _postgres_reason() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # any failure to reach the server
        return f"PostgreSQL tidak dapat dihubungi di {PG_URL}: {error.__class__.__name__}"


def test_config(url: str, **extra) -> dict:
    """TestConfig as a mapping, pointed at one database."""
    settings = {name: getattr(TestConfig, name) for name in dir(TestConfig) if name.isupper()}
    return {**settings, "SQLALCHEMY_DATABASE_URI": url, **extra}


def _migrate(url: str) -> None:
    """Build the schema with the project's migrations, as production does."""
    from flask_migrate import upgrade

    app = create_app(test_config(url))
    with app.app_context():
        from distribusi.extensions import db

        upgrade()
        db.engine.dispose()


def _session_schema_url() -> tuple[str, str]:
    """A schema of its own for this test run, so runs sharing the server do not trample each other."""
    schema = f"distribusi_test_{os.getpid()}"
    separator = "&" if "?" in PG_URL else "?"
    return schema, f"{PG_URL}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("db") / "template.db"
    _migrate(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def postgres_ready() -> Iterator[str]:
    reason = _postgres_reason()
    if reason:
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason} (DISTRIBUSI_REQUIRE_SERVICES=1: PostgreSQL wajib di CI)")
        pytest.skip(f"{reason}; tes PostgreSQL dilewati (set DISTRIBUSI_REQUIRE_SERVICES=1 untuk mewajibkan)")
    schema, url = _session_schema_url()
    admin = sa.create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    _migrate(url)
    yield url
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def _empty_all_tables(app) -> None:
    """Delete every row, children first: on these small tables a few ms, where TRUNCATE costs 0.1–0.3 s."""
    from distribusi.extensions import db

    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    if request.param == "sqlite" and request.node.get_closest_marker("postgres_only"):
        pytest.skip("concurrency needs PostgreSQL row locks")
    return request.param


@pytest.fixture
def database_url(backend, request, tmp_path) -> str:
    if backend == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_ready")


@pytest.fixture
def app(database_url, tmp_path) -> Iterator:
    app = create_app(test_config(database_url))
    app.instance_path = str(tmp_path / "instance")
    from distribusi.extensions import db

    with app.app_context():
        if database_url.startswith("postgresql"):
            _empty_all_tables(app)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass
class Api:
    """A test client that sends a bearer token."""

    client: object
    token: str
    user_id: int

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, path, **kwargs):
        return self.client.get(path, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path, **kwargs):
        return self.client.post(path, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def put(self, path, **kwargs):
        return self.client.put(path, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def patch(self, path, **kwargs):
        return self.client.patch(path, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    @property
    def user(self):
        from distribusi.auth.models import User
        from distribusi.extensions import db

        return db.session.get(User, self.user_id)


@pytest.fixture
def office(app):
    """The test office with a courier partner."""
    from distribusi.admin.services import create_office, create_partner
    from distribusi.extensions import db

    office = create_office("PKU", "Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru")
    create_partner(office, {"name": "PT Pos Indonesia", "contract_number": "027/PKS/2026", "contact": None})
    db.session.commit()
    return office


@pytest.fixture
def other_office(app):
    from distribusi.admin.services import create_office, create_partner
    from distribusi.extensions import db

    office = create_office("MET", "Dinas Kependudukan dan Pencatatan Sipil Kota Metro")
    create_partner(office, {"name": "PT Pos Metro", "contract_number": "031/PKS/2026", "contact": None})
    db.session.commit()
    return office


@pytest.fixture
def make_user(app, office):
    """make_user(role, office=None, username=None) -> User, committed."""
    from distribusi.admin.services import create_user
    from distribusi.extensions import db
    from distribusi.models import CourierPartner

    counter = {"n": 0}

    def make(role: str, in_office=None, username: str | None = None):
        target = in_office or office
        counter["n"] += 1
        partner = None
        if role == "courier":
            partner = db.session.scalar(sa.select(CourierPartner).where(CourierPartner.office_id == target.id))
        user = create_user(target, {
            "username": username or f"{role}{counter['n']}-{target.code.lower()}", "password": "rahasia-sekali-123",
            "full_name": f"Pengguna {role.title()} {counter['n']}", "role": role,
            "courier_partner_id": partner.id if partner else None,
        })
        db.session.commit()
        return user

    return make


@pytest.fixture
def login_as(client, make_user):
    """login_as(role, office=None) -> Api client holding a fresh bearer token for a new user of that role."""
    from distribusi.auth.services import issue_token
    from distribusi.extensions import db

    def login(role: str, in_office=None) -> Api:
        user = make_user(role, in_office)
        raw, _token = issue_token(user)
        db.session.commit()
        return Api(client, raw, user.id)

    return login


@pytest.fixture
def crew(login_as):
    """The staff who walk a recap through the office, as Api clients, and the courier's partner id."""
    clerk, kasubbag, secretary, courier = (login_as(r) for r in ("clerk", "kasubbag", "secretary", "courier"))
    return SimpleNamespace(clerk=clerk, kasubbag=kasubbag, secretary=secretary, courier=courier,
                           partner_id=courier.user.courier_partner_id)


@pytest.fixture
def documents(app):
    """documents(user, count, seed=1) -> registered Documents, via the real service."""
    from distribusi.demo import as_api_payload, document_rows
    from distribusi.extensions import db
    from distribusi.intake.services import register_document

    def make(user, count: int = 4, seed: int = 1, **overrides):
        created = [
            register_document(user, as_api_payload({**row, **overrides}))
            for row in document_rows(count, seed=seed, prefix=f"T{seed}")
        ]
        db.session.commit()
        return created

    return make
