"""The assistant's tools: one definition each, used by the chat agent and the MCP server.

A tool is a name, a description, an argument model (its JSON schema is what the model and MCP
clients see) and a function over the same services the UI and the REST API call, so every
rule and every user scope is the same. `call_tool` runs one in a savepoint and records it in
the audit log (chat.tool_call) in the same transaction, whether it worked or not.

Tasks are referred to by id, by the first characters of an id, or by words of the title; when
words match several tasks the call fails with `Ambiguous`, listing them, so the caller can ask.
Projects are referred to by id or by name (case-insensitive), sections by id or by name within
their project.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError
from sqlmodel import Session, col, select

from todo_app.core.dates import due_label
from todo_app.core.errors import DomainError, FieldError, NotFound
from todo_app.core.filters import parse_query
from todo_app.core.people import handles, shown_name
from todo_app.core.projects import Permission
from todo_app.core.recurrence import describe
from todo_app.models import Task, User
from todo_app.schemas import (
    CommentCreate,
    Input,
    InvitationPublic,
    MemberAdd,
    ProjectCreate,
    ProjectPublic,
    TaskCreate,
    TaskMove,
    TaskPublic,
    TaskUpdate,
)
from todo_app.services import (
    comments,
    invitations,
    listing,
    outbox,
    projects,
    quickadd,
    tasks,
)

# Most tasks a listing tool returns to a model (its context is not free).
LIST_MAX = 50
ID_PREFIX_MIN = 6


class ToolError(Exception):
    """A tool call that could not be done; the message says why, for the user or the model."""


class Ambiguous(ToolError):
    def __init__(self, message: str, candidates: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.candidates = candidates


class NeedsConfirmation(ToolError):
    """A destructive call made without `confirm: true`."""

    def __init__(self, message: str, task: dict[str, str]) -> None:
        super().__init__(message)
        self.task = task


@dataclass
class ToolResult:
    summary: str
    data: dict[str, Any] = field(default_factory=dict)
    task_ids: list[str] = field(default_factory=list)


# -- argument models ------------------------------------------------------------------------


ASSIGNEE_HELP = (
    "who does it, in a shared project: me, a member's name or email; update_task: none unassigns"
)


class AddTaskArgs(Input):
    title: str = Field(description="the task's title")
    description: str = Field(default="", description="longer notes")
    priority: str = Field(default="medium", description="low, medium or high")
    tags: list[str] = Field(default_factory=list, description="tags without #")
    due: str | None = Field(
        default=None,
        description="a date (2026-12-25: all day) or a date-time (2026-12-25T17:00) in the "
        "user's time zone",
    )
    rrule: str | None = Field(
        default=None,
        description="repeat rule: RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO, or daily, "
        "weekdays, weekly, monthly, yearly",
    )
    repeat_from: str = Field(default="due", description="due, or completion (like every!)")
    remind_before_minutes: list[int] = Field(
        default_factory=list, description="reminders, in minutes before the due time (0: at it)"
    )
    project: str | None = Field(
        default=None, description="the project's name or id (default: the Inbox)"
    )
    section: str | None = Field(
        default=None, description="a section of that project, by name or id"
    )
    parent: str | None = Field(
        default=None,
        description="make it a subtask of this task (its id, the start of its id or words of "
        "its title); it goes to the parent's project and section",
    )
    assignee: str | None = Field(default=None, description=ASSIGNEE_HELP)


class AddSubtaskArgs(AddTaskArgs):
    parent: str = Field(
        description="the task it is a step of: its id, the start of its id or words of its title"
    )


class ListTasksArgs(Input):
    q: str | None = Field(default=None, description="words to find in title or description")
    status: str = Field(default="active", description="active, completed or all")
    priority: list[str] = Field(default_factory=list, description="any of low, medium, high")
    tags: list[str] = Field(default_factory=list, description="tags the tasks must all have")
    due_after: str | None = Field(default=None, description="date or date-time, inclusive")
    due_before: str | None = Field(default=None, description="date or date-time, inclusive")
    overdue: bool | None = Field(default=None, description="only overdue tasks")
    sort_by: str = Field(default="due_at", description="due_at, priority, created_at, title")
    limit: int = Field(default=20, ge=1, le=LIST_MAX)
    project: str | None = Field(default=None, description="only this project's tasks (name or id)")
    section: str | None = Field(default=None, description="only this section's tasks (name or id)")
    parent: str | None = Field(default=None, description="only the direct subtasks of this task")
    assignee: str | None = Field(
        default=None, description="me (assigned to me), none (unassigned) or a user id"
    )


class ListProjectsArgs(Input):
    archived: bool = Field(default=False, description="true: the archived projects instead")


class CreateProjectArgs(Input):
    name: str = Field(description="the project's name")
    color: str | None = Field(default=None, description="a palette colour such as blue, green")
    parent: str | None = Field(
        default=None, description="put it inside this project (name or id); 3 levels at most"
    )


class ProjectRefArgs(Input):
    project: str = Field(description="the project's name or id")


class ShareProjectArgs(ProjectRefArgs):
    email: str = Field(description="whom to share with; an address with no account is invited")
    role: str = Field(default="editor", description="admin, editor, commenter or viewer")


class TaskRefArgs(Input):
    task: str = Field(description="the task's id, the start of its id, or words of its title")


class UpdateTaskArgs(TaskRefArgs):
    title: str | None = None
    description: str | None = None
    priority: str | None = Field(default=None, description="low, medium or high")
    tags: list[str] | None = Field(default=None, description="the whole new list of tags")
    add_tags: list[str] = Field(default_factory=list, description="tags to add")
    remove_tags: list[str] = Field(default_factory=list, description="tags to remove")
    due: str | None = Field(
        default=None, description="new due date or date-time; the empty string clears it"
    )
    rrule: str | None = Field(
        default=None, description="new repeat rule; the empty string stops repeating"
    )
    assignee: str | None = Field(default=None, description=ASSIGNEE_HELP)


class MoveTaskArgs(TaskRefArgs):
    project: str | None = Field(default=None, description="the project to move it to (name or id)")
    section: str | None = Field(
        default=None, description="a section of its (new) project, by name or id; empty: none"
    )
    parent: str | None = Field(
        default=None, description="make it a subtask of this task; empty: a top-level task"
    )
    position: int | None = Field(
        default=None, ge=0, description="its place among its new siblings, from 0; default last"
    )


class DeleteTaskArgs(TaskRefArgs):
    confirm: bool = Field(default=False, description="must be true: ask the user before deleting")


class AddCommentArgs(TaskRefArgs):
    text: str = Field(description="the comment, Markdown, up to 10,000 characters")


class OccurrencesArgs(TaskRefArgs):
    n: int = Field(default=5, ge=1, le=20, description="how many next dates")


# -- resolving a task -----------------------------------------------------------------------


def _brief(task: Task | TaskPublic, tz: str) -> dict[str, str]:
    due = due_label(task.due_at, task.all_day, tz, datetime.now(UTC)) if task.due_at else ""
    return {"id": str(task.id), "title": task.title, "due": due}


def resolve_task(session: Session, user: User, ref: str) -> Task:
    """The user's task `ref` names: an id, an id prefix, or title words matching one task."""
    text = ref.strip()
    if not text:
        raise ToolError("say which task (its title or id)")
    try:
        return tasks.get_task(session, user, uuid.UUID(text), include_deleted=False)
    except ValueError:
        pass
    except NotFound:
        raise ToolError(f"no task with id {text}") from None
    compact = text.replace("-", "").lower()
    if len(compact) >= ID_PREFIX_MIN and all(c in "0123456789abcdef" for c in compact):
        ids = session.exec(
            select(Task.id).where(
                col(Task.deleted_at).is_(None), *projects.tasks_seen(session, user, archived=True)
            )
        ).all()
        found = [task_id for task_id in ids if task_id.hex.startswith(compact)]
        if len(found) == 1:
            return session.get_one(Task, found[0])
    for status in ("active", "all"):
        query = parse_query({"q": text, "status": status, "limit": "20"}, user.timezone)
        page = listing.list_tasks(session, user, query).task_page()
        if not page.items:
            continue
        exact = [t for t in page.items if t.title.casefold() == text.casefold()]
        matches = exact or page.items
        if len(matches) == 1:
            return session.get_one(Task, matches[0].id)
        candidates = [_brief(t, user.timezone) for t in matches[:10]]
        names = "; ".join(
            f"“{c['title']}”" + (f" ({c['due']})" if c["due"] else "") for c in candidates
        )
        raise Ambiguous(f"{len(matches)} tasks match “{text}”: {names}. Which one?", candidates)
    raise ToolError(f"no task matches “{text}”")


