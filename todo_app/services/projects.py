"""Projects and sections. Every read or change of a project, or of what is in one, asks
`project_for` first: the one place that decides who may do what to a project.

Trash and archive take a project's sub-projects and (for the trash) its tasks along, all
stamped with the same instant; restore and unarchive bring back exactly the rows carrying
the project's stamp, so a task or sub-project trashed before stays in the trash.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, update
from sqlmodel import Session, col, select

from todo_app.core.errors import Conflict, FieldError, Forbidden, NotFound
from todo_app.core.projects import (
    DEPTH_MAX,
    INBOX_NAME,
    PROJECTS_MAX,
    SECTIONS_MAX,
    Permission,
    clean_color,
    clean_name,
    clean_view,
)
from todo_app.db import get_by_id
from todo_app.models import Project, Section, Task, User, utcnow
from todo_app.schemas import (
    ProjectCreate,
    ProjectList,
    ProjectPublic,
    ProjectUpdate,
    SectionCreate,
    SectionList,
    SectionPublic,
    SectionUpdate,
)
from todo_app.services import outbox

# -- access ----------------------------------------------------------------------------------


def permissions(session: Session, user: User, project: Project) -> frozenset[Permission]:
    """What `user` may do to `project`: its owner everything, anyone else nothing (members
    and their roles, issue 20, are read here)."""
    return frozenset(Permission) if project.owner_id == user.id else frozenset()


def project_for(
    session: Session,
    user: User,
    project_id: uuid.UUID,
    need: Permission,
    include_deleted: bool = False,
) -> Project:
    """The project, if `user` may do `need` to it. A missing project, one the user may not
    see, one in the trash (unless `include_deleted`) are the same NotFound; one the user
    sees but may not change this way is Forbidden (only with members, issue 20)."""
    project = get_by_id(session, Project, project_id)
    granted = frozenset() if project is None else permissions(session, user, project)
    if project is None or Permission.view not in granted:
        raise NotFound("project not found")
    if project.deleted_at is not None and not include_deleted:
        raise NotFound("project not found")
    if need not in granted:
        raise Forbidden(f"you may not {need.value} this project")
    return project


def section_for(
    session: Session, user: User, section_id: uuid.UUID, need: Permission
) -> tuple[Section, Project]:
    """The section and its project, if `user` may do `need` to that project."""
    section = get_by_id(session, Section, section_id)
    if section is None:
        raise NotFound("section not found")
    try:
        project = project_for(session, user, section.project_id, need)
    except NotFound:
        raise NotFound("section not found") from None
    return section, project


_ARCHIVED_IDS = select(Project.id).where(
    col(Project.owner_id) == bindparam("owner_id"), col(Project.archived_at).is_not(None)
)


def archived_ids(session: Session, user: User) -> list[uuid.UUID]:
    """The ids of the user's archived projects (archiving stamps a whole tree, so every
    project under an archived one is among them). Every task list asks: a Core execution
    of one prebuilt statement keeps it to a round trip."""
    session.flush()
    result = session.connection().execute(_ARCHIVED_IDS, {"owner_id": user.id})
    return list(result.scalars())


def inbox_of(session: Session, user: User) -> Project:
    """The user's Inbox: where a task goes when no project is named."""
    statement = select(Project).where(Project.owner_id == user.id, col(Project.is_inbox))
    inbox = session.exec(statement).one_or_none()
    if inbox is None:
        raise NotFound("the account has no Inbox")
    return inbox


def create_inbox(session: Session, user: User) -> Project:
    """The account's Inbox, made once at registration (the database refuses a second). No
    event of its own: the account's auth.registered stands for it."""
    inbox = Project(owner_id=user.id, name=INBOX_NAME, is_inbox=True)
    session.add(inbox)
    session.flush()
    return inbox


