"""A project's board: its sections as columns of cards, dragged within and between columns."""

from __future__ import annotations

import reflex as rx

from todo_app.components.dnd import dnd_context, droppable_area, sortable_context, sortable_item
from todo_app.state.board import BoardCard, BoardColumn, BoardState

COLUMN_WIDTH = "272px"


def _card(card: BoardCard) -> rx.Component:
    return sortable_item(
        rx.card(
            rx.vstack(
                rx.text(card.title, size="2", weight="medium", class_name="card-title"),
                rx.hstack(
                    rx.cond(
                        card.due_label != "",
                        rx.badge(
                            rx.icon("calendar", size=12),
                            card.due_label,
                            color_scheme=rx.cond(card.overdue, "red", "gray"),
                            variant="soft",
                            class_name="card-due",
                        ),
                    ),
                    rx.badge(
                        card.priority,
                        color_scheme=rx.match(
                            card.priority, ("high", "red"), ("medium", "yellow"), "gray"
                        ),
                        variant="soft",
                        class_name="card-priority",
                    ),
                    rx.cond(
                        card.progress != "",
                        rx.badge(
                            rx.icon("list-checks", size=12),
                            card.progress,
                            variant="outline",
                            class_name="card-progress",
                            title="subtasks done / all",
                        ),
                    ),
                    spacing="1",
                    wrap="wrap",
                ),
                spacing="1",
                align="start",
            ),
            size="1",
            width="100%",
        ),
        item_id=card.id,
        class_name="board-card",
        data_title=card.title,
        aria_label=card.title,
        cursor="grab",
        width="100%",
    )


def _add_card(column: BoardColumn) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                name="title",
                placeholder="Add a card…",
                size="1",
                class_name="add-card-input",
                aria_label="Add a card to " + column.name,
                width="100%",
            ),
            rx.el.input(type="hidden", name="column", value=column.id),
            rx.icon_button(rx.icon("plus", size=14), size="1", type="submit", aria_label="Add"),
            width="100%",
        ),
        on_submit=BoardState.add_card,
        reset_on_submit=True,
        width="100%",
    )


def _column(column: BoardColumn) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(column.name, weight="bold", size="2", class_name="column-name"),
            rx.badge(column.cards.length(), variant="soft", color_scheme="gray", radius="full"),
            align="center",
        ),
        sortable_context(
            droppable_area(
                rx.vstack(rx.foreach(column.cards, _card), spacing="2", width="100%"),
                area_id=column.id,
                # Cards are the targets; an empty column has none, so it is one itself.
                disabled=column.cards.length() > 0,
                class_name="column-cards",
                style={"minHeight": "48px", "width": "100%"},
            ),
            items=column.card_ids,
            container=column.id,
        ),
        _add_card(column),
        class_name="board-column",
        data_column=column.id,
        data_name=column.name,
        spacing="2",
        padding="8px",
        min_width=COLUMN_WIDTH,
        width=COLUMN_WIDTH,
        background_color=rx.color("gray", 2),
        border_radius="8px",
    )


def _add_column() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                name="name",
                placeholder="Add a section…",
                size="2",
                id="add-column-input",
                aria_label="Add a section",
            ),
            rx.button(rx.icon("plus", size=14), "Section", type="submit", size="2"),
        ),
        on_submit=BoardState.add_column,
        reset_on_submit=True,
        min_width=COLUMN_WIDTH,
    )


def board_view() -> rx.Component:
    """The board of the route's project (BoardState.load fills it)."""
    return rx.cond(
        BoardState.view_error != "",
        rx.callout(BoardState.view_error, icon="triangle-alert", color_scheme="red"),
        rx.box(
            dnd_context(
                rx.hstack(
                    rx.foreach(BoardState.columns, _column),
                    _add_column(),
                    align="start",
                    spacing="3",
                ),
                on_drag_end=BoardState.drop_card,
            ),
            id="board",
            data_loaded=BoardState.board_loaded.to_string(),
            overflow_x="auto",
            width="100%",
            padding_bottom="16px",
        ),
    )