def resolve_project(session: Session, user: User, ref: str) -> ProjectPublic:
    """The project `ref` names: an id, or the name of exactly one of the user's projects."""
    text = ref.strip()
    if not text:
        raise ToolError("say which project (its name or id)")
    try:
        return projects.read_project(session, user, uuid.UUID(text))
    except ValueError:
        pass
    shown = projects.list_projects(session, user).items
    named = [p for p in shown if p.name.casefold() == text.casefold()]
    if not named:
        raise ToolError(f"no project is named “{text}”; list_projects shows them")
    if len(named) > 1:
        ids = ", ".join(str(p.id) for p in named)
        raise ToolError(f"{len(named)} projects are named “{text}”; give the id of one: {ids}")
    return named[0]


def resolve_section(
    session: Session, user: User, project: ProjectPublic | None, ref: str
) -> uuid.UUID:
    """The id of the section `ref` names (an id, or a name) in `project` (the Inbox if None)."""
    text = ref.strip()
    try:
        section_id = uuid.UUID(text)
    except ValueError:
        section_id = None
    if section_id is not None and project is None:
        return projects.section_for(session, user, section_id, Permission.view)[0].id
    where = project.id if project is not None else projects.inbox_of(session, user).id
    for section in projects.list_sections(session, user, where).items:
        if section.id == section_id or section.name.casefold() == text.casefold():
            return section.id
    name = project.name if project is not None else "the Inbox"
    raise ToolError(f"“{name}” has no section “{text}”")