def task_place(
    session: Session,
    user: User,
    project_id: uuid.UUID | None,
    section_id: uuid.UUID | None,
) -> tuple[uuid.UUID, uuid.UUID | None]:
    """Where a new task goes: the project named (the Inbox if none) and, if named, a
    section of that project."""
    if project_id is None and section_id is not None:
        _, project = section_for(session, user, section_id, Permission.edit)
        return project.id, section_id
    if project_id is None:
        return inbox_of(session, user).id, None
    project = project_for(session, user, project_id, Permission.edit)
    if section_id is not None:
        section, _ = section_for(session, user, section_id, Permission.edit)
        if section.project_id != project.id:
            raise FieldError("section_id", "section_id must be a section of the project")
    return project.id, section_id


def project_trashed(session: Session, project_id: uuid.UUID) -> bool:
    """Whether the project is in the trash (a task of it cannot come back on its own)."""
    project = get_by_id(session, Project, project_id)
    return project is not None and project.deleted_at is not None


# -- shapes and events -----------------------------------------------------------------------


def _open_counts(session: Session, project_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not project_ids:
        return {}
    rows = session.exec(
        select(Task.project_id, func.count())
        .where(
            col(Task.project_id).in_(project_ids),
            col(Task.completed).is_(False),
            col(Task.deleted_at).is_(None),
        )
        .group_by(col(Task.project_id))
    ).all()
    return dict(rows)


def _public(project: Project, open_count: int) -> ProjectPublic:
    return ProjectPublic(
        id=project.id,
        name=project.name,
        color=project.color,
        parent_id=project.parent_id,
        position=project.position,
        is_inbox=project.is_inbox,
        archived=project.archived_at is not None,
        view=project.view,
        open_count=open_count,
    )


def project_public(session: Session, project: Project) -> ProjectPublic:
    return _public(project, _open_counts(session, [project.id]).get(project.id, 0))


def _emit(session: Session, event_type: str, project: Project, **extra: Any) -> None:
    """The event of a project change, keyed by its owner (by the project once shared)."""
    data = {
        "user_id": str(project.owner_id),
        "project_id": str(project.id),
        "project": {
            "name": project.name,
            "color": project.color,
            "parent_id": str(project.parent_id) if project.parent_id else None,
            "position": project.position,
            "is_inbox": project.is_inbox,
            "archived": project.archived_at is not None,
            "deleted": project.deleted_at is not None,
            "view": project.view,
        },
        **extra,
    }
    outbox.emit(session, event_type, data)


def _section_public(section: Section) -> SectionPublic:
    return SectionPublic(
        id=section.id, name=section.name, project_id=section.project_id, position=section.position
    )


def _emit_section(session: Session, event_type: str, section: Section, owner_id: uuid.UUID) -> None:
    data = {
        "user_id": str(owner_id),
        "project_id": str(section.project_id),
        "section_id": str(section.id),
        "section": _section_public(section).model_dump(mode="json"),
    }
    outbox.emit(session, event_type, data)


def _touch(session: Session, project: Project) -> None:
    project.updated_at = utcnow()
    project.version += 1
    session.add(project)
    session.flush()


# -- the tree --------------------------------------------------------------------------------


def _owned(session: Session, owner_id: uuid.UUID) -> list[Project]:
    """Every project of the owner, trashed ones too: small (PROJECTS_MAX), read whole."""
    statement = select(Project).where(Project.owner_id == owner_id)
    return list(session.exec(statement).all())


def _subtree(projects: list[Project], root: Project) -> list[Project]:
    """`root` and every project below it."""
    children: dict[uuid.UUID | None, list[Project]] = {}
    for project in projects:
        children.setdefault(project.parent_id, []).append(project)
    found, pending = [], [root]
    while pending:
        project = pending.pop()
        found.append(project)
        pending.extend(children.get(project.id, []))
    return found


def _depth(projects: list[Project], project: Project) -> int:
    """1 for a top-level project, 2 for its child, ..."""
    by_id = {p.id: p for p in projects}
    depth, current = 1, project
    while current.parent_id is not None and current.parent_id in by_id:
        depth += 1
        current = by_id[current.parent_id]
    return depth


def _height(projects: list[Project], root: Project) -> int:
    """Levels from `root` down to its deepest sub-project, `root` included."""
    return max(_depth(projects, p) for p in _subtree(projects, root)) - _depth(projects, root) + 1


def _check_parent(
    session: Session, user: User, parent_id: uuid.UUID, moving: Project | None
) -> Project:
    """The parent named for a new project (`moving` None) or for `moving`."""
    parent = project_for(session, user, parent_id, Permission.edit, include_deleted=True)
    if parent.deleted_at is not None:
        raise FieldError("parent_id", "parent_id names a project in the trash")
    if parent.archived_at is not None:
        raise FieldError("parent_id", "parent_id names an archived project")
    if parent.is_inbox:
        raise FieldError("parent_id", "the Inbox cannot hold sub-projects")
    projects = _owned(session, parent.owner_id)
    height = 1
    if moving is not None:
        if moving.is_inbox:
            raise FieldError("parent_id", "the Inbox cannot be nested")
        if parent.id in {p.id for p in _subtree(projects, moving)}:
            raise FieldError("parent_id", "a project cannot go inside itself or its sub-projects")
        height = _height(projects, moving)
    if _depth(projects, parent) + height > DEPTH_MAX:
        raise FieldError("parent_id", f"projects nest at most {DEPTH_MAX} levels deep")
    return parent


def _live(projects: list[Project]) -> list[Project]:
    return [p for p in projects if p.deleted_at is None]


def _next_position(siblings: list[Project]) -> int:
    return max((p.position for p in siblings), default=-1) + 1


def _siblings(projects: list[Project], parent_id: uuid.UUID | None) -> list[Project]:
    """The projects under `parent_id` in order; the Inbox stands first, outside the order."""
    return sorted(
        (p for p in _live(projects) if p.parent_id == parent_id and not p.is_inbox),
        key=lambda p: (p.position, p.created_at),
    )


def _place(session: Session, siblings: list[Project], project: Project, index: int) -> None:
    """Put `project` at `index` among `siblings` (itself left out), numbering them 0, 1, ..."""
    order = [p for p in siblings if p.id != project.id]
    order.insert(max(0, min(index, len(order))), project)
    for position, sibling in enumerate(order):
        if sibling.position != position:
            sibling.position = position
            if sibling is not project:
                _touch(session, sibling)


# -- use cases -------------------------------------------------------------------------------


def list_projects(session: Session, user: User, archived: bool = False) -> ProjectList:
    """The user's projects not in the trash: the active ones, or the archived ones."""
    statement = select(Project).where(
        Project.owner_id == user.id,
        col(Project.deleted_at).is_(None),
        col(Project.archived_at).is_not(None) if archived else col(Project.archived_at).is_(None),
    )
    projects = sorted(
        session.exec(statement).all(), key=lambda p: (not p.is_inbox, p.position, p.created_at)
    )
    counts = _open_counts(session, [p.id for p in projects])
    return ProjectList(items=[_public(p, counts.get(p.id, 0)) for p in projects])


def read_project(session: Session, user: User, project_id: uuid.UUID) -> ProjectPublic:
    return project_public(session, project_for(session, user, project_id, Permission.view))


def create_project(session: Session, user: User, data: ProjectCreate) -> ProjectPublic:
    name = clean_name(data.name)
    color = clean_color(data.color)
    parent = (
        _check_parent(session, user, data.parent_id, None) if data.parent_id is not None else None
    )
    projects = _owned(session, user.id)
    if len(_live(projects)) >= PROJECTS_MAX:
        raise Conflict(f"an account holds at most {PROJECTS_MAX} projects; delete some first")
    parent_id = parent.id if parent else None
    project = Project(
        owner_id=user.id,
        name=name,
        color=color,
        parent_id=parent_id,
        position=_next_position(_siblings(projects, parent_id)),
    )
    session.add(project)
    session.flush()
    _emit(session, "project.created", project)
    return _public(project, 0)


def update_project(
    session: Session, user: User, project_id: uuid.UUID, data: ProjectUpdate
) -> ProjectPublic:
    project = project_for(session, user, project_id, Permission.manage)
    given = data.model_fields_set
    changed: list[str] = []
    if "name" in given:
        name = clean_name(data.name)
        if name != project.name:
            project.name = name
            changed.append("name")
    if "color" in given:
        if data.color is None:
            raise FieldError("color", "color must be a palette name")
        color = clean_color(data.color)
        if color != project.color:
            project.color = color
            changed.append("color")
    if "view" in given:
        view = clean_view(data.view)
        if view != project.view:
            project.view = view
            changed.append("view")
    if "parent_id" in given and data.parent_id != project.parent_id:
        if data.parent_id is not None:
            _check_parent(session, user, data.parent_id, project)
        siblings = _siblings(_owned(session, project.owner_id), data.parent_id)
        project.parent_id = data.parent_id
        project.position = _next_position(siblings)
        changed.append("parent_id")
    if "position" in given:
        if data.position is None or data.position < 0:
            raise FieldError("position", "position must be a whole number from 0")
        if project.is_inbox:
            raise FieldError("position", "the Inbox always comes first")
        siblings = _siblings(_owned(session, project.owner_id), project.parent_id)
        before = project.position
        _place(session, siblings, project, data.position)
        if project.position != before:
            changed.append("position")
    if changed:
        _touch(session, project)
        _emit(session, "project.updated", project, changed=changed)
    return project_public(session, project)


def _stamp_tree(
    session: Session, project: Project, column: str, moment: datetime | None, match: Any
) -> list[Project]:
    """Set `column` to `moment` on the project and on each sub-project whose `column` is
    `match`, leaving alone a sub-project already in the trash unless the trash is what is
    being stamped; answers the projects changed."""
    tree = _subtree(_owned(session, project.owner_id), project)
    changed = [
        p
        for p in tree
        if p is project
        or (getattr(p, column) == match and (column == "deleted_at" or p.deleted_at is None))
    ]
    for p in changed:
        setattr(p, column, moment)
        _touch(session, p)
    return changed


def delete_project(session: Session, user: User, project_id: uuid.UUID) -> ProjectPublic:
    """To the trash with its sub-projects and their tasks; `restore_project` undoes it."""
    project = project_for(session, user, project_id, Permission.manage, include_deleted=True)
    if project.is_inbox:
        raise Conflict("the Inbox cannot be deleted")
    if project.deleted_at is None:
        now = utcnow()
        trashed = _stamp_tree(session, project, "deleted_at", now, None)
        ids = [p.id for p in trashed]
        # The tasks go with the same stamp: restore brings back exactly these.
        session.exec(
            update(Task)
            .where(col(Task.project_id).in_(ids), col(Task.deleted_at).is_(None))
            .values(deleted_at=now, updated_at=now, version=Task.version + 1)
            .execution_options(synchronize_session="fetch")
        )
        for p in trashed:
            _emit(session, "project.deleted", p)
    return project_public(session, project)


def restore_project(session: Session, user: User, project_id: uuid.UUID) -> ProjectPublic:
    """Back from the trash with what went with it, and nothing that was trashed before."""
    project = project_for(session, user, project_id, Permission.manage, include_deleted=True)
    if project.deleted_at is None:
        return project_public(session, project)
    if project.parent_id is not None:
        parent = get_by_id(session, Project, project.parent_id)
        if parent is not None and parent.deleted_at is not None:
            raise Conflict("its parent project is in the trash: restore that one")
    owned = _owned(session, user.id)
    coming_back = [p for p in _subtree(owned, project) if p.deleted_at == project.deleted_at]
    if len(_live(owned)) + len(coming_back) > PROJECTS_MAX:
        raise Conflict(f"an account holds at most {PROJECTS_MAX} projects; delete some first")
    stamp = project.deleted_at
    now = utcnow()
    restored = _stamp_tree(session, project, "deleted_at", None, stamp)
    session.exec(
        update(Task)
        .where(col(Task.project_id).in_([p.id for p in restored]), col(Task.deleted_at) == stamp)
        .values(deleted_at=None, skipped_at=None, updated_at=now, version=Task.version + 1)
        .execution_options(synchronize_session="fetch")
    )
    for p in restored:
        _emit(session, "project.restored", p)
    return project_public(session, project)


def archive_project(session: Session, user: User, project_id: uuid.UUID) -> ProjectPublic:
    """Hide the project and its sub-projects from the active list; `unarchive` undoes it."""
    project = project_for(session, user, project_id, Permission.manage)
    if project.is_inbox:
        raise Conflict("the Inbox cannot be archived")
    if project.archived_at is None:
        for p in _stamp_tree(session, project, "archived_at", utcnow(), None):
            _emit(session, "project.archived", p)
    return project_public(session, project)


def unarchive_project(session: Session, user: User, project_id: uuid.UUID) -> ProjectPublic:
    project = project_for(session, user, project_id, Permission.manage)
    if project.archived_at is not None:
        if project.parent_id is not None:
            parent = get_by_id(session, Project, project.parent_id)
            if parent is not None and parent.archived_at is not None:
                raise Conflict("its parent project is archived: unarchive that one")
        for p in _stamp_tree(session, project, "archived_at", None, project.archived_at):
            _emit(session, "project.unarchived", p)
    return project_public(session, project)


# -- sections --------------------------------------------------------------------------------


def _sections(session: Session, project_id: uuid.UUID) -> list[Section]:
    statement = (
        select(Section)
        .where(Section.project_id == project_id)
        .order_by(col(Section.position), col(Section.created_at))
    )
    return list(session.exec(statement).all())


def list_sections(session: Session, user: User, project_id: uuid.UUID) -> SectionList:
    project = project_for(session, user, project_id, Permission.view)
    return SectionList(items=[_section_public(s) for s in _sections(session, project.id)])


def create_section(
    session: Session, user: User, project_id: uuid.UUID, data: SectionCreate
) -> SectionPublic:
    project = project_for(session, user, project_id, Permission.edit)
    name = clean_name(data.name)
    sections = _sections(session, project.id)
    if len(sections) >= SECTIONS_MAX:
        raise Conflict(f"a project holds at most {SECTIONS_MAX} sections")
    section = Section(
        project_id=project.id,
        name=name,
        position=max((s.position for s in sections), default=-1) + 1,
    )
    session.add(section)
    session.flush()
    _emit_section(session, "section.created", section, project.owner_id)
    return _section_public(section)


def update_section(
    session: Session, user: User, section_id: uuid.UUID, data: SectionUpdate
) -> SectionPublic:
    section, project = section_for(session, user, section_id, Permission.edit)
    given = data.model_fields_set
    changed = False
    if "name" in given:
        name = clean_name(data.name)
        changed = changed or name != section.name
        section.name = name
    if "position" in given:
        if data.position is None or data.position < 0:
            raise FieldError("position", "position must be a whole number from 0")
        order = [s for s in _sections(session, project.id) if s.id != section.id]
        order.insert(min(data.position, len(order)), section)
        for position, each in enumerate(order):
            if each.position != position:
                each.position = position
                each.updated_at = utcnow()
                session.add(each)
                changed = True
    if changed:
        section.updated_at = utcnow()
        session.add(section)
        session.flush()
        _emit_section(session, "section.updated", section, project.owner_id)
    return _section_public(section)


def delete_section(session: Session, user: User, section_id: uuid.UUID) -> None:
    """The section goes; its tasks stay in the project, outside any section."""
    section, project = section_for(session, user, section_id, Permission.edit)
    now = utcnow()
    session.exec(
        update(Task)
        .where(col(Task.section_id) == section.id)
        .values(section_id=None, updated_at=now, version=Task.version + 1)
        .execution_options(synchronize_session="fetch")
    )
    _emit_section(session, "section.deleted", section, project.owner_id)
    session.delete(section)
    session.flush()
