"""Reflex configuration, read from the environment (see todo_app/config.py); no secrets here."""

from pathlib import Path

import reflex as rx

from todo_app.config import get_settings

_settings = get_settings()
_bun = Path(__file__).parent / ".tools/node_modules/@oven/bun-linux-x64/bin/bun"

config = rx.Config(
    app_name="todo_app",
    db_url=_settings.database_url,
    redis_url=_settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(), rx.plugins.SitemapPlugin()],
    **({"bun_path": _bun} if _bun.exists() else {}),
)