def _place(
    session: Session, user: User, project_ref: str | None, section_ref: str | None
) -> tuple[ProjectPublic | None, uuid.UUID | None]:
    """The project and section a call names (each None when not named)."""
    project = resolve_project(session, user, project_ref) if project_ref else None
    section = resolve_section(session, user, project, section_ref) if section_ref else None
    return project, section


# -- the tools ------------------------------------------------------------------------------


def _describe(task: TaskPublic, tz: str) -> str:
    parts = [f"“{task.title}”"]
    if task.due_at:
        parts.append("due " + due_label(task.due_at, task.all_day, tz, datetime.now(UTC)))
    if task.rrule:
        parts.append(describe(task.rrule))
    if task.priority != "medium":
        parts.append(f"{task.priority} priority")
    if task.tags:
        parts.append(" ".join("#" + t for t in task.tags))
    if task.subtasks.total:
        done = task.subtasks.total - task.subtasks.open
        parts.append(f"{done}/{task.subtasks.total} subtasks done")
    return ", ".join(parts)


def _task_data(task: TaskPublic, tz: str) -> dict[str, Any]:
    local = task.due_at.astimezone(ZoneInfo(tz)).isoformat() if task.due_at else None
    return {
        "id": str(task.id),
        "title": task.title,
        "priority": task.priority,
        "tags": task.tags,
        "due": (local[:10] if task.all_day and local else local),
        "rrule": task.rrule,
        "completed": task.completed,
        "project_id": str(task.project_id),
        "section_id": str(task.section_id) if task.section_id else None,
        "parent_id": str(task.parent_id) if task.parent_id else None,
        "assignee_id": str(task.assignee_id) if task.assignee_id else None,
        "subtasks": task.subtasks.model_dump(),
    }


