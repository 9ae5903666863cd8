"""The chips under the toolbar: one per active filter, none for the defaults."""

from __future__ import annotations

from todo_app import routes
from todo_app.state.tasks import filter_chips


def labels(params: dict[str, str], grouping: str = "none") -> list[tuple[str, str, str]]:
    return [(c.key, c.value, c.label) for c in filter_chips(params, grouping)]


def test_the_defaults_make_no_chip() -> None:
    assert labels({}) == []
    assert labels({"status": "active", "sort_by": "position", "tag_mode": "all"}) == []


def test_each_priority_and_tag_is_its_own_chip() -> None:
    assert labels({"priority": "high,low", "tags": "home,work", "tag_mode": "any"}) == [
        ("priority", "high", "High priority"),
        ("priority", "low", "Low priority"),
        ("tags", "home", "#home"),
        ("tags", "work", "#work"),
        ("tag_mode", "", "Any tag"),
    ]


def test_search_status_dates_flags_sort_and_grouping() -> None:
    params = {
        "q": "milk",
        "status": "completed",
        "due_after": "2026-12-01",
        "due_before": "2026-12-31",
        "overdue": "true",
        "is_recurring": "true",
        "sort_by": "due_at",
        "sort_order": "desc",
        "project_id": "5f0c6a52-0000-4000-8000-000000000000",
    }
    assert [label for _, _, label in labels(params, "priority")] == [
        "“milk”",
        "Completed",
        "Due from 2026-12-01",
        "Due until 2026-12-31",
        "Overdue",
        "Recurring",
        "One project",
        "By due date ↓",
        "Grouped by priority",
    ]


def test_a_project_id_is_read_from_its_page_path_only() -> None:
    assert routes.project_of(routes.project("abc")) == "abc"
    assert routes.project_of("/") == ""
    assert routes.project_of("/projects") == ""
    assert routes.project_of("/settings/x") == ""
