"""Projects and sections. Every read or change of a project, or of what is in one, asks
`project_for` first: the one place that decides who may do what to a project.

Trash and archive take a project's sub-projects and (for the trash) its tasks along, all
stamped with the same instant; restore and unarchive bring back exactly the rows carrying
the project's stamp, so a task or sub-project trashed before stays in the trash.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, literal, or_, union_all, update
from sqlmodel import Session, col, select

from todo_app.core.errors import Conflict, FieldError, Forbidden, NotFound
from todo_app.core.people import shown_name
from todo_app.core.projects import (
    DEPTH_MAX,
    INBOX_NAME,
    MEMBERS_MAX,
    PROJECTS_MAX,
    ROLE_PERMISSIONS,
    SECTIONS_MAX,
    Permission,
    Role,
    clean_color,
    clean_name,
    clean_role,
    clean_view,
)
from todo_app.core.validation import clean_email
from todo_app.db import get_by_id
from todo_app.models import Invitation, Project, ProjectMember, Section, Task, User, utcnow
from todo_app.schemas import (
    InvitationPublic,
    MemberAdd,
    MemberList,
    MemberPublic,
    MemberUpdate,
    ProjectCreate,
    ProjectList,
    ProjectOwner,
    ProjectPublic,
    ProjectUpdate,
    SectionCreate,
    SectionList,
    SectionPublic,
    SectionUpdate,
)
from todo_app.services import outbox

# -- access ----------------------------------------------------------------------------------


def role_of(session: Session, user: User, project: Project) -> Role | None:
    """The user's role in the project: owner, a member's role, or None (not a member)."""
    if project.owner_id == user.id:
        return Role.owner
    role = session.exec(
        select(ProjectMember.role).where(
            ProjectMember.project_id == project.id, ProjectMember.user_id == user.id
        )
    ).first()
    return Role(role) if role is not None else None


def permissions(session: Session, user: User, project: Project) -> frozenset[Permission]:
    """What `user` may do to `project`: what the user's role in it grants, nothing if none."""
    role = role_of(session, user, project)
    return ROLE_PERMISSIONS[role] if role is not None else frozenset()


def project_for(
    session: Session,
    user: User,
    project_id: uuid.UUID,
    need: Permission,
    include_deleted: bool = False,
) -> Project:
    """The project, if `user` may do `need` to it. A missing project, one the user is not a
    member of, one in the trash (unless `include_deleted`) are the same NotFound; one the
    user sees but whose role does not grant `need` is Forbidden, naming the permission."""
    project = get_by_id(session, Project, project_id)
    granted = frozenset() if project is None else permissions(session, user, project)
    if project is None or Permission.view not in granted:
        raise NotFound("project not found")
    if project.deleted_at is not None and not include_deleted:
        raise NotFound("project not found")
    if need not in granted:
        raise Forbidden(f"you lack the {need.value} permission on this project")
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


@dataclass(frozen=True)
class Scope:
    """What a user's task lists read beyond the user's own tasks, and what they hide."""

    # The projects others share with the user (not in the trash).
    shared: list[uuid.UUID]
    # The archived projects the user sees, own and shared (archiving stamps a whole tree, so
    # every project under an archived one is among them).
    archived: list[uuid.UUID]


_SCOPE = union_all(
    select(Project.id, literal(False).label("shared"), literal(True).label("archived")).where(
        col(Project.owner_id) == bindparam("user_id"), col(Project.archived_at).is_not(None)
    ),
    select(Project.id, literal(True).label("shared"), col(Project.archived_at).is_not(None))
    .join(ProjectMember, col(ProjectMember.project_id) == Project.id)
    .where(col(ProjectMember.user_id) == bindparam("user_id"), col(Project.deleted_at).is_(None)),
)


def scope(session: Session, user: User) -> Scope:
    """The user's `Scope`. Every task list asks: a Core execution of one prebuilt statement
    keeps it to a round trip."""
    session.flush()
    rows = session.connection().execute(_SCOPE, {"user_id": user.id}).all()
    return Scope(
        shared=[row[0] for row in rows if row[1]], archived=[row[0] for row in rows if row[2]]
    )


def tasks_seen(
    session: Session, user: User, project: Project | None = None, archived: bool = False
) -> list[ColumnElement[bool]]:
    """The conditions selecting the tasks `user` sees: those of `project` (which the caller
    has checked), or else the user's own and those shared with the user, outside the
    archived projects unless `archived`."""
    if project is not None:
        return [col(Task.project_id) == project.id]
    reach = scope(session, user)
    mine = col(Task.user_id) == user.id
    where = [or_(mine, col(Task.project_id).in_(reach.shared)) if reach.shared else mine]
    if reach.archived and not archived:
        where.append(col(Task.project_id).not_in(reach.archived))
    return where


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


