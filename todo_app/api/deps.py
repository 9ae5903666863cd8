"""Dependencies named once so routes read as sentences."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from todo_app.core.errors import FieldError, Unauthorized
from todo_app.db import get_engine
from todo_app.models import User
from todo_app.services import api_tokens


def get_session() -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(
    auto_error=False,
    description="the access token from /api/v1/auth/login, or a personal API token "
    "(todo_pat_...) from /api/v1/auth/tokens",
)


def get_current_user(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("access token is missing, expired or invalid")
    return api_tokens.user_from_bearer(session, credentials.credentials)


CurrentUser = Annotated[User, Depends(get_current_user)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]


def only_query(*names: str) -> Any:
    """A route dependency refusing query parameters other than `names`: a typo is a 422 naming
    it, not a filter silently ignored."""
    allowed = frozenset(names)

    def check(request: Request) -> None:
        for key in request.query_params:
            if key not in allowed:
                raise FieldError(
                    key, f"{key} is not a known query parameter; use {', '.join(sorted(allowed))}"
                )

    return Depends(check)
