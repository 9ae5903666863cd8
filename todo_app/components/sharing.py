"""Sharing a project: the "Shared with me" list of the sidebar and the share dialog (members,
roles, invitations by email, transfer, leave)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from todo_app.components.projects import menu_trigger
from todo_app.core.projects import MEMBER_ROLES
from todo_app.state.projects import InvitationRow, MemberRow, ProjectRow, ProjectsState

# Who may change the members, by the viewer's role.
_MANAGERS = ("owner", "admin")


def _two_lines(first: rx.Component, second: rx.Component) -> rx.Component:
    """A name over a grey line about it, taking the row's free width."""
    return rx.vstack(first, second, spacing="0", flex="1", min_width="0")


def _grey(*text: Any, **props: Any) -> rx.Component:
    return rx.text(*text, size="1", color_scheme="gray", **props)


def _icon_action(
    icon: str, label: Any, on_click: Any, class_name: str, **props: Any
) -> rx.Component:
    return rx.icon_button(
        rx.icon(icon, size=14),
        size="1",
        on_click=on_click,
        aria_label=label,
        class_name=class_name,
        **props,
    )


def shared_row(project: ProjectRow) -> rx.Component:
    """A project someone shares with me: its owner under its name, and my way out."""
    return rx.hstack(
        _two_lines(
            rx.link(project.name, href=project.href, size="2", class_name="project-link"),
            _grey(project.owner_name + " · " + project.role, class_name="project-owner"),
        ),
        rx.cond(
            project.open_count > 0,
            rx.text(project.open_count, size="1", color_scheme="gray", class_name="open-count"),
        ),
        rx.menu.root(
            menu_trigger(project),
            rx.menu.content(
                rx.menu.item(
                    "Members…", on_click=ProjectsState.open_share(project.id, project.name)
                ),
                rx.menu.item("Leave", color="red", on_click=ProjectsState.leave(project.id)),
            ),
        ),
        align="center",
        width="100%",
        class_name="shared-project",
        data_name=project.name,
        data_role=project.role,
    )


def _received(invitation: InvitationRow) -> rx.Component:
    return rx.hstack(
        _two_lines(
            rx.text(invitation.project, size="2", class_name="name"),
            _grey(invitation.note + " · " + invitation.role),
        ),
        _icon_action(
            "check",
            "Join " + invitation.project,
            ProjectsState.answer(invitation.key, True),
            "invitation-accept",
            variant="soft",
        ),
        _icon_action(
            "x",
            "Decline " + invitation.project,
            ProjectsState.answer(invitation.key, False),
            "invitation-decline",
            variant="ghost",
            color_scheme="gray",
        ),
        align="center",
        width="100%",
        class_name="received-invitation",
        data_name=invitation.project,
    )


def invitations_for_me() -> rx.Component:
    """Projects I am invited to (by an address that had no account then)."""
    return rx.cond(
        ProjectsState.received.length() > 0,
        rx.vstack(
            rx.text("Invitations", size="1", weight="bold", color_scheme="gray"),
            rx.foreach(ProjectsState.received, _received),
            spacing="1",
            width="100%",
            id="invitations-for-me",
        ),
    )


def shared_with_me() -> rx.Component:
    return rx.cond(
        ProjectsState.shared_with_me.length() > 0,
        rx.vstack(
            rx.text("Shared with me", size="1", weight="bold", color_scheme="gray"),
            rx.foreach(ProjectsState.shared_with_me, shared_row),
            spacing="1",
            width="100%",
            id="shared-with-me",
        ),
    )


def _role_items() -> rx.Component:
    return rx.select.content(
        *[rx.select.item(role.capitalize(), value=role) for role in MEMBER_ROLES]
    )


def _role_picker(member: MemberRow) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Role of " + member.name, class_name="member-role-picker"),
        rx.select.content(
            *[rx.select.item(role.capitalize(), value=role) for role in MEMBER_ROLES]
        ),
        value=member.role,
        on_change=lambda role: ProjectsState.change_role(member.user_id, role),
        size="1",
    )


