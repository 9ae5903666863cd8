"""Rules of projects and sections: the colour palette, the views, names and the limits."""

from __future__ import annotations

from enum import StrEnum

from todo_app.core.errors import FieldError
from todo_app.core.validation import refuse_control

# Todoist's palette, by name: a project's colour is one of these.
COLORS = (
    "berry_red",
    "red",
    "orange",
    "yellow",
    "olive_green",
    "lime_green",
    "green",
    "mint_green",
    "teal",
    "sky_blue",
    "light_blue",
    "blue",
    "grape",
    "violet",
    "lavender",
    "magenta",
    "salmon",
    "charcoal",
    "grey",
    "taupe",
)
DEFAULT_COLOR = "charcoal"
INBOX_NAME = "Inbox"
NAME_MAX = 120
# Levels of nesting, the top-level project included.
DEPTH_MAX = 3
PROJECTS_MAX = 500
SECTIONS_MAX = 200


class Permission(StrEnum):
    """What a user may do to a project and what it holds."""

    view = "view"
    comment = "comment"
    # Add, change, complete, move and delete tasks and sections.
    edit = "edit"
    manage_members = "manage_members"
    # Rename, move, archive, delete the project, hand it over.
    manage = "manage"


class Role(StrEnum):
    """A member's role in a project; `owner` is the project's owner_id, never a member row."""

    owner = "owner"
    admin = "admin"
    editor = "editor"
    commenter = "commenter"
    viewer = "viewer"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.owner: frozenset(Permission),
    Role.admin: frozenset(
        {Permission.view, Permission.comment, Permission.edit, Permission.manage_members}
    ),
    Role.editor: frozenset({Permission.view, Permission.comment, Permission.edit}),
    Role.commenter: frozenset({Permission.view, Permission.comment}),
    Role.viewer: frozenset({Permission.view}),
}
# What a member row may hold: the one owner is the project's owner_id.
MEMBER_ROLES = tuple(role.value for role in Role if role is not Role.owner)
MEMBERS_MAX = 100


def clean_role(value: str | None) -> Role:
    role = (value or "").strip().lower()
    if role not in MEMBER_ROLES:
        raise FieldError("role", f"role must be one of {', '.join(MEMBER_ROLES)}")
    return Role(role)


class View(StrEnum):
    list = "list"
    board = "board"


def clean_name(value: str | None, field: str = "name") -> str:
    name = (value or "").strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise FieldError(field, f"{field} must be 1 to {NAME_MAX} characters")
    return refuse_control(name, field)


def clean_color(value: str | None) -> str:
    if value is None:
        return DEFAULT_COLOR
    color = value.strip().lower()
    if color not in COLORS:
        raise FieldError("color", f"color must be one of {', '.join(COLORS)}")
    return color


def clean_view(value: str | None) -> str:
    if value not in tuple(View):
        raise FieldError("view", "view must be list or board")
    return str(value)
