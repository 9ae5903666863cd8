"""The FastAPI app the Reflex backend mounts: REST under /api/v1, health and metrics."""

from __future__ import annotations

from fastapi import FastAPI

from todo_app.api import API_PREFIX
from todo_app.api.errors import install_error_handlers
from todo_app.api.health import register_collectors
from todo_app.api.health import router as health_router
from todo_app.api.middleware import BodyLimitMiddleware, RequestContextMiddleware
from todo_app.api.routes import auth, collections, tasks
from todo_app.config import get_settings
from todo_app.logs import configure_logging


def create_api() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="Todo API",
        version="1.0.0",
        description="Tasks, tags, filters and accounts. Authenticate with a bearer access "
        "token from POST /api/v1/auth/login.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    # Routers carry their full path so metrics can label requests by route template.
    app.include_router(auth.router)
    app.include_router(tasks.router)
    app.include_router(collections.router)
    app.include_router(health_router)
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    register_collectors()
    return app
