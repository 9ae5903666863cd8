"""The quick-add language in the browser: chips while typing, Enter creates the parsed task."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from e2e_steps import PASSWORD, UI, unique_email
from playwright.sync_api import expect

from todo_app.core.dates import due_label
from todo_app.core.validation import local_midnight

ZONE = "Europe/Paris"  # the browser's zone (see conftest), which registration picks up


def _next_first_of_month() -> date:
    """The 1st on or after today in the user's zone."""
    today = datetime.now(ZoneInfo(ZONE)).date()
    if today.day == 1:
        return today
    return (today.replace(day=28) + timedelta(days=4)).replace(day=1)


def test_typing_shows_chips_and_enter_creates_the_parsed_task(ui: UI, screenshot) -> None:  # type: ignore[no-untyped-def]
    page = ui.page
    ui.register(unique_email("quickadd"))
    box = page.locator("#quick-add-input")
    chips = page.locator("#quick-chips .quick-chip")

    box.fill("Pay rent every month on the 1st #home p1")
    expect(page.locator('.quick-chip[data-kind="priority"]')).to_have_text("high priority")
    expect(page.locator('.quick-chip[data-kind="tag"]')).to_have_text("#home")
    expect(page.locator('.quick-chip[data-kind="recurrence"]')).to_have_text("every month on day 1")
    first = _next_first_of_month()
    label = due_label(local_midnight(first, ZONE), True, ZONE, datetime.now(UTC))
    expect(page.locator('.quick-chip[data-kind="due"]')).to_have_text(label)
    expect(chips).to_have_count(4)
    screenshot(page, "quick-add-chips")

    box.press("Enter")
    row = ui.row("Pay rent")
    expect(row).to_have_count(1)
    expect(box).to_have_value("")
    expect(chips).to_have_count(0)
    expect(row.locator(".tag-chip")).to_have_text(["#home"])
    expect(row.locator(".priority-high")).to_have_count(1)
    expect(row.locator('[aria-label="every month on day 1"]')).to_have_count(1)
    expect(row.locator(".due")).to_have_text(label)
    assert "Pay rent every month" not in ui.titles()


def test_chips_follow_the_text_and_the_text_wins_over_the_pickers(ui: UI) -> None:
    page = ui.page
    ui.register(unique_email("quickpick"))
    box = page.locator("#quick-add-input")
    chips = page.locator("#quick-chips .quick-chip")

    # Words that only look like tokens make no chips.
    box.fill("Read chapter 5 of the book")
    expect(chips).to_have_count(0)
    box.fill("Read chapter 5 of the book tomorrow")
    expect(page.locator('.quick-chip[data-kind="due"]')).to_have_text("Tomorrow")
    box.fill("")
    expect(chips).to_have_count(0)

    # The pickers beside the bar: the text's priority wins, tags add up.
    ui.choose("quick-priority", "High")
    page.fill("#quick-tags", "work")
    box.fill("Ring the bell p3 #home every! 3 days")
    expect(page.locator('.quick-chip[data-kind="recurrence"]')).to_have_text(
        "every 3 days after completion"
    )
    box.press("Enter")
    row = ui.row("Ring the bell")
    expect(row).to_have_count(1)
    expect(row.locator(".priority-low")).to_have_count(1)
    expect(row.locator(".tag-chip")).to_have_text(["#work", "#home"])
    expect(row.locator('[aria-label="every 3 days"]')).to_have_count(1)

    # Plain titles still go in as typed, with the pickers' values.
    ui.quick_add("Water the garden")
    expect(ui.row("Water the garden").locator(".priority-high")).to_have_count(1)


def test_a_project_and_section_named_in_the_bar_show_as_chips(ui: UI, app_url: str) -> None:
    page = ui.page
    email = unique_email("quickplace")
    ui.register(email)
    api = httpx.Client(base_url=app_url, timeout=30, trust_env=False)
    login = api.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    api.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    home = api.post("/api/v1/projects", json={"name": "Home renovation", "color": "blue"}).json()
    api.post(f"/api/v1/projects/{home['id']}/sections", json={"name": "Paint jobs"})
    ui.reload()  # the bar knows the projects the page loaded with
    box = page.locator("#quick-add-input")

    box.fill("Sand the door ^home renovation/paint jobs tomorrow")
    project = page.locator('.quick-chip[data-kind="project"]')
    expect(project).to_have_text("Home renovation")
    expect(project).to_have_attribute("data-accent-color", "blue")
    expect(page.locator('.quick-chip[data-kind="section"]')).to_have_text("Paint jobs")
    expect(page.locator('.quick-chip[data-kind="due"]')).to_have_text("Tomorrow")
    box.press("Enter")
    expect(ui.row("Sand the door")).to_have_count(1)
    [task] = api.get("/api/v1/tasks", params={"q": "Sand the door"}).json()["items"]
    assert task["project_id"] == home["id"] and task["section_id"] is not None

    box.fill("Tile the floor ^Nowhere")
    expect(page.locator('.quick-chip[data-kind="project"]')).to_have_text("Nowhere")
    box.press("Enter")
    expect(page.locator("#quick-error-project")).to_contain_text("no project is named “Nowhere”")
    expect(box).to_have_value("Tile the floor ^Nowhere")
    assert "Tile the floor" not in ui.titles()
