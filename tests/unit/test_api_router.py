"""ApiRouter runs a sync endpoint in its database thread pool, with the request's context
and a session it supplies (which clients never see as a parameter)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from todo_app.api.deps import ApiRouter, SessionDep
from todo_app.api.middleware import RequestContextMiddleware
from todo_app.config import get_settings
from todo_app.logs import request_id_var


@pytest.fixture
def probe_client(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    router = ApiRouter()

    @router.get("/probe")
    def probe(session: SessionDep, label: str = "none") -> dict[str, object]:
        return {
            "request_id": request_id_var.get(),
            "thread": threading.current_thread().name,
            "label": label,
            "session_works": session.connection().exec_driver_sql("SELECT 1").scalar() == 1,
        }

    app = FastAPI()
    app.include_router(router)
    app.add_middleware(RequestContextMiddleware)
    with TestClient(app) as client:
        yield client
    get_settings.cache_clear()


def test_the_endpoint_runs_in_the_database_pool_with_the_requests_id(probe_client: TestClient):
    answer = probe_client.get("/probe?label=x", headers={"X-Request-ID": "probe-1"}).json()
    assert answer == {
        "request_id": "probe-1",
        "thread": answer["thread"],
        "label": "x",
        "session_works": True,
    }
    assert answer["thread"].startswith("api-db")
    assert threading.current_thread().name != answer["thread"]


def test_the_supplied_session_is_not_a_parameter(probe_client: TestClient):
    operation = probe_client.get("/openapi.json").json()["paths"]["/probe"]["get"]
    assert [parameter["name"] for parameter in operation["parameters"]] == ["label"]
