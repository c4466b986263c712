"""The app starts, answers /health and describes its API."""

import subprocess
import sys

import pytest


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_openapi_lists_the_contract(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/documents", "/api/v1/documents/import", "/api/v1/recaps", "/api/v1/recaps/{recap_id}/submit",
                 "/api/v1/auth/token", "/api/v1/admin/users", "/api/v1/admin/office"):
        assert path in spec["paths"], path
    body = spec["paths"]["/api/v1/documents"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "$ref" in body


@pytest.mark.parametrize("module", ["distribusi.recap", "distribusi.letters.services", "distribusi.auth"])
def test_each_package_imports_on_its_own(module):
    """A service imported first (a script, a worker) must not trip over an import cycle through the pages."""
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-500:]