def _member(member: MemberRow) -> rx.Component:
    manager = rx.Var.create(_MANAGERS).contains(ProjectsState.share_role)
    # An admin changes the members, never the owner; nobody changes themself here.
    changeable = manager & (member.role != "owner") & ~member.me
    return rx.hstack(
        rx.avatar(fallback=member.name[:2].upper(), size="1", radius="full"),
        _two_lines(
            rx.text(member.name, rx.cond(member.me, " (you)", ""), size="2", class_name="name"),
            _grey(member.email),
        ),
        rx.cond(
            changeable,
            rx.hstack(
                _role_picker(member),
                rx.cond(
                    ProjectsState.share_role == "owner",
                    rx.button(
                        "Make owner",
                        size="1",
                        variant="soft",
                        on_click=ProjectsState.transfer(member.user_id),
                        class_name="member-transfer",
                    ),
                ),
                _icon_action(
                    "user-minus",
                    "Remove " + member.name,
                    ProjectsState.remove_member(member.user_id),
                    "member-remove",
                    variant="ghost",
                    color_scheme="red",
                ),
                align="center",
            ),
            rx.badge(member.role, variant="soft", class_name="member-role"),
        ),
        align="center",
        width="100%",
        class_name="member",
        data_email=member.email,
        data_role=member.role,
    )


def _pending(invitation: InvitationRow) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback="@", size="1", radius="full", variant="soft"),
        _two_lines(
            rx.text(invitation.email, size="2", class_name="name"),
            _grey("Invited · " + invitation.role + " · " + invitation.note),
        ),
        _icon_action(
            "x",
            "Withdraw the invitation of " + invitation.email,
            ProjectsState.revoke(invitation.key),
            "invitation-revoke",
            variant="ghost",
            color_scheme="red",
        ),
        align="center",
        width="100%",
        class_name="pending-invitation",
        data_email=invitation.email,
    )


def _invite() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                name="email",
                type="email",
                placeholder="Email (without an account, they get an invitation)",
                aria_label="Email",
                id="invite-email",
                flex="1",
                required=True,
            ),
            rx.select.root(
                rx.select.trigger(aria_label="Role", id="invite-role"),
                _role_items(),
                value=ProjectsState.invite_role,
                on_change=ProjectsState.set_invite_role,
            ),
            rx.button("Share", type="submit", id="invite-submit"),
            width="100%",
        ),
        on_submit=ProjectsState.invite,
        reset_on_submit=True,
        width="100%",
    )


def share_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Share “", ProjectsState.share_name, "”"),
            rx.vstack(
                rx.cond(rx.Var.create(_MANAGERS).contains(ProjectsState.share_role), _invite()),
                rx.cond(
                    ProjectsState.share_error != "",
                    rx.text(
                        ProjectsState.share_error, color_scheme="red", size="1", id="share-error"
                    ),
                ),
                rx.vstack(rx.foreach(ProjectsState.members, _member), width="100%", id="members"),
                rx.vstack(rx.foreach(ProjectsState.pending, _pending), width="100%", id="pending"),
                rx.hstack(
                    rx.cond(
                        ProjectsState.share_role != "owner",
                        rx.button(
                            "Leave project",
                            variant="soft",
                            color_scheme="red",
                            on_click=ProjectsState.leave(ProjectsState.share_id),
                            id="share-leave",
                        ),
                    ),
                    rx.spacer(),
                    rx.button(
                        "Done",
                        variant="soft",
                        color_scheme="gray",
                        on_click=ProjectsState.close_share,
                        id="share-done",
                    ),
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            id="share-dialog",
            max_width="480px",
        ),
        open=ProjectsState.share_id != "",
        on_open_change=lambda _: ProjectsState.close_share(),
    )
