"""FastAPI dependencies named once so routes read as sentences. None does I/O: the request's
database work (its session, its user) is supplied by `todo_app.api.router.ApiRouter`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from starlette.requests import HTTPConnection

from todo_app.core.errors import FieldError, Unauthorized
from todo_app.models import User
from todo_app.services import api_tokens, auth


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


# The bearer credential, checked; `router.RouterUser` is the user it stands for.
bearer_credential = _BearerScheme(
    auto_error=False,
    scheme_name="HTTPBearer",
    description="the access token from /api/v1/auth/login, or a personal API token "
    "(todo_pat_...) from /api/v1/auth/tokens",
)


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
