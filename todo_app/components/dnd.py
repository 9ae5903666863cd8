"""dnd-kit (https://dndkit.com) for Reflex: a drag-and-drop context, sortable lists, and
sortable cards or droppable areas (dnd_items.jsx).

Mouse, touch and keyboard all drag: the mouse after 5 px of movement (a click stays a click),
a finger after a 250 ms press (a swipe still scrolls), the keyboard with Space to pick up, the
arrow keys to move, Space to drop and Escape to cancel. A drop reports the dragged id, the
container it landed in and its index there.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import VarData

DND_CORE = "@dnd-kit/core@6.3.1"
DND_SORTABLE = "@dnd-kit/sortable@10.0.0"
DND_UTILITIES = "@dnd-kit/utilities@3.2.2"
_ITEMS = rx.asset("dnd_items.jsx", shared=True)


def _drop_spec(event: rx.Var[Any]) -> tuple[rx.Var[str], rx.Var[str], rx.Var[int]]:
    """(dragged id, container id, index in it): over a sortable item its list and place; over
    an empty droppable area that area, at 0; over nothing, an empty container."""
    over = f"{event}.over"
    return (
        rx.Var(f"String({event}.active.id)").to(str),
        rx.Var(
            f"({over} ? String({over}.data?.current?.sortable?.containerId ?? {over}.id) : '')"
        ).to(str),
        rx.Var(f"({over}?.data?.current?.sortable?.index ?? 0)").to(int),
    )


class DndContext(rx.Component):
    """The area inside which items are dragged; `on_drag_end` gets `_drop_spec`'s values."""

    library = DND_CORE
    tag = "DndContext"
    lib_dependencies: list[str] = [DND_UTILITIES]

    sensors: rx.Var[Any]
    collision_detection: rx.Var[Any]
    on_drag_end: rx.EventHandler[_drop_spec]

    @classmethod
    def create(cls, *children: Any, **props: Any) -> rx.Component:
        props.setdefault("sensors", rx.Var("dndSensors"))
        props.setdefault("collision_detection", rx.Var("pointerThenCorners"))
        return super().create(*children, **props)

    def add_imports(self) -> dict[str, list[str]]:
        return {
            DND_CORE: [
                "MouseSensor",
                "TouchSensor",
                "KeyboardSensor",
                "useSensor",
                "useSensors",
                "pointerWithin",
                "closestCorners",
            ],
            DND_SORTABLE: ["sortableKeyboardCoordinates"],
        }

    def add_hooks(self) -> list[str | rx.Var[Any]]:
        return [
            "const dndSensors = useSensors("
            "useSensor(MouseSensor, {activationConstraint: {distance: 5}}), "
            "useSensor(TouchSensor, {activationConstraint: {delay: 250, tolerance: 5}}), "
            "useSensor(KeyboardSensor, {coordinateGetter: sortableKeyboardCoordinates}));"
        ]

    def add_custom_code(self) -> list[str]:
        # The card or empty column under the pointer; off every target (a gap, the keyboard)
        # the nearest one.
        return [
            "function pointerThenCorners(args) {"
            " const hits = pointerWithin(args);"
            " return hits.length > 0 ? hits : closestCorners(args); }",
        ]


class SortableContext(rx.Component):
    """A list whose children are sortable items (dnd_items.jsx's `SortableItem`, which the
    board's columns draw, or `handled_item`s), in the order of `items` (their ids);
    `container` names the list in a drop."""

    library = DND_SORTABLE
    tag = "SortableContext"

    items: rx.Var[list[str]]
    container: rx.Var[str]
    strategy: rx.Var[Any]

    _rename_props = {"container": "id"}

    @classmethod
    def create(cls, *children: Any, **props: Any) -> rx.Component:
        props.setdefault(
            "strategy",
            rx.Var(
                "verticalListSortingStrategy",
                _var_data=VarData(imports={DND_SORTABLE: ["verticalListSortingStrategy"]}),
            ),
        )
        return super().create(*children, **props)


class DroppableArea(rx.Component):
    """A drop target with an id of its own: an empty list has no item to drop on."""

    library = _ITEMS.importable_path
    tag = "DroppableArea"

    area_id: rx.Var[str]
    disabled: rx.Var[bool]

    _rename_props = {"areaId": "id"}


dnd_context = DndContext.create
sortable_context = SortableContext.create
droppable_area = DroppableArea.create
