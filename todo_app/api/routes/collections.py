"""Tags, stats, saved filters, notifications and the audit log of the current user."""

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
    Stats,
    TagCount,
)
from todo_app.services import audit, filters, listing, notifications, stats

router = ApiRouter(prefix=API_PREFIX)

Page = Annotated[int, Query(ge=1, le=1_000_000)]
Limit = Annotated[int, Query(ge=1, le=200)]


ProjectId = Annotated[uuid.UUID | None, Query(description="only this project's tasks")]


@router.get("/tags", tags=["tags"], dependencies=[only_query("project_id", "archived")])
def list_tags(
    user: RouterUser,
    session: RouterSession,
    project_id: ProjectId = None,
    archived: Annotated[
        bool, Query(description="count the archived projects' tasks instead")
    ] = False,
) -> list[TagCount]:
    """Every tag in use, most open tasks first; tasks of archived projects count only in
    their project's counts or with `archived=true`."""
    return listing.tag_counts(session, user, project_id, archived)


@router.get("/stats", tags=["stats"], dependencies=[only_query("project_id")])
def read_stats(user: RouterUser, session: RouterSession, project_id: ProjectId = None) -> Stats:
    """Completions per day over 30 days and open tasks by priority, tag and project: of one
    project, or of every task outside the archived projects."""
    return stats.summary(session, user, project_id)


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
    dependencies=[only_query("format", "project_id", "page", "limit")],
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def audit_log(
    user: RouterUser,
    session: RouterSession,
    response: Response,
    format: Annotated[str | None, Query(pattern="^(csv|json)$")] = None,
    project_id: Annotated[
        uuid.UUID | None, Query(description="only what happened to this project and its tasks")
    ] = None,
    page: Page = 1,
    limit: Limit = 50,
) -> AuditPage:
    """The user's activity, newest first; ?format=csv or json downloads all of it."""
    if format == "csv":
        return Response(  # type: ignore[return-value]
            audit.export_csv(session, user, project_id),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="activity.csv"'},
        )
    if format == "json":
        response.headers["Content-Disposition"] = 'attachment; filename="activity.json"'
        return audit.audit_page(session, user, 1, audit.EXPORT_MAX, project_id)
    return audit.audit_page(session, user, page, limit, project_id)
