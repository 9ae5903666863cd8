"""A project trashed, restored, archived or unarchived elsewhere takes its tasks out of (or
back into) an open list at once: those changes move the tasks in bulk, without task events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from e2e_steps import UI, unique_email
from playwright.sync_api import expect
from test_live import LIVE_TIMEOUT, Api


def test_an_open_list_follows_its_projects_to_the_trash_and_the_archive(
    new_context: Callable[..., Any], live_app: str, stack: Any
) -> None:
    email = unique_email("projects")
    tab = UI(new_context().new_page())
    tab.register(email)
    expect(tab.page.locator("#connection-status")).to_have_attribute("data-status", "live")
    api = Api(live_app, email)
    made = api.client.post("/api/v1/projects", json={"name": "Garden"})
    assert made.status_code == 201, made.text
    garden = made.json()["id"]
    api.create(title="Prune the roses", project_id=garden)
    api.create(title="Buy milk")
    expect(tab.row("Prune the roses")).to_have_count(1, timeout=LIVE_TIMEOUT)

    for leave, back in (("DELETE", "restore"), ("POST archive", "unarchive")):
        method, _, action = leave.partition(" ")
        path = f"/api/v1/projects/{garden}" + (f"/{action}" if action else "")
        assert api.client.request(method, path).status_code == 200
        expect(tab.row("Prune the roses")).to_have_count(0, timeout=LIVE_TIMEOUT)
        expect(tab.row("Buy milk")).to_have_count(1)
        assert api.client.post(f"/api/v1/projects/{garden}/{back}").status_code == 200
        expect(tab.row("Prune the roses")).to_have_count(1, timeout=LIVE_TIMEOUT)
