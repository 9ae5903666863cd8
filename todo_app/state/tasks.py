"""The task list page: filters in the URL, quick add, and the actions on a row."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from todo_app import routes
from todo_app.core.dates import due_label, is_overdue
from todo_app.core.errors import DomainError, FieldError, NotFound
from todo_app.core.filters import LIMIT_MAX, QUERY_KEYS, TaskQuery, parse_query
from todo_app.core.people import initials
from todo_app.core.quickadd import Place
from todo_app.core.recurrence import describe
from todo_app.core.tree import flatten, toggled
from todo_app.db import session_scope
from todo_app.models import User
from todo_app.schemas import SavedFilterCreate, SectionPublic, TaskMove, TaskPublic
from todo_app.services import filters, listing, projects, quickadd, subtasks, tasks
from todo_app.state.auth import AuthState, signed_in_event

VIEWS = ("today", "upcoming", "overdue", "assigned", "all", "completed")
NOT_SHARED = projects.Sharing()
GROUPINGS = ("none", "due", "priority")
# How a project's page shows its tasks (`?view=` on its URL).
LAYOUTS = ("list", "board", "calendar")
_PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}
_QUICK_FIELDS = ("quick_title", "quick_priority", "quick_tags", "quick_due_date", "quick_due_time")

Result = TypeVar("Result")


@dataclasses.dataclass
class TaskRow:
    id: str
    title: str
    description: str
    priority: str
    tags: list[str]
    due_label: str
    # The due moment (RFC 3339) and whether it is a whole day: the browser says it in its
    # own language; `due_label` is what it shows until then.
    due_at: str
    all_day: bool
    overdue: bool
    recurring: bool
    recurrence: str
    has_reminders: bool
    completed: bool
    version: int
    # What the list's order and grouping depend on: a live update that changes it reloads.
    order_key: str
    # In a project's list: how deep a subtask sits, its own subtasks, and their progress.
    depth: int = 0
    parent: str = ""
    children: int = 0
    collapsed: bool = False
    progress: str = ""
    # In a project shared with the user: whether they may change it, and the assignee's
    # initials and name.
    editable: bool = True
    assignee: str = ""
    assignee_name: str = ""


@dataclasses.dataclass
class QuickChip:
    """What the quick-add bar understood so far: kind is
    priority|tag|due|recurrence|project|section; `color` a project's palette colour."""

    kind: str
    text: str
    label: str
    color: str = ""


@dataclasses.dataclass
class TaskGroup:
    """A heading and its rows: a due-date or priority group, or a project's section (`id`)."""

    name: str
    rows: list[TaskRow]
    id: str = ""
    collapsed: bool = False
    count: int = 0


@dataclasses.dataclass
class FilterChip:
    """An active filter under the toolbar; removing it clears `key` (or one of its values)."""

    key: str
    value: str
    label: str


_SORT_LABELS = {
    "due_at": "due date",
    "priority": "priority",
    "created_at": "date added",
    "title": "title",
}


def filter_chips(params: Mapping[str, str], grouping: str) -> list[FilterChip]:
    """What narrows or orders the list beyond the defaults, one removable chip each."""
    chips = [FilterChip("q", "", f"“{params['q']}”")] if params.get("q") else []
    status = params.get("status", "active")
    if status != "active":
        chips.append(FilterChip("status", "", "Completed" if status == "completed" else "All"))
    for p in filter(None, params.get("priority", "").split(",")):
        chips.append(FilterChip("priority", p, f"{p.capitalize()} priority"))
    for tag in filter(None, params.get("tags", "").split(",")):
        chips.append(FilterChip("tags", tag, f"#{tag}"))
    if params.get("tags") and params.get("tag_mode") == "any":
        chips.append(FilterChip("tag_mode", "", "Any tag"))
    if params.get("due_after"):
        chips.append(FilterChip("due_after", "", f"Due from {params['due_after']}"))
    if params.get("due_before"):
        chips.append(FilterChip("due_before", "", f"Due until {params['due_before']}"))
    if params.get("overdue") == "true":
        chips.append(FilterChip("overdue", "", "Overdue"))
    if params.get("is_recurring") == "true":
        chips.append(FilterChip("is_recurring", "", "Recurring"))
    for key, label in (("project_id", "One project"), ("section_id", "One section")):
        if params.get(key):
            chips.append(FilterChip(key, "", label))
    sort = params.get("sort_by", "position")
    if sort in _SORT_LABELS:
        order = " ↓" if params.get("sort_order") == "desc" else ""
        chips.append(FilterChip("sort_by", "", f"By {_SORT_LABELS[sort]}{order}"))
    if grouping != "none":
        chips.append(FilterChip("group", "", f"Grouped by {grouping}"))
    return chips