def _public(
    project: Project,
    open_count: int,
    role: Role,
    owner: User,
    shared: bool,
    parent_seen: bool = True,
) -> ProjectPublic:
    return ProjectPublic(
        id=project.id,
        name=project.name,
        color=project.color,
        # A member sees a shared sub-project at the top: its parent is not theirs to see.
        parent_id=project.parent_id if parent_seen else None,
        position=project.position,
        is_inbox=project.is_inbox,
        archived=project.archived_at is not None,
        view=project.view,
        open_count=open_count,
        role=role.value,
        shared=shared,
        owner=ProjectOwner(id=owner.id, email=owner.email, display_name=owner.display_name),
    )


def _with_members(session: Session, project_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of the projects have members."""
    if not project_ids:
        return set()
    statement = (
        select(ProjectMember.project_id)
        .where(col(ProjectMember.project_id).in_(project_ids))
        .distinct()
    )
    return set(session.exec(statement).all())


def _publics(session: Session, user: User, rows: list[tuple[Project, Role]]) -> list[ProjectPublic]:
    """The projects in their public shape as `user` (whose role in each is given) sees them."""
    ids = [project.id for project, _ in rows]
    counts = _open_counts(session, ids)
    shared = _with_members(session, ids)
    others = {project.owner_id for project, _ in rows} - {user.id}
    owners = {user.id: user}
    if others:
        owners.update(
            (u.id, u) for u in session.exec(select(User).where(col(User.id).in_(others))).all()
        )
    seen = set(ids)
    return [
        _public(
            project,
            counts.get(project.id, 0),
            role,
            owners[project.owner_id],
            project.id in shared or role is not Role.owner,
            role is Role.owner or project.parent_id in seen,
        )
        for project, role in rows
    ]


def project_public(session: Session, user: User, project: Project) -> ProjectPublic:
    """The project as `user`, who may see it, sees it."""
    role = role_of(session, user, project)
    if role is None:
        raise NotFound("project not found")
    public = _publics(session, user, [(project, role)])[0]
    if role is Role.owner or project.parent_id is None:
        return public
    parent = get_by_id(session, Project, project.parent_id)
    if parent is not None and role_of(session, user, parent) is not None:
        return public.model_copy(update={"parent_id": project.parent_id})
    return public


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
    # Only the owner nests: a project tree has one owner.
    parent = project_for(session, user, parent_id, Permission.manage, include_deleted=True)
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
    """The user's projects and those shared with the user, not in the trash: the active
    ones, or the archived ones. The user's own come first (the Inbox first of all), in
    their order; then the shared ones, by name."""
    in_list = [
        col(Project.deleted_at).is_(None),
        col(Project.archived_at).is_not(None) if archived else col(Project.archived_at).is_(None),
    ]
    owned = sorted(
        session.exec(select(Project).where(Project.owner_id == user.id, *in_list)).all(),
        key=lambda p: (not p.is_inbox, p.position, p.created_at),
    )
    shared = sorted(
        session.exec(
            select(Project, ProjectMember.role)
            .join(ProjectMember, col(ProjectMember.project_id) == Project.id)
            .where(ProjectMember.user_id == user.id, *in_list)
        ).all(),
        key=lambda row: (row[0].name.casefold(), row[0].created_at),
    )
    rows = [(p, Role.owner) for p in owned] + [(p, Role(role)) for p, role in shared]
    return ProjectList(items=_publics(session, user, rows))


def read_project(session: Session, user: User, project_id: uuid.UUID) -> ProjectPublic:
    project = project_for(session, user, project_id, Permission.view)
    return project_public(session, user, project)


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
    return _public(project, 0, Role.owner, user, shared=False)


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
    return project_public(session, user, project)


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
    return project_public(session, user, project)


def restore_project(session: Session, user: User, project_id: uuid.UUID) -> ProjectPublic:
    """Back from the trash with what went with it, and nothing that was trashed before."""
    project = project_for(session, user, project_id, Permission.manage, include_deleted=True)
    if project.deleted_at is None:
        return project_public(session, user, project)
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
    return project_public(session, user, project)


def archive_project(session: Session, user: User, project_id: uuid.UUID) -> ProjectPublic:
    """Hide the project and its sub-projects from the active list; `unarchive` undoes it."""
    project = project_for(session, user, project_id, Permission.manage)
    if project.is_inbox:
        raise Conflict("the Inbox cannot be archived")
    if project.archived_at is None:
        for p in _stamp_tree(session, project, "archived_at", utcnow(), None):
            _emit(session, "project.archived", p)
    return project_public(session, user, project)


def unarchive_project(session: Session, user: User, project_id: uuid.UUID) -> ProjectPublic:
    project = project_for(session, user, project_id, Permission.manage)
    if project.archived_at is not None:
        if project.parent_id is not None:
            parent = get_by_id(session, Project, project.parent_id)
            if parent is not None and parent.archived_at is not None:
                raise Conflict("its parent project is archived: unarchive that one")
        for p in _stamp_tree(session, project, "archived_at", None, project.archived_at):
            _emit(session, "project.unarchived", p)
    return project_public(session, user, project)


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


# -- members ---------------------------------------------------------------------------------


def _member_public(user: User, role: Role) -> MemberPublic:
    return MemberPublic(
        user_id=user.id, email=user.email, display_name=user.display_name, role=role.value
    )


def _membership(session: Session, project: Project, user_id: uuid.UUID) -> ProjectMember | None:
    statement = select(ProjectMember).where(
        ProjectMember.project_id == project.id, ProjectMember.user_id == user_id
    )
    return session.exec(statement).one_or_none()


def _emit_member(
    session: Session,
    event_type: str,
    project: Project,
    member_id: uuid.UUID,
    role: str | None,
    **extra: Any,
) -> None:
    data = {
        "user_id": str(project.owner_id),
        "project_id": str(project.id),
        "member_id": str(member_id),
        "role": role,
        **extra,
    }
    outbox.emit(session, event_type, data)


def _unassign(session: Session, project_ids: list[uuid.UUID], user_id: uuid.UUID) -> None:
    """Who no longer sees a project is assigned none of its tasks."""
    session.exec(
        update(Task)
        .where(col(Task.project_id).in_(project_ids), col(Task.assignee_id) == user_id)
        .values(assignee_id=None, updated_at=utcnow(), version=Task.version + 1)
        .execution_options(synchronize_session="fetch")
    )


def is_member(session: Session, project_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Whether the user sees the project: its owner or a member."""
    project = get_by_id(session, Project, project_id)
    if project is None:
        return False
    return project.owner_id == user_id or _membership(session, project, user_id) is not None


# An invitation waiting for its answer; the others are accepted, declined or revoked.
PENDING = "pending"


def invitation_public(row: Invitation) -> InvitationPublic:
    expired = row.status == PENDING and row.expires_at <= utcnow()
    return InvitationPublic(
        id=row.id,
        project_id=row.project_id,
        email=row.email,
        role=row.role,
        invited_by=row.invited_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        status="expired" if expired else row.status,
    )


def _pending_invitations(session: Session, project: Project) -> list[InvitationPublic]:
    rows = session.exec(
        select(Invitation)
        .where(Invitation.project_id == project.id, Invitation.status == PENDING)
        .order_by(col(Invitation.created_at))
    ).all()
    return [invitation_public(row) for row in rows]


def list_members(session: Session, user: User, project_id: uuid.UUID) -> MemberList:
    """The owner first, then the members in the order they joined; to who may manage members,
    the pending invitations too."""
    project = project_for(session, user, project_id, Permission.view)
    owner = session.get_one(User, project.owner_id)
    rows = session.exec(
        select(User, ProjectMember.role)
        .join(ProjectMember, col(ProjectMember.user_id) == User.id)
        .where(ProjectMember.project_id == project.id)
        .order_by(col(ProjectMember.created_at), col(User.email))
    ).all()
    items = [_member_public(owner, Role.owner)]
    items.extend(_member_public(member, Role(role)) for member, role in rows)
    managing = Permission.manage_members in permissions(session, user, project)
    invitations = _pending_invitations(session, project) if managing else []
    return MemberList(items=items, invitations=invitations)


def project_to_share(
    session: Session, user: User, project_id: uuid.UUID, data: MemberAdd
) -> tuple[Project, Role, str]:
    """The project `user` may share, the role asked for and the address, cleaned; refuses a
    project at its member limit (pending invitations count) and an address already in."""
    project = project_for(session, user, project_id, Permission.manage_members)
    role = clean_role(data.role)
    if project.is_inbox:
        raise Conflict("the Inbox cannot be shared")
    email = clean_email(data.email)
    inside = select(User.id).where(User.email == email)
    if (
        project.owner_id in session.exec(inside).all()
        or session.exec(
            select(ProjectMember.id).where(
                ProjectMember.project_id == project.id, col(ProjectMember.user_id).in_(inside)
            )
        ).first()
    ):
        raise Conflict("already a member of this project", field="email")
    members = session.exec(select(func.count()).where(ProjectMember.project_id == project.id))
    invited = session.exec(
        select(func.count()).where(
            Invitation.project_id == project.id,
            Invitation.status == "pending",
            col(Invitation.email) != email,
        )
    )
    if members.one() + invited.one() >= MEMBERS_MAX:
        raise Conflict(f"a project has at most {MEMBERS_MAX} members")
    return project, role, email


def admit(
    session: Session, project: Project, member: User, role: Role, **extra: Any
) -> MemberPublic:
    """Make `member` a member of `project` in `role`, and say so to everyone in it."""
    session.add(ProjectMember(project_id=project.id, user_id=member.id, role=role.value))
    session.flush()
    _emit_member(session, "project.member_added", project, member.id, role.value, **extra)
    return _member_public(member, role)


def _other_member(
    session: Session, project: Project, user_id: uuid.UUID
) -> tuple[ProjectMember, User]:
    """The member row of `user_id`; the owner is refused, a stranger is not found."""
    if user_id == project.owner_id:
        raise Forbidden("the owner is neither changed nor removed: transfer the project first")
    row = _membership(session, project, user_id)
    if row is None:
        raise NotFound("member not found")
    return row, session.get_one(User, user_id)


def update_member(
    session: Session, user: User, project_id: uuid.UUID, user_id: uuid.UUID, data: MemberUpdate
) -> MemberPublic:
    project = project_for(session, user, project_id, Permission.manage_members)
    role = clean_role(data.role)
    row, member = _other_member(session, project, user_id)
    if row.role != role.value:
        row.role = role.value
        session.add(row)
        session.flush()
        _emit_member(session, "project.member_updated", project, member.id, role.value)
    return _member_public(member, role)


def _drop(session: Session, project: Project, row: ProjectMember) -> None:
    _unassign(session, [project.id], row.user_id)
    session.delete(row)
    session.flush()
    _emit_member(session, "project.member_removed", project, row.user_id, None)


def remove_member(session: Session, user: User, project_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """The member loses the project at once; removing oneself is leaving."""
    if user_id == user.id:
        leave_project(session, user, project_id)
        return
    project = project_for(session, user, project_id, Permission.manage_members)
    row, _ = _other_member(session, project, user_id)
    _drop(session, project, row)


def leave_project(session: Session, user: User, project_id: uuid.UUID) -> None:
    project = project_for(session, user, project_id, Permission.view, include_deleted=True)
    if project.owner_id == user.id:
        raise Conflict("the owner cannot leave: transfer the project first")
    row = _membership(session, project, user.id)
    assert row is not None  # project_for found the user's role
    _drop(session, project, row)


def transfer_project(
    session: Session, user: User, project_id: uuid.UUID, new_owner_id: uuid.UUID
) -> ProjectPublic:
    """Hand the project over to one of its members; the old owner stays on as an admin. It
    leaves its parent (a tree has one owner) and goes with its tasks."""
    project = project_for(session, user, project_id, Permission.manage)
    if project.is_inbox:
        raise Conflict("the Inbox cannot be transferred")
    if new_owner_id == user.id:
        raise FieldError("user_id", "user_id is already the owner")
    row = _membership(session, project, new_owner_id)
    if row is None:
        raise FieldError("user_id", "user_id must be a member of the project")
    owned = _owned(session, project.owner_id)
    if len(_subtree(owned, project)) > 1:
        raise Conflict("a project with sub-projects cannot be transferred: move them out first")
    new_owner = session.get_one(User, new_owner_id)
    theirs = _owned(session, new_owner.id)
    if len(_live(theirs)) >= PROJECTS_MAX:
        raise Conflict(f"the new owner holds {PROJECTS_MAX} projects already")
    session.delete(row)
    session.flush()
    session.add(ProjectMember(project_id=project.id, user_id=user.id, role=Role.admin.value))
    project.owner_id = new_owner.id
    project.parent_id = None
    project.position = _next_position(_siblings(theirs, None))
    _touch(session, project)
    # A task belongs to its project's owner.
    session.exec(
        update(Task)
        .where(col(Task.project_id) == project.id)
        .values(user_id=new_owner.id, updated_at=utcnow(), version=Task.version + 1)
        .execution_options(synchronize_session="fetch")
    )
    _emit(session, "project.transferred", project, previous_owner_id=str(user.id))
    return project_public(session, user, project)


# -- how lists show shared work ----------------------------------------------------------------


@dataclass(frozen=True)
class Sharing:
    """What a list needs to show shared tasks: the projects the user sees but may not change,
    and the names of the people tasks are assigned to."""

    read_only: frozenset[uuid.UUID] = frozenset()
    names: dict[uuid.UUID, str] = field(default_factory=dict)


def sharing(session: Session, user: User, assignees: Iterable[uuid.UUID | None]) -> Sharing:
    looking = [role.value for role in Role if Permission.edit not in ROLE_PERMISSIONS[role]]
    read_only = session.exec(
        select(ProjectMember.project_id).where(
            ProjectMember.user_id == user.id, col(ProjectMember.role).in_(looking)
        )
    ).all()
    wanted = {a for a in assignees if a is not None}
    people = session.exec(select(User).where(col(User.id).in_(wanted))).all() if wanted else []
    return Sharing(
        read_only=frozenset(read_only),
        names={p.id: shown_name(p.display_name, p.email) for p in people},
    )
