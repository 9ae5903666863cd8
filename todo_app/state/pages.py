"""State of the settings, activity and stats pages and of the notifications bell."""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import reflex as rx
from sqlmodel import Session

from todo_app import routes
from todo_app.core.dates import due_label
from todo_app.core.errors import DomainError
from todo_app.db import session_scope
from todo_app.models import Task, User
from todo_app.schemas import UserUpdate
from todo_app.services import api_tokens, audit, auth, calendar, notifications, stats, tasks
from todo_app.state.auth import AuthState
from todo_app.state.editor import EditorState

TIMEZONES = sorted(available_timezones() | {"UTC"})


@dataclasses.dataclass
class NotificationItem:
    id: str
    title: str
    body: str
    when: str
    unread: bool


@dataclasses.dataclass
class ActivityItem:
    id: str
    when: str
    action: str
    resource: str
    details: str


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

    @rx.event
    def refresh(self):  # type: ignore[no-untyped-def]
        with session_scope() as session:
            user = self._user(session)
            if user is None:
                return
            self._remember(user)
            self._load(session, user)

    def _live_notification(self, data: Mapping[str, Any]) -> None:
        """A notification of this tab's user was created: count it and alert."""
        if not self._live_user or data.get("user_id") != self._live_user:
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
            if task is not None and task.user_id == user.id and task.due_at is not None:
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

    def _act_on_alert(self, notification_id: str, action: Any, message: str):  # type: ignore[no-untyped-def]
        """Dismiss the alert, mark it read and run `action(session, user, task_id)`."""
        alert = self._drop_alert(notification_id)
        if alert is None:
            return None
        with session_scope() as session:
            user = self._user(session)
            if user is None:
                return self._to_login()
            try:
                notifications.mark_read(session, user, uuid.UUID(alert.id))
                result = action(session, user, uuid.UUID(alert.task_id))
            except DomainError as error:
                return rx.toast.error(error.message)
            self._load(session, user)
        return rx.toast(message.format(title=alert.title, result=result), duration=3000)

    @rx.event
    def dismiss_alert(self, notification_id: str):  # type: ignore[no-untyped-def]
        self._drop_alert(notification_id)

    @rx.event
    def complete_from_alert(self, notification_id: str):  # type: ignore[no-untyped-def]
        return self._act_on_alert(
            notification_id,
            lambda session, user, task_id: tasks.complete_task(session, user, task_id),
            "Completed “{title}”",
        )

    @rx.event
    def snooze_alert(self, notification_id: str, minutes: int):  # type: ignore[no-untyped-def]
        def snooze(session: Session, user: User, task_id: uuid.UUID) -> str:
            tasks.snooze_task(session, user, task_id, int(minutes))
            at = datetime.now(UTC) + timedelta(minutes=int(minutes))
            return at.astimezone(ZoneInfo(user.timezone)).strftime("%H:%M")

        return self._act_on_alert(notification_id, snooze, "“{title}”: reminding again at {result}")

    @rx.event
    def open_from_alert(self, notification_id: str):  # type: ignore[no-untyped-def]
        alert = next((a for a in self.alerts if a.id == notification_id), None)
        if alert is None:
            return None
        self._mark_read_quietly(alert.id)
        self._drop_alert(notification_id)
        if (self.router.url.path or routes.HOME) != routes.HOME:
            return rx.redirect(f"{routes.HOME}?task={alert.task_id}")
        return EditorState.open_task(alert.task_id)

    def _mark_read_quietly(self, notification_id: str) -> None:
        with session_scope() as session:
            user = self._user(session)
            if user is None:
                return
            with contextlib.suppress(DomainError):
                notifications.mark_read(session, user, uuid.UUID(notification_id))
            self._load(session, user)

    @rx.event
    def mark_read(self, notification_id: str):  # type: ignore[no-untyped-def]
        with session_scope() as session:
            user = self._user(session)
            if user is None:
                return None
            try:
                notifications.mark_read(session, user, uuid.UUID(notification_id))
            except DomainError as error:
                return rx.toast.error(error.message)
        return NotificationsState.refresh


