"""The sidebar's project tree, its menus, and the dialog to add or rename a project."""

from __future__ import annotations

import reflex as rx

from todo_app.components.dnd import sortable_context
from todo_app.components.sortable_list import HANDLE_STYLE, handled_item, tree_dnd_context
from todo_app.core.projects import COLORS, View
from todo_app.state.projects import ProjectRow, ProjectsState

# What each palette name looks like (Todoist's colours, which the palette's names follow).
COLOR_HEX = dict(
    zip(
        COLORS,
        (
            "#b8255f",
            "#db4035",
            "#ff9933",
            "#fad000",
            "#afb83b",
            "#7ecc49",
            "#299438",
            "#6accbc",
            "#158fad",
            "#14aaf5",
            "#96c3eb",
            "#4073ff",
            "#884dff",
            "#af38eb",
            "#eb96eb",
            "#e05194",
            "#ff8d85",
            "#808080",
            "#b8b8b8",
            "#ccac93",
        ),
        strict=True,
    )
)


def color_label(color: str) -> str:
    return color.replace("_", " ").capitalize()


def color_dot(color: rx.Var[str] | str, size: str = "10px") -> rx.Component:
    hex_value = rx.match(color, *COLOR_HEX.items(), COLOR_HEX["charcoal"])
    return rx.box(
        width=size,
        height=size,
        min_width=size,
        border_radius="50%",
        background=hex_value,
        class_name="color-dot",
        data_color=color,
    )


def menu_trigger(project: ProjectRow) -> rx.Component:
    """The "…" button that opens a project's menu in the sidebar."""
    return rx.menu.trigger(
        rx.icon_button(
            rx.icon("ellipsis", size=14),
            size="1",
            variant="ghost",
            aria_label="Project menu " + project.name,
            class_name="project-menu",
        )
    )


def project_menu(project: ProjectRow) -> rx.Component:
    return rx.menu.root(
        menu_trigger(project),
        rx.menu.content(
            rx.menu.item("Rename…", on_click=ProjectsState.open_rename(project.id, project.name)),
            rx.menu.item("Share…", on_click=ProjectsState.open_share(project.id, project.name)),
            rx.menu.sub(
                rx.menu.sub_trigger("Colour"),
                rx.menu.sub_content(
                    *[
                        rx.menu.item(
                            rx.hstack(color_dot(c), rx.text(color_label(c)), align="center"),
                            on_click=ProjectsState.set_color(project.id, c),
                        )
                        for c in COLORS
                    ]
                ),
            ),
            rx.menu.sub(
                rx.menu.sub_trigger("Move under"),
                rx.menu.sub_content(
                    rx.menu.item(
                        "Top level",
                        on_click=ProjectsState.set_parent(project.id, "top"),
                        class_name="move-under",
                    ),
                    rx.foreach(
                        ProjectsState.parent_choices,
                        lambda parent: rx.cond(
                            parent.id != project.id,
                            rx.menu.item(
                                rx.hstack(
                                    color_dot(parent.color), rx.text(parent.name), align="center"
                                ),
                                on_click=ProjectsState.set_parent(project.id, parent.id),
                                class_name="move-under",
                            ),
                        ),
                    ),
                ),
            ),
            rx.menu.sub(
                rx.menu.sub_trigger("Opens in"),
                rx.menu.sub_content(
                    *[
                        rx.menu.item(
                            view.capitalize(), on_click=ProjectsState.set_view(project.id, view)
                        )
                        for view in View
                    ]
                ),
            ),
            rx.menu.item("Archive", on_click=ProjectsState.archive(project.id)),
            rx.menu.separator(),
            rx.menu.item("Delete", color="red", on_click=ProjectsState.delete(project.id)),
        ),
    )


def project_row(project: ProjectRow) -> rx.Component:
    return rx.hstack(
        rx.cond(
            project.children > 0,
            rx.icon_button(
                rx.icon(rx.cond(project.collapsed, "chevron-right", "chevron-down"), size=12),
                size="1",
                variant="ghost",
                on_click=ProjectsState.toggle(project.id),
                aria_label=rx.cond(project.collapsed, "Expand ", "Collapse ") + project.name,
                aria_expanded=rx.cond(project.collapsed, "false", "true"),
                margin="0",
            ),
            rx.box(width="24px", min_width="24px"),
        ),
        color_dot(project.color),
        rx.link(
            project.name,
            href=project.href,
            size="2",
            weight=rx.cond(ProjectsState.current == project.id, "bold", "regular"),
            flex="1",
            min_width="0",
            class_name="project-link",
            underline="none",
        ),
        rx.cond(
            project.open_count > 0,
            rx.text(project.open_count, size="1", color_scheme="gray", class_name="open-count"),
        ),
        rx.cond(~project.is_inbox, project_menu(project)),
        align="center",
        spacing="1",
        width="100%",
        padding_left=(project.depth * 14).to_string() + "px",
        id="project-" + project.id,
        class_name="project-row",
        data_name=project.name,
        data_depth=project.depth,
    )


