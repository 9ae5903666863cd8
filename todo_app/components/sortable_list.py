"""Drag-and-drop for nested lists (a project's sections holding their task rows, the sidebar's
project tree), on top of the dnd-kit wrappers of dnd.py: items dragged by a handle, a context
in which a dragged item only meets targets of its own kind, and one that also reports how far
sideways an item was dragged (to nest it deeper or take it out).
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from todo_app.components.dnd import DndContext, _drop_spec

_HANDLED = rx.asset("handled_item.jsx", shared=True)


class NestedDndContext(DndContext):
    """A DndContext whose blocks (the sortables of the list named `blocks`, e.g. a project's
    sections) hold sortables of their own (task rows): a dragged block meets only blocks; a
    dragged item meets items, and the blocks (a drop on a block's heading)."""

    @classmethod
    def create(cls, *children: Any, blocks: str, **props: Any) -> rx.Component:
        props.setdefault("collision_detection", rx.Var(f"blocksApart({json.dumps(blocks)})"))
        return super().create(*children, **props)

    def add_custom_code(self) -> list[str]:
        return [
            "function blocksApart(blocks) { return (args) => {"
            " const isBlock = (c) => c?.data?.current?.sortable?.containerId === blocks;"
            " const mine = isBlock(args.active)"
            " ? args.droppableContainers.filter(isBlock) : args.droppableContainers;"
            " const scoped = { ...args, droppableContainers: mine };"
            " const hits = pointerWithin(scoped);"
            " return hits.length > 0 ? hits : closestCorners(scoped); }; }",
        ]


def _tree_drop_spec(
    event: rx.Var[Any],
) -> tuple[rx.Var[str], rx.Var[str], rx.Var[int], rx.Var[int]]:
    """`_drop_spec`'s values and the sideways distance dragged, in pixels (right: positive)."""
    return (*_drop_spec(event), rx.Var(f"Math.round({event}.delta.x)").to(int))


class TreeDndContext(DndContext):
    """A DndContext for a tree shown as an indented list: `on_drag_end` also gets how far
    sideways the item went."""

    on_drag_end: rx.EventHandler[_tree_drop_spec]


class HandledItem(rx.Component):
    """A sortable element of the enclosing SortableContext, dragged by a handle it draws first
    (labelled `handle_label`); `disabled`: an empty place of its width instead."""

    library = _HANDLED.importable_path
    tag = "HandledItem"

    item_id: rx.Var[str]
    handle_label: rx.Var[str]
    disabled: rx.Var[bool]

    _rename_props = {"itemId": "id"}


HANDLE_STYLE = {
    "& .drag-handle": {
        "cursor": "grab",
        "background": "none",
        "border": "none",
        "padding": "4px 2px",
        "color": "var(--gray-9)",
        # A finger on the handle drags; elsewhere it still scrolls.
        "touchAction": "none",
    },
    "& .drag-handle:focus-visible": {"outline": "2px solid var(--accent-8)"},
}

nested_dnd_context = NestedDndContext.create
tree_dnd_context = TreeDndContext.create
handled_item = HandledItem.create
