"""The router that runs a request's database work in one worker thread, and the markers of
the endpoint parameters it supplies itself.

A sync endpoint with sync dependencies costs FastAPI a thread hop each (session open, user,
endpoint, session close): four per request, each a wake-up of the event loop and a turn at
the GIL, on a pool of 40 threads contending for it. `ApiRouter` instead opens the session,
loads the user, runs the endpoint and commits, together in one thread of a small pool. A GET
reads without a transaction, so it costs its queries' round trips and no BEGIN or COMMIT.

What the router supplies is marked in the endpoint's signature (`RouterSession`,
`RouterUser`), so a route shows which of its parameters are not FastAPI dependencies.
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

from fastapi import APIRouter, Depends
from fastapi.params import Depends as DependsParam
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from todo_app.api.deps import Bearer, QueryModel, bearer_credential
from todo_app.db import new_session
from todo_app.models import User
from todo_app.services import outbox

_T = TypeVar("_T")


class RouterSupplied:
    """Marks an endpoint parameter that ApiRouter fills in itself, in the endpoint's worker
    thread: FastAPI does not resolve it, and an `async def` endpoint cannot take it."""


class SuppliedSession(RouterSupplied):
    """The request's session: committed after the endpoint, rolled back if it raises."""


@dataclass(frozen=True)
class SuppliedUser(RouterSupplied):
    """The signed-in user, loaded with the request's session from the `Bearer` credential
    that FastAPI resolves (and checks, before the body is read) through `credential`."""

    credential: DependsParam


# The request's session; ApiRouter commits it (or rolls it back) after the endpoint.
RouterSession = Annotated[Session, SuppliedSession()]
# The signed-in user: FastAPI checks the bearer token on the loop (the security scheme
# HTTPBearer), ApiRouter loads its user in the endpoint's thread with the request's session.
RouterUser = Annotated[User, SuppliedUser(Depends(bearer_credential))]

# Requests doing database work: a few threads keep the CPU busy while others wait on the
# database; more only queue for the GIL (bench/README.md has the figures by pool size).
# Waiting on the chat model is not CPU work: it gets threads of its own.
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
    endpoint: Callable[..., Any],
    signature: inspect.Signature,
    supplied: dict[str, RouterSupplied],
    pool: ThreadPoolExecutor,
    reads: bool,
) -> Callable[..., Any]:
    """The endpoint with its session opened and its user loaded before, and the session
    committed after, all in one worker thread; `reads` for a GET (no transaction)."""
    sessions = [name for name, marker in supplied.items() if isinstance(marker, SuppliedSession)]
    users = [name for name, marker in supplied.items() if isinstance(marker, SuppliedUser)]

    def run(values: dict[str, Any]) -> Any:
        session = new_session(reads=reads)
        try:
            for name in users:
                bearer: Bearer = values[name]
                values[name], session = _first_statement(bearer.user, session, reads)
            if not users and sessions:
                # No user to load first (sign-in routes): a round trip of its own, so the
                # endpoint's first statement does not meet a connection the server dropped.
                _, session = _first_statement(_check_connection, session, reads)
            values.update(dict.fromkeys(sessions, session))
            if users:
                with outbox.acting_as(values[users[0]]):
                    result = endpoint(**values)
            else:
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

    # What FastAPI resolves: the endpoint's parameters less the session, and each user's
    # credential in place of the user.
    resolved = []
    for parameter in signature.parameters.values():
        marker = supplied.get(parameter.name)
        if isinstance(marker, SuppliedUser):
            parameter = parameter.replace(annotation=Annotated[Bearer, marker.credential])
        elif marker is not None:
            continue
        resolved.append(parameter)
    in_thread.__signature__ = signature.replace(parameters=resolved)  # type: ignore[attr-defined]
    return in_thread


class ApiRouter(APIRouter):
    """An APIRouter whose sync endpoints take one thread hop a request (see the module);
    `waits=True` for endpoints that wait on something slow outside (the chat model).
    Registering an `async def` endpoint that takes a `RouterSupplied` parameter raises
    TypeError: it would run on the event loop, where the router supplies nothing."""

    def __init__(self, *, waits: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pool = _WAITING_POOL if waits else _DATABASE_POOL

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        signature = inspect.signature(endpoint, eval_str=True)
        supplied: dict[str, RouterSupplied] = {}
        for parameter in signature.parameters.values():
            for extra in getattr(parameter.annotation, "__metadata__", ()):
                if isinstance(extra, RouterSupplied):
                    supplied[parameter.name] = extra
                elif isinstance(getattr(extra, "dependency", None), QueryModel):
                    documented = {"parameters": extra.dependency.openapi_parameters()}
                    kwargs["openapi_extra"] = {**(kwargs.get("openapi_extra") or {}), **documented}
        if inspect.iscoroutinefunction(endpoint):
            if supplied:
                raise TypeError(
                    f"{endpoint.__qualname__} ({path}) is async def but takes "
                    f"{', '.join(supplied)}, which ApiRouter supplies only to a plain def "
                    "endpoint, in its worker thread: make it a plain def"
                )
        else:
            reads = set(kwargs.get("methods") or ()) <= {"GET", "HEAD"}
            endpoint = _in_one_thread(endpoint, signature, supplied, self.pool, reads)
        super().add_api_route(path, endpoint, **kwargs)
