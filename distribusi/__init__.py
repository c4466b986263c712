"""Distribusi: finished identity documents from the Dukcapil office to citizens through a courier partner."""
from __future__ import annotations

import importlib
import os
from typing import Any

from flask import Flask

from distribusi.security import register_security


# the staff desks and the courier's page, in the order of the day's flow (blueprint name = package = template folder)
STAGE_PAGES = ("intake", "recap", "letters", "handover", "courier", "returns", "complaints", "reports", "admin",
               "privacy")


def create_app(config: dict[str, Any] | type | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints in flow order, errors, commands."""
    app = Flask(__name__, instance_relative_config=True, template_folder="../templates")
    configure(app, config)
    register_monitoring(app)
    register_fast_paths(app)
    trust_proxies(app)
    register_security(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    return app


def configure(app: Flask, config: dict[str, Any] | type | None) -> None:
    from distribusi.config import Config

    from distribusi.web.pages import RowIdConverter

    app.url_map.converters["int"] = RowIdConverter  # before any route is added
    app.config.from_object(Config)
    if isinstance(config, type):
        app.config.from_object(config)
    elif config:
        app.config.from_mapping(config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "distribusi.db")
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY belum diatur: set variabel lingkungan SECRET_KEY (lihat README).")


def register_monitoring(app: Flask) -> None:
    """JSON logs with a request id and no personal data, Prometheus metrics, readiness (distribusi.monitoring)."""
    from distribusi.monitoring import register_monitoring as register

    register(app)


def register_fast_paths(app: Flask) -> None:
    """Public tracking answered in front of Flask's dispatch (distribusi.tracking.fastpath), inside ProxyFix."""
    from distribusi.tracking.fastpath import register_fast_path

    register_fast_path(app)


def trust_proxies(app: Flask) -> None:
    """Behind a reverse proxy, take the client's address (for rate limits and logs) from X-Forwarded-For."""
    hops = app.config["PROXY_FIX_X_FOR"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    from distribusi.database import configure_engine
    from distribusi.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    configure_engine(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    login_manager.init_app(app)
    limiter.init_app(app)
    csrf.init_app(app)


def register_blueprints(app: Flask) -> None:
    from distribusi import all_models  # noqa: F401  (so migrations and create_all see every table)
    from distribusi.api import bp as api_bp
    from distribusi.auth import bp as auth_bp
    from distribusi.extensions import csrf
    from distribusi.tracking.views import bp as public_bp
    from distribusi.web import bp as web_bp
    from distribusi.webhooks.views import bp as webhooks_bp

    app.register_blueprint(web_bp)
    app.register_blueprint(auth_bp)
    for stage in STAGE_PAGES:  # each stage's pages, imported here so a service never pulls in its views
        app.register_blueprint(importlib.import_module(f"distribusi.{stage}.views").bp)
    app.register_blueprint(public_bp)
    csrf.exempt(api_bp)  # bearer tokens; session callers are checked for the CSRF header in api.access
    app.register_blueprint(api_bp)
    csrf.exempt(webhooks_bp)  # signed by the sender (X-Hub-Signature-256), checked in the view
    app.register_blueprint(webhooks_bp)


def register_errorhandlers(app: Flask) -> None:
    from distribusi.errors import register_error_handlers

    register_error_handlers(app)


def register_commands(app: Flask) -> None:
    from distribusi.cli import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from distribusi.auth.permissions import can
    from distribusi.workflow import label

    app.jinja_env.globals.update(can=can, state_label=label)
