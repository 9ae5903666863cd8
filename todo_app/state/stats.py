"""The stats page: completions per day, open tasks by priority, by tag and by project, of
every project or of the one in the URL (`?project_id=`)."""

from __future__ import annotations

import uuid
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from todo_app import routes
from todo_app.core.errors import NotFound
from todo_app.services import stats
from todo_app.state import project_menu
from todo_app.state.auth import AuthState, signed_in_event
from todo_app.state.project_menu import EVERY_PROJECT


class StatsState(AuthState):
    per_day: list[dict[str, Any]] = []
    by_priority: list[dict[str, Any]] = []
    by_tag: list[dict[str, Any]] = []
    by_project: list[dict[str, Any]] = []
    completed_30: int = 0
    # The project counted (EVERY_PROJECT: all of them) and the ones to choose from.
    project: str = EVERY_PROJECT
    project_choices: list[list[str]] = []
    error: str = ""

    @signed_in_event
    def load(self) -> None:
        chosen = self.router.url.query_parameters.get("project_id", "")
        with self._signed_in() as (session, user):
            choices = project_menu.choices(session, user)
            try:
                project_id = uuid.UUID(chosen) if chosen else None
                figures = stats.summary(session, user, project_id)
                self.error = ""
            except (ValueError, NotFound):
                # A stale bookmark (a project since trashed, say): every project instead.
                self.error = "No such project; showing every project."
                figures = stats.summary(session, user)
        self.project = str(figures.project_id) if figures.project_id else EVERY_PROJECT
        self.project_choices = choices
        if figures.project_id and self.project not in {c[0] for c in self.project_choices}:
            # An archived project's own figures: it is named though not listed.
            self.project_choices.append([self.project, figures.by_project[0].name])
        days = figures.completed_per_day
        self.per_day = [{"day": d.day.isoformat()[5:], "completed": d.completed} for d in days]
        self.completed_30 = sum(d.completed for d in days)
        self.by_priority = [
            {"priority": p, "open": figures.open_by_priority[p]} for p in ("high", "medium", "low")
        ]
        self.by_tag = [{"tag": tag.name, "open": tag.count} for tag in figures.open_by_tag]
        self.by_project = [
            {"project": p.name, "open": p.open, "completed": p.completed}
            for p in figures.by_project
        ]

    @rx.event
    def choose_project(self, value: str) -> EventSpec:
        suffix = "" if value == EVERY_PROJECT else f"?project_id={value}"
        return rx.redirect(routes.STATS + suffix)
