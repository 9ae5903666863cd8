"""The task list: sidebar views, toolbar, quick add, and the rows."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from todo_app.components.dates import local_due_text
from todo_app.components.projects import project_dialog, project_tree
from todo_app.components.sharing import invitations_for_me, share_dialog, shared_with_me
from todo_app.state.editor import EditorState
from todo_app.state.tasks import KEYBOARD_MOVES, QuickChip, TaskGroup, TaskRow, TasksState

PRIORITY_COLOURS = {"high": "red", "medium": "yellow", "low": "gray"}
SORTS = [
    ("position", "Manual order"),
    ("due_at", "Due date"),
    ("priority", "Priority"),
    ("created_at", "Date added"),
    ("title", "Title"),
]
VIEW_LABELS = [
    ("today", "Today", "sun"),
    ("upcoming", "Upcoming", "calendar-days"),
    ("overdue", "Overdue", "alarm-clock"),
    ("assigned", "Assigned to me", "user-check"),
    ("all", "All", "inbox"),
    ("completed", "Completed", "circle-check"),
]


def priority_colour(priority: rx.Var[str]) -> rx.Var[str]:
    return rx.match(priority, ("high", "red"), ("medium", "yellow"), "gray")


def sidebar_content() -> rx.Component:
    """Views, projects, saved filters and tags: beside the list, or in a drawer on a phone."""
    view_button = lambda key, label, icon: rx.button(  # noqa: E731
        rx.icon(icon, size=16),
        label,
        variant=rx.cond(TasksState.view == key, "solid", "ghost"),
        on_click=TasksState.show_view(key),
        id=f"view-{key}",
        justify="start",
        width="100%",
    )
    return rx.vstack(
        *[view_button(key, label, icon) for key, label, icon in VIEW_LABELS],
        rx.divider(),
        project_tree(),
        invitations_for_me(),
        shared_with_me(),
        rx.divider(),
        rx.text("Saved filters", size="1", weight="bold", color_scheme="gray"),
        rx.foreach(
            TasksState.saved_views,
            lambda view: rx.hstack(
                rx.link(view.name, href=view.href, size="2", id="saved-" + view.id),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("x", size=12),
                    size="1",
                    variant="ghost",
                    on_click=TasksState.delete_filter(view.id),
                    aria_label="Delete saved filter " + view.name,
                ),
                width="100%",
            ),
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    name="name",
                    placeholder="Save filter as…",
                    size="1",
                    id="save-filter-name",
                    aria_label="Save current filter as",
                ),
                rx.button("Save", size="1", type="submit", id="save-filter"),
            ),
            on_submit=TasksState.save_filter,
            reset_on_submit=True,
        ),
        rx.cond(
            TasksState.filter_error != "",
            rx.text(TasksState.filter_error, color_scheme="red", size="1"),
        ),
        rx.divider(),
        rx.text("Tags", size="1", weight="bold", color_scheme="gray"),
        rx.foreach(
            TasksState.tag_chips,
            lambda chip: rx.button(
                "#" + chip.name,
                rx.badge(chip.count, variant="soft"),
                size="1",
                variant="ghost",
                on_click=TasksState.toggle_tag(chip.name),
                aria_label="Filter by tag " + chip.name,
                justify="between",
                width="100%",
            ),
        ),
        width="100%",
        spacing="2",
    )


def sidebar() -> rx.Component:
    return rx.box(
        sidebar_content(),
        project_dialog(),
        share_dialog(),
        width="240px",
        min_width="240px",
        padding="1em",
        display=["none", "none", "block"],
        border_right="1px solid var(--gray-4)",
        min_height="calc(100vh - 60px)",
        id="sidebar",
    )


def sidebar_drawer() -> rx.Component:
    """On a phone the sidebar waits in a drawer, so the list comes first."""
    return rx.box(
        rx.drawer.root(
            rx.drawer.trigger(
                rx.icon_button(
                    rx.icon("menu", size=18),
                    variant="soft",
                    id="open-sidebar",
                    aria_label="Projects and views",
                )
            ),
            rx.drawer.overlay(z_index="30"),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.scroll_area(sidebar_content(), height="100%"),
                    width="280px",
                    height="100%",
                    padding="1em",
                    top="0",
                    left="0",
                    position="fixed",
                    z_index="31",
                    background="var(--color-panel-solid)",
                    id="sidebar-drawer",
                )
            ),
            direction="left",
        ),
        display=["block", "block", "none"],
    )


def filter_fields() -> rx.Component:
    """Everything that narrows or orders the list, in the "Filters" popover."""
    priority_toggle = lambda p: rx.button(  # noqa: E731
        p.capitalize(),
        size="1",
        color_scheme=PRIORITY_COLOURS[p],
        variant=rx.cond(TasksState.params.get("priority", "").contains(p), "solid", "outline"),
        on_click=TasksState.toggle_priority(p),
        id=f"filter-priority-{p}",
    )
    labelled = lambda label, *items: rx.hstack(  # noqa: E731
        rx.text(label, size="1", color_scheme="gray", width="70px"),
        *items,
        align="center",
        wrap="wrap",
    )
    return rx.vstack(
        labelled(
            "Status",
            rx.select.root(
                rx.select.trigger(placeholder="Status", id="filter-status", aria_label="Status"),
                rx.select.content(
                    rx.select.item("Active", value="active"),
                    rx.select.item("Completed", value="completed"),
                    rx.select.item("All", value="all"),
                ),
                value=TasksState.params.get("status", "active"),
                on_change=lambda v: TasksState.set_param("status", v),
                size="1",
            ),
        ),
        labelled("Priority", *[priority_toggle(p) for p in ("high", "medium", "low")]),
        labelled(
            "Tags",
            rx.select.root(
                rx.select.trigger(id="filter-tag-mode", aria_label="Tag match"),
                rx.select.content(
                    rx.select.item("All tags", value="all"), rx.select.item("Any tag", value="any")
                ),
                value=TasksState.params.get("tag_mode", "all"),
                on_change=lambda v: TasksState.set_param("tag_mode", v),
                size="1",
            ),
        ),
        labelled(
            "Due",
            rx.input(
                type="date",
                value=TasksState.params.get("due_after", ""),
                on_change=lambda v: TasksState.set_param("due_after", v),
                size="1",
                id="filter-due-after",
                aria_label="Due from",
            ),
            rx.input(
                type="date",
                value=TasksState.params.get("due_before", ""),
                on_change=lambda v: TasksState.set_param("due_before", v),
                size="1",
                id="filter-due-before",
                aria_label="Due until",
            ),
        ),
        labelled(
            "Only",
            rx.checkbox(
                "Overdue",
                checked=TasksState.params.get("overdue", "") == "true",
                on_change=lambda v: TasksState.set_param("overdue", rx.cond(v, "true", "")),
                id="filter-overdue",
            ),
            rx.checkbox(
                "Recurring",
                checked=TasksState.params.get("is_recurring", "") == "true",
                on_change=lambda v: TasksState.set_param("is_recurring", rx.cond(v, "true", "")),
                id="filter-recurring",
            ),
        ),
        labelled(
            "Sort",
            rx.select.root(
                rx.select.trigger(id="sort-by", aria_label="Sort by"),
                rx.select.content(*[rx.select.item(label, value=key) for key, label in SORTS]),
                value=TasksState.params.get("sort_by", "position"),
                on_change=lambda v: TasksState.set_param("sort_by", v),
                size="1",
            ),
            rx.icon_button(
                rx.cond(
                    TasksState.params.get("sort_order", "asc") == "desc",
                    rx.icon("arrow-down-wide-narrow", size=14),
                    rx.icon("arrow-up-narrow-wide", size=14),
                ),
                size="1",
                variant="soft",
                on_click=TasksState.set_param(
                    "sort_order",
                    rx.cond(TasksState.params.get("sort_order", "asc") == "desc", "asc", "desc"),
                ),
                id="sort-order",
                aria_label="Sort direction",
            ),
        ),
        rx.cond(
            ~TasksState.in_project,
            labelled(
                "Group",
                rx.select.root(
                    rx.select.trigger(id="group-by", aria_label="Group by"),
                    rx.select.content(
                        rx.select.item("No grouping", value="none"),
                        rx.select.item("Group by due date", value="due"),
                        rx.select.item("Group by priority", value="priority"),
                    ),
                    value=TasksState.grouping,
                    on_change=TasksState.set_grouping,
                    size="1",
                ),
            ),
        ),
        spacing="3",
    )


def filter_chip_row() -> rx.Component:
    """The active filters, each removable, under the toolbar."""
    return rx.cond(
        TasksState.filter_chips.length() > 0,
        rx.flex(
            rx.foreach(
                TasksState.filter_chips,
                lambda chip: rx.badge(
                    chip.label,
                    rx.icon_button(
                        rx.icon("x", size=10),
                        size="1",
                        variant="ghost",
                        on_click=TasksState.remove_filter(chip.key, chip.value),
                        aria_label="Remove filter " + chip.label,
                    ),
                    variant="soft",
                    class_name="filter-chip",
                    data_key=chip.key,
                ),
            ),
            rx.cond(
                TasksState.filtered,
                rx.button(
                    "Clear",
                    size="1",
                    variant="ghost",
                    on_click=TasksState.clear_filters,
                    id="clear-filters",
                ),
            ),
            gap="1",
            wrap="wrap",
            align="center",
            id="filter-chips",
        ),
    )


def toolbar() -> rx.Component:
    """One line: the sidebar (on a phone), search, and the filters; active ones as chips."""
    return rx.vstack(
        rx.hstack(
            sidebar_drawer(),
            rx.debounce_input(
                rx.input(
                    rx.input.slot(rx.icon("search", size=14)),
                    value=TasksState.search,
                    on_change=TasksState.set_search,
                    placeholder="Search (/)",
                    id="search-input",
                    aria_label="Search tasks",
                    flex="1",
                    max_width="320px",
                ),
                debounce_timeout=300,
            ),
            rx.popover.root(
                rx.popover.trigger(
                    rx.button(
                        rx.icon("sliders-horizontal", size=14),
                        rx.text("Filters", display=["none", "inline"]),
                        rx.cond(
                            TasksState.filter_chips.length() > 0,
                            rx.badge(TasksState.filter_chips.length(), variant="solid"),
                        ),
                        size="2",
                        variant="soft",
                        id="filters-button",
                        aria_label="Filters",
                    )
                ),
                rx.popover.content(filter_fields(), id="filters-popover", max_width="95vw"),
            ),
            align="center",
            width="100%",
            spacing="2",
        ),
        filter_chip_row(),
        width="100%",
        spacing="2",
    )


_CHIP_COLOURS = {
    "priority": "red",
    "tag": "blue",
    "due": "green",
    "recurrence": "purple",
    "section": "gray",
    "assignee": "cyan",
}
# A project's palette colour (core.projects.COLORS) as the nearest Radix colour scheme.
PROJECT_COLOR_SCHEMES = {
    "berry_red": "crimson",
    "red": "red",
    "orange": "orange",
    "yellow": "yellow",
    "olive_green": "grass",
    "lime_green": "lime",
    "green": "green",
    "mint_green": "mint",
    "teal": "teal",
    "sky_blue": "sky",
    "light_blue": "cyan",
    "blue": "blue",
    "grape": "purple",
    "violet": "violet",
    "lavender": "iris",
    "magenta": "pink",
    "salmon": "tomato",
    "charcoal": "gray",
    "grey": "gray",
    "taupe": "brown",
}


QUICK_ADD_HELP = (
    "Type a task and press Enter. The text may say #tag, p1-p3 or !high, a date (tomorrow, "
    "friday, dec 25), a time (5pm), a repeat (every monday, every! 3 days), the project "
    '^Work or ^"Home renovation", a section ^Work/Meetings or /Meetings, and who does it '
    "in a shared project: +Max."
)


def quick_chip(chip: QuickChip) -> rx.Component:
    """One thing the quick-add language understood, e.g. "every month on day 1"."""
    return rx.badge(
        rx.match(
            chip.kind,
            ("priority", rx.icon("flag", size=12)),
            ("tag", rx.icon("tag", size=12)),
            ("due", rx.icon("calendar", size=12)),
            ("recurrence", rx.icon("repeat", size=12)),
            ("project", rx.icon("folder", size=12)),
            ("section", rx.icon("layout-list", size=12)),
            ("assignee", rx.icon("user", size=12)),
            rx.fragment(),
        ),
        chip.label,
        color_scheme=rx.cond(
            chip.kind == "project",
            rx.match(chip.color, *PROJECT_COLOR_SCHEMES.items(), "gray"),
            rx.match(chip.kind, *_CHIP_COLOURS.items(), "gray"),
        ),
        variant="soft",
        class_name="quick-chip",
        data_kind=chip.kind,
        data_text=chip.text,
    )


def quick_chips() -> rx.Component:
    """What the text in the quick-add bar means, shown while typing, before Enter."""
    return rx.flex(
        rx.foreach(TasksState.quick_chips, quick_chip),
        id="quick-chips",
        gap="1",
        wrap="wrap",
        aria_live="polite",
    )


def quick_add() -> rx.Component:
    error_for = lambda field: rx.cond(  # noqa: E731
        (TasksState.quick_error != "") & (TasksState.quick_error_field == field),
        rx.text(TasksState.quick_error, color_scheme="red", size="1", id=f"quick-error-{field}"),
    )
    return rx.form(
        rx.flex(
            rx.input(
                name="title",
                placeholder="Add a task",
                title=QUICK_ADD_HELP,
                value=TasksState.quick_title,
                on_change=lambda v: TasksState.set_quick("quick_title", v),
                id="quick-add-input",
                aria_label="Add a task",
                flex="1",
                min_width="200px",
                size="3",
                auto_focus=True,
            ),
            # The pickers: on a phone the text says it all, and the list comes first.
            rx.box(
                rx.select.root(
                    rx.select.trigger(id="quick-priority", aria_label="Priority of the new task"),
                    rx.select.content(
                        rx.select.item("High", value="high"),
                        rx.select.item("Medium", value="medium"),
                        rx.select.item("Low", value="low"),
                    ),
                    value=TasksState.quick_priority,
                    on_change=lambda v: TasksState.set_quick("quick_priority", v),
                ),
                rx.input(
                    placeholder="tags, comma separated",
                    value=TasksState.quick_tags,
                    on_change=lambda v: TasksState.set_quick("quick_tags", v),
                    id="quick-tags",
                    name="quick_tags",
                    aria_label="Tags of the new task",
                    list="tag-suggestions",
                    width="180px",
                ),
                rx.input(
                    type="date",
                    value=TasksState.quick_due_date,
                    on_change=lambda v: TasksState.set_quick("quick_due_date", v),
                    id="quick-due-date",
                    name="quick_due_date",
                    aria_label="Due date of the new task",
                ),
                rx.input(
                    type="time",
                    value=TasksState.quick_due_time,
                    on_change=lambda v: TasksState.set_quick("quick_due_time", v),
                    id="quick-due-time",
                    name="quick_due_time",
                    aria_label="Due time of the new task",
                ),
                display=["none", "none", "contents"],
            ),
            rx.button("Add", type="submit", id="quick-add-submit"),
            wrap="wrap",
            gap="2",
            width="100%",
        ),
        quick_chips(),
        error_for("title"),
        error_for("tags"),
        error_for("due_at"),
        error_for("priority"),
        error_for("project"),
        error_for("section"),
        on_submit=TasksState.quick_add,
        width="100%",
        id="quick-add",
    )


def local_due(row: TaskRow) -> rx.Var[str]:
    return local_due_text(row.due_at, row.all_day, row.due_label)


def fold_button(row: TaskRow) -> rx.Component:
    """Fold or unfold a task's subtasks; a blank of the same width without any."""
    return rx.cond(
        row.children > 0,
        rx.icon_button(
            rx.icon(rx.cond(row.collapsed, "chevron-right", "chevron-down"), size=14),
            size="1",
            variant="ghost",
            on_click=TasksState.toggle_task(row.id),
            aria_label=rx.cond(row.collapsed, "Show subtasks of ", "Hide subtasks of ") + row.title,
            aria_expanded=rx.cond(row.collapsed, "false", "true"),
            class_name="fold-subtasks",
            # A ghost button's negative margins would pull the row's check out of line.
            margin="0",
        ),
        rx.box(width="24px", min_width="24px"),
    )


