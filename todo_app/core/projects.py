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
    """What a user may do to a project; sharing (issue 20) gives members a subset."""

    view = "view"
    comment = "comment"
    edit = "edit"
    manage_members = "manage_members"
    manage = "manage"


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
