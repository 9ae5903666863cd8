"""Stats, Activity and the calendar feed narrowed to one project by their menus, and views
that name a project gone to the trash since they were saved or bookmarked: they say so and
show nothing of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from e2e_steps import UI, unique_email
from icalendar import Calendar
from playwright.sync_api import expect
from sqlmodel import select
from test_live import Api

from todo_app.db import session_scope
from todo_app.models import OutboxEvent
from todo_app.services import audit


def feed_titles(url: str) -> set[str]:
    """The to-dos a calendar app subscribed to `url` shows."""
    response = httpx.get(url, trust_env=False, timeout=30)
    assert response.status_code == 200, response.text
    return {str(todo["SUMMARY"]) for todo in Calendar.from_ical(response.content).walk("VTODO")}


def test_stats_activity_and_feed_by_project_and_views_of_a_trashed_project(
    new_context: Callable[..., Any],
    live_app: str,
    stack: Any,
    screenshot: Callable[[Any, str], Any],
) -> None:
    email = unique_email("pages")
    ui = UI(new_context().new_page())
    ui.register(email)
    page = ui.page
    api = Api(live_app, email)
    made = api.client.post("/api/v1/projects", json={"name": "Garden"})
    assert made.status_code == 201, made.text
    garden = made.json()["id"]
    api.create(title="Prune the roses", project_id=garden, priority="high", tags=["outside"])
    api.create(title="Buy milk", tags=["errand"])

    ui.goto("/stats")
    expect(page.locator("#chart-projects .recharts-bar-rectangle")).to_have_count(2)
    ui.choose("stats-project", "Garden")
    expect(page).to_have_url(f"{live_app}/stats?project_id={garden}")
    # Garden alone: one open task, high, tagged outside.
    expect(page.locator("#chart-priority .recharts-bar-rectangle")).to_have_count(1)
    expect(page.locator("#chart-tags .recharts-bar-rectangle")).to_have_count(1)
    page.wait_for_timeout(1600)  # the bars grow in (recharts' animation) before the picture
    screenshot(page, "stats-project")

    # Settings: the feed URL, then the same secret for Garden alone.
    ui.goto("/settings")
    page.click("#feed-make")
    expect(page.locator("#feed-url")).to_contain_text("calendar.ics?token=")
    everything = page.locator("#feed-url").inner_text()
    ui.choose("feed-project", "Garden")
    garden_feed = f"{everything}&project_id={garden}"
    expect(page.locator("#feed-url")).to_have_text(garden_feed)
    assert feed_titles(everything) == {"Prune the roses", "Buy milk"}
    assert feed_titles(garden_feed) == {"Prune the roses"}

    # Activity (the audit worker's rows, written here as it writes them): the project's name
    # beside its events and its tasks', and the menu narrows the log to it.
    with session_scope(stack.database_url) as session:
        audit.record_many(session, [row.payload for row in session.exec(select(OutboxEvent))])
    ui.goto("/activity")
    table = page.locator("#activity-table")
    expect(table.get_by_role("row").filter(has_text="auth.registered")).to_have_count(1)
    expect(table.get_by_role("row").filter(has_text="Garden")).to_have_count(2)
    ui.choose("activity-project", "Garden")
    expect(page).to_have_url(f"{live_app}/activity?project_id={garden}")
    expect(table.get_by_role("row").filter(has_text="auth.registered")).to_have_count(0)
    expect(table.get_by_role("cell", name="project.created", exact=True)).to_have_count(1)
    expect(table.get_by_role("cell", name="task.created", exact=True)).to_have_count(1)

    saved = api.client.post(
        "/api/v1/filters", json={"name": "Garden", "query": {"project_id": garden}}
    )
    assert saved.status_code == 201, saved.text
    ui.goto(f"/?project_id={garden}")
    expect(ui.row("Prune the roses")).to_have_count(1)
    expect(ui.row("Buy milk")).to_have_count(0)

    assert api.client.delete(f"/api/v1/projects/{garden}").status_code == 200
    ui.goto(f"/?project_id={garden}")
    expect(page.get_by_text("project not found")).to_be_visible()
    expect(ui.row("Buy milk")).to_have_count(1)
    expect(ui.row("Prune the roses")).to_have_count(0)
    ui.goto(f"/stats?project_id={garden}")
    expect(page.get_by_text("No such project; showing every project.")).to_be_visible()
    expect(page.locator("#chart-tags .recharts-bar-rectangle")).to_have_count(1)