@dataclasses.dataclass
class TagChip:
    name: str
    count: int


@dataclasses.dataclass
class SavedView:
    id: str
    name: str
    href: str


def task_row(
    task: TaskPublic, tz: str, now: datetime, sharing: projects.Sharing = NOT_SHARED
) -> TaskRow:
    assignee = sharing.names.get(task.assignee_id, "") if task.assignee_id else ""
    return TaskRow(
        id=str(task.id),
        title=task.title,
        description=task.description,
        priority=task.priority,
        tags=list(task.tags),
        due_label=due_label(task.due_at, task.all_day, tz, now),
        due_at=task.due_at.isoformat() if task.due_at else "",
        all_day=task.all_day,
        overdue=not task.completed and is_overdue(task.due_at, task.all_day, tz, now),
        recurring=task.rrule is not None,
        recurrence=describe(task.rrule) if task.rrule else "",
        has_reminders=bool(task.reminders),
        completed=task.completed,
        version=task.version,
        editable=task.project_id not in sharing.read_only,
        assignee=initials(assignee),
        assignee_name=assignee,
        order_key=f"{task.position}|{task.section_id}|{task.parent_id}",
    )


# The row fields a list's sort reads besides `order_key`, by `sort_by`.
_SORTED_BY = {"due_at": ("due_at",), "priority": ("priority",), "title": ("title",)}


def same_place(shown: TaskRow, changed: TaskRow, sort_by: str) -> bool:
    """Whether a changed task's row keeps its place in a list sorted by `sort_by`."""
    fields = ("order_key", *_SORTED_BY.get(sort_by, ()))
    return all(getattr(shown, name) == getattr(changed, name) for name in fields)


def tree_rows(
    items: list[TaskPublic],
    tz: str,
    now: datetime,
    collapsed: Collection[str],
    sharing: projects.Sharing = NOT_SHARED,
) -> list[TaskRow]:
    """Rows with each subtask indented under its task (the ones under a collapsed task left
    out) and each task's progress through its subtasks."""
    nodes = flatten(
        items,
        key=lambda t: str(t.id),
        parent=lambda t: str(t.parent_id) if t.parent_id else None,
        collapsed=collapsed,
    )
    return [
        dataclasses.replace(
            task_row(n.item, tz, now, sharing),
            depth=n.depth,
            parent=str(n.item.parent_id or ""),
            children=n.children,
            collapsed=str(n.item.id) in collapsed,
            progress=progress(n.item),
        )
        for n in nodes
    ]


def progress(task: TaskPublic) -> str:
    """ "2/5": two of the task's five subtasks done ("" without subtasks)."""
    counts = task.subtasks
    return f"{counts.total - counts.open}/{counts.total}" if counts.total else ""


KEYBOARD_MOVES = ("up", "down", "indent", "outdent")


def keyboard_move(
    session: Session, user: User, task_id: uuid.UUID, action: str, anchor_id: uuid.UUID
) -> TaskPublic:
    """Move a task the way a key says, next to `anchor`: above it (up) or below it (down)
    among their siblings, last under it (indent: `anchor` is the sibling above), or right after
    it (outdent: `anchor` is the task's parent)."""
    if action == "indent":
        return tasks.move_task(session, user, task_id, TaskMove(parent_id=anchor_id))
    anchor = tasks.get_task(session, user, anchor_id, include_deleted=False)
    order = subtasks.siblings(
        session, anchor.project_id, anchor.section_id, anchor.parent_id, task_id
    )
    index = [t.id for t in order].index(anchor.id) + (0 if action == "up" else 1)
    if action == "outdent":
        return tasks.move_task(
            session, user, task_id, TaskMove(parent_id=anchor.parent_id, position=index)
        )
    return tasks.move_task(session, user, task_id, TaskMove(position=index))


