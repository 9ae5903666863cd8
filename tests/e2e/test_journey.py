"""A user's whole journey through the UI, in a real browser against the real app."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from e2e_steps import UI, unique_email
from playwright.sync_api import expect

from todo_app.core.dates import due_label

ZONE = "Europe/Paris"  # the browser's zone (see conftest), which registration picks up


def _next_monday(at_least_days: int) -> date:
    day = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=at_least_days)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _label(day: date, at: time) -> str:
    """The label the app shows for a due moment, computed by its own rules."""
    moment = datetime.combine(day, at, tzinfo=ZoneInfo(ZONE))
    return due_label(moment, False, ZONE, datetime.now(UTC))


def _query(page) -> str:  # type: ignore[no-untyped-def]
    return page.url.split("?", 1)[1] if "?" in page.url else ""


def test_user_journey(ui: UI, screenshot) -> None:  # type: ignore[no-untyped-def]
    page = ui.page
    email = unique_email("journey")

    # Register, which signs in; then out, and in again through the login page.
    ui.goto("/register")
    screenshot(page, "register")
    ui.register(email, name="Journey")
    expect(page.locator("#empty-state")).to_be_visible()
    expect(page.locator("#account-menu")).to_contain_text("Journey")
    ui.logout()
    screenshot(page, "login")
    ui.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    ui.login(email)

    # Quick add: `n` focuses the bar from anywhere, Enter adds the task.
    ui.blur()
    page.keyboard.press("n")
    expect(page.locator("#quick-add-input")).to_be_focused()
    expect(page.locator("#quick-add-input")).to_have_value("")
    page.keyboard.type("Water plants")
    page.keyboard.press("Enter")
    expect(ui.row("Water plants")).to_have_count(1)
    expect(page.locator("#quick-add-input")).to_have_value("")
    ui.quick_add("Buy milk")

    # The editor: tags, priority, due date and time, weekly on Mon and Thu, a reminder.
    monday = _next_monday(8)
    at = time(8, 30)
    ui.row("Water plants").locator(".task-title").click()
    editor = page.locator("#task-editor")
    expect(editor).to_be_visible()
    expect(page.locator("#edit-title")).to_have_value("Water plants")
    page.fill("#edit-tags", "garden, home")
    ui.choose("edit-priority", "High")
    page.fill("#edit-due-date", monday.isoformat())
    page.fill("#edit-due-time", "08:30")
    ui.choose("repeat-kind", "Weekly on…")
    page.click("#weekday-MO")
    page.click("#weekday-TH")
    page.fill("#reminder-amount", "10")
    page.click("#add-relative-reminder")
    expect(editor.locator(".reminder-label")).to_have_text(["10 minutes before"])
    days = [monday + timedelta(days=n) for n in (0, 3, 7, 10, 14)]
    expect(editor.locator("#occurrence-preview li.occurrence")).to_have_text(
        [_label(day, at) for day in days]
    )
    screenshot(page, "editor")
    page.click("#edit-save")
    expect(editor).to_be_hidden()
    expect(ui.toast("Saved")).to_be_visible()

    row = ui.row("Water plants")
    expect(row.locator(".tag-chip")).to_have_text(["#garden", "#home"])
    expect(row.locator(".priority-high")).to_have_count(1)
    expect(row.locator(".due")).to_have_text(_label(monday, at))
    expect(row.locator("svg.lucide-repeat")).to_have_count(1)
    expect(row.locator("svg.lucide-bell")).to_have_count(1)
    expect(ui.row("Buy milk").locator(".tag-chip")).to_have_count(0)
    screenshot(page, "tasks")

    # Filters live in the URL: a sidebar tag, then a priority, survive a reload.
    page.get_by_role("button", name="Filter by tag garden").click()
    expect(page).to_have_url(re.compile(r"[?&]tags=garden"))
    expect(page.locator(".task-row")).to_have_count(1)
    expect(ui.row("Water plants")).to_have_count(1)
    page.get_by_role("button", name="Filter by tag garden").click()
    expect(page.locator(".task-row")).to_have_count(2)
    assert "tags=" not in _query(page)

    ui.open_filters()
    page.click("#filter-priority-high")
    expect(page).to_have_url(re.compile(r"[?&]priority=high"))
    expect(page.locator(".task-row")).to_have_count(1)
    ui.reload()
    expect(page).to_have_url(re.compile(r"[?&]priority=high"))
    expect(page.locator(".task-row")).to_have_count(1)
    expect(ui.row("Water plants")).to_have_count(1)
    ui.open_filters()
    expect(page.locator("#filter-priority-high")).to_have_class(re.compile(r"rt-variant-solid"))
    page.keyboard.press("Escape")
    page.click("#clear-filters")
    expect(page.locator(".task-row")).to_have_count(2)
    assert "priority=" not in _query(page)

    # Search: `/` focuses the box; typing filters after the debounce; the URL keeps it.
    ui.blur()
    page.keyboard.press("/")
    search = page.locator("#search-input")
    expect(search).to_be_focused()
    page.keyboard.type("milk")
    expect(page).to_have_url(re.compile(r"[?&]q=milk"))
    expect(page.locator(".task-row")).to_have_count(1)
    expect(ui.row("Buy milk")).to_have_count(1)
    ui.reload()
    expect(page.locator("#search-input")).to_have_value("milk")
    expect(page.locator(".task-row")).to_have_count(1)
    page.locator("#search-input").fill("")
    expect(page.locator(".task-row")).to_have_count(2)
    assert "q=" not in _query(page)

    # Sort by title, then the other way round.
    ui.open_filters()
    ui.choose("sort-by", "Title")
    expect(page).to_have_url(re.compile(r"[?&]sort_by=title"))
    expect(page.locator(".task-row .task-title")).to_have_text(["Buy milk", "Water plants"])
    ui.open_filters()
    page.click("#sort-order")
    expect(page).to_have_url(re.compile(r"[?&]sort_order=desc"))
    expect(page.locator(".task-row .task-title")).to_have_text(["Water plants", "Buy milk"])

    # Complete, then Undo from the toast: the task is back and still open.
    ui.row("Buy milk").get_by_role("checkbox").click()
    expect(ui.row("Buy milk")).to_have_count(0)
    ui.toast("Completed “Buy milk”").get_by_role("button", name="Undo").click()
    expect(ui.row("Buy milk")).to_have_count(1)
    expect(ui.row("Buy milk").get_by_role("checkbox")).to_have_attribute("aria-checked", "false")
    expect(ui.toast("“Buy milk” is open again")).to_be_visible()

    # Completing a recurring task shows its next occurrence; Undo takes that back too.
    ui.row("Water plants").get_by_role("checkbox").click()
    expect(ui.row("Water plants").locator(".due")).to_have_text(_label(days[1], at))
    ui.toast("Completed “Water plants”").get_by_role("button", name="Undo").click()
    expect(ui.row("Water plants")).to_have_count(1)
    expect(ui.row("Water plants").locator(".due")).to_have_text(_label(monday, at))

    # Delete, then Undo.
    page.get_by_role("button", name="Delete Buy milk").click()
    expect(ui.row("Buy milk")).to_have_count(0)
    ui.toast("Deleted “Buy milk”").get_by_role("button", name="Undo").click()
    expect(ui.row("Buy milk")).to_have_count(1)

    # The other pages render for this user.
    ui.goto("/settings")
    expect(page.locator("#settings-timezone-current")).to_have_text(ZONE)
    screenshot(page, "settings")
    ui.goto("/activity")
    # The audit worker (not part of `reflex run`) writes the log, so it may still be empty.
    expect(page.locator("#activity-table, #activity-empty")).to_be_visible()
    screenshot(page, "activity")
    ui.goto("/stats")
    expect(page.locator("#completed-30")).to_have_text("0 tasks completed in the last 30 days")
    # Open tasks: one high, one medium; one each tagged garden and home.
    expect(page.locator("#chart-priority .recharts-bar-rectangle")).to_have_count(2)
    expect(page.locator("#chart-tags .recharts-bar-rectangle")).to_have_count(2)
    page.wait_for_timeout(1600)  # the bars grow in (recharts' animation) before the picture
    screenshot(page, "stats")

    # Log out; a bookmarked view sends to the login page, and back to that view after it.
    ui.logout()
    ui.goto("/?sort_by=title&sort_order=desc")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    ui.login(email)
    expect(page).to_have_url(re.compile(r"/\?sort_by=title&sort_order=desc$"))
    # Everything is as it was left.
    expect(page.locator(".task-row .task-title")).to_have_text(["Water plants", "Buy milk"])
    row = ui.row("Water plants")
    expect(row.locator(".tag-chip")).to_have_text(["#garden", "#home"])
    expect(row.locator(".priority-high")).to_have_count(1)
    expect(row.locator(".due")).to_have_text(_label(monday, at))
    expect(row.get_by_role("checkbox")).to_have_attribute("aria-checked", "false")
    row.locator(".task-title").click()
    expect(editor).to_be_visible()
    expect(page.locator("#edit-tags")).to_have_value("garden, home")
    expect(page.locator("#edit-priority")).to_have_text("High")
    expect(page.locator("#edit-due-date")).to_have_value(monday.isoformat())
    expect(page.locator("#edit-due-time")).to_have_value("08:30")
    expect(page.locator("#repeat-kind")).to_have_text("Weekly on…")
    expect(page.locator("#weekday-MO")).to_have_class(re.compile(r"rt-variant-solid"))
    expect(page.locator("#weekday-TH")).to_have_class(re.compile(r"rt-variant-solid"))
    expect(page.locator("#weekday-TU")).to_have_class(re.compile(r"rt-variant-outline"))
    expect(editor.locator(".reminder-label")).to_have_text(["10 minutes before"])
    expect(editor.locator("#occurrence-preview li.occurrence")).to_have_count(5)
    page.keyboard.press("Escape")
    expect(editor).to_be_hidden()