def draggable_project(project: ProjectRow) -> rx.Component:
    """A project's row and the handle that drags it (the Inbox stays first, undragged)."""
    return handled_item(
        project_row(project),
        key=project.id,
        item_id=project.id,
        handle_label="Move project " + project.name,
        disabled=project.is_inbox,
        class_name="drag-project",
        display="flex",
        align_items="center",
        width="100%",
    )


def archived_row(project: ProjectRow) -> rx.Component:
    return rx.hstack(
        color_dot(project.color),
        rx.link(project.name, href=project.href, size="2", flex="1", class_name="project-link"),
        rx.button(
            "Unarchive",
            size="1",
            variant="ghost",
            on_click=ProjectsState.unarchive(project.id),
            aria_label="Unarchive " + project.name,
        ),
        align="center",
        width="100%",
        class_name="archived-project",
        data_name=project.name,
    )


def new_project_fields() -> rx.Component:
    """A new project's colour and parent (a project's menu changes them later)."""
    parent = ProjectsState.form_parent
    return rx.hstack(
        rx.select.root(
            rx.select.trigger(id="project-color", aria_label="Colour"),
            rx.select.content(*[rx.select.item(color_label(c), value=c) for c in COLORS]),
            value=ProjectsState.form_color,
            on_change=lambda v: ProjectsState.set_form("form_color", v),
        ),
        rx.select.root(
            rx.select.trigger(id="project-parent", aria_label="Parent project"),
            rx.select.content(
                rx.select.item("No parent", value="top"),
                rx.foreach(
                    ProjectsState.parent_choices, lambda p: rx.select.item(p.name, value=p.id)
                ),
            ),
            value=rx.cond(parent == "", "top", parent),
            on_change=lambda v: ProjectsState.set_form("form_parent", v),
        ),
        wrap="wrap",
    )


def project_dialog() -> rx.Component:
    creating = ProjectsState.dialog == "create"
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(creating, "New project", "Rename project")),
            rx.form(
                rx.vstack(
                    rx.input(
                        name="name",
                        value=ProjectsState.form_name,
                        on_change=lambda v: ProjectsState.set_form("form_name", v),
                        placeholder="Name",
                        id="project-name",
                        aria_label="Project name",
                        auto_focus=True,
                        width="100%",
                    ),
                    rx.cond(creating, new_project_fields()),
                    rx.cond(
                        ProjectsState.form_error != "",
                        rx.text(
                            ProjectsState.form_error,
                            color_scheme="red",
                            size="1",
                            id="project-error",
                        ),
                    ),
                    rx.hstack(
                        rx.button(
                            "Cancel",
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=ProjectsState.close_dialog,
                        ),
                        rx.button("Save", type="submit", id="project-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=ProjectsState.submit,
            ),
            id="project-dialog",
            max_width="420px",
        ),
        open=ProjectsState.dialog != "",
        on_open_change=lambda _: ProjectsState.close_dialog(),
    )


def project_tree() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Projects", size="1", weight="bold", color_scheme="gray"),
            rx.spacer(),
            rx.icon_button(
                rx.icon("plus", size=14),
                size="1",
                variant="ghost",
                on_click=ProjectsState.open_create,
                id="add-project",
                aria_label="Add project",
            ),
            width="100%",
            align="center",
        ),
        # Dragged up or down a project changes place; right, it goes under the one above;
        # left, out of its parent.
        tree_dnd_context(
            sortable_context(
                rx.foreach(ProjectsState.projects, draggable_project),
                items=ProjectsState.project_ids,
                container="projects",
            ),
            on_drag_end=ProjectsState.drop,
        ),
        rx.cond(
            ProjectsState.archived.length() > 0,
            rx.el.details(
                rx.el.summary(
                    rx.text("Archived (", ProjectsState.archived.length(), ")", size="1"),
                    cursor="pointer",
                ),
                rx.vstack(rx.foreach(ProjectsState.archived, archived_row), spacing="1"),
                id="archived-projects",
                width="100%",
            ),
        ),
        spacing="1",
        width="100%",
        id="project-tree",
        style=HANDLE_STYLE,
    )
