"""Every error leaves as JSON naming what went wrong: {"detail": ..., "field": ...}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from todo_app.core.errors import Conflict, DomainError, TooManyAttempts, Unauthorized


def _body(detail: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"detail": detail, "field": field, **extra}


def _field_of(location: tuple[Any, ...] | list[Any]) -> str:
    # ("body", "tags", 3) -> "tags[3]"; ("query", "limit") -> "limit"; only the first part is
    # where the value was: ("body", "query", "status") is the field query.status.
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "body"


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(exc, Conflict) and isinstance(exc.current, BaseModel):
        extra["current"] = exc.current.model_dump(mode="json")
    if isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(
        _body(exc.message, exc.field, **extra), status_code=exc.status, headers=headers
    )


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        field = _field_of(error.get("loc", ()))
        message = error.get("msg", "is not valid")
        if error.get("type") == "json_invalid":
            field, message = "body", "is not valid JSON"
        if error.get("type") == "extra_forbidden":
            message = "is not a known field"
        errors.append({"field": field, "message": f"{field}: {message}"})
    first = errors[0] if errors else {"field": "body", "message": "request is not valid"}
    return JSONResponse(_body(first["message"], first["field"], errors=errors), status_code=422)


async def _stale(_request: Request, _exc: Exception) -> JSONResponse:
    return JSONResponse(
        _body("task was changed elsewhere at the same moment; reload it and retry", "version"),
        status_code=409,
    )


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse(_body(str(exc.detail)), status_code=exc.status_code, headers=exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StaleDataError, _stale)
    app.add_exception_handler(StarletteHTTPException, _http_error)
