"""The calendar feed (an .ics URL calendar apps subscribe to) and the secret that opens it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response

from todo_app.api import API_PREFIX
from todo_app.api.router import ApiRouter, RouterSession, RouterUser
from todo_app.schemas import CalendarFeed
from todo_app.services import calendar

router = ApiRouter(prefix=API_PREFIX, tags=["calendar"])


@router.get(
    "/calendar.ics",
    name="calendar_feed",
    response_class=Response,
    responses={
        200: {
            "description": "the open tasks as iCalendar VTODOs",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        }
    },
)
def calendar_feed(
    session: RouterSession,
    token: Annotated[
        str, Query(max_length=200, description="the feed secret from POST /calendar/token")
    ],
    project_id: Annotated[
        uuid.UUID | None, Query(description="only this project's tasks (archived or not)")
    ] = None,
) -> Response:
    """The user's open tasks as an iCalendar feed, or one project's (tasks of archived
    projects only so); the secret in the URL is the credential."""
    user = calendar.user_for_token(session, token)
    return Response(
        calendar.feed(session, user, project_id),
        media_type="text/calendar",
        headers={
            "Content-Disposition": 'inline; filename="todo.ics"',
            "Cache-Control": "private, max-age=300",
        },
    )


@router.post("/calendar/token")
def new_calendar_token(request: Request, user: RouterUser, session: RouterSession) -> CalendarFeed:
    """Make a new feed URL; the previous one stops working at once."""
    secret = calendar.new_token(session, user)
    url = request.url_for("calendar_feed").include_query_params(token=secret)
    return CalendarFeed(url=str(url))
