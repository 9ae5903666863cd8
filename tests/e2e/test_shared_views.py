"""A shared project's board, calendar and sections offer a member who may not edit it (a viewer,
a commenter) no way to change it, only to open its tasks; an editor keeps every way."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from e2e_steps import UI, unique_email
from playwright.sync_api import expect
from test_board import card, cards, column, drag
from test_calendar_view import ZONE, day_cell, events, open_calendar
from test_live import LIVE_TIMEOUT, Api


def member(new_context: Callable[..., Any], prefix: str) -> tuple[UI, str]:
    email = unique_email(prefix)
    ui = UI(new_context().new_page())
    ui.register(email)
    return ui, email


def open_board(ui: UI, project_id: str) -> None:
    ui.goto(f"/projects/{project_id}?view=board")
    expect(ui.page.locator("#board")).to_have_attribute("data-loaded", "true")


def close_editor(ui: UI) -> None:
    ui.page.keyboard.press("Escape")
    expect(ui.page.locator("#task-editor")).to_have_count(0)


def test_a_reader_opens_tasks_without_a_way_to_change_them_and_an_editor_keeps_every_way(
    new_context: Callable[..., Any], live_app: str
) -> None:
    _, owner_email = member(new_context, "owner")
    reader, reader_email = member(new_context, "reader")
    editor, editor_email = member(new_context, "editor")
    api = Api(live_app, owner_email)
    project = api.post("/projects", name="Studio")["id"]
    doing = api.post(f"/projects/{project}/sections", name="Doing")["id"]
    today = datetime.now(ZONE).date()
    piano, hall = today + timedelta(days=1), today + timedelta(days=2)
    api.create(title="Tune the piano", project_id=project, due_at=f"{piano}T10:00")
    api.create(title="Book the hall", project_id=project, section_id=doing, due_at=str(hall))
    made = api.post(f"/projects/{project}/members", email=reader_email, role="viewer")
    api.post(f"/projects/{project}/members", email=editor_email, role="editor")

    # The viewer's board: cards that do not move, no card or section to add.
    open_board(reader, project)
    page = reader.page
    expect(page.locator("#read-only")).to_be_visible()
    expect(card(reader, "Tune the piano")).to_have_attribute("data-fixed", "true")
    expect(page.locator(".add-card-input")).to_have_count(0)
    expect(page.locator("#add-column-input")).to_have_count(0)
    drag(reader, card(reader, "Tune the piano"), column(reader, "Doing").locator(".column-cards"))
    # A click opens the card to read; a drop would have been refused (and said so) before.
    card(reader, "Book the hall").click()
    expect(page.locator("#edit-read-only")).to_be_visible()
    expect(page.locator("#edit-save")).to_have_count(0)
    expect(page.locator("#comment-draft")).to_have_count(0)
    expect(reader.toast("Not moved")).to_have_count(0)
    assert cards(reader, "No section") == ["Tune the piano"]
    close_editor(reader)

    # The viewer's list: sections neither renamed, deleted nor moved.
    reader.goto(f"/projects/{project}?view=list")
    heading = page.locator(".section-heading[data-name='Doing']")
    expect(heading.locator(".section-title")).to_have_text("Doing")
    expect(heading.get_by_role("textbox")).to_have_count(0)
    expect(heading.get_by_role("button", name="Delete section Doing")).to_have_count(0)
    expect(page.get_by_role("button", name="Move section Doing")).to_have_count(0)

    # The viewer's calendar: tasks that do not move, and a day clicked adds nothing.
    open_calendar(reader, project)
    expect(events(reader, piano, "Tune the piano", future=False)).to_have_count(1)
    expect(page.locator("#calendar .fc-event-draggable")).to_have_count(0)
    day_cell(reader, today + timedelta(days=4)).click(position={"x": 20, "y": 60})
    events(reader, hall, "Book the hall", future=False).click()
    expect(page.locator("#edit-read-only")).to_be_visible()
    expect(page.locator("#calendar-add-title")).to_have_count(0)
    close_editor(reader)

    # Made a commenter, the same tab still moves nothing, and comments on what it opens.
    role = api.client.patch(
        f"/api/v1/projects/{project}/members/{made['user_id']}", json={"role": "commenter"}
    )
    assert role.status_code == 200, role.text
    expect(page.locator("#read-only")).to_contain_text("comment", timeout=LIVE_TIMEOUT)
    expect(page.locator("#calendar .fc-event-draggable")).to_have_count(0)
    events(reader, piano, "Tune the piano", future=False).click()
    expect(page.locator("#comment-draft")).to_be_visible()
    expect(page.locator("#edit-save")).to_have_count(0)
    close_editor(reader)

    # The editor moves and adds cards, and moves and adds tasks on the calendar.
    open_board(editor, project)
    expect(card(editor, "Tune the piano")).to_have_attribute("aria-roledescription", "sortable")
    expect(card(editor, "Tune the piano")).not_to_have_attribute("data-fixed", "true")
    expect(column(editor, "Doing").locator(".add-card-input")).to_have_count(1)
    expect(editor.page.locator("#add-column-input")).to_have_count(1)
    drag(editor, card(editor, "Tune the piano"), card(editor, "Book the hall"))
    expect(column(editor, "Doing").locator(".board-card")).to_have_count(2)
    card(editor, "Book the hall").click()
    expect(editor.page.locator("#edit-save")).to_be_visible()
    close_editor(editor)
    open_calendar(editor, project)
    expect(events(editor, piano, "Tune the piano", future=False)).to_have_class(
        re.compile(r"\bfc-event-draggable\b")
    )
    day_cell(editor, today + timedelta(days=4)).click(position={"x": 20, "y": 60})
    expect(editor.page.locator("#calendar-add-title")).to_be_visible()
