"""The Reflex app: pages, and the REST API mounted with api_transformer."""

import reflex as rx
from sqlmodel import SQLModel

from todo_app import models  # noqa: F401  (tables must be imported for `reflex db` to see them)
from todo_app.api.main import create_api
from todo_app.pages.home import home

# Plain SQLModel tables share SQLModel.metadata; registering it makes `reflex db` migrate them.
rx.ModelRegistry.register(SQLModel)

app = rx.App(api_transformer=create_api())
app.add_page(home, route="/", title="Todo")
