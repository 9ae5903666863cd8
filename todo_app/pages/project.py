"""A project's page: /projects/<id>, its sections and tasks, in the view the URL names."""

from __future__ import annotations

import reflex as rx

from todo_app.components.board import board_view
from todo_app.components.calendar_view import calendar_view
from todo_app.components.dnd import droppable_area, sortable_context
from todo_app.components.editor import editor_dialog
from todo_app.components.layout import shell
from todo_app.components.projects import color_dot
from todo_app.components.sortable_list import HANDLE_STYLE, handled_item, nested_dnd_context
from todo_app.components.task_list import quick_add, sidebar, task_list, task_row, toolbar
from todo_app.state.board import NO_SECTION
from todo_app.state.project import SECTIONS, ProjectPageState
from todo_app.state.tasks import LAYOUTS, TaskGroup, TaskRow


def view_switcher() -> rx.Component:
    return rx.segmented_control.root(
        *[rx.segmented_control.item(layout.capitalize(), value=layout) for layout in LAYOUTS],
        value=ProjectPageState.layout,
        on_change=ProjectPageState.show_layout,
        size="1",
        id="view-switcher",
    )


def project_header() -> rx.Component:
    return rx.hstack(
        color_dot(ProjectPageState.project_color, size="14px"),
        rx.heading(ProjectPageState.project_name, size="5", id="project-title"),
        rx.cond(
            ProjectPageState.project_archived,
            rx.badge("Archived", color_scheme="gray", id="project-archived"),
        ),
        rx.spacer(),
        view_switcher(),
        align="center",
        width="100%",
    )


def section_heading(group: TaskGroup) -> rx.Component:
    """A section's heading: fold, rename in place, delete (the last two for who may edit)."""
    return rx.hstack(
        rx.icon_button(
            rx.icon(rx.cond(group.collapsed, "chevron-right", "chevron-down"), size=14),
            size="1",
            variant="ghost",
            on_click=ProjectPageState.toggle_section(group.id),
            aria_label=rx.cond(group.collapsed, "Expand section ", "Collapse section ")
            + group.name,
            aria_expanded=rx.cond(group.collapsed, "false", "true"),
            margin="0",
        ),
        rx.cond(
            ProjectPageState.can_edit,
            rx.input(
                default_value=group.name,
                key=group.id + group.name,
                on_blur=lambda name: ProjectPageState.rename_section(group.id, name),
                variant="soft",
                color_scheme="gray",
                size="2",
                aria_label="Section name",
                class_name="section-name",
                flex="1",
                font_weight="bold",
            ),
            # Text, not a read-only box: leaving a box would ask for a rename.
            rx.text(
                group.name,
                size="2",
                weight="bold",
                class_name="section-title",
                flex="1",
                padding_left="var(--space-2)",
            ),
        ),
        rx.text(group.count, size="1", color_scheme="gray", class_name="section-count"),
        rx.cond(
            ProjectPageState.can_edit,
            rx.icon_button(
                rx.icon("trash-2", size=14),
                size="1",
                variant="ghost",
                color_scheme="red",
                on_click=ProjectPageState.delete_section(group.id, group.name),
                aria_label="Delete section " + group.name,
            ),
        ),
        align="center",
        width="100%",
        padding_top="1em",
        border_bottom="1px solid var(--gray-5)",
        id="section-" + group.id,
        class_name="section-heading",
        data_name=group.name,
    )


def draggable_row(row: TaskRow) -> rx.Component:
    """A task row with the handle that drags it (none when the list is not in manual order)."""
    return handled_item(
        task_row(row),
        key=row.id,
        item_id=row.id,
        handle_label="Move " + row.title,
        disabled=~ProjectPageState.can_drag,
        class_name="drag-row",
    )


def group_rows(group: TaskGroup, container: rx.Var[str] | str) -> rx.Component:
    return sortable_context(
        rx.foreach(group.rows, draggable_row),
        items=ProjectPageState.row_ids[group.id],
        container=container,
    )


def unsectioned(group: TaskGroup) -> rx.Component:
    """The tasks outside sections; with none, still a place to drop one."""
    return droppable_area(
        group_rows(group, NO_SECTION),
        area_id=NO_SECTION,
        disabled=group.rows.length() > 0,
        min_height="12px",
        width="100%",
        class_name="no-section-rows",
    )


def section_block(group: TaskGroup) -> rx.Component:
    """A section, its heading and rows, dragged by the handle before its heading."""
    return handled_item(
        rx.vstack(section_heading(group), group_rows(group, group.id), width="100%", spacing="0"),
        key=group.id,
        item_id=group.id,
        handle_label="Move section " + group.name,
        disabled=~ProjectPageState.can_edit,
        class_name="section-block",
        data_name=group.name,
    )


LIST_STYLE = {
    "& .drag-row": {"display": "flex", "alignItems": "center", "width": "100%"},
    "& .section-block": {"display": "flex", "alignItems": "flex-start", "width": "100%"},
    **HANDLE_STYLE,
    # Level with the section's name, below the heading's top padding.
    "& .section-block > .drag-handle": {"marginTop": "calc(1em + 6px)"},
}


def project_groups() -> rx.Component:
    """The tasks outside sections, then the sections; rows and sections are dragged."""
    return rx.box(
        nested_dnd_context(
            rx.foreach(ProjectPageState.groups, lambda g: rx.cond(g.id == "", unsectioned(g))),
            sortable_context(
                rx.foreach(
                    ProjectPageState.groups, lambda g: rx.cond(g.id != "", section_block(g))
                ),
                items=ProjectPageState.section_ids,
                container=SECTIONS,
            ),
            blocks=SECTIONS,
            on_drag_end=ProjectPageState.drop,
        ),
        style=LIST_STYLE,
        width="100%",
        id="project-sections",
    )


def add_section() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                name="name",
                placeholder="Add section",
                id="add-section-name",
                aria_label="New section name",
                size="2",
            ),
            rx.button("Add section", type="submit", size="2", variant="soft", id="add-section"),
            rx.cond(
                ProjectPageState.section_error != "",
                rx.text(ProjectPageState.section_error, color_scheme="red", size="1"),
            ),
            align="center",
            padding_top="1em",
        ),
        on_submit=ProjectPageState.add_section,
        reset_on_submit=True,
    )


def project_list() -> rx.Component:
    return task_list(
        groups=project_groups, footer=rx.cond(ProjectPageState.can_edit, add_section())
    )


def project_page() -> rx.Component:
    return shell(
        rx.cond(
            ProjectPageState.missing,
            rx.callout(
                "This project does not exist, or is not yours.", icon="info", id="no-project"
            ),
            rx.vstack(
                project_header(),
                rx.cond(
                    ProjectPageState.can_edit,
                    quick_add(),
                    rx.callout(
                        "You can see this project; its owner lets you "
                        + rx.cond(ProjectPageState.project_role == "commenter", "comment", "look")
                        + ", not change it.",
                        icon="eye",
                        size="1",
                        id="read-only",
                    ),
                ),
                rx.match(
                    ProjectPageState.layout,
                    ("board", board_view()),
                    ("calendar", calendar_view()),
                    rx.fragment(toolbar(), project_list()),
                ),
                editor_dialog(),
                spacing="4",
                width="100%",
                max_width="960px",
            ),
        ),
        sidebar=sidebar(),
    )
