"""Live updates: a change made anywhere shows in every open tab of its user, and nowhere else.

Two browser contexts of one user (two devices) and one of another user, on the app with the
broker and the workers running next to it. Changes come from the other tab, from the REST API,
from the recurrence worker and from a reminder firing; a tab whose socket drops catches up when
it comes back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from e2e_steps import UI, Api, unique_email
from playwright.sync_api import expect

from todo_app.db import session_scope
from todo_app.models import Task

# A push crosses relay, broker and socket; on a loaded 2-core box give it some seconds.
LIVE_TIMEOUT = 10_000


def two_tabs_and_a_stranger(new_context: Callable[..., Any]) -> tuple[UI, UI, UI, str]:
    email = unique_email("live")
    first = UI(new_context().new_page())
    first.register(email)
    second = UI(new_context().new_page())
    second.login(email)
    stranger = UI(new_context().new_page())
    stranger.register(unique_email("stranger"))
    return first, second, stranger, email


def test_changes_reach_every_tab_of_the_user_and_no_other(
    new_context: Callable[..., Any], live_app: str, stack: Any
) -> None:
    first, second, stranger, email = two_tabs_and_a_stranger(new_context)
    api = Api(live_app, email)
    for tab in (first, second):
        expect(tab.page.locator("#connection-status")).to_have_attribute("data-status", "live")

    # Added in one tab: shows in the other.
    first.quick_add("Call the plumber")
    expect(second.row("Call the plumber")).to_have_count(1, timeout=LIVE_TIMEOUT)

    # Edited in the other tab's editor: the first tab's row changes in place.
    second.row("Call the plumber").locator(".task-title").click()
    second.page.fill("#edit-title", "Call the plumber about the boiler")
    second.page.click("#edit-save")
    expect(first.row("Call the plumber about the boiler")).to_have_count(1, timeout=LIVE_TIMEOUT)
    expect(first.row("Call the plumber")).to_have_count(0)

    # Created through the REST API (another device): shows in both tabs.
    made = api.create(title="Renew passport", priority="high")
    for tab in (first, second):
        expect(tab.page.locator(f"#task-{made['id']}")).to_be_visible(timeout=LIVE_TIMEOUT)

    # Completed in the first tab: leaves the second tab's list of open tasks.
    first.row("Renew passport").get_by_role("checkbox").click()
    expect(second.row("Renew passport")).to_have_count(0, timeout=LIVE_TIMEOUT)

    # A daily task completed while its next occurrence was lost (a crash between the two):
    # the recurrence worker's sweep makes it, and both tabs show it without a reload.
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(hour=9, minute=0, second=0)
    daily = api.create(title="Water the plants", due_at=tomorrow.isoformat(), rrule="FREQ=DAILY")
    for tab in (first, second):
        expect(tab.page.locator(f"#task-{daily['id']}")).to_be_visible(timeout=LIVE_TIMEOUT)
    with session_scope(stack.database_url) as session:
        lost = session.get_one(Task, uuid.UUID(daily["id"]))
        lost.completed = True
        lost.completed_at = datetime.now(UTC)
        session.add(lost)
    stack.recurrence.sweep()
    [successor] = [t for t in api.titled("Water the plants") if t["id"] != daily["id"]]
    for tab in (first, second):
        expect(tab.page.locator(f"#task-{successor['id']}")).to_be_visible(timeout=LIVE_TIMEOUT)
        # The completed one leaves with the list reload the new row brings.
        expect(tab.page.locator(f"#task-{daily['id']}")).to_have_count(0)

    # The stranger saw none of it.
    stranger.reload()
    stranger.wait_for_list()
    expect(stranger.page.locator(".task-row")).to_have_count(0)


def test_a_fired_reminder_alerts_every_tab_and_snoozes(
    new_context: Callable[..., Any], live_app: str, stack: Any
) -> None:
    first, second, stranger, email = two_tabs_and_a_stranger(new_context)
    api = Api(live_app, email)
    soon = (datetime.now(UTC) + timedelta(seconds=3)).replace(microsecond=0)
    task = api.create(title="Take the cake out", reminders=[soon.isoformat()])

    alerts = []
    for tab in (first, second):
        alert = tab.page.locator(".live-alert").filter(has_text="Take the cake out")
        expect(alert).to_be_visible(timeout=LIVE_TIMEOUT + 5_000)
        alerts.append(alert)
    expect(first.page.locator("#unread-count")).to_have_text("1")
    expect(stranger.page.locator(".live-alert")).to_have_count(0)

    alerts[0].get_by_role("button", name="Snooze 10 min").click()
    expect(first.toast("reminding again at")).to_be_visible()
    expect(alerts[0]).to_have_count(0)
    pending = [datetime.fromisoformat(r) for r in api.get(task["id"])["reminders"]]
    later = [r for r in pending if r > datetime.now(UTC) + timedelta(minutes=9)]
    assert len(later) == 1 and later[0] < datetime.now(UTC) + timedelta(minutes=11), pending

    # Complete from the alert of the other tab: the task is done everywhere.
    alerts[1].get_by_role("button", name="Complete").click()
    expect(second.toast("Completed “Take the cake out”")).to_be_visible()
    expect(first.row("Take the cake out")).to_have_count(0, timeout=LIVE_TIMEOUT)
    assert api.get(task["id"])["completed"] is True


def test_a_dropped_tab_shows_it_and_catches_up(
    new_context: Callable[..., Any], live_app: str, stack: Any
) -> None:
    email = unique_email("drop")
    context = new_context()
    page = context.new_page()
    tab = UI(page)
    tab.register(email)
    api = Api(live_app, email)
    kept = api.create(title="Book the dentist")
    expect(tab.page.locator(f"#task-{kept['id']}")).to_be_visible(timeout=LIVE_TIMEOUT)
    status = page.locator("#connection-status")
    expect(status).to_have_attribute("data-status", "live")

    context.set_offline(True)
    expect(status).to_have_attribute("data-status", "offline")
    # What happens while the tab is away: a rename and a new task.
    api.update(kept["id"], title="Book the dentist for Tuesday")
    added = api.create(title="Pick up the dry cleaning")
    page.wait_for_timeout(2_000)
    expect(tab.row("Book the dentist")).to_have_count(1)

    context.set_offline(False)
    expect(status).to_have_attribute("data-status", "live", timeout=LIVE_TIMEOUT)
    expect(tab.row("Book the dentist for Tuesday")).to_have_count(1, timeout=LIVE_TIMEOUT)
    expect(tab.page.locator(f"#task-{added['id']}")).to_be_visible()


def test_two_tabs_editing_one_task_never_overwrite_silently(
    new_context: Callable[..., Any], live_app: str, stack: Any
) -> None:
    first, second, _, _ = two_tabs_and_a_stranger(new_context)
    first.quick_add("Plan the trip")
    expect(second.row("Plan the trip")).to_have_count(1, timeout=LIVE_TIMEOUT)
    for tab in (first, second):
        tab.row("Plan the trip").locator(".task-title").click()
        expect(tab.page.locator("#task-editor")).to_be_visible()

    first.page.fill("#edit-title", "Plan the trip to Lisbon")
    first.page.click("#edit-save")
    expect(first.page.locator("#task-editor")).to_be_hidden()
    # The other editor says so before its user saves.
    expect(second.page.locator("#changed-elsewhere")).to_be_visible(timeout=LIVE_TIMEOUT)

    second.page.fill("#edit-description", "Book flights first")
    second.page.click("#edit-save")
    conflict = second.page.locator("#conflict")
    expect(conflict).to_be_visible()
    # The newer values are shown; the user's own edit can be put back over them.
    expect(second.page.locator("#edit-title")).to_have_value("Plan the trip to Lisbon")
    second.page.click("#reapply")
    expect(second.page.locator("#edit-description")).to_have_value("Book flights first")
    second.page.click("#edit-save")
    expect(second.page.locator("#task-editor")).to_be_hidden()
    for tab in (first, second):
        expect(tab.row("Plan the trip to Lisbon")).to_have_count(1, timeout=LIVE_TIMEOUT)


def test_a_refused_action_is_rolled_back_with_a_message(
    new_context: Callable[..., Any], live_app: str, stack: Any
) -> None:
    tab = UI(new_context().new_page())
    tab.register(unique_email("optimistic"))
    row = tab.quick_add("Return the library books")
    task_id = (row.get_attribute("id") or "").removeprefix("task-")
    # Gone from the database behind the tab's back (no event tells it): the server will refuse.
    with session_scope(stack.database_url) as session:
        session.delete(session.get_one(Task, uuid.UUID(task_id)))

    row.get_by_role("checkbox").click()
    expect(tab.toast("Not saved: task not found")).to_be_visible()
    expect(row.get_by_role("checkbox")).to_have_attribute("aria-checked", "false")
    row.get_by_role("button", name="Delete").click()
    expect(tab.toast("Not saved: task not found").nth(1)).to_be_visible()
    expect(row).to_have_count(1)
