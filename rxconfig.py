"""Reflex configuration, read from the environment (see todo_app/config.py); no secrets here."""

import os
from pathlib import Path

import reflex as rx

from todo_app.config import get_settings

_settings = get_settings()
_bun = Path(__file__).parent / ".tools/node_modules/@oven/bun-linux-x64/bin/bun"

# The SQLite database and its WAL change on every write, test runs write screenshots and
# benchmarks results: watching them would restart the development backend each time. Reflex
# refuses to start on an excluded path that does not exist, so only existing ones are listed.
_root = Path(__file__).parent
_settings.data_dir.mkdir(parents=True, exist_ok=True)
_unwatched = [_settings.data_dir, _root / "test-artifacts", _root / "bench" / "results"]
os.environ.setdefault(
    "REFLEX_HOT_RELOAD_EXCLUDE_PATHS", ":".join(str(p) for p in _unwatched if p.exists())
)

config = rx.Config(
    app_name="todo_app",
    db_url=_settings.database_url,
    redis_url=_settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="tomato", radius="medium")),
        rx.plugins.SitemapPlugin(),
    ],
    **({"bun_path": _bun} if _bun.exists() else {}),
)
