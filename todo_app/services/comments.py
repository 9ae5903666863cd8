"""Comments on tasks: a member with the right to comment writes them; each edits and deletes
their own, and whoever manages the project's members deletes any."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from todo_app.core.errors import Forbidden, NotFound
from todo_app.core.projects import Permission
from todo_app.core.validation import clean_comment
from todo_app.db import get_by_id
from todo_app.models import Comment, Project, Task, User, utcnow
from todo_app.schemas import (
    CommentAuthor,
    CommentCreate,
    CommentList,
    CommentPublic,
    CommentUpdate,
)
from todo_app.services import outbox, projects, tasks


def _public(comment: Comment, author: User) -> CommentPublic:
    return CommentPublic(
        id=comment.id,
        task_id=comment.task_id,
        author=CommentAuthor(id=author.id, display_name=author.display_name, email=author.email),
        text=comment.text,
        created_at=comment.created_at,
        edited_at=comment.edited_at,
    )


def _task_for(
    session: Session, user: User, task_id: uuid.UUID, need: Permission
) -> tuple[Task, Project]:
    """The task and its project, if `user` may `need` it; a task they cannot see is NotFound."""
    task = tasks.get_task(session, user, task_id, include_deleted=False)
    return task, projects.project_for(session, user, task.project_id, need)


def _comment_for(
    session: Session, user: User, comment_id: uuid.UUID
) -> tuple[Comment, Task, Project]:
    """The comment, its task and project, if `user` may read them; else NotFound."""
    comment = get_by_id(session, Comment, comment_id)
    if comment is None:
        raise NotFound("comment not found")
    try:
        task = tasks.get_task(session, user, comment.task_id, include_deleted=False)
        project = projects.project_for(session, user, task.project_id, Permission.view)
    except NotFound:
        raise NotFound("comment not found") from None
    return comment, task, project


def _emit(
    session: Session,
    event_type: str,
    comment: Comment,
    task: Task,
    project: Project,
    author: User,
    **extra: Any,
) -> None:
    data = {
        "user_id": str(project.owner_id),
        "project_id": str(project.id),
        "task_id": str(task.id),
        "comment_id": str(comment.id),
        "comment": _public(comment, author).model_dump(mode="json"),
        # Whom the task concerned then: who is told of the comment, however late.
        "task": {
            "title": task.title,
            "project_id": str(task.project_id),
            "created_by": str(task.created_by) if task.created_by else None,
            "assignee_id": str(task.assignee_id) if task.assignee_id else None,
        },
        **extra,
    }
    outbox.emit(session, event_type, data)


def list_comments(session: Session, user: User, task_id: uuid.UUID) -> CommentList:
    """The task's comments, oldest first."""
    task, project = _task_for(session, user, task_id, Permission.view)
    rows = session.exec(
        select(Comment, User)
        .join(User, col(User.id) == col(Comment.user_id))
        .where(col(Comment.task_id) == task.id)
        .order_by(col(Comment.created_at), col(Comment.id))
    ).all()
    return CommentList(
        items=[_public(comment, author) for comment, author in rows],
        can_comment=Permission.comment in projects.permissions(session, user, project),
    )


def add_comment(
    session: Session, user: User, task_id: uuid.UUID, data: CommentCreate
) -> CommentPublic:
    task, project = _task_for(session, user, task_id, Permission.comment)
    comment = Comment(task_id=task.id, user_id=user.id, text=clean_comment(data.text))
    session.add(comment)
    session.flush()
    _emit(session, "comment.created", comment, task, project, user)
    return _public(comment, user)


def update_comment(
    session: Session, user: User, comment_id: uuid.UUID, data: CommentUpdate
) -> CommentPublic:
    """The author's new text; nobody else edits a comment."""
    comment, task, project = _comment_for(session, user, comment_id)
    if comment.user_id != user.id:
        raise Forbidden("only its author may edit a comment")
    if Permission.comment not in projects.permissions(session, user, project):
        raise Forbidden(f"you lack the {Permission.comment.value} permission on this project")
    text = clean_comment(data.text)
    if text != comment.text:
        comment.text = text
        comment.edited_at = utcnow()
        session.add(comment)
        _emit(session, "comment.updated", comment, task, project, user)
    return _public(comment, user)


def delete_comment(session: Session, user: User, comment_id: uuid.UUID) -> None:
    """The author deletes their own comment; whoever manages the members, any."""
    comment, task, project = _comment_for(session, user, comment_id)
    granted = projects.permissions(session, user, project)
    own = comment.user_id == user.id and Permission.comment in granted
    if not own and Permission.manage_members not in granted:
        raise Forbidden(
            f"you lack the {Permission.manage_members.value} permission on this project"
        )
    author = get_by_id(session, User, comment.user_id) or user
    _emit(session, "comment.deleted", comment, task, project, author)
    session.delete(comment)
