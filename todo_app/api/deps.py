"""Dependencies named once so routes read as sentences, and the router that runs a request's
database work in one worker thread.

A sync endpoint with sync dependencies costs FastAPI a thread hop each (session open, user,
endpoint, session close): four per request, each a wake-up of the event loop and a turn at
the GIL. Here the dependencies do no I/O; `ApiRouter` runs the endpoint, the loading of its
user and the commit together in the endpoint's thread.
"""

from __future__ import annotations

import functools
import inspect
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from todo_app.core.errors import FieldError, Unauthorized
from todo_app.db import get_engine
from todo_app.models import User
from todo_app.services import api_tokens, auth


async def open_session() -> AsyncIterator[Session]:
    """The request's session; `ApiRouter` commits it (or rolls it back) in the endpoint's
    thread, so closing it here touches no connection."""
    session = Session(get_engine(), expire_on_commit=False)
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
    user_id: uuid.UUID | None  # an access token's subject; None for a personal API token

    def user(self, session: Session) -> User:
        if self.user_id is None:
            return api_tokens.user_from_api_token(session, self.token)
        return auth.user_by_id(session, self.user_id)


async def bearer(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Bearer:
    # A missing, expired or forged access token is refused here, before the body is read.
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("access token is missing, expired or invalid")
    token = credentials.credentials
    if api_tokens.is_api_token(token):
        return Bearer(token, None)
    return Bearer(token, auth.access_token_subject(token))


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


def _in_one_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """The endpoint with its users loaded before and its session committed after, all in the
    worker thread FastAPI runs a sync endpoint in."""

    @functools.wraps(endpoint)
    def run(**values: Any) -> Any:
        given = [value for value in values.values() if isinstance(value, Session)]
        session = given[0] if given else Session(get_engine(), expire_on_commit=False)
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

    run.__dict__["one_thread"] = True
    return run


class ApiRouter(APIRouter):
    """An APIRouter whose sync endpoints take one thread hop a request (see the module)."""

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint) and not getattr(endpoint, "one_thread", False):
            endpoint = _in_one_thread(endpoint)
        super().add_api_route(path, endpoint, **kwargs)
