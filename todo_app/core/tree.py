"""Trees shown as indented lists: projects in the sidebar, subtasks under their task."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")


@dataclass(frozen=True)
class Node(Generic[Item]):
    """An item in tree order: how deep it sits (0 at the top) and how many children it has."""

    item: Item
    depth: int
    children: int


def flatten(
    items: Sequence[Item],
    key: Callable[[Item], str],
    parent: Callable[[Item], str | None],
    collapsed: Collection[str] = (),
) -> list[Node[Item]]:
    """`items` in tree order: each right after its parent's earlier children, siblings in the
    order given. An item whose parent is not among `items` (filtered out, on another page)
    stands at the top; the items under a collapsed one are left out."""
    keys = {key(item) for item in items}
    children: dict[str | None, list[Item]] = {}
    for item in items:
        above = parent(item)
        children.setdefault(above if above in keys else None, []).append(item)
    flat: list[Node[Item]] = []
    pending = [(item, 0) for item in reversed(children.get(None, []))]
    while pending:
        item, depth = pending.pop()
        below = children.get(key(item), [])
        flat.append(Node(item, depth, len(below)))
        if key(item) not in collapsed:
            pending.extend((child, depth + 1) for child in reversed(below))
    return flat


def toggled(keys: list[str], key: str) -> list[str]:
    """`keys` with `key` taken out if it is in, else added: folding one item of a tree."""
    return [k for k in keys if k != key] if key in keys else [*keys, key]
