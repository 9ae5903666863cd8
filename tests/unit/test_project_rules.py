"""The pure rules of projects: names, the palette, views."""

from __future__ import annotations

import pytest

from todo_app.core.errors import FieldError
from todo_app.core.projects import (
    COLORS,
    DEFAULT_COLOR,
    NAME_MAX,
    clean_color,
    clean_name,
    clean_view,
)


def test_palette():
    assert len(COLORS) == len(set(COLORS)) == 20 and DEFAULT_COLOR in COLORS
    assert clean_color(None) == DEFAULT_COLOR
    assert clean_color(" Teal ") == "teal"
    for bad in ("", "chartreuse", "#ff0000", "red; DROP TABLE projects"):
        with pytest.raises(FieldError) as caught:
            clean_color(bad)
        assert caught.value.field == "color"


def test_names():
    assert clean_name("  Home  ") == "Home"
    assert clean_name("x" * NAME_MAX) == "x" * NAME_MAX
    for bad in (None, "", "   ", "x" * (NAME_MAX + 1), "a\nb", "a\x00b"):
        with pytest.raises(FieldError) as caught:
            clean_name(bad)
        assert caught.value.field == "name"
    with pytest.raises(FieldError) as caught:
        clean_name("", field="title")
    assert caught.value.field == "title"


def test_views():
    assert clean_view("list") == "list" and clean_view("board") == "board"
    for bad in (None, "", "LIST", "calendar"):
        with pytest.raises(FieldError) as caught:
            clean_view(bad)
        assert caught.value.field == "view"