def project_groups(
    items: list[TaskPublic],
    sections: list[SectionPublic],
    tz: str,
    now: datetime,
    collapsed_sections: Collection[str],
    collapsed_tasks: Collection[str],
    sharing: projects.Sharing = NOT_SHARED,
) -> list[TaskGroup]:
    """A project's list: its tasks outside any section first, then each section in order."""
    by_section: dict[str, list[TaskPublic]] = {}
    for task in items:
        by_section.setdefault(str(task.section_id or ""), []).append(task)
    top = tree_rows(by_section.get("", []), tz, now, collapsed_tasks, sharing)
    groups = [TaskGroup(name="", rows=top)]
    for section in sections:
        key = str(section.id)
        tasks_in = by_section.get(key, [])
        folded = key in collapsed_sections
        rows = [] if folded else tree_rows(tasks_in, tz, now, collapsed_tasks, sharing)
        groups.append(TaskGroup(section.name, rows, key, folded, len(tasks_in)))
    return groups


def view_params(view: str, tz: str, now: datetime) -> dict[str, str]:
    """The list parameters a sidebar view stands for, on the user's calendar."""
    today = now.astimezone(ZoneInfo(tz)).date()
    if view == "today":
        return {"due_before": today.isoformat(), "sort_by": "due_at"}
    if view == "upcoming":
        week_end = today + timedelta(days=6)
        return {
            "due_after": today.isoformat(),
            "due_before": week_end.isoformat(),
            "sort_by": "due_at",
        }
    if view == "overdue":
        return {"overdue": "true", "sort_by": "due_at"}
    if view == "assigned":
        return {"assignee": "me", "sort_by": "due_at"}
    if view == "completed":
        return {"status": "completed", "sort_by": "due_at", "sort_order": "desc"}
    return {}


def _group_name(row: TaskRow, task: TaskPublic, grouping: str, tz: str, now: datetime) -> str:
    if grouping == "priority":
        return f"{row.priority.capitalize()} priority"
    if task.due_at is None:
        return "No date"
    if row.overdue:
        return "Overdue"
    days = (task.due_at.astimezone(ZoneInfo(tz)).date() - now.astimezone(ZoneInfo(tz)).date()).days
    if days <= 0:
        return "Today"
    if days == 1:
        return "Tomorrow"
    return "Next 7 days" if days < 7 else "Later"


def group_name(task: TaskPublic, grouping: str, tz: str, now: datetime) -> str:
    """The group a task's row goes in ("" when the list is not grouped)."""
    if grouping not in ("due", "priority"):
        return ""
    return _group_name(task_row(task, tz, now), task, grouping, tz, now)


def group_rows(
    items: list[TaskPublic],
    grouping: str,
    tz: str,
    now: datetime,
    sharing: projects.Sharing = NOT_SHARED,
) -> list[TaskGroup]:
    rows = [task_row(task, tz, now, sharing) for task in items]
    if grouping not in ("due", "priority"):
        return [TaskGroup(name="", rows=rows)]
    groups: dict[str, list[TaskRow]] = {}
    for row, task in zip(rows, items, strict=True):
        groups.setdefault(_group_name(row, task, grouping, tz, now), []).append(row)
    if grouping == "priority":
        order = sorted(groups, key=lambda name: _PRIORITY_ORDER[name.split()[0].lower()])
    else:
        ranks = ["Overdue", "Today", "Tomorrow", "Next 7 days", "Later", "No date"]
        order = sorted(groups, key=ranks.index)
    return [TaskGroup(name=name, rows=groups[name]) for name in order]


# Project events that bring tasks into a user's view or take them out of it, in bulk.
PROJECT_MOVES = frozenset(
    {
        "project.deleted",
        "project.restored",
        "project.archived",
        "project.unarchived",
        "project.member_added",
        "project.member_updated",
        "project.member_removed",
    }
)