def _due_text(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def resolve_assignee(
    session: Session, user: User, project_id: uuid.UUID, text: str
) -> uuid.UUID | None:
    """A person of the project by "me", name or email (None for "none")."""
    wanted = text.strip().casefold()
    if wanted in ("", "none", "nobody"):
        return None
    if wanted == "me":
        return user.id
    people = projects.list_members(session, user, project_id).items
    found = [
        p
        for p in people
        if wanted == p.email.casefold()
        or wanted in {h.casefold() for h in handles(p.display_name, p.email)}
    ]
    if len(found) != 1:
        names = ", ".join(p.display_name or p.email for p in people)
        raise ToolError(f"“{text}” is not one person of this project ({names})")
    return found[0].user_id


def add_task(session: Session, user: User, args: AddTaskArgs) -> ToolResult:
    project, section_id = _place(session, user, args.project, args.section)
    parent = resolve_task(session, user, args.parent) if args.parent else None
    home = parent.project_id if parent else project.id if project else None
    assignee = None
    if args.assignee:
        where_id = home or projects.inbox_of(session, user).id
        assignee = resolve_assignee(session, user, where_id, args.assignee)
    created = tasks.create_task(
        session,
        user,
        TaskCreate(
            title=args.title,
            description=args.description,
            priority=args.priority,
            tags=args.tags,
            due_at=_due_text(args.due),
            rrule=args.rrule,
            repeat_from=args.repeat_from,
            remind_before_minutes=args.remind_before_minutes,
            project_id=project.id if project else None,
            section_id=section_id,
            parent_id=parent.id if parent else None,
            assignee_id=assignee,
        ),
    )
    where = f" under “{parent.title}”" if parent else f" to {project.name}" if project else ""
    return ToolResult(
        f"Added {_describe(created, user.timezone)}{where}",
        {"task": _task_data(created, user.timezone)},
        [str(created.id)],
    )


def list_tasks(session: Session, user: User, args: ListTasksArgs) -> ToolResult:
    params = {
        "q": args.q or "",
        "status": args.status,
        "priority": ",".join(args.priority),
        "tags": ",".join(args.tags),
        "due_after": args.due_after or "",
        "due_before": args.due_before or "",
        "overdue": "" if args.overdue is None else str(args.overdue).lower(),
        "sort_by": args.sort_by,
        "limit": str(args.limit),
        "assignee": args.assignee or "",
    }
    project, section_id = _place(session, user, args.project, args.section)
    if project is not None:
        params["project_id"] = str(project.id)
    if section_id is not None:
        params["section_id"] = str(section_id)
    if args.parent:
        params["parent_id"] = str(resolve_task(session, user, args.parent).id)
    query = parse_query({k: v for k, v in params.items() if v}, user.timezone)
    page = listing.list_tasks(session, user, query).task_page()
    tz = user.timezone
    if not page.items:
        summary = "No tasks match."
    else:
        lines = [f"- {_describe(t, tz)}" for t in page.items]
        more = (
            f"\n(and {page.total - len(page.items)} more)" if page.total > len(page.items) else ""
        )
        summary = f"{page.total} task{'s' if page.total != 1 else ''}:\n" + "\n".join(lines) + more
    return ToolResult(
        summary,
        {"total": page.total, "tasks": [_task_data(t, tz) for t in page.items]},
        [str(t.id) for t in page.items],
    )


def update_task(session: Session, user: User, args: UpdateTaskArgs) -> ToolResult:
    task = resolve_task(session, user, args.task)
    changes: dict[str, Any] = {}
    for name in ("title", "description", "priority"):
        value = getattr(args, name)
        if value is not None:
            changes[name] = value
    if args.tags is not None or args.add_tags or args.remove_tags:
        current = list(args.tags) if args.tags is not None else list(task.tags)
        keys = {t.casefold() for t in args.remove_tags}
        current = [t for t in current if t.casefold() not in keys]
        current += [t for t in args.add_tags if t.casefold() not in {c.casefold() for c in current}]
        changes["tags"] = current
    if args.due is not None:
        changes["due_at"] = _due_text(args.due)
    if args.rrule is not None:
        changes["rrule"] = args.rrule.strip() or None
    if args.assignee is not None:
        changes["assignee_id"] = resolve_assignee(session, user, task.project_id, args.assignee)
    if not changes:
        raise ToolError("say what to change (title, priority, tags, due date, repeat, assignee)")
    updated = tasks.update_task(session, user, task.id, TaskUpdate(**changes))
    return ToolResult(
        f"Updated {_describe(updated, user.timezone)}",
        {"task": _task_data(updated, user.timezone), "changed": sorted(changes)},
        [str(updated.id)],
    )


def move_task(session: Session, user: User, args: MoveTaskArgs) -> ToolResult:
    task = resolve_task(session, user, args.task)
    project = resolve_project(session, user, args.project) if args.project else None
    place: dict[str, Any] = {"project_id": project.id} if project else {}
    if args.section is not None:
        where = project or projects.read_project(session, user, task.project_id)
        named = args.section.strip()
        place["section_id"] = resolve_section(session, user, where, named) if named else None
    if args.parent is not None:
        named = args.parent.strip()
        place["parent_id"] = resolve_task(session, user, named).id if named else None
    if args.position is not None:
        place["position"] = args.position
    if not place:
        raise ToolError("say where to move it: a project, a section, a parent task or a position")
    moved = tasks.move_task(session, user, task.id, TaskMove(**place))
    if moved.parent_id is not None:
        where_to = f"under “{tasks.get_task(session, user, moved.parent_id).title}”"
    else:
        where_to = "to " + projects.read_project(session, user, moved.project_id).name
    return ToolResult(
        f"Moved “{moved.title}” {where_to}",
        {"task": _task_data(moved, user.timezone)},
        [str(moved.id)],
    )


def _lifecycle(
    verb: str, action: Callable[[Session, User, uuid.UUID], TaskPublic]
) -> Callable[[Session, User, TaskRefArgs], ToolResult]:
    def run(session: Session, user: User, args: TaskRefArgs) -> ToolResult:
        task = resolve_task(session, user, args.task)
        done = action(session, user, task.id)
        return ToolResult(
            f"{verb} {_describe(done, user.timezone)}",
            {"task": _task_data(done, user.timezone)},
            [str(done.id)],
        )

    return run


def delete_task(session: Session, user: User, args: DeleteTaskArgs) -> ToolResult:
    task = resolve_task(session, user, args.task)
    if not args.confirm:
        raise NeedsConfirmation(
            f"Delete “{task.title}”? It can be restored from the list's Undo or the API.",
            _brief(task, user.timezone),
        )
    deleted = tasks.delete_task(session, user, task.id)
    return ToolResult(
        f"Deleted “{deleted.title}”",
        {"task": _task_data(deleted, user.timezone)},
        [str(deleted.id)],
    )


def list_comments(session: Session, user: User, args: TaskRefArgs) -> ToolResult:
    task = resolve_task(session, user, args.task)
    thread = comments.list_comments(session, user, task.id).items
    said = "; ".join(f"{c.author.display_name or c.author.email}: {c.text}" for c in thread)
    return ToolResult(
        f"{len(thread)} comment(s) on “{task.title}”" + (f": {said}" if said else ""),
        {"comments": [c.model_dump(mode="json") for c in thread]},
        [str(task.id)],
    )


def add_comment(session: Session, user: User, args: AddCommentArgs) -> ToolResult:
    task = resolve_task(session, user, args.task)
    said = comments.add_comment(session, user, task.id, CommentCreate(text=args.text))
    return ToolResult(
        f"Commented on “{task.title}”", {"comment": said.model_dump(mode="json")}, [str(task.id)]
    )


def _project_data(project: ProjectPublic, sections: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        **project.model_dump(mode="json"),
        "sections": [{"id": key, "name": name} for key, name in sections],
    }


def list_projects(session: Session, user: User, args: ListProjectsArgs) -> ToolResult:
    shown = projects.list_projects(session, user, archived=args.archived).items
    sections = quickadd.sections_of(session, shown)
    ids = {project.id for project in shown}
    children: dict[uuid.UUID | None, list[ProjectPublic]] = {}
    for project in shown:
        # A project archived without its parent stands at the top of the archived ones.
        children.setdefault(project.parent_id if project.parent_id in ids else None, []).append(
            project
        )
    lines: list[str] = []
    pending = [(project, 0) for project in reversed(children.get(None, []))]
    while pending:
        project, depth = pending.pop()
        named = ", ".join(name for _, name in sections.get(str(project.id), []))
        lines.append(
            f"{'  ' * depth}- {project.name} ({project.open_count} open)"
            + (f"; sections: {named}" if named else "")
        )
        pending += [(child, depth + 1) for child in reversed(children.get(project.id, []))]
    return ToolResult(
        f"{len(shown)} project{'s' if len(shown) != 1 else ''}:\n" + "\n".join(lines),
        {"projects": [_project_data(p, sections.get(str(p.id), [])) for p in shown]},
    )


def list_members(session: Session, user: User, args: ProjectRefArgs) -> ToolResult:
    project = resolve_project(session, user, args.project)
    listed = projects.list_members(session, user, project.id)
    people = "; ".join(f"{shown_name(m.display_name, m.email)} ({m.role})" for m in listed.items)
    waiting = "; ".join(f"{i.email} ({i.role}, {i.status})" for i in listed.invitations)
    return ToolResult(
        f"“{project.name}” is shared with: {people}"
        + (f". Invited, no answer yet: {waiting}" if waiting else ""),
        listed.model_dump(mode="json"),
    )


def share_project(session: Session, user: User, args: ShareProjectArgs) -> ToolResult:
    project = resolve_project(session, user, args.project)
    shared = invitations.share(
        session, user, project.id, MemberAdd(email=args.email, role=args.role)
    )
    if isinstance(shared, InvitationPublic):
        summary = f"Invited {shared.email} to “{project.name}” as {shared.role}, by mail"
        return ToolResult(summary, {"invitation": shared.model_dump(mode="json")})
    summary = f"Shared “{project.name}” with {shared.email} as {shared.role}"
    return ToolResult(summary, {"member": shared.model_dump(mode="json")})


def create_project(session: Session, user: User, args: CreateProjectArgs) -> ToolResult:
    parent = resolve_project(session, user, args.parent) if args.parent else None
    created = projects.create_project(
        session,
        user,
        ProjectCreate(name=args.name, color=args.color, parent_id=parent.id if parent else None),
    )
    under = f" inside {parent.name}" if parent else ""
    return ToolResult(
        f"Created the project “{created.name}”{under}", {"project": _project_data(created, [])}
    )


def next_occurrences(session: Session, user: User, args: OccurrencesArgs) -> ToolResult:
    task = resolve_task(session, user, args.task)
    found = tasks.occurrences(session, user, task.id, args.n)
    if not found.rrule:
        return ToolResult(
            f"“{task.title}” does not repeat.", {"task_id": str(task.id)}, [str(task.id)]
        )
    tz = ZoneInfo(user.timezone)
    dates = [moment.astimezone(tz) for moment in found.occurrences]
    shown = ", ".join(d.strftime("%a %d %b %Y" + ("" if task.all_day else " %H:%M")) for d in dates)
    return ToolResult(
        f"“{task.title}” repeats {found.description}. "
        f"Next: {shown or 'none (the series has ended)'}.",
        {
            "task_id": str(task.id),
            "rule": found.description,
            "next": [d.isoformat() for d in dates],
        },
        [str(task.id)],
    )


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    args: type[Input]
    run: Callable[[Session, User, Any], ToolResult]

    def schema(self) -> dict[str, Any]:
        """The arguments' JSON schema, self-contained (no $defs) for model and MCP clients."""
        schema = self.args.model_json_schema()
        schema.pop("title", None)
        return schema

    def openai_spec(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.schema(),
            },
        }


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool("add_task", "Create a task.", AddTaskArgs, add_task),
        Tool(
            "list_tasks",
            "List or search the user's tasks with filters (what's due, by tag, priority...).",
            ListTasksArgs,
            list_tasks,
        ),
        Tool("update_task", "Change fields of one task.", UpdateTaskArgs, update_task),
        Tool(
            "complete_task",
            "Mark a task done; a recurring task gets its next occurrence.",
            TaskRefArgs,
            _lifecycle("Completed", tasks.complete_task),
        ),
        Tool(
            "uncomplete_task",
            "Reopen a completed task.",
            TaskRefArgs,
            _lifecycle("Reopened", tasks.uncomplete_task),
        ),
        Tool(
            "skip_occurrence",
            "Skip this occurrence of a recurring task: the series moves on without completing.",
            TaskRefArgs,
            _lifecycle("Skipped", tasks.skip_task),
        ),
        Tool(
            "delete_task",
            "Delete a task. Ask the user first; call with confirm=true only after they said yes.",
            DeleteTaskArgs,
            delete_task,
        ),
        Tool(
            "next_occurrences",
            "When a recurring task comes next, and its rule in plain words.",
            OccurrencesArgs,
            next_occurrences,
        ),
        Tool(
            "add_subtask",
            "Add a step (subtask) to a task; it goes to that task's project and section.",
            AddSubtaskArgs,
            add_task,
        ),
        Tool(
            "move_task",
            "Move a task, with its subtasks, to another project, section, parent task or place.",
            MoveTaskArgs,
            move_task,
        ),
        Tool(
            "list_comments",
            "The comments on a task, oldest first, with their authors.",
            TaskRefArgs,
            list_comments,
        ),
        Tool("add_comment", "Comment on a task.", AddCommentArgs, add_comment),
        Tool(
            "list_projects",
            "The user's projects as a tree, with open task counts and their sections.",
            ListProjectsArgs,
            list_projects,
        ),
        Tool(
            "create_project",
            "Create a project, at the top or inside another one.",
            CreateProjectArgs,
            create_project,
        ),
        Tool(
            "list_members",
            "Who a project is shared with, their roles, and the invitations not yet answered.",
            ProjectRefArgs,
            list_members,
        ),
        Tool(
            "share_project",
            "Share a project with someone by email, in a role; without an account they get an "
            "invitation by mail.",
            ShareProjectArgs,
            share_project,
        ),
    )
}


