"""ApiRouter runs a sync endpoint in its database thread pool, with the request's context
and a session it supplies (which clients never see as a parameter); an async endpoint cannot
take what it supplies."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field

from todo_app.api.deps import QueryModel
from todo_app.api.middleware import RequestContextMiddleware
from todo_app.api.router import ApiRouter, RouterSession, RouterUser
from todo_app.config import get_settings
from todo_app.logs import request_id_var


class Search(BaseModel):
    model_config = ConfigDict(extra="forbid")

    word: str | None = Field(default=None, description="a word to find")
    limit: int = Field(default=10, description="how many")


@pytest.fixture
def probe_client(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    router = ApiRouter()

    @router.get("/probe")
    def probe(session: RouterSession, label: str = "none") -> dict[str, object]:
        return {
            "request_id": request_id_var.get(),
            "thread": threading.current_thread().name,
            "label": label,
            "session_works": session.connection().exec_driver_sql("SELECT 1").scalar() == 1,
        }

    @router.get("/search")
    def search(params: Annotated[Search, Depends(QueryModel(Search))]) -> Search:
        return params

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


def test_a_query_model_is_read_in_one_validation_and_documented_field_by_field(
    probe_client: TestClient,
):
    assert probe_client.get("/search?word=milk&limit=3").json() == {"word": "milk", "limit": 3}
    assert probe_client.get("/search").json() == {"word": None, "limit": 10}
    for query, field in (("limit=many", "limit"), ("word=milk&colour=red", "colour")):
        response = probe_client.get(f"/search?{query}")
        assert response.status_code == 422
        assert [error["loc"] for error in response.json()["detail"]] == [["query", field]]
    operation = probe_client.get("/openapi.json").json()["paths"]["/search"]["get"]
    assert [(p["name"], p["in"], p["description"]) for p in operation["parameters"]] == [
        ("word", "query", "a word to find"),
        ("limit", "query", "how many"),
    ]


@pytest.mark.parametrize("marker", ["session", "user"])
def test_an_async_endpoint_taking_what_the_router_supplies_is_refused(marker: str):
    router = ApiRouter()

    async def with_session(session: RouterSession) -> None: ...

    async def with_user(user: RouterUser) -> None: ...

    endpoint = with_session if marker == "session" else with_user
    with pytest.raises(TypeError, match=f"async def but takes {marker}.*make it a plain def"):
        router.add_api_route("/probe", endpoint, methods=["GET"])
    assert router.routes == []


def test_an_async_endpoint_without_them_runs_on_the_event_loop():
    router = ApiRouter()

    @router.get("/loop")
    async def loop() -> dict[str, str]:
        return {"thread": threading.current_thread().name}

    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as client:
        assert not client.get("/loop").json()["thread"].startswith("api-")
