"""The home page: the task list."""

from __future__ import annotations

import reflex as rx

from todo_app.components.editor import editor_dialog
from todo_app.components.layout import shell
from todo_app.components.task_list import quick_add, sidebar, task_list, toolbar


def tasks_page() -> rx.Component:
    return shell(
        rx.vstack(
            quick_add(),
            toolbar(),
            task_list(),
            editor_dialog(),
            spacing="4",
            width="100%",
            max_width="960px",
        ),
        sidebar=sidebar(),
    )
