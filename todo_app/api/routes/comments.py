"""Comments on tasks."""

from __future__ import annotations

import uuid

from fastapi import status

from todo_app.api import API_PREFIX
from todo_app.api.router import ApiRouter, RouterSession, RouterUser
from todo_app.schemas import CommentCreate, CommentList, CommentPublic, CommentUpdate
from todo_app.services import comments

router = ApiRouter(prefix=API_PREFIX, tags=["comments"])


@router.get("/tasks/{task_id}/comments")
def list_comments(task_id: uuid.UUID, user: RouterUser, session: RouterSession) -> CommentList:
    """The task's comments, oldest first."""
    return comments.list_comments(session, user, task_id)


@router.post("/tasks/{task_id}/comments", status_code=status.HTTP_201_CREATED)
def add_comment(
    task_id: uuid.UUID, body: CommentCreate, user: RouterUser, session: RouterSession
) -> CommentPublic:
    return comments.add_comment(session, user, task_id, body)


@router.patch("/comments/{comment_id}")
def update_comment(
    comment_id: uuid.UUID, body: CommentUpdate, user: RouterUser, session: RouterSession
) -> CommentPublic:
    """Its author changes the text."""
    return comments.update_comment(session, user, comment_id, body)


@router.delete("/comments/{comment_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_comment(comment_id: uuid.UUID, user: RouterUser, session: RouterSession) -> None:
    """Its author deletes it, or whoever manages the project's members."""
    comments.delete_comment(session, user, comment_id)