class TasksState(AuthState):
    groups: list[TaskGroup] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    loaded: bool = False
    view: str = "all"
    grouping: str = "none"
    params: dict[str, str] = {}
    error: str = ""
    tag_chips: list[TagChip] = []
    saved_views: list[SavedView] = []
    search: str = ""
    quick_title: str = ""
    quick_priority: str = "medium"
    quick_tags: str = ""
    quick_due_date: str = ""
    quick_due_time: str = ""
    quick_error: str = ""
    quick_error_field: str = ""
    quick_chips: list[QuickChip] = []
    # The projects and sections the bar's text may name (its chips while typing).
    _quick_places: list[Place] = []
    filter_name: str = ""
    filter_error: str = ""
    # The project whose page shows this list ("" on the home page), and what is folded in it.
    _project: str = ""
    # The project page's view as the URL names it ("" for the project's own default).
    _layout: str = ""
    _collapsed_sections: list[str] = []
    _collapsed_tasks: list[str] = []
    in_project: bool = False
    # The task a subtask is being added to (the dialog is open while set).
    subtask_parent: str = ""
    subtask_parent_title: str = ""
    subtask_error: str = ""

    @rx.var
    def tag_names(self) -> list[str]:
        return [chip.name for chip in self.tag_chips]

    @rx.var
    def empty(self) -> bool:
        """Nothing to list (a project's page still shows its sections)."""
        return self.loaded and self.total == 0 and not self.in_project

    @rx.var
    def filter_chips(self) -> list[FilterChip]:
        return filter_chips(self.params, self.grouping)

    @rx.var
    def filtered(self) -> bool:
        return any(key not in ("sort_by", "sort_order", "page") for key in self.params)

    def _url(
        self, params: dict[str, str], view: str | None = None, grouping: str | None = None
    ) -> str:
        query = {key: value for key, value in params.items() if value}
        chosen_view = view if view is not None else self.view
        chosen_group = grouping if grouping is not None else self.grouping
        if chosen_view != "all":
            query["view"] = chosen_view
        if chosen_group != "none":
            query["group"] = chosen_group
        if self._project and self._layout:
            query["view"] = self._layout
        path = routes.project(self._project) if self._project else routes.HOME
        return path + ("?" + urlencode(query) if query else "")

    def _query(self, tz: str, now: datetime) -> TaskQuery:
        combined = {**view_params(self.view, tz, now), **self.params}
        if self._project:
            # A project's page shows all of it (the API's largest page) as one tree.
            combined.update(project_id=self._project, limit=str(LIMIT_MAX))
        try:
            query = parse_query(combined, tz)
            self.error = ""
        except FieldError as error:
            self.error = error.message
            query = parse_query(view_params(self.view, tz, now), tz)
        return query

    def _refresh(self, session: Session, user: User) -> None:
        self._refresh_rows(session, user)
        self._quick_places = quickadd.places(session, user)
        self.saved_views = [
            SavedView(id=str(f.id), name=f.name, href=routes.HOME + "?" + urlencode(f.query))
            for f in filters.list_filters(session, user)
        ]

    def _refresh_rows(self, session: Session, user: User) -> None:
        """The list and its tag chips: all a task's change can alter (the quick add's places
        and the saved views are read by `_refresh`)."""
        now = datetime.now(UTC)
        tz = user.timezone
        sections: list[SectionPublic] | None = None
        try:
            result = listing.list_tasks(session, user, self._query(tz, now)).task_page()
            if self._project:
                project_id = uuid.UUID(self._project)
                sections = projects.list_sections(session, user, project_id).items
        except NotFound as error:
            # A saved or bookmarked view naming a project since trashed: its view without it.
            self.error = error.message
            fallback = parse_query(view_params(self.view, tz, now), tz)
            result = listing.list_tasks(session, user, fallback).task_page()
        sharing = projects.sharing(session, user, (t.assignee_id for t in result.items))
        if sections is not None:
            self.groups = project_groups(
                result.items,
                sections,
                tz,
                now,
                self._collapsed_sections,
                self._collapsed_tasks,
                sharing,
            )
        else:
            self.groups = group_rows(result.items, self.grouping, tz, now, sharing)
        self.total = result.total
        self.page = result.page
        self.pages = max(1, -(-result.total // result.limit))
        self._refresh_tags(session, user)
        self.loaded = True

    def _refresh_tags(self, session: Session, user: User) -> None:
        self.tag_chips = [TagChip(t.name, t.count) for t in listing.tag_counts(session, user)]

    def _locate(self, task_id: str) -> tuple[int, int] | None:
        for g, group in enumerate(self.groups):
            for r, row in enumerate(group.rows):
                if row.id == task_id:
                    return g, r
        return None

    def _live_task(self, data: Mapping[str, Any]) -> None:
        """A task event of this tab's user, from anywhere: update the row it touches in place,
        remove it if it left the view, reload the list only when rows appear or move."""
        if not self.loaded or not self._concerns_me(data):
            return
        task_id = str(data.get("task_id", ""))
        snapshot = data.get("task")
        version = snapshot.get("version") if isinstance(snapshot, Mapping) else None
        place = self._locate(task_id)
        shown = self.groups[place[0]].rows[place[1]].version if place is not None else None
        if shown is not None and isinstance(version, int) and shown >= version:
            return  # this tab already shows it (its own action, or the other route)
        coming = isinstance(snapshot, Mapping) and snapshot.get("project_id") == self._project
        if self._project and place is None and not coming:
            return  # neither shown on this project's page nor coming to it
        with session_scope() as session:
            user = session.get(User, uuid.UUID(self._live_user))
            if user is None:
                return
            if self._project and data.get("type") != "task.updated":
                # Completing, deleting or adding a subtask shows in its task's progress, and
                # takes its own subtasks along: the tree is read again.
                self._refresh_rows(session, user)
                return
            now = datetime.now(UTC)
            tz = user.timezone
            query = self._query(tz, now)
            task = listing.find_task(session, user, query, uuid.UUID(task_id))
            if task is None and place is None:
                self._refresh_tags(session, user)
                return
            if task is not None and place is not None:
                g, r = place
                group, before = self.groups[g], self.groups[g].rows[r]
                row = task_row(task, tz, now, projects.sharing(session, user, [task.assignee_id]))
                if self._project:
                    # Its place in the tree is the same (same parent): so are its depth and
                    # children; its own progress is read with it.
                    row = dataclasses.replace(
                        row,
                        depth=before.depth,
                        parent=before.parent,
                        children=before.children,
                        collapsed=before.collapsed,
                        progress=progress(task),
                    )
                in_group = self._project or group.name == group_name(task, self.grouping, tz, now)
                if same_place(before, row, query.sort_by) and in_group:
                    rows = [*group.rows[:r], row, *group.rows[r + 1 :]]
                    self.groups = [
                        *self.groups[:g],
                        dataclasses.replace(group, rows=rows),
                        *self.groups[g + 1 :],
                    ]
                    if "tags" in (data.get("changed") or ["tags"]):
                        self._refresh_tags(session, user)
                    return
            elif task is None and place is not None:
                g, r = place
                group = self.groups[g]
                rows = [*group.rows[:r], *group.rows[r + 1 :]]
                kept = [TaskGroup(name=group.name, rows=rows)] if rows else []
                self.groups = [*self.groups[:g], *kept, *self.groups[g + 1 :]]
                self.total = max(0, self.total - 1)
                self._refresh_tags(session, user)
                return
            self._refresh_rows(session, user)

    def _live_project(self, data: Mapping[str, Any]) -> None:
        """A project of this tab's user went to or came back from the trash or the archive,
        from anywhere: its tasks (changed in bulk, without task events) come or go."""
        if not self.loaded or not self._concerns_me(data):
            return
        if data.get("type") not in PROJECT_MOVES:
            return
        self._as_live_user(self._refresh)

    def _with_user(self, action: Callable[[Session, User], Result]) -> Result:
        """Run `action(session, user)` in one transaction as the signed-in user, then reload
        the list; signed out, `SignedOut` (see `signed_in_event`)."""
        with self._signed_in() as (session, user):
            result = action(session, user)
            self._refresh(session, user)
            return result

    def _read_url(self, project: str) -> None:
        """Take the filter from the URL query, for `project`'s page ("": the home page)."""
        query = dict(self.router.url.query_parameters)
        view = query.pop("view", "all")
        self.view = view if view in VIEWS and not project else "all"
        self._layout = view if project and view in LAYOUTS else ""
        grouping = query.pop("group", "none")
        self.grouping = grouping if grouping in GROUPINGS and not project else "none"
        self.params = {key: value for key, value in query.items() if key in QUERY_KEYS}
        if project:
            # On a project's page the project is the page's own, never a filter of it.
            self.params.pop("project_id", None)
        self.search = self.params.get("q", "")
        if project != self._project:
            self._collapsed_sections, self._collapsed_tasks = [], []
        self._project = project
        self.in_project = bool(project)

    @signed_in_event
    def load(self) -> None:
        """on_load: the URL query is the filter, so a view can be bookmarked."""
        self._read_url("")
        self._with_user(lambda session, user: None)

    @rx.event
    def show_view(self, view: str) -> EventSpec:
        """To a view of all tasks (the home page), from any page showing the list."""
        return rx.redirect(routes.HOME + (f"?{urlencode({'view': view})}" if view != "all" else ""))

    def _with_param(self, key: str, value: str) -> EventSpec:
        """To the list with `key` set to `value` (removed when empty), from its first page."""
        params = {**self.params, key: value}
        params.pop("page", None)
        if not value:
            params.pop(key, None)
        return rx.redirect(self._url(params))

    @rx.event
    def set_param(self, key: str, value: str) -> EventSpec:
        return self._with_param(key, value)

    @rx.event
    def set_search(self, value: str) -> EventSpec:
        self.search = value
        return self._with_param("q", value.strip())

    @rx.event
    def toggle_priority(self, priority: str) -> EventSpec:
        return self._toggle_priority(priority)

    def _toggle_priority(self, priority: str) -> EventSpec:
        chosen = [p for p in self.params.get("priority", "").split(",") if p]
        chosen = [p for p in chosen if p != priority] if priority in chosen else [*chosen, priority]
        return self._with_param("priority", ",".join(chosen))

    @rx.event
    def toggle_tag(self, tag: str) -> EventSpec:
        return self._toggle_tag(tag)

    def _toggle_tag(self, tag: str) -> EventSpec:
        chosen = [t for t in self.params.get("tags", "").split(",") if t]
        keys = [t.casefold() for t in chosen]
        if tag.casefold() in keys:
            chosen = [t for t in chosen if t.casefold() != tag.casefold()]
        else:
            chosen.append(tag)
        return self._with_param("tags", ",".join(chosen))

    @rx.event
    def set_grouping(self, grouping: str) -> EventSpec:
        return rx.redirect(self._url(self.params, grouping=grouping))

    @rx.event
    def go_to_page(self, page: int) -> EventSpec:
        return self._with_param("page", str(max(1, min(page, self.pages))))

    @rx.event
    def remove_filter(self, key: str, value: str) -> EventSpec:
        """A chip's close button: that filter (or that one priority or tag) goes."""
        if key == "priority":
            return self._toggle_priority(value)
        if key == "tags":
            return self._toggle_tag(value)
        if key == "group":
            return rx.redirect(self._url(self.params, grouping="none"))
        if key == "sort_by":
            params = {k: v for k, v in self.params.items() if k not in ("sort_by", "sort_order")}
            return rx.redirect(self._url(params))
        return self._with_param(key, "")

    @rx.event
    def clear_filters(self) -> EventSpec:
        kept = {k: v for k, v in self.params.items() if k in ("sort_by", "sort_order")}
        return rx.redirect(self._url(kept))

    @rx.event
    def set_quick(self, field: str, value: str) -> None:
        """One handler for the quick-add bar's inputs (and only those). Typing in the bar
        shows what the quick-add language understood as chips."""
        if field in _QUICK_FIELDS:
            setattr(self, field, value)
        if field == "quick_title":
            places = self._quick_places
            parsed = (
                quickadd.parse_in_zone(value, self.user_timezone, places=places)
                if value.strip()
                else None
            )
            chips = parsed.recognized if parsed is not None else []
            colors = {place.id: place.color for place in places}
            color = colors.get(parsed.project_id or "", "") if parsed is not None else ""
            self.quick_chips = [
                QuickChip(c.kind, c.text, c.label, color if c.kind == "project" else "")
                for c in chips
            ]

    @signed_in_event
    def quick_add(self, form: dict[str, Any]) -> None:
        """Enter in the quick-add bar: create the task it describes, the pickers beside the bar
        as defaults (see services.quickadd.task_from_text), and clear the bar. Signed out,
        nothing is added: the title stays for after login."""
        title = str(form.get("title", "")).strip()
        if not title:
            return
        try:
            self._with_user(
                lambda s, u: quickadd.quick_add(
                    s,
                    u,
                    title,
                    priority=self.quick_priority,
                    tags=self.quick_tags.split(","),
                    due_date=self.quick_due_date,
                    due_time=self.quick_due_time,
                    project_id=uuid.UUID(self._project) if self._project else None,
                )
            )
        except DomainError as error:
            self.quick_error = error.message
            self.quick_error_field = error.field or ""
            return
        self.quick_title = ""
        self.quick_chips = []
        self.quick_error = ""
        self.quick_error_field = ""

    def _show(self, task_id: str, completed: bool | None = None) -> None:
        """Change a row as the action will: `completed` sets its check, None removes it."""
        place = self._locate(task_id)
        if place is None:
            return
        g, r = place
        group = self.groups[g]
        if completed is None:
            rows = [*group.rows[:r], *group.rows[r + 1 :]]
            self.total = max(0, self.total - 1)
        else:
            rows = [*group.rows[:r], dataclasses.replace(group.rows[r], completed=completed)]
            rows += group.rows[r + 1 :]
        self.groups = [
            *self.groups[:g],
            TaskGroup(name=group.name, rows=rows),
            *self.groups[g + 1 :],
        ]

    def _act(
        self,
        action: Callable[[Session, User], TaskPublic],
        message: str,
        undo: Callable[..., Any] | None = None,
        optimistic: Callable[[], None] | None = None,
    ) -> Iterator[EventSpec | None]:
        """Run a row action. With `optimistic`, the row changes first and the server's answer
        follows; a refusal puts the list back as it was and says why. `undo` is a handler of
        this state taking the task id: the toast offers it."""
        before = (self.groups, self.total)
        if optimistic is not None:
            optimistic()
            yield None
        try:
            task = self._with_user(action)
        except DomainError as error:
            self.groups, self.total = before
            yield rx.toast.error(f"Not saved: {error.message}", duration=6000)
            return
        text = message.format(title=task.title)
        if undo is not None:
            yield rx.toast(
                text,
                duration=5000,
                id=f"undo-{task.id}",
                action={"label": "Undo", "on_click": undo(str(task.id))},
            )
            return
        yield rx.toast(text, duration=3000)

    @signed_in_event
    def complete(self, task_id: str) -> Iterator[EventSpec | None]:
        tid = uuid.UUID(task_id)
        yield from self._act(
            lambda s, u: tasks.complete_task(s, u, tid),
            "Completed “{title}”",
            TasksState.uncomplete,
            optimistic=lambda: self._show(task_id, completed=True),
        )

    @signed_in_event
    def uncomplete(self, task_id: str) -> Iterator[EventSpec | None]:
        tid = uuid.UUID(task_id)
        yield from self._act(
            lambda s, u: tasks.uncomplete_task(s, u, tid),
            "“{title}” is open again",
            optimistic=lambda: self._show(task_id, completed=False),
        )

    @signed_in_event
    def toggle_done(self, task_id: str, done: bool) -> Iterator[EventSpec | None]:
        yield from self.complete(task_id) if done else self.uncomplete(task_id)

    @signed_in_event
    def delete(self, task_id: str) -> Iterator[EventSpec | None]:
        tid = uuid.UUID(task_id)
        yield from self._act(
            lambda s, u: tasks.delete_task(s, u, tid),
            "Deleted “{title}”",
            TasksState.restore,
            optimistic=lambda: self._show(task_id),
        )

    @signed_in_event
    def restore(self, task_id: str) -> Iterator[EventSpec | None]:
        tid = uuid.UUID(task_id)
        yield from self._act(lambda s, u: tasks.restore_task(s, u, tid), "Restored “{title}”")

    @signed_in_event
    def skip(self, task_id: str) -> Iterator[EventSpec | None]:
        tid = uuid.UUID(task_id)
        yield from self._act(
            lambda s, u: tasks.skip_task(s, u, tid), "Skipped this “{title}”", TasksState.restore
        )

    @signed_in_event
    def save_filter(self, form: dict[str, Any]) -> EventSpec | None:
        name = str(form.get("name", "")).strip()
        query = {k: v for k, v in self.params.items() if k != "page"}
        data = SavedFilterCreate(name=name, query=query)
        try:
            self._with_user(lambda s, u: filters.save_filter(s, u, data))
        except DomainError as error:
            self.filter_error = error.message
            return None
        self.filter_error = ""
        self.filter_name = ""
        return rx.toast(f"Saved filter “{name}”", duration=3000)

    @signed_in_event
    def delete_filter(self, filter_id: str) -> None:
        fid = uuid.UUID(filter_id)
        self._with_user(lambda s, u: filters.delete_filter(s, u, fid))

    @rx.event
    def open_subtask(self, task_id: str, title: str) -> None:
        self.subtask_parent = task_id
        self.subtask_parent_title = title
        self.subtask_error = ""

    @rx.event
    def close_subtask(self) -> None:
        self.subtask_parent = ""

    @signed_in_event
    def add_subtask(self, form: dict[str, Any]) -> EventSpec | None:
        """A subtask of `subtask_parent`: it goes to its task's project and section."""
        parent = uuid.UUID(self.subtask_parent)
        title = str(form.get("title", ""))
        try:
            # The new subtask shows: its task unfolds.
            self._collapsed_tasks = [t for t in self._collapsed_tasks if t != str(parent)]
            self._with_user(lambda s, u: quickadd.quick_add(s, u, title, parent_id=parent))
        except DomainError as error:
            self.subtask_error = error.message
            return None
        self.subtask_parent = ""
        return rx.toast(f"Added a subtask to “{self.subtask_parent_title}”", duration=3000)

    @signed_in_event
    def toggle_task(self, task_id: str) -> None:
        """Fold or unfold a task's subtasks."""
        self._collapsed_tasks = toggled(self._collapsed_tasks, task_id)
        self._with_user(lambda session, user: None)

    @signed_in_event
    def toggle_section(self, section_id: str) -> None:
        self._collapsed_sections = toggled(self._collapsed_sections, section_id)
        self._with_user(lambda session, user: None)

    @signed_in_event
    def key_move(self, task_id: str, action: str) -> Iterator[EventSpec | None]:
        """Alt+Up/Down: past the sibling shown above or below; Tab: under the sibling above;
        Shift+Tab: out of its task, right after it. The row keeps the focus."""
        place = self._locate(task_id)
        # Only a project's list shows each task among its siblings.
        if place is None or action not in KEYBOARD_MOVES or not self._project:
            return
        rows = self.groups[place[0]].rows
        row = rows[place[1]]
        siblings = [r.id for r in rows if r.parent == row.parent and r.depth == row.depth]
        index = siblings.index(task_id)
        anchor = {
            "up": siblings[index - 1] if index > 0 else "",
            "down": siblings[index + 1] if index + 1 < len(siblings) else "",
            "indent": siblings[index - 1] if index > 0 else "",
            "outdent": row.parent,
        }[action]
        if not anchor:
            return
        tid, aid = uuid.UUID(task_id), uuid.UUID(anchor)
        try:
            self._with_user(lambda s, u: keyboard_move(s, u, tid, action, aid))
        except DomainError as error:
            yield rx.toast.error(f"Not moved: {error.message}", duration=6000)
            return
        yield rx.call_script(
            f"setTimeout(() => document.getElementById('task-{task_id}')?.focus(), 50)"
        )
