"""Two people share a project: the member's open tabs follow the owner's changes without a
reload, a viewer is offered no way to change anything (and a forged change does nothing),
and a removed member's tab loses the project; an invited address joins from its link."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from e2e_steps import PASSWORD, UI, unique_email
from playwright.sync_api import expect
from sqlmodel import select
from test_live import LIVE_TIMEOUT, Api

from todo_app.db import session_scope
from todo_app.models import Notification


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


def _invitation_path(stack: Any, address: str) -> str:
    """The link the invitation's mail carries, as the notifications worker wrote it."""
    deadline = time.monotonic() + LIVE_TIMEOUT / 1000
    while time.monotonic() < deadline:
        with session_scope(stack.database_url) as session:
            body = session.exec(
                select(Notification.body).where(
                    Notification.kind == "invited", Notification.email == address
                )
            ).first()
        if body:
            return "/invite/" + body.rsplit("/invite/", 1)[1].split()[0]
        time.sleep(0.1)
    raise AssertionError(f"no invitation mail for {address}")


def test_an_invited_address_registers_from_the_link_and_joins(
    new_context: Callable[..., Any], live_app: str, stack: Any
) -> None:
    owner_email, guest, other = unique_email("owner"), unique_email("guest"), unique_email("o")
    later = unique_email("later")
    owner = UI(new_context().new_page())
    owner.register(owner_email, name="Olive Owner")
    band = Api(live_app, owner_email).post("/projects", name="Band")
    owner.goto(f"/projects/{band['id']}")
    page = owner.page
    page.locator('#project-tree .project-row[data-name="Band"]').get_by_role(
        "button", name="Project menu Band"
    ).click()
    page.get_by_role("menuitem", name="Share…").click()
    dialog = page.locator("#share-dialog")
    for address in (guest, other, later):
        page.fill("#invite-email", address)
        page.click("#invite-submit")
        expect(owner.toast(f"Invitation sent to {address}")).to_be_visible()
    pending = dialog.locator(f'.pending-invitation[data-email="{guest}"]')
    expect(pending).to_contain_text("Invited · editor · 7 days left")
    # Withdrawn, a link stops working.
    dialog.get_by_role("button", name=f"Withdraw the invitation of {other}").click()
    expect(dialog.locator(".pending-invitation")).to_have_count(2)
    stranger = UI(new_context().new_page())
    stranger.goto(_invitation_path(stack, other))
    expect(stranger.page.locator("#invite-problem")).to_have_text("this invitation was revoked")

    # The guest opens the mailed link signed out, and creates the account there.
    newcomer = UI(new_context().new_page())
    newcomer.goto(_invitation_path(stack, guest))
    expect(newcomer.page.locator("#invite-summary")).to_have_text(
        f"Olive Owner invites {guest} to this project as editor."
    )
    expect(newcomer.page.locator("#invite-email")).to_have_value(guest)
    newcomer.page.fill("#invite-password", PASSWORD)
    newcomer.page.fill("#invite-name", "Gina Guest")
    newcomer.page.click("#invite-register")
    expect(newcomer.page.locator("#project-title")).to_have_text("Band")
    expect(
        newcomer.page.locator('#shared-with-me .shared-project[data-name="Band"]')
    ).to_have_count(1)
    # The owner's open dialog shows the new member in place of the invitation.
    expect(dialog.locator(f'.member[data-email="{guest}"]')).to_have_attribute(
        "data-role", "editor", timeout=LIVE_TIMEOUT
    )
    expect(dialog.locator(".pending-invitation")).to_have_count(1)
    # The link was for once.
    newcomer.goto(_invitation_path(stack, guest))
    expect(newcomer.page.locator("#invite-problem")).to_have_text("this invitation was accepted")

    # Who registers without the link finds the invitation in the sidebar.
    late = UI(new_context().new_page())
    late.register(later)
    waiting = late.page.locator('#invitations-for-me .received-invitation[data-name="Band"]')
    expect(waiting).to_contain_text("from Olive Owner · editor")
    waiting.get_by_role("button", name="Join Band").click()
    expect(late.page.locator("#project-title")).to_have_text("Band")
    expect(late.page.locator("#invitations-for-me")).to_have_count(0)
    expect(dialog.locator(".pending-invitation")).to_have_count(0, timeout=LIVE_TIMEOUT)
