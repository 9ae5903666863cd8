"""Two people share a project: the member's open tabs follow the owner's changes without a
reload, a viewer is offered no way to change anything (and a forged change does nothing),
and a removed member's tab loses the project."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from e2e_steps import UI, unique_email
from playwright.sync_api import expect
from test_live import LIVE_TIMEOUT, Api


def test_a_member_follows_the_owner_and_loses_the_project_when_removed(
    new_context: Callable[..., Any], live_app: str, stack: Any
) -> None:
    owner_email, member_email = unique_email("owner"), unique_email("member")
    owner = UI(new_context().new_page())
    owner.register(owner_email, name="Olive Owner")
    member = UI(new_context().new_page())
    member.register(member_email, name="Max Member")
    for tab in (owner, member):
        expect(tab.page.locator("#connection-status")).to_have_attribute("data-status", "live")
    api = Api(live_app, owner_email)
    household = api.post("/projects", name="Household")

    # The owner shares it from the project's menu.
    page = owner.page
    owner.goto(f"/projects/{household['id']}")
    row = page.locator('#project-tree .project-row[data-name="Household"]')
    row.get_by_role("button", name="Project menu Household").click()
    page.get_by_role("menuitem", name="Share…").click()
    dialog = page.locator("#share-dialog")
    page.fill("#invite-email", member_email)
    page.click("#invite-submit")
    expect(owner.toast(f"Shared with {member_email}")).to_be_visible()
    expect(dialog.locator(".member")).to_have_count(2)
    expect(dialog.locator(f'.member[data-email="{member_email}"]')).to_have_attribute(
        "data-role", "editor"
    )
    page.click("#share-done")

    # The member's open tab shows it under "Shared with me", with its owner.
    shared = member.page.locator('#shared-with-me .shared-project[data-name="Household"]')
    expect(shared).to_have_count(1, timeout=LIVE_TIMEOUT)
    expect(shared.locator(".project-owner")).to_have_text("Olive Owner · editor")
    shared.locator(".project-link").click()
    expect(member.page.locator("#project-title")).to_have_text("Household")
    member.wait_for_list()

    # What the owner does shows in the member's tab without a reload.
    owner.quick_add("Buy milk")
    expect(member.row("Buy milk")).to_have_count(1, timeout=LIVE_TIMEOUT)
    owner.row("Buy milk").locator("button[role=checkbox]").click()
    expect(member.row("Buy milk")).to_have_count(0, timeout=LIVE_TIMEOUT)
    owner.quick_add("Water plants")
    expect(member.row("Water plants")).to_have_count(1, timeout=LIVE_TIMEOUT)
    # An editor changes things too.
    member.quick_add("Fix the tap")
    expect(owner.row("Fix the tap")).to_have_count(1, timeout=LIVE_TIMEOUT)

    # Made a viewer, the member is offered nothing that changes the project.
    row.get_by_role("button", name="Project menu Household").click()
    page.get_by_role("menuitem", name="Share…").click()
    dialog.get_by_role("combobox", name="Role of Max Member").click()
    page.get_by_role("option", name="Viewer", exact=True).click()
    expect(owner.toast("Now viewer")).to_be_visible()
    expect(dialog.locator(f'.member[data-email="{member_email}"]')).to_have_attribute(
        "data-role", "viewer"
    )
    page.click("#share-done")
    viewer = member.page
    expect(viewer.locator("#read-only")).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(viewer.locator("#quick-add")).to_have_count(0)
    plants = member.row("Water plants")
    expect(plants.locator("button[role=checkbox]")).to_be_disabled()
    expect(plants.get_by_role("button", name="Delete Water plants")).to_have_count(0)
    plants.get_by_role("button", name="Open Water plants").click()
    expect(viewer.locator("#edit-read-only")).to_be_visible()
    expect(viewer.locator("#edit-save")).to_have_count(0)
    expect(viewer.locator("#comment-draft")).to_have_count(0)
    viewer.click("#edit-close")
    # A forged change from the viewer's tab (the row's keyboard move, which the page still
    # wires) is refused by the server and changes nothing.
    order = [
        t["title"]
        for t in api.client.get(f"/api/v1/tasks?project_id={household['id']}").json()["items"]
    ]
    for action in ("up", "down"):
        plants.locator(f".key-{action}").evaluate("button => button.click()")
    expect(member.toast(re.compile("lack the edit permission")).first).to_be_visible()
    after = api.client.get(f"/api/v1/tasks?project_id={household['id']}").json()["items"]
    assert [t["title"] for t in after] == order

    # Removed, the member's tab loses the project: the sidebar and the page it shows.
    row.get_by_role("button", name="Project menu Household").click()
    page.get_by_role("menuitem", name="Share…").click()
    dialog.get_by_role("button", name="Remove Max Member").click()
    expect(dialog.locator(".member")).to_have_count(1)
    expect(shared).to_have_count(0, timeout=LIVE_TIMEOUT)
    expect(viewer.locator("#no-project")).to_be_visible(timeout=LIVE_TIMEOUT)
