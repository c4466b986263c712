"""Browser fixtures: a fresh copy of the demo database behind the real app per test, Debian's Chromium per session,
a page per test, a screenshot in test-results/ when a test fails."""
from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from distribusi import create_app
from tests.browser.support import DEMO_PASSWORD, LiveServer, chromium_missing, launch
from tests.conftest import REQUIRE_SERVICES, test_config

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


REPORT = pytest.StashKey()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[REPORT] = report
    return report


def browser_config(url: str, **extra) -> dict:
    """The test settings, but with CSRF on, as a real browser meets the forms."""
    return test_config(url, WTF_CSRF_ENABLED=True, **extra)


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """A migrated SQLite file with the demo offices, users and documents, copied for each test."""
    from flask_migrate import upgrade

    from distribusi.demo_data import load_demo
    from distribusi.extensions import db

    path = tmp_path_factory.mktemp("browser") / "demo.db"
    app = create_app(browser_config(f"sqlite:///{path}"))
    app.instance_path = str(path.parent / "instance")
    with app.app_context():
        upgrade()
        load_demo(DEMO_PASSWORD)
        db.session.commit()
        db.engine.dispose()
    return path


@pytest.fixture
def live_server(demo_database, tmp_path) -> Iterator[LiveServer]:
    """The real app on a free port over a fresh copy of the demo database; tests reach it with server.app."""
    from distribusi.extensions import db

    path = tmp_path / "live.db"
    shutil.copyfile(demo_database, path)
    app = create_app(browser_config(f"sqlite:///{path}"))
    app.instance_path = str(tmp_path / "instance")
    server = LiveServer(app).start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def playwright_session():
    reason = chromium_missing()
    if reason:
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason} (DISTRIBUSI_REQUIRE_SERVICES=1: tes peramban wajib di CI)")
        pytest.skip(f"{reason}; tes peramban dilewati (set DISTRIBUSI_REQUIRE_SERVICES=1 untuk mewajibkan)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session):
    browser = launch(playwright_session)
    yield browser
    browser.close()


@pytest.fixture
def context(browser, request):
    """A fresh browser profile (cookies, storage) for the test, desktop-sized, with downloads allowed."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="id-ID")
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context, request):
    """A page that is photographed into test-results/ when the test fails."""
    page = context.new_page()
    yield page
    save_screenshot_on_failure(request, page)


def save_screenshot_on_failure(request, page) -> None:
    report = request.node.stash.get(REPORT, None)
    if report is not None and report.failed and not page.is_closed():
        SCREENSHOTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
