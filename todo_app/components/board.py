"""A project's board: its sections as columns of cards, dragged within and between columns."""

from __future__ import annotations

import reflex as rx

from todo_app.components.dnd import dnd_context, droppable_area, sortable_context, sortable_item
from todo_app.state.board import BoardCard, BoardColumn, BoardState

COLUMN_WIDTH = "272px"
_BADGE = {
    "fontSize": "var(--font-size-1)",
    "padding": "0 6px",
    "borderRadius": "var(--radius-2)",
    "background": "var(--gray-a3)",
    "color": "var(--gray-11)",
}
BOARD_STYLE = {
    "& .board-card": {
        "width": "100%",
        "cursor": "grab",
        "padding": "8px 10px",
        "borderRadius": "var(--radius-3)",
        "background": "var(--color-panel-solid)",
        "boxShadow": "var(--shadow-2)",
        # Cards out of sight are neither laid out nor painted again when a drop redraws them.
        "contentVisibility": "auto",
        "containIntrinsicSize": "auto 56px",
    },
    "& .board-card:focus-visible": {"outline": "2px solid var(--accent-8)"},
    "& .card-title": {"fontSize": "var(--font-size-2)", "fontWeight": "500"},
    "& .card-meta": {"display": "flex", "flexWrap": "wrap", "gap": "4px", "marginTop": "4px"},
    "& .card-due, & .card-priority, & .card-progress": _BADGE,
    "& .card-due[data-overdue=true]": {"background": "var(--red-a3)", "color": "var(--red-11)"},
    "& .card-priority[data-priority=high]": {
        "background": "var(--red-a3)",
        "color": "var(--red-11)",
    },
    "& .card-priority[data-priority=medium]": {
        "background": "var(--yellow-a3)",
        "color": "var(--yellow-11)",
    },
    "& .card-progress": {
        **_BADGE,
        "background": "transparent",
        "boxShadow": "inset 0 0 0 1px var(--gray-a6)",
    },
}


def _card(card: BoardCard) -> rx.Component:
    # Plain elements styled from the board's one stylesheet (BOARD_STYLE): a board redraws
    # hundreds of cards after a move, and styled components cost a style object each.
    return sortable_item(
        rx.el.div(card.title, class_name="card-title"),
        rx.el.div(
            rx.cond(
                card.due_label != "",
                rx.el.span(
                    card.due_label, class_name="card-due", data_overdue=card.overdue.to_string()
                ),
            ),
            rx.el.span(card.priority, class_name="card-priority", data_priority=card.priority),
            rx.cond(
                card.progress != "",
                rx.el.span(card.progress, class_name="card-progress", title="subtasks done / all"),
            ),
            class_name="card-meta",
        ),
        key=card.id,
        item_id=card.id,
        class_name="board-card",
        data_id=card.id,
        data_title=card.title,
        aria_label=card.title,
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
                rx.foreach(column.cards, _card),
                area_id=column.id,
                # Cards are the targets; an empty column has none, so it is one itself.
                disabled=column.cards.length() > 0,
                class_name="column-cards",
                style={
                    "minHeight": "48px",
                    "width": "100%",
                    "display": "flex",
                    "flexDirection": "column",
                    "gap": "8px",
                },
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
            style=BOARD_STYLE,
            overflow_x="auto",
            width="100%",
            padding_bottom="16px",
        ),
    )
