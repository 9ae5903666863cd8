"""A project dragged in the sidebar's tree: up or down among its siblings, right under the
project above, left out of its parent, its sub-projects with it."""

from __future__ import annotations

from todo_app.state.projects import NEST_STEP, ProjectRow, dropped_project


def row(name: str, depth: int = 0, inbox: bool = False) -> ProjectRow:
    return ProjectRow(
        id=name,
        name=name,
        color="grey",
        depth=depth,
        open_count=0,
        children=0,
        collapsed=False,
        is_inbox=inbox,
        href=f"/projects/{name}",
    )


# Inbox; Home (Garden, Kitchen); Work
TREE = [row("Inbox", inbox=True), row("Home"), row("Garden", 1), row("Kitchen", 1), row("Work")]


def shown(rows: list[ProjectRow]) -> list[tuple[str, int]]:
    return [(r.name, r.depth) for r in rows]


def test_dragged_down_a_project_takes_the_place_of_the_row_it_lands_on() -> None:
    drop = dropped_project(TREE, "Garden", 3, 0)
    assert drop is not None and (drop.parent, drop.position) == ("Home", 1)
    assert shown(drop.rows)[2:4] == [("Kitchen", 1), ("Garden", 1)]
    # Where it is, straight down, nothing changes.
    assert dropped_project(TREE, "Garden", 2, 5) is None


def test_dragged_right_a_project_goes_under_the_one_above_with_its_sub_projects() -> None:
    drop = dropped_project(TREE, "Work", 4, NEST_STEP)
    assert drop is not None and (drop.parent, drop.position) == ("Home", 2)
    # Never deeper than one below the row above, however far right.
    deep = dropped_project(TREE, "Work", 4, 5 * NEST_STEP)
    assert deep is not None and (deep.parent, deep.position) == ("Kitchen", 0)
    assert shown(deep.rows)[-1] == ("Work", 2)
    home = dropped_project(TREE, "Home", 4, NEST_STEP)
    assert home is not None and (home.parent, home.position) == ("Work", 0)
    assert shown(home.rows) == [
        ("Inbox", 0),
        ("Work", 0),
        ("Home", 1),
        ("Garden", 2),
        ("Kitchen", 2),
    ]


def test_dragged_left_a_sub_project_comes_out_and_the_inbox_stays_uncounted() -> None:
    drop = dropped_project(TREE, "Kitchen", 3, -NEST_STEP)
    assert drop is not None and (drop.parent, drop.position) == ("", 1)
    first = dropped_project(TREE, "Work", 0, 0)
    assert first is not None and (first.parent, first.position) == ("", 0)
