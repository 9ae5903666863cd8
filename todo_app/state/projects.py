"""The sidebar's project tree: every page with the task list shows it."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from todo_app import routes
from todo_app.core.errors import DomainError
from todo_app.core.people import shown_name
from todo_app.core.projects import DEFAULT_COLOR, Role
from todo_app.core.tree import flatten, toggled
from todo_app.models import User, utcnow
from todo_app.schemas import (
    InvitationPublic,
    MemberAdd,
    MemberUpdate,
    ProjectCreate,
    ProjectPublic,
    ProjectUpdate,
)
from todo_app.services import invitations, projects
from todo_app.state.auth import AuthState, signed_in_event


@dataclasses.dataclass
class ProjectRow:
    id: str
    name: str
    color: str
    depth: int
    open_count: int
    children: int
    collapsed: bool
    is_inbox: bool
    href: str
    # The viewer's role in it, and whose it is when it is someone else's.
    role: str = "owner"
    shared: bool = False
    owner_name: str = ""


def project_rows(items: list[ProjectPublic], collapsed: list[str]) -> list[ProjectRow]:
    """The projects as the sidebar shows them: the Inbox first, sub-projects indented."""
    nodes = flatten(
        items,
        key=lambda p: str(p.id),
        parent=lambda p: str(p.parent_id) if p.parent_id else None,
        collapsed=collapsed,
    )
    return [
        ProjectRow(
            id=str(n.item.id),
            name=n.item.name,
            color=n.item.color,
            depth=n.depth,
            open_count=n.item.open_count,
            children=n.children,
            collapsed=str(n.item.id) in collapsed,
            is_inbox=n.item.is_inbox,
            href=routes.project(n.item.id),
            role=n.item.role,
            shared=n.item.shared,
            owner_name=n.item.owner.display_name or n.item.owner.email,
        )
        for n in nodes
    ]


# How far sideways (px) a project is dragged to go one level deeper, or one out.
NEST_STEP = 24
# The task fields a project's open count depends on (services.projects._open_counts).
COUNTED = frozenset({"completed", "deleted_at", "project_id"})


@dataclasses.dataclass(frozen=True)
class ProjectDrop:
    """A project dropped in the tree: the rows showing it there, its parent ("" at the top)
    and its index among its new siblings."""

    rows: list[ProjectRow]
    parent: str
    position: int


def _place_of(rows: list[ProjectRow], spot: int, depth: int) -> tuple[str, int]:
    """The parent and the index among siblings of a project put at `spot` of `rows` (which
    leave it out) at `depth`: the rows above at that depth, up to the parent's row."""
    position = 0
    for row in reversed(rows[:spot]):
        if row.depth < depth:
            return row.id, position
        if row.depth == depth and not row.is_inbox:
            position += 1
    return "", position


def dropped_project(
    rows: list[ProjectRow], project_id: str, index: int, sideways: int
) -> ProjectDrop | None:
    """A project put at `index` of the tree's rows (as dnd-kit shows it) and dragged
    `sideways` px: under the row above when dragged right, out of its parent when dragged left,
    with its sub-projects. None when that changes nothing."""
    at = next(i for i, r in enumerate(rows) if r.id == project_id)
    end = at + 1
    while end < len(rows) and rows[end].depth > rows[at].depth:
        end += 1
    block, moved = rows[at:end], {r.id for r in rows[at:end]}
    rest = [r for r in rows if r.id not in moved]
    shown = [r.id for r in rows if r.id != project_id]
    shown.insert(min(index, len(shown)), project_id)
    spot = len([i for i in shown[: shown.index(project_id)] if i not in moved])
    deepest = rest[spot - 1].depth + 1 if spot > 0 else 0
    shallowest = rest[spot].depth if spot < len(rest) else 0
    depth = max(min(rows[at].depth + round(sideways / NEST_STEP), deepest), shallowest)
    parent, position = _place_of(rest, spot, depth)
    before = [r for r in rows[:at] if r.id not in moved]
    if (parent, position) == _place_of(before, len(before), rows[at].depth) and (
        depth == rows[at].depth
    ):
        return None
    shift = depth - rows[at].depth
    placed = [dataclasses.replace(r, depth=r.depth + shift) for r in block]
    return ProjectDrop([*rest[:spot], *placed, *rest[spot:]], parent, position)


@dataclasses.dataclass
class MemberRow:
    user_id: str
    name: str
    email: str
    role: str
    me: bool


