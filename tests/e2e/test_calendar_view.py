"""A project's calendar: tasks on their due days, recurring tasks' next occurrences marked as
future, and a task dragged to another day rescheduled at its own time, with Undo."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from e2e_steps import UI, unique_email
from playwright.sync_api import expect
from test_board import drag
from test_live import LIVE_TIMEOUT, Api

# The browser's zone (tests/e2e/conftest.py), which registration makes the account's.
ZONE = ZoneInfo("Europe/Paris")


def day_cell(ui: UI, day: date) -> Any:
    return ui.page.locator(f".fc-daygrid-day[data-date='{day.isoformat()}']")


def events(ui: UI, day: date, title: str, future: bool) -> Any:
    kind = ".cal-future" if future else ".cal-task"
    return day_cell(ui, day).locator(f".fc-event{kind}").filter(has_text=title)


def calendar_of(new_context: Callable[..., Any], live_app: str) -> tuple[UI, Api, str]:
    email = unique_email("calendar")
    ui = UI(new_context().new_page())
    ui.register(email)
    api = Api(live_app, email)
    response = api.client.post("/api/v1/projects", json={"name": "Clinic"})
    assert response.status_code == 201, response.text
    return ui, api, response.json()["id"]


def open_calendar(ui: UI, project_id: str) -> None:
    ui.goto(f"/projects/{project_id}?view=calendar")
    expect(ui.page.locator("#calendar")).to_have_attribute("data-loaded", "true")


def test_tasks_on_their_days_and_next_occurrences_as_future(
    new_context: Callable[..., Any], live_app: str
) -> None:
    ui, api, project = calendar_of(new_context, live_app)
    today = datetime.now(ZONE).date()
    dentist = today + timedelta(days=2)
    api.create(title="Dentist", project_id=project, due_at=f"{dentist}T10:00")
    api.create(title="Pay rent", project_id=project, due_at=dentist.isoformat())
    api.create(title="Standup", project_id=project, due_at=f"{today}T09:30", rrule="FREQ=DAILY")
    api.create(title="Someday", project_id=project)
    open_calendar(ui, project)

    expect(events(ui, dentist, "Dentist", future=False)).to_have_count(1)
    expect(events(ui, dentist, "Dentist", future=False)).to_contain_text("10")
    expect(events(ui, dentist, "Pay rent", future=False)).to_have_count(1)
    # The recurring task itself on its day; its next occurrences after it, as future.
    expect(events(ui, today, "Standup", future=False)).to_have_count(1)
    expect(events(ui, today, "Standup", future=True)).to_have_count(0)
    for later in (1, 2, 3):
        expect(events(ui, today + timedelta(days=later), "Standup", future=True)).to_have_count(1)
    expect(ui.page.locator(".fc-event").filter(has_text="Someday")).to_have_count(0)

    # Dated elsewhere (another device): it shows without a reload.
    api.create(title="Flu shot", project_id=project, due_at=f"{dentist}T16:00")
    expect(events(ui, dentist, "Flu shot", future=False)).to_have_count(1, timeout=LIVE_TIMEOUT)

    # A click on a day adds a task due that day.
    free = today + timedelta(days=4)
    day_cell(ui, free).click(position={"x": 20, "y": 60})
    ui.page.fill("#calendar-add-title", "Renew passport")
    ui.page.click("#calendar-add")
    expect(events(ui, free, "Renew passport", future=False)).to_have_count(1)
    [added] = api.titled("Renew passport")
    local_due = datetime.fromisoformat(added["due_at"]).astimezone(ZONE).date()
    assert (local_due, added["all_day"], added["project_id"]) == (free, True, project)

    # The week view holds the same task at its hour.
    ui.page.get_by_role("button", name="Week").click()
    expect(
        ui.page.locator(".fc-timegrid-event.cal-task").filter(has_text="Standup")
    ).to_be_visible()


def test_dragging_a_task_to_another_day_reschedules_it(
    new_context: Callable[..., Any], live_app: str
) -> None:
    ui, api, project = calendar_of(new_context, live_app)
    today = datetime.now(ZONE).date()
    day = today + timedelta(days=1)
    made = api.create(title="Dentist", project_id=project, due_at=f"{day}T10:15")
    open_calendar(ui, project)

    drag(ui, events(ui, day, "Dentist", future=False), day_cell(ui, day + timedelta(days=2)))

    moved = day + timedelta(days=2)
    expect(ui.toast("Moved “Dentist”")).to_be_visible()
    expect(events(ui, moved, "Dentist", future=False)).to_have_count(1)
    expect(events(ui, day, "Dentist", future=False)).to_have_count(0)
    due = datetime.fromisoformat(api.get(made["id"])["due_at"]).astimezone(ZONE)
    assert (due.date(), due.hour, due.minute) == (moved, 10, 15)
    ui.reload()
    expect(ui.page.locator("#calendar")).to_have_attribute("data-loaded", "true")
    expect(events(ui, moved, "Dentist", future=False)).to_have_count(1)

    # Undo (the toast lasts 5 s: drag again, then undo at once).
    drag(ui, events(ui, moved, "Dentist", future=False), day_cell(ui, day))
    expect(events(ui, day, "Dentist", future=False)).to_have_count(1)
    ui.toast("Moved “Dentist”").last.get_by_role("button", name="Undo").click()
    expect(events(ui, moved, "Dentist", future=False)).to_have_count(1)
    due = datetime.fromisoformat(api.get(made["id"])["due_at"]).astimezone(ZONE)
    assert (due.date(), due.hour, due.minute) == (moved, 10, 15)