class SettingsState(AuthState):
    display_name: str = ""
    timezone: str = "UTC"
    email_notifications: bool = False
    error: str = ""
    error_field: str = ""
    zone_query: str = ""
    # Personal API tokens (the CLI, scripts): listed without secrets; a new one shown once.
    api_tokens: list[dict[str, str]] = []
    new_token: str = ""
    new_token_name: str = ""
    token_error: str = ""
    # The calendar feed: whether a URL exists, and the new URL right after making one.
    has_feed: bool = False
    feed_url: str = ""

    def _load_tokens(self, session: Session, user: User) -> None:
        tz = ZoneInfo(user.timezone)

        def when(at: datetime | None) -> str:
            return at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if at else "never"

        self.api_tokens = [
            {
                "id": str(token.id),
                "name": token.name,
                "created": when(token.created_at),
                "last_used": when(token.last_used_at),
            }
            for token in api_tokens.list_tokens(session, user)
        ]
        self.has_feed = user.calendar_token_hash is not None

    @rx.var
    def zone_matches(self) -> list[str]:
        needle = self.zone_query.strip().lower().replace(" ", "_")
        if not needle:
            return TIMEZONES[:0]
        return [zone for zone in TIMEZONES if needle in zone.lower()][:30]

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        with session_scope() as session:
            user = self._user(session)
            if user is None:
                return self._to_login()
            self._remember(user)
            self.display_name = user.display_name
            self.timezone = user.timezone
            self.email_notifications = user.email_notifications
            self._load_tokens(session, user)
        self.error = ""
        self.zone_query = ""
        self.new_token = ""
        self.new_token_name = ""
        self.token_error = ""
        self.feed_url = ""
        return None

    @rx.event
    def create_token(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                user = self._user(session)
                if user is None:
                    return self._to_login()
                created = api_tokens.create_token(session, user, str(form.get("name", "")))
                session.flush()
                self._load_tokens(session, user)
        except DomainError as error:
            self.token_error = error.message
            return None
        self.token_error = ""
        self.new_token = created.token
        self.new_token_name = created.name
        return None

    @rx.event
    def revoke_token(self, token_id: str):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                user = self._user(session)
                if user is None:
                    return self._to_login()
                api_tokens.revoke_token(session, user, uuid.UUID(token_id))
                session.flush()
                self._load_tokens(session, user)
        except (DomainError, ValueError):
            self.token_error = "that token is already revoked"
            return None
        self.token_error = ""
        return rx.toast("Token revoked", duration=2000)

    @rx.event
    def hide_new_token(self):  # type: ignore[no-untyped-def]
        self.new_token = ""
        self.new_token_name = ""

    @rx.event
    def make_feed_url(self):  # type: ignore[no-untyped-def]
        with session_scope() as session:
            user = self._user(session)
            if user is None:
                return self._to_login()
            secret = calendar.new_token(session, user)
        base = rx.config.get_config().api_url.rstrip("/")
        self.feed_url = f"{base}/api/v1/calendar.ics?token={secret}"
        self.has_feed = True
        return None

    @rx.event
    def search_zones(self, text: str):  # type: ignore[no-untyped-def]
        self.zone_query = text

    @rx.event
    def set_email_notifications(self, value: bool):  # type: ignore[no-untyped-def]
        self.email_notifications = bool(value)

    @rx.event
    def pick_zone(self, zone: str):  # type: ignore[no-untyped-def]
        self.timezone = zone
        self.zone_query = ""

    @rx.event
    def save(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        update = UserUpdate(
            display_name=str(form.get("display_name", "")),
            timezone=self.timezone,
            email_notifications=self.email_notifications,
        )
        try:
            with session_scope() as session:
                user = self._user(session)
                if user is None:
                    return self._to_login()
                self._remember(auth.update_me(session, user, update))
        except DomainError as error:
            self.error = error.message
            self.error_field = error.field or ""
            return None
        self.error = ""
        self.error_field = ""
        return rx.toast("Settings saved", duration=2000)


class ActivityState(AuthState):
    items: list[ActivityItem] = []
    page: int = 1
    pages: int = 1
    total: int = 0

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        page = self.router.url.query_parameters.get("page", "1")
        self.page = int(page) if page.isdigit() and int(page) > 0 else 1
        with session_scope() as session:
            user = self._user(session)
            if user is None:
                return self._to_login()
            self._remember(user)
            result = audit.audit_page(session, user, self.page, 50)
        now = datetime.now(UTC)
        self.total = result.total
        self.pages = max(1, -(-result.total // 50))
        self.items = [
            ActivityItem(
                id=str(entry.id),
                when=due_label(entry.at, False, self.user_timezone, now),
                action=entry.action,
                resource=f"{entry.resource_type} {entry.resource_id or ''}".strip(),
                details=", ".join(f"{k}: {v}" for k, v in entry.metadata.items() if k != "task"),
            )
            for entry in result.items
        ]
        return None

    @rx.event
    def export(self, kind: str):  # type: ignore[no-untyped-def]
        with session_scope() as session:
            user = self._user(session)
            if user is None:
                return None
            if kind == "csv":
                return rx.download(data=audit.export_csv(session, user), filename="activity.csv")
            page = audit.audit_page(session, user, 1, audit.EXPORT_MAX)
            return rx.download(data=page.model_dump_json(indent=2), filename="activity.json")


class StatsState(AuthState):
    per_day: list[dict[str, Any]] = []
    by_priority: list[dict[str, Any]] = []
    by_tag: list[dict[str, Any]] = []
    completed_30: int = 0

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        with session_scope() as session:
            user = self._user(session)
            if user is None:
                return self._to_login()
            self._remember(user)
            days = stats.completed_per_day(session, user)
            priorities = stats.open_by_priority(session, user)
            tags = stats.open_by_tag(session, user)
        self.per_day = [{"day": day[5:], "completed": count} for day, count in days]
        self.completed_30 = sum(count for _, count in days)
        self.by_priority = [
            {"priority": p, "open": priorities[p]} for p in ("high", "medium", "low")
        ]
        self.by_tag = [{"tag": name, "open": count} for name, count in tags]
        return None
