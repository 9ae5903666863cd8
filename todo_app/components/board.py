"""A project's board: its sections as columns of cards, dragged within and between columns."""

from __future__ import annotations

import reflex as rx
from reflex.event import passthrough_event_spec

from todo_app.components.dnd import DND_CORE, DND_SORTABLE, DND_UTILITIES, dnd_context
from todo_app.state.board import BoardCard, BoardColumn, BoardState
from todo_app.state.editor import EditorState
from todo_app.state.project import ProjectPageState

VIRTUAL = "@tanstack/react-virtual@3.14.28"
_COLUMN = rx.asset("board_column.jsx", shared=True)
COLUMN_WIDTH = "272px"
# A column scrolls on its own once its cards outgrow the window (header and forms above it).
COLUMN_MAX_HEIGHT = "max(240px, calc(100vh - 260px))"
_BADGE = {
    "fontSize": "var(--font-size-1)",
    "padding": "0 6px",
    "borderRadius": "var(--radius-2)",
    "background": "var(--gray-a3)",
    "color": "var(--gray-11)",
}
BOARD_STYLE = {
    "& .board-card, & .board-card-overlay": {
        "width": "100%",
        "cursor": "grab",
        "padding": "8px 10px",
        "borderRadius": "var(--radius-3)",
        "background": "var(--color-panel-solid)",
        "boxShadow": "var(--shadow-2)",
    },
    "& .board-card[data-fixed=true]": {"cursor": "pointer"},
    "& .board-card-overlay": {"cursor": "grabbing", "boxShadow": "var(--shadow-4)"},
    "& .board-card:focus-visible": {"outline": "2px solid var(--accent-8)"},
    # The padding keeps the cards' shadows inside the column's scroll area, which clips.
    "& .column-cards": {
        "minHeight": "48px",
        "maxHeight": COLUMN_MAX_HEIGHT,
        "width": "100%",
        "padding": "2px",
    },
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


class BoardColumnCards(rx.Component):
    """A column's cards (board_column.jsx): sortable, in a list of their own that scrolls and
    mounts only the cards in view, since every mounted card draws again on each drop."""

    library = _COLUMN.importable_path
    tag = "BoardColumnCards"
    lib_dependencies: list[str] = [VIRTUAL, DND_CORE, DND_SORTABLE, DND_UTILITIES]

    column_id: rx.Var[str]
    cards: rx.Var[list[BoardCard]]
    # Every card id of the column, in order: a drop's index is the one in the whole column.
    items: rx.Var[list[str]]
    # The cards stay where they are (a reader's board): no drag, by pointer or keyboard.
    disabled: rx.Var[bool]
    # A card clicked: its task's id.
    on_open: rx.EventHandler[passthrough_event_spec(str)]


class BoardCardOverlay(rx.Component):
    """The dragged card drawn above the board, out of its column's scroll area."""

    library = _COLUMN.importable_path
    tag = "BoardCardOverlay"
    lib_dependencies: list[str] = [VIRTUAL, DND_CORE, DND_SORTABLE, DND_UTILITIES]


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
        BoardColumnCards.create(
            column_id=column.id,
            cards=column.cards,
            items=column.card_ids,
            disabled=~ProjectPageState.can_edit,
            on_open=EditorState.open_task,
            class_name="column-cards",
        ),
        rx.cond(ProjectPageState.can_edit, _add_card(column)),
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
    """The board of the route's project (BoardState.load fills it); who may not edit the
    project opens its cards without moving or adding any."""
    return rx.cond(
        BoardState.view_error != "",
        rx.callout(BoardState.view_error, icon="triangle-alert", color_scheme="red"),
        rx.box(
            dnd_context(
                rx.hstack(
                    rx.foreach(BoardState.columns, _column),
                    rx.cond(ProjectPageState.can_edit, _add_column()),
                    align="start",
                    spacing="3",
                ),
                BoardCardOverlay.create(),
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
