"""A project's page: its header, sections and view; the list itself is the task list's."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from todo_app import routes
from todo_app.core.errors import DomainError
from todo_app.db import session_scope
from todo_app.models import User
from todo_app.schemas import ProjectPublic, SectionCreate, SectionUpdate
from todo_app.services import projects
from todo_app.state.auth import signed_in_event
from todo_app.state.tasks import LAYOUTS, TasksState


class ProjectPageState(TasksState):
    project_name: str = ""
    project_color: str = ""
    project_archived: bool = False
    project_inbox: bool = False
    # list, board or calendar: the URL's `view`, else the project's own.
    layout: str = "list"
    missing: bool = False
    section_error: str = ""

    def _show_project(self, project: ProjectPublic) -> None:
        self.project_name = project.name
        self.project_color = project.color
        self.project_archived = project.archived
        self.project_inbox = project.is_inbox
        self.layout = self._layout or project.view

    def _read(self, session: Session, user: User) -> None:
        self._show_project(projects.read_project(session, user, uuid.UUID(self._project)))
        self._refresh(session, user)

    @signed_in_event
    def load_project(self) -> None:
        """on_load of /projects/<id>: the project, its sections and tasks, filtered as the URL
        says. A project that is not the user's (or not at all) is "not found"."""
        self._read_url(routes.project_of(self.router.url.path))
        self.missing = False
        try:
            uuid.UUID(self._project)
            with self._signed_in() as (session, user):
                self._read(session, user)
        except (ValueError, DomainError):
            self.missing = True
            self.loaded = True
            self.groups, self.total = [], 0

    def _live_structure(self, data: Mapping[str, Any]) -> None:
        """A project or section event: this page reads its project again if it is concerned."""
        if not self._live_user or data.get("user_id") != self._live_user:
            return
        if not self._project or data.get("project_id") != self._project:
            return
        with session_scope() as session:
            user = session.get(User, uuid.UUID(self._live_user))
            if user is None:
                return
            try:
                self._read(session, user)
            except DomainError:  # deleted elsewhere
                self.missing = True
                self.groups, self.total = [], 0

    @rx.event
    def show_layout(self, layout: str | list[str]) -> EventSpec:
        """Switch between list, board and calendar; the URL keeps the choice."""
        self._layout = layout if isinstance(layout, str) and layout in LAYOUTS else ""
        return rx.redirect(self._url(self.params))

    @signed_in_event
    def add_section(self, form: dict[str, Any]) -> None:
        pid = uuid.UUID(self._project)
        data = SectionCreate(name=str(form.get("name", "")))
        try:
            self._with_user(lambda s, u: projects.create_section(s, u, pid, data))
        except DomainError as error:
            self.section_error = error.message
            return
        self.section_error = ""

    @signed_in_event
    def rename_section(self, section_id: str, name: str) -> EventSpec | None:
        sid = uuid.UUID(section_id)
        data = SectionUpdate(name=name)
        try:
            self._with_user(lambda s, u: projects.update_section(s, u, sid, data))
        except DomainError as error:
            self._with_user(lambda s, u: None)
            return rx.toast.error(f"Not renamed: {error.message}", duration=6000)
        return None

    @signed_in_event
    def delete_section(self, section_id: str, name: str) -> EventSpec:
        """The section goes; its tasks stay in the project, outside any section."""
        sid = uuid.UUID(section_id)
        self._with_user(lambda s, u: projects.delete_section(s, u, sid))
        return rx.toast(f"Deleted section “{name}”; its tasks stay in the project", duration=4000)
