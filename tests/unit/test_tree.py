"""Flattening a tree into an indented list."""

from __future__ import annotations

from todo_app.core.tree import flatten, toggled

# (key, parent) pairs in sibling order.
ITEMS = [("a", None), ("b", None), ("a1", "a"), ("a2", "a"), ("a1x", "a1"), ("b1", "b")]


def shown(collapsed: tuple[str, ...] = (), items=ITEMS) -> list[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    nodes = flatten(items, key=lambda i: i[0], parent=lambda i: i[1], collapsed=collapsed)
    return [(n.item[0], n.depth, n.children) for n in nodes]


def test_children_follow_their_parent_in_order_and_indented() -> None:
    assert shown() == [
        ("a", 0, 2),
        ("a1", 1, 1),
        ("a1x", 2, 0),
        ("a2", 1, 0),
        ("b", 0, 1),
        ("b1", 1, 0),
    ]


def test_a_collapsed_item_hides_everything_below_it_but_keeps_its_count() -> None:
    assert shown(collapsed=("a",)) == [("a", 0, 2), ("b", 0, 1), ("b1", 1, 0)]
    assert shown(collapsed=("a1",)) == [
        ("a", 0, 2),
        ("a1", 1, 1),
        ("a2", 1, 0),
        ("b", 0, 1),
        ("b1", 1, 0),
    ]


def test_an_item_whose_parent_is_missing_stands_at_the_top() -> None:
    items = [("a1", "a"), ("a1x", "a1"), ("c", None)]
    assert shown(items=items) == [("a1", 0, 1), ("a1x", 1, 0), ("c", 0, 0)]


def test_children_listed_before_their_parent_still_follow_it() -> None:
    items = [("a1", "a"), ("b", None), ("a", None)]
    assert shown(items=items) == [("b", 0, 0), ("a", 0, 1), ("a1", 1, 0)]


def test_toggling_folds_then_unfolds_one_item() -> None:
    assert toggled([], "a") == ["a"]
    assert toggled(["a", "b"], "a") == ["b"]
    assert toggled(toggled(["b"], "a"), "a") == ["b"]