@dataclass
class ToolOutcome:
    """What one call did: `ok`, the text for people, the JSON for models and MCP clients."""

    tool: str
    ok: bool
    summary: str
    data: dict[str, Any] = field(default_factory=dict)
    task_ids: list[str] = field(default_factory=list)
    candidates: list[dict[str, str]] = field(default_factory=list)
    confirm: dict[str, str] | None = None

    def as_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"ok": self.ok, "summary": self.summary, **self.data}
        if self.candidates:
            result["candidates"] = self.candidates
        if self.confirm:
            result["needs_confirmation"] = self.confirm
        return result


def call_tool(
    session: Session, user: User, name: str, arguments: Any, via: str = "chat"
) -> ToolOutcome:
    """Validate and run one tool call; never raises for the caller's or the user's mistakes."""
    tool = TOOLS.get(name)
    if tool is None:
        outcome = ToolOutcome(name, False, f"there is no tool called {name!r}")
    elif not isinstance(arguments, dict):
        outcome = ToolOutcome(name, False, "the arguments must be a JSON object")
    else:
        with outbox.acting_as(user):
            outcome = _run(session, user, tool, arguments)
    outbox.emit(
        session,
        "chat.tool_call",
        {
            "user_id": str(user.id),
            "tool": name,
            "arguments": arguments if isinstance(arguments, dict) else str(arguments)[:500],
            "ok": outcome.ok,
            "summary": outcome.summary[:500],
            "task_ids": outcome.task_ids,
            "via": via,
        },
        source="assistant",
    )
    return outcome


def _run(session: Session, user: User, tool: Tool, arguments: dict[str, Any]) -> ToolOutcome:
    try:
        args = tool.args.model_validate(arguments)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "arguments"
        return ToolOutcome(tool.name, False, f"{where}: {first['msg']}")
    savepoint = session.begin_nested()
    try:
        result = tool.run(session, user, args)
    except Ambiguous as error:
        savepoint.rollback()
        return ToolOutcome(tool.name, False, str(error), candidates=error.candidates)
    except NeedsConfirmation as error:
        savepoint.rollback()
        return ToolOutcome(tool.name, False, str(error), confirm=error.task)
    except (ToolError, DomainError) as error:
        savepoint.rollback()
        message = error.message if isinstance(error, DomainError) else str(error)
        if isinstance(error, FieldError) and error.field and error.field not in message:
            message = f"{error.field}: {message}"
        return ToolOutcome(tool.name, False, message)
    savepoint.commit()
    return ToolOutcome(tool.name, True, result.summary, result.data, result.task_ids)
