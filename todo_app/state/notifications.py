"""The notifications bell of every signed-in page, and the alerts of reminders firing."""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from todo_app import routes
from todo_app.core.dates import due_label
from todo_app.core.errors import DomainError
from todo_app.db import session_scope
from todo_app.models import Task, User
from todo_app.services import notifications, projects, tasks
from todo_app.state.auth import AuthState, signed_in_event
from todo_app.state.editor import EditorState


@dataclasses.dataclass
class NotificationItem:
    id: str
    title: str
    body: str
    when: str
    unread: bool


@dataclasses.dataclass
class LiveAlert:
    """A reminder that fired while the tab was open, shown until acted on or dismissed."""

    id: str
    task_id: str
    title: str
    body: str


# At most this many alerts stack up; the bell keeps the rest.
ALERTS_SHOWN = 3
SNOOZE_CHOICES = (10, 60)

# What acting on an alert does to its task: (session, user, task id) -> a word for the toast.
AlertAction = Callable[[Session, User, uuid.UUID], Any]


class NotificationsState(AuthState):
    items: list[NotificationItem] = []
    unread: int = 0
    alerts: list[LiveAlert] = []

    def _load(self, session: Session, user: User) -> None:
        page = notifications.list_notifications(session, user, False, 1, 20)
        now = datetime.now(UTC)
        self.unread = page.unread
        self.items = [
            NotificationItem(
                id=str(n.id),
                title=n.title,
                body=n.body,
                when=due_label(n.created_at, False, user.timezone, now),
                unread=n.read_at is None,
            )
            for n in page.items
        ]

    @signed_in_event
    def refresh(self) -> None:
        with self._signed_in() as (session, user):
            self._load(session, user)

    def _live_notification(self, data: Mapping[str, Any]) -> None:
        """A notification of this tab's user was created: count it and alert."""
        if not self._concerns_me(data):
            return
        notification_id = str(data.get("notification_id", ""))
        if any(alert.id == notification_id for alert in self.alerts):
            return
        with session_scope() as session:
            user = session.get(User, uuid.UUID(self._live_user))
            if user is None:
                return
            self._load(session, user)
            body = str(data.get("body", ""))
            task_id = str(data.get("task_id", ""))
            task = session.get(Task, uuid.UUID(task_id)) if task_id else None
            seen = task is not None and projects.is_member(session, task.project_id, user.id)
            if task is not None and seen and task.due_at is not None:
                now = datetime.now(UTC)
                body = "Due " + due_label(task.due_at, task.all_day, user.timezone, now)
        alert = LiveAlert(
            id=notification_id, task_id=task_id, title=str(data.get("title", "")), body=body
        )
        if data.get("kind") == "reminder":
            self.alerts = [alert, *self.alerts][:ALERTS_SHOWN]

    def _drop_alert(self, notification_id: str) -> LiveAlert | None:
        found = next((a for a in self.alerts if a.id == notification_id), None)
        self.alerts = [a for a in self.alerts if a.id != notification_id]
        return found

    def _act_on_alert(
        self, notification_id: str, action: AlertAction, message: str
    ) -> EventSpec | None:
        """Dismiss the alert, mark it read and run `action(session, user, task_id)`."""
        alert = self._drop_alert(notification_id)
        if alert is None:
            return None
        with self._signed_in() as (session, user):
            try:
                notifications.mark_read(session, user, uuid.UUID(alert.id))
                result = action(session, user, uuid.UUID(alert.task_id))
            except DomainError as error:
                return rx.toast.error(error.message)
            self._load(session, user)
        return rx.toast(message.format(title=alert.title, result=result), duration=3000)

    @rx.event
    def dismiss_alert(self, notification_id: str) -> None:
        self._drop_alert(notification_id)

    @signed_in_event
    def complete_from_alert(self, notification_id: str) -> EventSpec | None:
        return self._act_on_alert(
            notification_id,
            lambda session, user, task_id: tasks.complete_task(session, user, task_id),
            "Completed “{title}”",
        )

    @signed_in_event
    def snooze_alert(self, notification_id: str, minutes: int) -> EventSpec | None:
        def snooze(session: Session, user: User, task_id: uuid.UUID) -> str:
            tasks.snooze_task(session, user, task_id, int(minutes))
            at = datetime.now(UTC) + timedelta(minutes=int(minutes))
            return at.astimezone(ZoneInfo(user.timezone)).strftime("%H:%M")

        return self._act_on_alert(notification_id, snooze, "“{title}”: reminding again at {result}")

    @signed_in_event
    async def open_from_alert(self, notification_id: str) -> EventSpec | None:
        alert = next((a for a in self.alerts if a.id == notification_id), None)
        if alert is None:
            return None
        with self._signed_in() as (session, user):
            with contextlib.suppress(DomainError):
                notifications.mark_read(session, user, uuid.UUID(alert.id))
            self._load(session, user)
        self._drop_alert(notification_id)
        if (self.router.url.path or routes.HOME) != routes.HOME:
            return rx.redirect(f"{routes.HOME}?task={alert.task_id}")
        editor = await self.get_state(EditorState)
        return editor._open(alert.task_id)

    @signed_in_event
    def mark_read(self, notification_id: str) -> EventSpec | None:
        with self._signed_in() as (session, user):
            try:
                notifications.mark_read(session, user, uuid.UUID(notification_id))
            except DomainError as error:
                return rx.toast.error(error.message)
            self._load(session, user)
        return None