def task_row(row: TaskRow) -> rx.Component:
    return rx.hstack(
        fold_button(row),
        rx.checkbox(
            checked=row.completed,
            on_change=lambda done: TasksState.toggle_done(row.id, done),
            aria_label="Complete " + row.title,
            id="complete-" + row.id,
            color_scheme=priority_colour(row.priority),
            size="3",
            disabled=~row.editable,
        ),
        rx.box(
            width="4px",
            height="28px",
            border_radius="2px",
            background=rx.match(
                row.priority,
                ("high", "var(--red-9)"),
                ("medium", "var(--yellow-9)"),
                "var(--gray-8)",
            ),
            class_name="priority-" + row.priority,
            title=row.priority + " priority",
        ),
        rx.vstack(
            rx.text(
                row.title,
                weight="medium",
                text_decoration=rx.cond(row.completed, "line-through", "none"),
                class_name="task-title",
                on_click=EditorState.open_task(row.id),
                cursor="pointer",
            ),
            rx.hstack(
                rx.cond(
                    row.due_label != "",
                    rx.text(
                        local_due(row),
                        size="1",
                        color_scheme=rx.cond(row.overdue, "red", "gray"),
                        class_name=rx.cond(row.overdue, "due overdue", "due"),
                    ),
                ),
                rx.cond(
                    row.progress != "",
                    rx.badge(
                        rx.icon("list-checks", size=12),
                        row.progress,
                        variant="soft",
                        size="1",
                        class_name="subtask-progress",
                    ),
                ),
                rx.cond(row.recurring, rx.icon("repeat", size=12, aria_label=row.recurrence)),
                rx.cond(row.has_reminders, rx.icon("bell", size=12, aria_label="has reminders")),
                rx.foreach(
                    row.tags,
                    lambda tag: rx.badge(
                        "#" + tag, variant="soft", size="1", class_name="tag-chip"
                    ),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.cond(
            row.assignee != "",
            rx.tooltip(
                rx.avatar(fallback=row.assignee, size="1", radius="full", class_name="assignee"),
                content="Assigned to " + row.assignee_name,
            ),
        ),
        rx.hstack(
            rx.cond(
                row.recurring & ~row.completed & row.editable,
                rx.icon_button(
                    rx.icon("skip-forward", size=14),
                    size="1",
                    variant="ghost",
                    on_click=TasksState.skip(row.id),
                    aria_label="Skip this occurrence of " + row.title,
                ),
            ),
            rx.cond(
                row.editable,
                rx.icon_button(
                    rx.icon("list-plus", size=14),
                    size="1",
                    variant="ghost",
                    on_click=TasksState.open_subtask(row.id, row.title),
                    aria_label="Add subtask to " + row.title,
                ),
            ),
            rx.icon_button(
                rx.icon(rx.cond(row.editable, "pencil", "eye"), size=14),
                size="1",
                variant="ghost",
                on_click=EditorState.open_task(row.id),
                aria_label=rx.cond(row.editable, "Edit ", "Open ") + row.title,
            ),
            rx.cond(
                row.editable,
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    on_click=TasksState.delete(row.id),
                    aria_label="Delete " + row.title,
                ),
            ),
            spacing="1",
        ),
        # What Alt+Up/Down and (Shift+)Tab do to a focused row (see layout.SHORTCUTS).
        rx.box(
            *[
                rx.el.button(
                    on_click=TasksState.key_move(row.id, action),
                    class_name=f"key-{action}",
                    tab_index=-1,
                )
                for action in KEYBOARD_MOVES
            ],
            display="none",
        ),
        width="100%",
        padding="0.5em 0",
        padding_left=(row.depth * 28).to_string() + "px",
        border_bottom="1px solid var(--gray-3)",
        align="center",
        id="task-" + row.id,
        class_name="task-row",
        data_title=row.title,
        data_depth=row.depth,
        tab_index=0,
    )


def task_group(group: TaskGroup) -> rx.Component:
    return rx.vstack(
        rx.cond(group.name != "", rx.heading(group.name, size="3", class_name="group-heading")),
        rx.foreach(group.rows, task_row),
        width="100%",
        spacing="0",
        class_name="task-group",
    )


def subtask_dialog() -> rx.Component:
    """Add a subtask to the task `TasksState.subtask_parent` (the quick-add language works)."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Add a subtask to “", TasksState.subtask_parent_title, "”"),
            rx.form(
                rx.hstack(
                    rx.input(
                        name="title",
                        placeholder="Subtask",
                        id="subtask-title",
                        aria_label="Subtask title",
                        auto_focus=True,
                        flex="1",
                    ),
                    rx.button("Add", type="submit", id="subtask-add"),
                    width="100%",
                ),
                rx.cond(
                    TasksState.subtask_error != "",
                    rx.text(TasksState.subtask_error, color_scheme="red", size="1"),
                ),
                on_submit=TasksState.add_subtask,
                reset_on_submit=True,
            ),
            id="subtask-dialog",
            max_width="420px",
        ),
        open=TasksState.subtask_parent != "",
        on_open_change=lambda _: TasksState.close_subtask(),
    )


def task_groups() -> rx.Component:
    return rx.foreach(TasksState.groups, task_group)


def task_list(
    groups: Callable[[], rx.Component] = task_groups, footer: rx.Component | None = None
) -> rx.Component:
    """The list; on a project's page `groups` shows its sections and `footer` follows them."""
    return rx.vstack(
        rx.cond(
            TasksState.error != "",
            rx.callout(TasksState.error, color_scheme="red", icon="triangle-alert"),
        ),
        rx.cond(
            ~TasksState.loaded,
            rx.hstack(rx.spinner(), rx.text("Loading your tasks…"), id="loading"),
            rx.cond(
                TasksState.empty,
                rx.callout(
                    rx.cond(
                        TasksState.filtered,
                        "No task matches these filters. Clear them to see everything.",
                        "Nothing here yet. Type a task in the bar above and press Enter.",
                    ),
                    icon="info",
                    id="empty-state",
                ),
                rx.vstack(
                    groups(),
                    *([footer] if footer is not None else []),
                    width="100%",
                    id="task-list",
                ),
            ),
        ),
        rx.cond(
            TasksState.pages > 1,
            rx.hstack(
                rx.button(
                    "Previous",
                    size="1",
                    disabled=TasksState.page <= 1,
                    on_click=TasksState.go_to_page(TasksState.page - 1),
                    id="page-prev",
                ),
                rx.text("Page ", TasksState.page, " of ", TasksState.pages, size="2"),
                rx.button(
                    "Next",
                    size="1",
                    disabled=TasksState.page >= TasksState.pages,
                    on_click=TasksState.go_to_page(TasksState.page + 1),
                    id="page-next",
                ),
            ),
        ),
        rx.el.datalist(
            rx.foreach(TasksState.tag_names, lambda name: rx.el.option(value=name)),
            id="tag-suggestions",
        ),
        subtask_dialog(),
        width="100%",
        spacing="3",
    )
