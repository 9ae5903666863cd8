"""Dependencies named once so routes read as sentences, and the router that runs a request's
database work in one worker thread.

A sync endpoint with sync dependencies costs FastAPI a thread hop each (session open, user,
endpoint, session close): four per request, each a wake-up of the event loop and a turn at
the GIL, on a pool of 40 threads contending for it. Here the dependencies do no I/O;
`ApiRouter` runs the endpoint, the loading of its user and the commit together in one thread
of a small pool.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import RunVar
from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from todo_app.core.errors import FieldError, Unauthorized
from todo_app.db import new_session
from todo_app.models import User
from todo_app.services import api_tokens, auth


async def open_session() -> AsyncIterator[Session]:
    """The request's session; `ApiRouter` commits it (or rolls it back) in the endpoint's
    thread, so closing it here touches no connection."""
    session = new_session()
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(open_session, scope="function")]

_bearer = HTTPBearer(
    auto_error=False,
    description="the access token from /api/v1/auth/login, or a personal API token "
    "(todo_pat_...) from /api/v1/auth/tokens",
)


@dataclass(frozen=True)
class Bearer:
    """A bearer credential checked as far as it can be without the database."""

    token: str

    def user(self, session: Session) -> User:
        return api_tokens.user_from_bearer(session, self.token)


async def bearer(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Bearer:
    # A missing, expired or forged access token is refused here, before the body is validated.
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("access token is missing, expired or invalid")
    token = credentials.credentials
    if not api_tokens.is_api_token(token):
        auth.access_token_subject(token)  # checked once per token: the thread's check is a hit
    return Bearer(token)


# The signed-in user. The dependency checks the token; ApiRouter loads the user in the
# endpoint's thread with the request's session.
CurrentUser = Annotated[User, Depends(bearer)]


async def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]


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
# database; more only queue for the GIL (bench/load.py --quick at 50 users, p95: 2 threads
# 205 ms, 4 214 ms, 8 250 ms, 16 333 ms). Waiting on the chat model is not CPU work: it gets
# threads of its own.
DATABASE_THREADS = 4
WAITING_THREADS = 32
_limiters: RunVar[dict[int, CapacityLimiter]] = RunVar("todo_api_limiters")


def _limiter(threads: int) -> CapacityLimiter:
    # One limiter per event loop (tests start several), as anyio keeps its default one.
    try:
        limiters = _limiters.get()
    except LookupError:
        limiters = {}
        _limiters.set(limiters)
    if threads not in limiters:
        limiters[threads] = CapacityLimiter(threads)
    return limiters[threads]


def _in_one_thread(endpoint: Callable[..., Any], threads: int) -> Callable[..., Any]:
    """The endpoint with its user loaded before and its session committed after, all in one
    worker thread."""

    def run(values: dict[str, Any]) -> Any:
        given = [value for value in values.values() if isinstance(value, Session)]
        session = given[0] if given else new_session()
        try:
            for name, value in values.items():
                if isinstance(value, Bearer):
                    values[name] = value.user(session)
            result = endpoint(**values)
            session.commit()
            return result
        except BaseException:
            session.rollback()
            raise
        finally:
            if not given:
                session.close()

    @functools.wraps(endpoint)
    async def in_thread(**values: Any) -> Any:
        return await to_thread.run_sync(run, values, limiter=_limiter(threads))

    return in_thread


class ApiRouter(APIRouter):
    """An APIRouter whose sync endpoints take one thread hop a request (see the module);
    `waits=True` for endpoints that wait on something slow outside (the chat model)."""

    def __init__(self, *, waits: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.threads = WAITING_THREADS if waits else DATABASE_THREADS

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _in_one_thread(endpoint, self.threads)
        super().add_api_route(path, endpoint, **kwargs)
