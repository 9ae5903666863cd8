"""How a person is named to others: the name shown, the names they go by, their initials."""

from __future__ import annotations


def shown_name(display_name: str, email: str) -> str:
    """Their display name, else the part of their email before the @."""
    return display_name.strip() or email.split("@")[0]


def handles(display_name: str, email: str) -> tuple[str, ...]:
    """The names someone is called by in a comment's @ or quick add's +: their whole name,
    written with or without spaces, their first name, and their email's name."""
    name = display_name.strip()
    found = (name, name.replace(" ", ""), name.split(" ")[0], email.split("@")[0])
    return tuple(dict.fromkeys(h for h in found if h))


def initials(name: str) -> str:
    return "".join(part[0] for part in name.split()[:2]).upper()
