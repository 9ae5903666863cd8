"""Two users, two browsers: neither ever sees the other's tasks."""

from __future__ import annotations

from collections.abc import Callable

from e2e_steps import PASSWORD, UI, unique_email
from playwright.sync_api import expect


def test_two_users_do_not_see_each_others_tasks(new_ui: Callable[..., UI]) -> None:
    ann, bob = new_ui(), new_ui()
    ann.register(unique_email("ann"), name="Ann")
    bob.register(unique_email("bob"), name="Bob")

    ann.quick_add("Ann's secret plan")
    bob.quick_add("Bob's surprise party")
    ann.row("Ann's secret plan").locator(".task-title").click()
    ann.page.fill("#edit-tags", "private")
    ann.page.click("#edit-save")
    expect(ann.page.locator("#task-editor")).to_be_hidden()
    expect(ann.row("Ann's secret plan").locator(".tag-chip")).to_have_text(["#private"])

    for me, mine, theirs in (
        (ann, "Ann's secret plan", "Bob's surprise party"),
        (bob, "Bob's surprise party", "Ann's secret plan"),
    ):
        me.reload()
        expect(me.page.locator(".task-row .task-title")).to_have_text([mine])
        expect(me.row(theirs)).to_have_count(0)
        # Not by searching for it, nor in any view.
        me.goto("/?q=" + theirs.split()[1] + "&status=all")
        expect(me.page.locator(".task-row")).to_have_count(0)
        expect(me.page.locator("#empty-state")).to_be_visible()
        me.goto("/?view=completed")
        expect(me.page.locator(".task-row")).to_have_count(0)

    # Nor her tags: Bob's sidebar and suggestions know nothing of "private".
    expect(bob.page.get_by_role("button", name="Filter by tag private")).to_have_count(0)
    expect(bob.page.locator("#tag-suggestions option")).to_have_count(0)
    bob.goto("/?tags=private")
    expect(bob.page.locator(".task-row")).to_have_count(0)


def test_next_user_in_the_same_browser_sees_only_their_tasks(ui: UI) -> None:
    """Log out, and someone else logs in on the same tab: nothing of the first user shows."""
    ui.register(unique_email("first"))
    ui.quick_add("First user's diary")
    ui.logout()
    # Record every title that is ever rendered from now on, however briefly.
    ui.page.evaluate(
        """() => {
          window.__titles = new Set();
          const seen = () => document.querySelectorAll('.task-title')
            .forEach((el) => window.__titles.add(el.textContent));
          new MutationObserver(seen).observe(document.body, {childList: true, subtree: true});
        }"""
    )
    ui.page.click("#to-register")
    ui.page.fill("#register-email", unique_email("second"))
    ui.page.fill("#register-password", PASSWORD)
    ui.page.click("#register-submit")
    expect(ui.page.locator("#empty-state")).to_be_visible()
    ui.quick_add("Second user's list")
    assert ui.page.evaluate("[...window.__titles]") == ["Second user's list"]
