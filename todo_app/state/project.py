"""A project's page: its header, sections and view; the list itself is the task list's."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from todo_app import routes
from todo_app.core.errors import DomainError
from todo_app.core.projects import ROLE_PERMISSIONS, Permission, Role
from todo_app.models import User
from todo_app.schemas import ProjectPublic, SectionCreate, SectionUpdate, TaskMove, TaskPublic
from todo_app.services import projects, tasks
from todo_app.state.auth import signed_in_event
from todo_app.state.board import NO_SECTION, sibling_index
from todo_app.state.tasks import LAYOUTS, TaskGroup, TaskRow, TasksState

# The list of a project's sections, as the drag-and-drop of its list view names it.
SECTIONS = "sections"


@dataclasses.dataclass(frozen=True)
class RowDrop:
    """A task row dropped in a project's list: the groups showing it there, the group
    ("" outside sections) it goes to, and the sibling it follows (None: first)."""

    groups: list[TaskGroup]
    section: str
    after: str | None


def drop_target(groups: list[TaskGroup], container: str, index: int) -> tuple[str, int] | None:
    """The group and index a row dropped at `index` of `container` lands at: a section's
    rows, the rows outside sections, or (on a section's heading) the top of that section."""
    if container == SECTIONS:
        sections = [g.id for g in groups if g.id]
        return (sections[index], 0) if 0 <= index < len(sections) else None
    group = "" if container == NO_SECTION else container
    return (group, index) if any(g.id == group for g in groups) else None


def _subtree_end(rows: list[TaskRow], at: int) -> int:
    """The index past the row at `at` and the rows shown under it."""
    end = at + 1
    while end < len(rows) and rows[end].depth > rows[at].depth:
        end += 1
    return end


def dropped_row(groups: list[TaskGroup], task_id: str, group_id: str, index: int) -> RowDrop | None:
    """A row put at `index` of group `group_id` (as dnd-kit shows it) stays among its own
    siblings (a subtask under its task): it follows the nearest sibling above that spot, with
    the rows under it. None when that changes nothing."""
    source = next(g for g in groups if any(r.id == task_id for r in g.rows))
    target = next(g for g in groups if g.id == group_id)
    at = next(i for i, r in enumerate(source.rows) if r.id == task_id)
    row = source.rows[at]
    shown = [r.id for r in target.rows if r.id != task_id]
    shown.insert(min(index, len(shown)), task_id)
    rows_by_id = {r.id: r for r in target.rows}
    above = shown[: shown.index(task_id)]
    after = next((i for i in reversed(above) if rows_by_id[i].parent == row.parent), None)
    siblings = [r.id for r in target.rows if r.parent == row.parent and r.id != task_id]
    siblings.insert(siblings.index(after) + 1 if after else 0, task_id)
    if target is source and siblings == [r.id for r in source.rows if r.parent == row.parent]:
        return None
    block = source.rows[at : _subtree_end(source.rows, at)]
    moved = {r.id for r in block}
    result = []
    for group in groups:
        rows = [r for r in group.rows if r.id not in moved]
        count = group.count - (len(block) if group is source else 0)
        if group is target:
            if after:
                spot = _subtree_end(rows, next(i for i, r in enumerate(rows) if r.id == after))
            else:
                spot = next((i + 1 for i, r in enumerate(rows) if r.id == row.parent), 0)
            rows = [] if group.collapsed else [*rows[:spot], *block, *rows[spot:]]
            count += len(block)
        result.append(dataclasses.replace(group, rows=rows, count=count))
    return RowDrop(result, target.id, after)


def dropped_section(groups: list[TaskGroup], section_id: str, index: int) -> list[TaskGroup] | None:
    """The groups with a section put at `index` of the sections; None when it stays."""
    sections = [g for g in groups if g.id]
    order = [g for g in sections if g.id != section_id]
    moving = next(g for g in sections if g.id == section_id)
    if not 0 <= index < len(sections) or sections.index(moving) == index:
        return None
    order.insert(index, moving)
    return [*(g for g in groups if not g.id), *order]


class ProjectPageState(TasksState):
    project_name: str = ""
    project_color: str = ""
    project_archived: bool = False
    project_inbox: bool = False
    # The user's role in it: viewers and commenters see it as it is, without ways to change it.
    project_role: str = "owner"
    # list, board or calendar: the URL's `view`, else the project's own.
    layout: str = "list"
    missing: bool = False
    section_error: str = ""

    def _show_project(self, project: ProjectPublic) -> None:
        self.project_name = project.name
        self.project_color = project.color
        self.project_archived = project.archived
        self.project_inbox = project.is_inbox
        self.project_role = project.role
        self.layout = self._layout or project.view

    def _read(self, session: Session, user: User) -> None:
        self._show_project(projects.read_project(session, user, uuid.UUID(self._project)))
        self._refresh(session, user)

    @rx.var
    def can_edit(self) -> bool:
        return Permission.edit in ROLE_PERMISSIONS[Role(self.project_role)]

    @rx.var
    def can_drag(self) -> bool:
        """A drag sets the manual order: only a list shown in that order is dragged, by
        someone who may change it."""
        manual = self.params.get("sort_by", "position") == "position"
        return self.can_edit and manual and self.params.get("sort_order", "asc") != "desc"

    @rx.var
    def section_ids(self) -> list[str]:
        return [g.id for g in self.groups if g.id]

    @rx.var
    def row_ids(self) -> dict[str, list[str]]:
        """Each group's row ids (by section id, "" outside sections), in the order shown."""
        return {g.id: [r.id for r in g.rows] for g in self.groups}

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
        if not self._concerns_me(data):
            return
        if not self._project or data.get("project_id") != self._project:
            return
        try:
            self._as_live_user(self._read)
        except DomainError:  # deleted elsewhere, or no longer shared with this user
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

    @signed_in_event
    def drop(self, item_id: str, container: str, index: int) -> Iterator[EventSpec | None]:
        """A row or a section dropped in the list: shown there at once, then kept there."""
        if item_id in self.section_ids:
            yield from self._drop_section(item_id, container, index)
        elif self._locate(item_id) is not None:
            yield from self._drop_row(item_id, container, index)

    def _drop_section(
        self, section_id: str, container: str, index: int
    ) -> Iterator[EventSpec | None]:
        shown = dropped_section(self.groups, section_id, index) if container == SECTIONS else None
        if shown is None:
            return
        before = self.groups
        self.groups = shown
        yield None
        sid = uuid.UUID(section_id)
        data = SectionUpdate(position=index)
        try:
            self._with_user(lambda s, u: projects.update_section(s, u, sid, data))
        except DomainError as error:
            self.groups = before
            yield rx.toast.error(f"Not moved: {error.message}", duration=6000)

    def _drop_row(self, task_id: str, container: str, index: int) -> Iterator[EventSpec | None]:
        target = drop_target(self.groups, container, index)
        place = self._locate(task_id)
        if target is None or place is None:
            return
        group, row = self.groups[place[0]], self.groups[place[0]].rows[place[1]]
        if row.parent and target[0] != group.id:
            yield rx.toast("A subtask goes with its task: drag the task", duration=4000)
            return
        drop = dropped_row(self.groups, task_id, *target)
        if drop is None:
            return
        before = self.groups
        self.groups = drop.groups
        yield None
        tid = uuid.UUID(task_id)
        section_id = uuid.UUID(drop.section) if drop.section else None
        parent_id = uuid.UUID(row.parent) if row.parent else None

        def move(session: Session, user: User) -> TaskPublic:
            project_id = uuid.UUID(self._project)
            position = sibling_index(session, project_id, section_id, tid, drop.after, parent_id)
            # A subtask stays under its task, in its task's section.
            data = (
                TaskMove(position=position)
                if parent_id
                else TaskMove(section_id=section_id, position=position)
            )
            return tasks.move_task(session, user, tid, data)

        try:
            self._with_user(move)
        except DomainError as error:
            self.groups = before
            yield rx.toast.error(f"Not moved: {error.message}", duration=6000)
