from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Response, status

from todo_app.api import API_PREFIX
from todo_app.api.deps import QueryModel, only_query
from todo_app.api.router import ApiRouter, RouterSession, RouterUser
from todo_app.core.errors import FieldError
from todo_app.core.filters import parse_query
from todo_app.schemas import (
    Occurrences,
    QuickAddRequest,
    ReorderRequest,
    SnoozeRequest,
    TaskCreate,
    TaskListParams,
    TaskMove,
    TaskPage,
    TaskPublic,
    TaskUpdate,
)
from todo_app.services import listing, quickadd, tasks

router = ApiRouter(prefix=f"{API_PREFIX}/tasks", tags=["tasks"])


@router.get("", response_model=TaskPage)
def list_tasks(
    params: Annotated[TaskListParams, Depends(QueryModel(TaskListParams))],
    user: RouterUser,
    session: RouterSession,
) -> Response:
    """Search, filter, sort and page the user's tasks (deleted ones never show)."""
    query = parse_query(params.model_dump(exclude_none=True), user.timezone)
    return Response(listing.list_tasks(session, user, query).json(), media_type="application/json")


@router.post("", status_code=status.HTTP_201_CREATED)
def create_task(body: TaskCreate, user: RouterUser, session: RouterSession) -> TaskPublic:
    return tasks.create_task(session, user, body)


@router.post("/quick", status_code=status.HTTP_201_CREATED)
def quick_add(body: QuickAddRequest, user: RouterUser, session: RouterSession) -> TaskPublic:
    """Create a task from one line, read as the web app's quick-add bar reads it:
    "call mom tomorrow 6pm #family every sunday ^Home" (dates in the user's time zone)."""
    try:
        return quickadd.quick_add(
            session,
            user,
            body.text,
            project_id=body.project_id,
            section_id=body.section_id,
            parent_id=body.parent_id,
        )
    except FieldError as exc:
        if exc.field in body.model_fields_set - {"text"}:
            raise
        # Everything else was read from the text: name it, keep the rule that was broken.
        raise FieldError("text", f"text: {exc.message}") from None


@router.post("/reorder")
def reorder(body: ReorderRequest, user: RouterUser, session: RouterSession) -> list[TaskPublic]:
    """Put the listed tasks in this order, in the places they held between them."""
    return tasks.reorder_tasks(session, user, body.ids)


@router.get("/{task_id}")
def get_task(task_id: uuid.UUID, user: RouterUser, session: RouterSession) -> TaskPublic:
    return tasks.read_task(session, user, task_id)


@router.patch("/{task_id}")
def update_task(
    task_id: uuid.UUID, body: TaskUpdate, user: RouterUser, session: RouterSession
) -> TaskPublic:
    """Change only the fields sent; send `version` to be refused (409) if the task moved on."""
    return tasks.update_task(session, user, task_id, body)


@router.delete("/{task_id}")
def delete_task(task_id: uuid.UUID, user: RouterUser, session: RouterSession) -> TaskPublic:
    """Move the task to the trash; POST .../restore undoes it."""
    return tasks.delete_task(session, user, task_id)


@router.post("/{task_id}/complete")
def complete(task_id: uuid.UUID, user: RouterUser, session: RouterSession) -> TaskPublic:
    """Complete; a recurring task's next occurrence is created at once."""
    return tasks.complete_task(session, user, task_id)


@router.post("/{task_id}/uncomplete")
def uncomplete(task_id: uuid.UUID, user: RouterUser, session: RouterSession) -> TaskPublic:
    return tasks.uncomplete_task(session, user, task_id)


@router.post("/{task_id}/skip")
def skip(task_id: uuid.UUID, user: RouterUser, session: RouterSession) -> TaskPublic:
    """Skip this occurrence of a recurring task: the series moves on without completing it."""
    return tasks.skip_task(session, user, task_id)


@router.post("/{task_id}/restore")
def restore(task_id: uuid.UUID, user: RouterUser, session: RouterSession) -> TaskPublic:
    return tasks.restore_task(session, user, task_id)


@router.post("/{task_id}/snooze")
def snooze(
    task_id: uuid.UUID, body: SnoozeRequest, user: RouterUser, session: RouterSession
) -> TaskPublic:
    """Remind again in `minutes` (what a reminder's "Snooze" does)."""
    return tasks.snooze_task(session, user, task_id, body.minutes)


@router.get("/{task_id}/occurrences", dependencies=[only_query("n")])
def occurrences(
    task_id: uuid.UUID,
    user: RouterUser,
    session: RouterSession,
    n: Annotated[int, Query(ge=1, le=100)] = 5,
) -> Occurrences:
    """The next n occurrences of a recurring task after this one."""
    return tasks.occurrences(session, user, task_id, n)


@router.post("/{task_id}/move")
def move(
    task_id: uuid.UUID, body: TaskMove, user: RouterUser, session: RouterSession
) -> TaskPublic:
    """Move the task, with its subtasks, to another project, section, parent or position."""
    return tasks.move_task(session, user, task_id, body)
