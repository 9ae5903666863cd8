"""Activity: the user's audit log, newest first, with export."""

from __future__ import annotations

import reflex as rx

from todo_app.components.layout import shell
from todo_app.pages.project_menu import project_menu
from todo_app.state.activity import ActivityState


def activity_page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.hstack(
                rx.heading("Activity", size="6"),
                rx.spacer(),
                project_menu(
                    ActivityState.project_choices,
                    ActivityState.project,
                    ActivityState.choose_project,
                    "activity-project",
                    "Project",
                ),
                rx.button(
                    "Export CSV",
                    size="1",
                    variant="soft",
                    on_click=ActivityState.export("csv"),
                    id="export-csv",
                ),
                rx.button(
                    "Export JSON",
                    size="1",
                    variant="soft",
                    on_click=ActivityState.export("json"),
                    id="export-json",
                ),
                width="100%",
            ),
            rx.cond(ActivityState.error != "", rx.callout(ActivityState.error, icon="info")),
            rx.cond(
                ActivityState.total == 0,
                rx.callout(
                    "No activity recorded yet. What you do with your tasks shows up here.",
                    icon="info",
                    id="activity-empty",
                ),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("When"),
                            rx.table.column_header_cell("Action"),
                            rx.table.column_header_cell("On"),
                            rx.table.column_header_cell("Project"),
                            rx.table.column_header_cell("Details"),
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            ActivityState.items,
                            lambda item: rx.table.row(
                                rx.table.cell(item.when),
                                rx.table.cell(item.action),
                                rx.table.cell(item.resource),
                                rx.table.cell(item.project),
                                rx.table.cell(item.details),
                            ),
                        )
                    ),
                    width="100%",
                    id="activity-table",
                ),
            ),
            rx.hstack(
                rx.link(
                    "Newer",
                    href=ActivityState.page_link + (ActivityState.page - 1).to_string(),
                    visibility=rx.cond(ActivityState.page > 1, "visible", "hidden"),
                ),
                rx.text("Page ", ActivityState.page, " of ", ActivityState.pages, size="2"),
                rx.link(
                    "Older",
                    href=ActivityState.page_link + (ActivityState.page + 1).to_string(),
                    visibility=rx.cond(
                        ActivityState.page < ActivityState.pages, "visible", "hidden"
                    ),
                ),
            ),
            spacing="4",
            width="100%",
        )
    )