@dataclasses.dataclass
class InvitationRow:
    """An invitation: sent (in the share dialog) or received (in the sidebar)."""

    key: str
    project: str
    email: str
    role: str
    note: str


def _days_left(moment: datetime) -> str:
    days = (moment - utcnow()).days
    return "expired" if moment <= utcnow() else f"{days + 1} day{'s' if days else ''} left"


class ProjectsState(AuthState):
    # The user's own projects (the tree), and those others share with them.
    projects: list[ProjectRow] = []
    shared_with_me: list[ProjectRow] = []
    archived: list[ProjectRow] = []
    collapsed: list[str] = []
    # The project dialog: "create" or "rename" (of `editing_id`), "" when closed.
    dialog: str = ""
    editing_id: str = ""
    form_name: str = ""
    form_color: str = DEFAULT_COLOR
    form_parent: str = ""
    form_error: str = ""
    # The share dialog, open on `share_id` ("" when closed).
    share_id: str = ""
    share_name: str = ""
    share_role: str = ""
    members: list[MemberRow] = []
    pending: list[InvitationRow] = []
    # Invitations to projects waiting for this user's address.
    received: list[InvitationRow] = []
    invite_role: str = "editor"
    share_error: str = ""

    @rx.var
    def current(self) -> str:
        """The id of the project whose page is open ("" elsewhere)."""
        return routes.project_of(self.router.url.path)

    @rx.var
    def parent_choices(self) -> list[ProjectRow]:
        """Where a new project can go: under a project less than 3 levels deep."""
        return [p for p in self.projects if not p.is_inbox and p.depth < 2]

    def _refresh(self, session: Session, user: User) -> None:
        shown = projects.list_projects(session, user).items
        own = [p for p in shown if p.role == Role.owner]
        self.projects = project_rows(own, self.collapsed)
        self.shared_with_me = project_rows([p for p in shown if p.role != Role.owner], [])
        archived = projects.list_projects(session, user, archived=True).items
        self.archived = project_rows([p for p in archived if p.role == Role.owner], [])
        self.received = [
            InvitationRow(i.token, i.project_name, i.email, i.role, f"from {i.invited_by}")
            for i in invitations.received(session, user).items
        ]
        if self.share_id:
            self._refresh_members(session, user)

    def _refresh_members(self, session: Session, user: User) -> None:
        """The open share dialog's members; closed when the user no longer sees the project."""
        try:
            listed = projects.list_members(session, user, uuid.UUID(self.share_id))
            self.share_role = projects.read_project(session, user, uuid.UUID(self.share_id)).role
        except DomainError:
            self.share_id = ""
            return
        self.members = [
            MemberRow(
                user_id=str(m.user_id),
                name=shown_name(m.display_name, m.email),
                email=m.email,
                role=m.role,
                me=m.user_id == user.id,
            )
            for m in listed.items
        ]
        self.pending = [
            InvitationRow(str(i.id), self.share_name, i.email, i.role, _days_left(i.expires_at))
            for i in listed.invitations
        ]

    def _with_user(self, action: Callable[[Session, User], Any]) -> Any:
        with self._signed_in() as (session, user):
            result = action(session, user)
            self._refresh(session, user)
            return result

    @signed_in_event
    def load(self) -> None:
        self._with_user(lambda session, user: None)

    def _live_project(self, data: Mapping[str, Any]) -> None:
        """A project, or a task (open counts), changed anywhere: show the tree as it is now."""
        if not self._concerns_me(data):
            return
        changed = data.get("changed")
        if (
            data.get("type") == "task.updated"
            and isinstance(changed, list)
            and COUNTED.isdisjoint(changed)
        ):
            return  # a change that leaves every open count as it was (a rename, a new date)
        self._as_live_user(self._refresh)

    @rx.var
    def project_ids(self) -> list[str]:
        return [p.id for p in self.projects]

    @signed_in_event
    def drop(
        self, project_id: str, container: str, index: int, sideways: int
    ) -> Iterator[EventSpec | None]:
        """A project dropped in the tree: shown there at once, then moved there (parent and
        place); a refusal (too deep, the Inbox) puts it back and says why."""
        if project_id not in self.project_ids:
            return
        drop = dropped_project(self.projects, project_id, index, sideways)
        if drop is None:
            return
        before = self.projects
        self.projects = drop.rows
        yield None
        pid = uuid.UUID(project_id)
        data = ProjectUpdate(
            parent_id=uuid.UUID(drop.parent) if drop.parent else None, position=drop.position
        )
        try:
            self._with_user(lambda s, u: projects.update_project(s, u, pid, data))
        except DomainError as error:
            self.projects = before
            yield rx.toast.error(f"Not moved: {error.message}", duration=6000)

    @signed_in_event
    def toggle(self, project_id: str) -> None:
        """Collapse or expand a project's sub-projects (for this tab)."""
        self.collapsed = toggled(self.collapsed, project_id)
        self._with_user(lambda session, user: None)

    @rx.event
    def open_create(self) -> None:
        self._open_dialog("create", "", "", DEFAULT_COLOR)

    @rx.event
    def open_rename(self, project_id: str, name: str) -> None:
        self._open_dialog("rename", project_id, name, DEFAULT_COLOR)

    def _open_dialog(self, dialog: str, project_id: str, name: str, color: str) -> None:
        self.dialog = dialog
        self.editing_id = project_id
        self.form_name = name
        self.form_color = color
        self.form_parent = ""
        self.form_error = ""

    @rx.event
    def close_dialog(self) -> None:
        self.dialog = ""

    @rx.event
    def set_form(self, field: str, value: str) -> None:
        if field in ("form_name", "form_color", "form_parent"):
            # "top" is the parent picker's "No parent" (a select item cannot hold "").
            setattr(self, field, "" if value == "top" else value)

    @signed_in_event
    def submit(self, form: dict[str, Any]) -> EventSpec | None:
        name = str(form.get("name", ""))
        try:
            if self.dialog == "rename":
                pid = uuid.UUID(self.editing_id)
                data = ProjectUpdate(name=name)
                self._with_user(lambda s, u: projects.update_project(s, u, pid, data))
                self.dialog = ""
                return None
            parent = uuid.UUID(self.form_parent) if self.form_parent else None
            create = ProjectCreate(name=name, color=self.form_color, parent_id=parent)
            made = self._with_user(lambda s, u: projects.create_project(s, u, create))
        except DomainError as error:
            self.form_error = error.message
            return None
        self.dialog = ""
        return rx.redirect(routes.project(made.id))

    @signed_in_event
    def set_color(self, project_id: str, color: str) -> None:
        pid = uuid.UUID(project_id)
        data = ProjectUpdate(color=color)
        self._with_user(lambda s, u: projects.update_project(s, u, pid, data))

    @signed_in_event
    def set_parent(self, project_id: str, parent_id: str) -> EventSpec:
        """Under another project ("top": to the top level), last among its new siblings; the
        menu's way to nest without dragging."""
        pid = uuid.UUID(project_id)
        top = parent_id == "top"
        data = ProjectUpdate(parent_id=None if top else uuid.UUID(parent_id))
        where = "the top level" if top else "its new parent"
        return self._act(
            lambda s, u: projects.update_project(s, u, pid, data), f"Moved “{{name}}” to {where}"
        )

    @signed_in_event
    def set_view(self, project_id: str, view: str) -> EventSpec:
        """The view the project's page opens in when its URL names none."""
        pid = uuid.UUID(project_id)
        data = ProjectUpdate(view=view)
        return self._act(
            lambda s, u: projects.update_project(s, u, pid, data),
            f"“{{name}}” opens in its {view} view",
        )

    def _act(
        self, action: Callable[[Session, User], ProjectPublic], message: str, undo: Any = None
    ) -> EventSpec:
        try:
            project = self._with_user(action)
        except DomainError as error:
            return rx.toast.error(f"Not saved: {error.message}", duration=6000)
        text = message.format(name=project.name)
        if undo is None:
            return rx.toast(text, duration=3000)
        return rx.toast(
            text,
            duration=5000,
            id=f"undo-project-{project.id}",
            action={"label": "Undo", "on_click": undo(str(project.id))},
        )

    @signed_in_event
    def archive(self, project_id: str) -> EventSpec:
        pid = uuid.UUID(project_id)
        return self._act(
            lambda s, u: projects.archive_project(s, u, pid),
            "Archived “{name}”",
            ProjectsState.unarchive,
        )

    @signed_in_event
    def unarchive(self, project_id: str) -> EventSpec:
        pid = uuid.UUID(project_id)
        return self._act(lambda s, u: projects.unarchive_project(s, u, pid), "“{name}” is back")

    @signed_in_event
    def delete(self, project_id: str) -> list[EventSpec]:
        """To the trash, with Undo; away from its page if that is the one open."""
        pid = uuid.UUID(project_id)
        toast = self._act(
            lambda s, u: projects.delete_project(s, u, pid),
            "Deleted “{name}”",
            ProjectsState.restore,
        )
        return [toast, rx.redirect(routes.HOME)] if project_id == self.current else [toast]

    @signed_in_event
    def restore(self, project_id: str) -> EventSpec:
        pid = uuid.UUID(project_id)
        return self._act(lambda s, u: projects.restore_project(s, u, pid), "Restored “{name}”")

    # -- sharing ---------------------------------------------------------------------------

    @signed_in_event
    def open_share(self, project_id: str, name: str) -> None:
        self.share_id = project_id
        self.share_name = name
        self.share_error = ""
        self.members = []
        self.pending = []
        self._with_user(lambda session, user: None)

    @rx.event
    def close_share(self) -> None:
        self.share_id = ""

    @rx.event
    def set_invite_role(self, role: str) -> None:
        self.invite_role = role

    def _share_act(
        self, action: Callable[[Session, User], Any], done: str | Callable[[Any], str]
    ) -> EventSpec | None:
        """Do `action` from the share dialog: a toast saying `done` (of its result), or the
        error in the dialog."""
        try:
            result = self._with_user(action)
        except DomainError as error:
            self.share_error = error.message
            return None
        self.share_error = ""
        return rx.toast(done(result) if callable(done) else done, duration=3000)

    @signed_in_event
    def invite(self, form: dict[str, Any]) -> EventSpec | None:
        """Share with an account, in the role picked; any other address gets a mail."""
        pid = uuid.UUID(self.share_id)
        email = str(form.get("email", "")).strip()
        data = MemberAdd(email=email, role=self.invite_role)
        return self._share_act(
            lambda s, u: invitations.share(s, u, pid, data),
            lambda shared: (
                f"Invitation sent to {shared.email}"
                if isinstance(shared, InvitationPublic)
                else f"Shared with {shared.email}"
            ),
        )

    @signed_in_event
    def revoke(self, invitation_id: str) -> EventSpec | None:
        pid, iid = uuid.UUID(self.share_id), uuid.UUID(invitation_id)
        return self._share_act(
            lambda s, u: invitations.revoke(s, u, pid, iid), "Invitation withdrawn"
        )

    @signed_in_event
    def answer(self, token: str, join: bool) -> list[EventSpec]:
        """Accept (and open the project) or decline an invitation of the sidebar."""
        try:
            if join:
                project = self._with_user(lambda s, u: invitations.accept(s, u, token))
            else:
                self._with_user(lambda s, u: invitations.decline(s, u, token))
        except DomainError as error:
            self._with_user(lambda session, user: None)
            return [rx.toast.error(error.message, duration=6000)]
        if not join:
            return [rx.toast("Invitation declined", duration=3000)]
        return [rx.toast(f"You joined “{project.name}”"), rx.redirect(routes.project(project.id))]

    @signed_in_event
    def change_role(self, user_id: str, role: str) -> EventSpec | None:
        pid, uid, data = uuid.UUID(self.share_id), uuid.UUID(user_id), MemberUpdate(role=role)
        return self._share_act(
            lambda s, u: projects.update_member(s, u, pid, uid, data), f"Now {role}"
        )

    @signed_in_event
    def remove_member(self, user_id: str) -> EventSpec | None:
        pid, uid = uuid.UUID(self.share_id), uuid.UUID(user_id)
        return self._share_act(
            lambda s, u: projects.remove_member(s, u, pid, uid), "Removed from the project"
        )

    @signed_in_event
    def transfer(self, user_id: str) -> EventSpec | None:
        pid, uid = uuid.UUID(self.share_id), uuid.UUID(user_id)
        return self._share_act(
            lambda s, u: projects.transfer_project(s, u, pid, uid), "The project is handed over"
        )

    @signed_in_event
    def leave(self, project_id: str) -> list[EventSpec]:
        """Leave a project shared with me: it goes from the sidebar, and from its page."""
        pid = uuid.UUID(project_id)
        try:
            self._with_user(lambda s, u: projects.leave_project(s, u, pid))
        except DomainError as error:
            return [rx.toast.error(f"Not left: {error.message}", duration=6000)]
        self.share_id = ""
        toast = rx.toast("You left the project", duration=3000)
        return [toast, rx.redirect(routes.HOME)] if project_id == self.current else [toast]
