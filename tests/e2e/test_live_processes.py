"""Two backend processes behind one database and one Redis: a change made through one reaches
a tab whose socket the other holds.

No broker here on purpose: the only way from one process to the other's tab is Reflex's Redis
state manager carrying the push, which is what this test proves.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_steps import UI, unique_email
from playwright.sync_api import expect
from test_live import LIVE_TIMEOUT, Api

from bench.support.servers import AppStartError, running_app


@pytest.fixture(scope="module")
def two_processes(
    tmp_path_factory: pytest.TempPathFactory, chromium: str, redis_server: str
) -> Iterator[list[str]]:
    shared = tmp_path_factory.mktemp("two-processes")
    env = {
        "DATABASE_URL": f"sqlite:///{shared / 'todo.db'}",
        "JWT_SECRET": secrets.token_urlsafe(32),
        "REFLEX_REDIS_URL": f"{redis_server}/14",
    }
    with contextlib.ExitStack() as stack:
        urls = []
        for name in ("one", "two"):
            work: Path = shared / name
            work.mkdir()
            try:
                app = stack.enter_context(running_app(work, extra_env=env))
            except AppStartError as error:
                pytest.fail(str(error))
            urls.append(app.base_url)
        yield urls


def test_a_push_reaches_a_tab_held_by_the_other_process(
    two_processes: list[str], browser: Any
) -> None:
    first_url, second_url = two_processes
    contexts = [browser.new_context(base_url=url) for url in two_processes]
    try:
        email = unique_email("processes")
        on_first = UI(contexts[0].new_page())
        on_first.register(email)
        on_second = UI(contexts[1].new_page())
        on_second.login(email)

        on_first.quick_add("Water the garden")
        expect(on_second.row("Water the garden")).to_have_count(1, timeout=LIVE_TIMEOUT)

        made = Api(first_url, email).create(title="Fix the gate")
        expect(on_second.page.locator(f"#task-{made['id']}")).to_be_visible(timeout=LIVE_TIMEOUT)
        Api(second_url, email).update(made["id"], title="Fix the garden gate")
        expect(on_first.row("Fix the garden gate")).to_have_count(1, timeout=LIVE_TIMEOUT)
    finally:
        for context in contexts:
            context.close()
