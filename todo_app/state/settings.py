"""The settings page: profile, time zone, email notifications, API tokens, the calendar feed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from todo_app.core.errors import DomainError
from todo_app.models import User
from todo_app.schemas import UserUpdate
from todo_app.services import api_tokens, auth, calendar
from todo_app.state import project_menu
from todo_app.state.auth import AuthState, signed_in_event
from todo_app.state.project_menu import EVERY_PROJECT

TIMEZONES = sorted(available_timezones() | {"UTC"})


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
    # The feed shown is of every project, or of the one chosen (the same secret opens both).
    feed_project: str = EVERY_PROJECT
    feed_projects: list[list[str]] = []

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
    def shown_feed_url(self) -> str:
        if not self.feed_url or self.feed_project == EVERY_PROJECT:
            return self.feed_url
        return f"{self.feed_url}&project_id={self.feed_project}"

    @rx.var
    def zone_matches(self) -> list[str]:
        needle = self.zone_query.strip().lower().replace(" ", "_")
        if not needle:
            return TIMEZONES[:0]
        return [zone for zone in TIMEZONES if needle in zone.lower()][:30]

    @signed_in_event
    def load(self) -> None:
        with self._signed_in() as (session, user):
            self.display_name = user.display_name
            self.timezone = user.timezone
            self.email_notifications = user.email_notifications
            self._load_tokens(session, user)
            choices = project_menu.choices(session, user)
        self.feed_projects = choices
        self.feed_project = EVERY_PROJECT
        self.error = ""
        self.zone_query = ""
        self.new_token = ""
        self.new_token_name = ""
        self.token_error = ""
        self.feed_url = ""

    @signed_in_event
    def create_token(self, form: dict[str, Any]) -> None:
        try:
            with self._signed_in() as (session, user):
                created = api_tokens.create_token(session, user, str(form.get("name", "")))
                session.flush()
                self._load_tokens(session, user)
        except DomainError as error:
            self.token_error = error.message
            return
        self.token_error = ""
        self.new_token = created.token
        self.new_token_name = created.name

    @signed_in_event
    def revoke_token(self, token_id: str) -> EventSpec | None:
        try:
            with self._signed_in() as (session, user):
                api_tokens.revoke_token(session, user, uuid.UUID(token_id))
                session.flush()
                self._load_tokens(session, user)
        except (DomainError, ValueError):
            self.token_error = "that token is already revoked"
            return None
        self.token_error = ""
        return rx.toast("Token revoked", duration=2000)

    @rx.event
    def hide_new_token(self) -> None:
        self.new_token = ""
        self.new_token_name = ""

    @signed_in_event
    def make_feed_url(self) -> None:
        with self._signed_in() as (session, user):
            secret = calendar.new_token(session, user)
        base = rx.config.get_config().api_url.rstrip("/")
        self.feed_url = f"{base}/api/v1/calendar.ics?token={secret}"
        self.has_feed = True

    @rx.event
    def choose_feed_project(self, value: str) -> None:
        self.feed_project = value

    @rx.event
    def search_zones(self, text: str) -> None:
        self.zone_query = text

    @rx.event
    def set_email_notifications(self, value: bool) -> None:
        self.email_notifications = bool(value)

    @rx.event
    def pick_zone(self, zone: str) -> None:
        self.timezone = zone
        self.zone_query = ""

    @signed_in_event
    def save(self, form: dict[str, Any]) -> EventSpec | None:
        update = UserUpdate(
            display_name=str(form.get("display_name", "")),
            timezone=self.timezone,
            email_notifications=self.email_notifications,
        )
        try:
            with self._signed_in() as (session, user):
                self._remember(auth.update_me(session, user, update))
        except DomainError as error:
            self.error = error.message
            self.error_field = error.field or ""
            return None
        self.error = ""
        self.error_field = ""
        return rx.toast("Settings saved", duration=2000)
