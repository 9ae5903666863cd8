"""The activity page: the user's audit log, or one project's (`?project_id=`), a page at a
time, and its exports."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from todo_app import routes
from todo_app.core.dates import due_label
from todo_app.core.errors import NotFound
from todo_app.services import audit
from todo_app.state import project_menu
from todo_app.state.auth import AuthState, signed_in_event
from todo_app.state.project_menu import EVERY_PROJECT

PAGE_SIZE = 50


@dataclasses.dataclass
class ActivityItem:
    id: str
    when: str
    action: str
    resource: str
    project: str
    details: str


def _details(metadata: dict[str, Any]) -> str:
    shown = {k: v for k, v in metadata.items() if k not in ("task", "project_id")}
    return ", ".join(f"{k}: {v}" for k, v in shown.items())


class ActivityState(AuthState):
    items: list[ActivityItem] = []
    page: int = 1
    pages: int = 1
    total: int = 0
    # The project whose activity is shown (EVERY_PROJECT: everything) and the choices.
    project: str = EVERY_PROJECT
    project_choices: list[list[str]] = []
    error: str = ""
    # The page links' address, up to the page number.
    page_link: str = routes.ACTIVITY + "?page="

    def _project_id(self) -> uuid.UUID | None:
        return None if self.project == EVERY_PROJECT else uuid.UUID(self.project)

    @signed_in_event
    def load(self) -> None:
        query = self.router.url.query_parameters
        page = query.get("page", "1")
        self.page = int(page) if page.isdigit() and int(page) > 0 else 1
        chosen = query.get("project_id", "")
        with self._signed_in() as (session, user):
            choices = project_menu.choices(session, user)
            try:
                project_id = uuid.UUID(chosen) if chosen else None
                result = audit.audit_page(session, user, self.page, PAGE_SIZE, project_id)
                self.error = ""
            except (ValueError, NotFound):
                self.error = "No such project; showing everything."
                project_id = None
                result = audit.audit_page(session, user, self.page, PAGE_SIZE)
        self.project = str(project_id) if project_id else EVERY_PROJECT
        scope = f"project_id={project_id}&" if project_id else ""
        self.page_link = f"{routes.ACTIVITY}?{scope}page="
        self.project_choices = choices
        if project_id and self.project not in {c[0] for c in self.project_choices}:
            # An archived or trashed project's history: named though not listed.
            self.project_choices.append([self.project, "(archived or in the trash)"])
        now = datetime.now(UTC)
        self.total = result.total
        self.pages = max(1, -(-result.total // PAGE_SIZE))
        self.items = [
            ActivityItem(
                id=str(entry.id),
                when=due_label(entry.at, False, self.user_timezone, now),
                action=entry.action,
                resource=f"{entry.resource_type} {entry.resource_id or ''}".strip(),
                project=entry.project_name or "",
                details=_details(entry.metadata),
            )
            for entry in result.items
        ]

    @rx.event
    def choose_project(self, value: str) -> EventSpec:
        suffix = "" if value == EVERY_PROJECT else f"?project_id={value}"
        return rx.redirect(routes.ACTIVITY + suffix)

    @signed_in_event
    def export(self, kind: str) -> EventSpec:
        project_id = self._project_id()
        with self._signed_in() as (session, user):
            if kind == "csv":
                data = audit.export_csv(session, user, project_id)
                return rx.download(data=data, filename="activity.csv")
            page = audit.audit_page(session, user, 1, audit.EXPORT_MAX, project_id)
            return rx.download(data=page.model_dump_json(indent=2), filename="activity.json")
