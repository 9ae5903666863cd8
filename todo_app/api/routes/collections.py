"""Tags, saved filters, notifications and the audit log of the current user."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response, status

from todo_app.api import API_PREFIX
from todo_app.api.deps import only_query
from todo_app.api.router import ApiRouter, RouterSession, RouterUser
from todo_app.schemas import (
    AuditPage,
    NotificationPage,
    NotificationPublic,
    SavedFilterCreate,
    SavedFilterPublic,
    TagCount,
)
from todo_app.services import audit, filters, listing, notifications

router = ApiRouter(prefix=API_PREFIX)

Page = Annotated[int, Query(ge=1, le=1_000_000)]
Limit = Annotated[int, Query(ge=1, le=200)]


@router.get("/tags", tags=["tags"])
def list_tags(user: RouterUser, session: RouterSession) -> list[TagCount]:
    """Every tag in use, most open tasks first."""
    return listing.tag_counts(session, user)


@router.get("/filters", tags=["filters"])
def list_filters(user: RouterUser, session: RouterSession) -> list[SavedFilterPublic]:
    return filters.list_filters(session, user)


@router.post("/filters", tags=["filters"], status_code=status.HTTP_201_CREATED)
def save_filter(
    body: SavedFilterCreate, user: RouterUser, session: RouterSession
) -> SavedFilterPublic:
    """Save a list query under a name (its parameters are those of GET /tasks)."""
    return filters.save_filter(session, user, body)


@router.delete("/filters/{filter_id}", tags=["filters"], status_code=status.HTTP_204_NO_CONTENT)
def delete_filter(filter_id: uuid.UUID, user: RouterUser, session: RouterSession) -> None:
    filters.delete_filter(session, user, filter_id)


@router.get(
    "/notifications",
    tags=["notifications"],
    dependencies=[only_query("unread", "page", "limit")],
)
def list_notifications(
    user: RouterUser,
    session: RouterSession,
    unread: bool = False,
    page: Page = 1,
    limit: Limit = 50,
) -> NotificationPage:
    return notifications.list_notifications(session, user, unread, page, limit)


@router.post("/notifications/{notification_id}/read", tags=["notifications"])
def mark_read(
    notification_id: uuid.UUID, user: RouterUser, session: RouterSession
) -> NotificationPublic:
    return notifications.mark_read(session, user, notification_id)


@router.get(
    "/audit",
    tags=["audit"],
    dependencies=[only_query("format", "page", "limit")],
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def audit_log(
    user: RouterUser,
    session: RouterSession,
    response: Response,
    format: Annotated[str | None, Query(pattern="^(csv|json)$")] = None,
    page: Page = 1,
    limit: Limit = 50,
) -> AuditPage:
    """The user's activity, newest first; ?format=csv or json downloads all of it."""
    if format == "csv":
        return Response(  # type: ignore[return-value]
            audit.export_csv(session, user),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="activity.csv"'},
        )
    if format == "json":
        response.headers["Content-Disposition"] = 'attachment; filename="activity.json"'
        return audit.audit_page(session, user, 1, audit.EXPORT_MAX)
    return audit.audit_page(session, user, page, limit)
