"""A project's board or calendar (`?view=board|calendar`) on a page of its own."""

from __future__ import annotations

import reflex as rx

from todo_app.components.board import board_view
from todo_app.components.calendar_view import calendar_view
from todo_app.components.layout import shell
from todo_app.state.board import BoardState

BOARD = "/board/[project_id]"


def board_page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.heading(BoardState.view_project_name, size="5", id="project-name"),
            rx.cond(
                rx.State.router.url.query_parameters.get("view", "board") == "calendar",
                calendar_view(),
                board_view(),
            ),
            width="100%",
            spacing="3",
        )
    )
