"""The Reflex app: pages, and the REST API mounted with api_transformer."""

import contextlib
import gc
import warnings
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx

# Importing the tables is what lets `reflex db` migrate them: they live on SQLModel.metadata,
# which Reflex's own registered base model shares.
from todo_app import live, models, routes  # noqa: F401
from todo_app.api.main import create_api
from todo_app.components.layout import SHORTCUTS
from todo_app.pages.activity import activity_page
from todo_app.pages.auth import invite_page, login_page, register_page
from todo_app.pages.project import project_page
from todo_app.pages.settings import settings_page
from todo_app.pages.stats import stats_page
from todo_app.pages.tasks import tasks_page
from todo_app.state.activity import ActivityState
from todo_app.state.auth import InviteState, LoginState
from todo_app.state.board import BoardState, CalendarState
from todo_app.state.comments import CommentsState
from todo_app.state.editor import EditorState
from todo_app.state.notifications import NotificationsState
from todo_app.state.project import ProjectPageState
from todo_app.state.projects import ProjectsState
from todo_app.state.settings import SettingsState
from todo_app.state.stats import StatsState
from todo_app.state.tasks import TasksState

# The full-text GIN index is an expression; alembic says at every SQLite check that it cannot
# compare it, which is expected and not a schema drift.
warnings.filterwarnings("ignore", message=".*expression-based index 'ix_tasks_.*")


@contextlib.asynccontextmanager
async def freeze_startup_heap(*_: Any) -> AsyncIterator[None]:
    """Move everything built at startup out of the garbage collector's sight: otherwise each
    full collection walks the whole framework's heap, pausing a busy process."""
    gc.collect()
    gc.freeze()
    yield


api = create_api()
app = rx.App(
    api_transformer=api,
    head_components=[rx.script(SHORTCUTS)],
)
# Live updates: task and project events refresh the rows of every open tab; notifications
# alert in them.
live.HUB.route("task.", TasksState, "_live_task")
live.HUB.route("task.", EditorState, "_live_task")
live.HUB.route("comment.", CommentsState, "_live_comment")
# The sidebar's tree: projects, and the open counts tasks change.
for prefix in ("project.", "task."):
    live.HUB.route(prefix, ProjectsState, "_live_project")
for prefix in ("project.", "section."):
    live.HUB.route(prefix, ProjectPageState, "_live_structure")
live.HUB.route("task.", BoardState, "_live_task")
live.HUB.route("section.", BoardState, "_live_section")
live.HUB.route("task.", CalendarState, "_live_task")
live.HUB.route("project.", TasksState, "_live_project")
live.HUB.route("notification.created", NotificationsState, "_live_notification")
app.register_lifespan_task(live.HUB.serve, app=app)
app.register_lifespan_task(api.state.mcp.lifespan)
app.register_lifespan_task(freeze_startup_heap)
# Signed-in pages: each loads its own data, and the notifications bell in the top bar.
for page, route, title, load in (
    (
        tasks_page,
        routes.HOME,
        "Tasks",
        [TasksState.load, ProjectsState.load, EditorState.open_from_url],
    ),
    (
        project_page,
        routes.PROJECT,
        "Project",
        [
            ProjectPageState.load_project,
            BoardState.load,
            CalendarState.load,
            ProjectsState.load,
            EditorState.open_from_url,
        ],
    ),
    (settings_page, routes.SETTINGS, "Settings", SettingsState.load),
    (activity_page, routes.ACTIVITY, "Activity", ActivityState.load),
    (stats_page, routes.STATS, "Stats", StatsState.load),
):
    loads = load if isinstance(load, list) else [load]
    app.add_page(page, route=route, title=title, on_load=[*loads, NotificationsState.refresh])
app.add_page(
    login_page, route=routes.LOGIN, title="Log in", on_load=LoginState.redirect_if_signed_in
)
app.add_page(
    invite_page,
    route=routes.INVITE,
    title="Invitation",
    on_load=[InviteState.load, InviteState.detect_zone],
)
app.add_page(
    register_page,
    route=routes.REGISTER,
    title="Register",
    on_load=[LoginState.redirect_if_signed_in, LoginState.detect_zone],
)
