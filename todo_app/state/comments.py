"""The comment thread of the task open in the editor, kept live."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from todo_app.core.errors import DomainError
from todo_app.core.people import initials, shown_name
from todo_app.models import User
from todo_app.schemas import CommentCreate, CommentPublic, CommentUpdate
from todo_app.services import comments
from todo_app.state.auth import AuthState, signed_in_event

Result = TypeVar("Result")


@dataclasses.dataclass
class CommentRow:
    id: str
    author: str
    initials: str
    text: str
    # RFC 3339, said in the browser's language; `when` (UTC, the server's) until then.
    at: str
    when: str
    edited: bool
    mine: bool


def comment_row(comment: CommentPublic, me: str) -> CommentRow:
    name = shown_name(comment.author.display_name, comment.author.email)
    return CommentRow(
        id=str(comment.id),
        author=name,
        initials=initials(name) or "?",
        text=comment.text,
        at=comment.created_at.isoformat(),
        when=comment.created_at.strftime("%Y-%m-%d %H:%M"),
        edited=comment.edited_at is not None,
        mine=str(comment.author.id) == me,
    )


class CommentsState(AuthState):
    task_id: str = ""
    items: list[CommentRow] = []
    draft: str = ""
    editing_id: str = ""
    edit_text: str = ""
    error: str = ""
    # A viewer of the task's project reads the thread without a box to write in.
    can_comment: bool = True

    def _refresh(self, session: Session, user: User) -> None:
        thread = comments.list_comments(session, user, uuid.UUID(self.task_id))
        self.items = [comment_row(c, str(user.id)) for c in thread.items]
        self.can_comment = thread.can_comment

    def _with_user(self, action: Callable[[Session, User], Result]) -> Result:
        with self._signed_in() as (session, user):
            result = action(session, user)
            self._refresh(session, user)
            return result

    @signed_in_event
    def show(self, task_id: str) -> None:
        """The thread of the task the editor opened."""
        self.task_id = task_id
        self.items = []
        self.draft = ""
        self.editing_id = ""
        self.error = ""
        try:
            self._with_user(lambda s, u: None)
        except DomainError as error:
            self.error = error.message

    @rx.event
    def set_draft(self, value: str) -> None:
        self.draft = value

    @rx.event
    def set_edit_text(self, value: str) -> None:
        self.edit_text = value

    @signed_in_event
    def post(self) -> None:
        tid, data = uuid.UUID(self.task_id), CommentCreate(text=self.draft)
        try:
            self._with_user(lambda s, u: comments.add_comment(s, u, tid, data))
        except DomainError as error:
            self.error = error.message
            return
        self.draft = ""
        self.error = ""

    @rx.event
    def start_edit(self, comment_id: str, text: str) -> None:
        self.editing_id = comment_id
        self.edit_text = text

    @rx.event
    def cancel_edit(self) -> None:
        self.editing_id = ""

    @signed_in_event
    def save_edit(self) -> None:
        cid, data = uuid.UUID(self.editing_id), CommentUpdate(text=self.edit_text)
        try:
            self._with_user(lambda s, u: comments.update_comment(s, u, cid, data))
        except DomainError as error:
            self.error = error.message
            return
        self.editing_id = ""
        self.error = ""

    @signed_in_event
    def delete(self, comment_id: str) -> EventSpec | None:
        cid = uuid.UUID(comment_id)
        try:
            self._with_user(lambda s, u: comments.delete_comment(s, u, cid))
        except DomainError as error:
            return rx.toast.error(f"Not deleted: {error.message}", duration=6000)
        return rx.toast("Comment deleted", duration=3000)

    def _live_comment(self, data: Mapping[str, Any]) -> None:
        """A comment on the task this tab shows, from anywhere: read the thread again."""
        if not self.task_id or str(data.get("task_id")) != self.task_id:
            return
        if not self._concerns_me(data):
            return
        try:
            self._as_live_user(self._refresh)
        except DomainError:  # the task is gone, or no longer shared with this user
            self.items = []
