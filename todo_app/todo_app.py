"""The Reflex app: pages, and the REST API mounted with api_transformer."""

import warnings

import reflex as rx

# Importing the tables is what lets `reflex db` migrate them: they live on SQLModel.metadata,
# which Reflex's own registered base model shares.
from todo_app import models  # noqa: F401
from todo_app.api.main import create_api
from todo_app.pages.home import home

# The full-text GIN index is an expression; alembic says at every SQLite check that it cannot
# compare it, which is expected and not a schema drift.
warnings.filterwarnings("ignore", message=".*expression-based index 'ix_tasks_search_gin'.*")

app = rx.App(api_transformer=create_api())
app.add_page(home, route="/", title="Todo")
