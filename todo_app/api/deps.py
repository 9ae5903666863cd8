"""Dependencies named once so routes read as sentences, and the router that runs a request's
database work in one worker thread.

A sync endpoint with sync dependencies costs FastAPI a thread hop each (session open, user,
endpoint, session close): four per request, each a wake-up of the event loop and a turn at
the GIL, on a pool of 40 threads contending for it. Here the dependencies do no I/O;
`ApiRouter` opens the session, loads the user, runs the endpoint and commits, together in
one thread of a small pool. A GET reads without a transaction, so it costs its queries'
round trips and no BEGIN or COMMIT.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from starlette.requests import HTTPConnection

from todo_app.core.errors import FieldError, Unauthorized
from todo_app.db import new_session
from todo_app.models import User
from todo_app.services import api_tokens, auth

_T = TypeVar("_T")

# The request's session: an endpoint parameter of this type is filled in by ApiRouter (it is
# not a FastAPI dependency), which commits it or rolls it back after the endpoint.
SessionDep = Session


@dataclass(frozen=True)
class Bearer:
    """A bearer credential checked as far as it can be without the database."""

    token: str

    def user(self, session: Session) -> User:
        return api_tokens.user_from_bearer(session, self.token)


class _BearerScheme(HTTPBearer):
    """The Authorization header's bearer credential. Being the security scheme itself (not a
    dependency on one) spares FastAPI a dependency to solve on every signed-in request."""

    async def __call__(self, request: HTTPConnection) -> Bearer:  # type: ignore[override]
        credentials = await super().__call__(request)
        # A missing, expired or forged access token is refused here, before the body is read.
        if credentials is None:
            raise Unauthorized("access token is missing, expired or invalid")
        token = credentials.credentials
        if not api_tokens.is_api_token(token):
            auth.access_token_subject(token)  # checked once per token: the thread's is a hit
        return Bearer(token)


# The signed-in user. The dependency checks the token; ApiRouter loads the user in the
# endpoint's thread with the request's session.
CurrentUser = Annotated[
    User,
    Depends(
        _BearerScheme(
            auto_error=False,
            scheme_name="HTTPBearer",
            description="the access token from /api/v1/auth/login, or a personal API token "
            "(todo_pat_...) from /api/v1/auth/tokens",
        )
    ),
]


async def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]


class QueryModel:
    """A dependency reading the whole query string into a pydantic model in one validation.
    FastAPI's own query models re-derive each field's aliases and annotation on every request,
    which cost a list request more than its database work; ApiRouter documents the model's
    fields as the operation's query parameters."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model

    async def __call__(self, request: Request) -> BaseModel:
        try:
            return self.model.model_validate(dict(request.query_params))
        except ValidationError as exc:
            errors = [{**error, "loc": ("query", *error["loc"])} for error in exc.errors()]
            raise RequestValidationError(errors) from None

    def openapi_parameters(self) -> list[dict[str, Any]]:
        properties = self.model.model_json_schema()["properties"]
        return [
            {
                "name": name,
                "in": "query",
                "required": False,
                "schema": {k: v for k, v in schema.items() if k != "default"},
                "description": schema.get("description", ""),
            }
            for name, schema in properties.items()
        ]


def only_query(*names: str) -> Any:
    """A route dependency refusing query parameters other than `names`: a typo is a 422 naming
    it, not a filter silently ignored."""
    allowed = frozenset(names)

    async def check(request: Request) -> None:
        for key in request.query_params:
            if key not in allowed:
                raise FieldError(
                    key, f"{key} is not a known query parameter; use {', '.join(sorted(allowed))}"
                )

    return Depends(check)


# Requests doing database work: a few threads keep the CPU busy while others wait on the
# database; more only queue for the GIL (bench/load.py --quick at 50 users on two cores:
# 2 threads 410-425 req/s, p95 179-186 ms; 4 threads 461-536 req/s, p95 164-189 ms; earlier
# 8 and 16 threads were worse than 4). Waiting on the chat model is not CPU work: it gets
# threads of its own.
DATABASE_THREADS = 4
WAITING_THREADS = 32
_DATABASE_POOL = ThreadPoolExecutor(DATABASE_THREADS, thread_name_prefix="api-db")
_WAITING_POOL = ThreadPoolExecutor(WAITING_THREADS, thread_name_prefix="api-wait")


def _first_statement(
    first: Callable[[Session], _T], session: Session, reads: bool
) -> tuple[_T, Session]:
    """`first(session)`, a request's first statement, and the session to go on with. If the
    pooled connection died (the database restarted), nothing has been done yet, and the
    request goes on with a fresh session."""
    try:
        return first(session), session
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    session.close()
    fresh = new_session(reads=reads)
    try:
        return first(fresh), fresh
    except BaseException:
        fresh.close()
        raise


def _check_connection(session: Session) -> None:
    session.connection().exec_driver_sql("SELECT 1")


def _in_one_thread(
    endpoint: Callable[..., Any], pool: ThreadPoolExecutor, reads: bool
) -> Callable[..., Any]:
    """The endpoint with its session opened and its user loaded before, and the session
    committed after, all in one worker thread; `reads` for a GET (no transaction)."""
    signature = inspect.signature(endpoint, eval_str=True)
    supplied = [name for name, p in signature.parameters.items() if p.annotation is Session]

    def run(values: dict[str, Any]) -> Any:
        session = new_session(reads=reads)
        try:
            bearers = [name for name, value in values.items() if isinstance(value, Bearer)]
            for name in bearers:
                values[name], session = _first_statement(values[name].user, session, reads)
            if not bearers and supplied:
                # No user to load first (sign-in routes): a round trip of its own, so the
                # endpoint's first statement does not meet a connection the server dropped.
                _, session = _first_statement(_check_connection, session, reads)
            values.update(dict.fromkeys(supplied, session))
            result = endpoint(**values)
            if not reads:
                session.commit()
            return result
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @functools.wraps(endpoint)
    async def in_thread(**values: Any) -> Any:
        # The request's context (its id, for the logs) goes along into the thread.
        call = functools.partial(contextvars.copy_context().run, run, values)
        return await asyncio.get_running_loop().run_in_executor(pool, call)

    # What FastAPI reads to resolve parameters: the endpoint's, less the session it is given.
    in_thread.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p for p in signature.parameters.values() if p.name not in supplied]
    )
    return in_thread


class ApiRouter(APIRouter):
    """An APIRouter whose sync endpoints take one thread hop a request (see the module);
    `waits=True` for endpoints that wait on something slow outside (the chat model)."""

    def __init__(self, *, waits: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pool = _WAITING_POOL if waits else _DATABASE_POOL

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        for parameter in inspect.signature(endpoint, eval_str=True).parameters.values():
            for extra in getattr(parameter.annotation, "__metadata__", ()):
                if isinstance(getattr(extra, "dependency", None), QueryModel):
                    documented = {"parameters": extra.dependency.openapi_parameters()}
                    kwargs["openapi_extra"] = {**(kwargs.get("openapi_extra") or {}), **documented}
        if not inspect.iscoroutinefunction(endpoint):
            reads = set(kwargs.get("methods") or ()) <= {"GET", "HEAD"}
            endpoint = _in_one_thread(endpoint, self.pool, reads)
        super().add_api_route(path, endpoint, **kwargs)
