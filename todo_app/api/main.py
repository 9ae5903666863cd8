"""The FastAPI app the Reflex backend mounts: REST under /api/v1, health and metrics."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.routing import Route

from todo_app.api import API_PREFIX
from todo_app.api.errors import install_error_handlers
from todo_app.api.health import register_collectors
from todo_app.api.health import router as health_router
from todo_app.api.middleware import BodyLimitMiddleware, RequestContextMiddleware
from todo_app.api.routes import auth, calendar, chat, collections, comments, projects, tasks
from todo_app.config import get_settings
from todo_app.logs import configure_logging
from todo_app.mcp.server import McpHttp
from todo_app.schemas import ErrorBody

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "Bad request"),
        (401, "Missing, expired or invalid token"),
        (404, "Not found, or not yours"),
        (409, "Conflicts with the current state"),
        (413, "Request body too large"),
        (422, "Invalid input; `field` names it"),
        (429, "Too many attempts; see Retry-After"),
    )
}


def create_api() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_level)
    mcp_http = McpHttp()
    app = FastAPI(
        lifespan=mcp_http.lifespan,
        title="Todo API",
        version="1.0.0",
        description="Tasks, tags, filters and accounts. Authenticate with a bearer access "
        "token from POST /api/v1/auth/login.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    # Routers carry their full path so metrics can label requests by route template.
    routers = (auth, tasks, comments, projects, collections, calendar, chat)
    for module in routers:
        app.include_router(module.router, responses=ERROR_RESPONSES)
    app.include_router(health_router)
    # The MCP endpoint; the app's runner (Reflex) runs `app.state.mcp.lifespan` itself.
    app.router.routes.append(Route("/mcp", mcp_http, methods=["GET", "POST", "DELETE"]))
    app.state.mcp = mcp_http
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    register_collectors()
    return app
