"""Who a comment mentions: @ and a member's first name, whole name or email name."""

from __future__ import annotations

from todo_app.models import User
from todo_app.services.notifications import mentioned


def _user(email: str, name: str) -> User:
    return User(email=email, password_hash="x", display_name=name)


def test_a_comment_mentions_members_by_name_or_email() -> None:
    ada = _user("ada@example.com", "Ada Lovelace")
    bob = _user("robert.k@example.com", "Bob")
    cy = _user("cy@example.com", "")
    people = [ada, bob, cy]
    assert mentioned("Thanks @ada, and @BOB.", people) == {ada.id, bob.id}
    assert mentioned("@adalovelace @robert.k", people) == {ada.id, bob.id}
    assert mentioned("ping @cy!", people) == {cy.id}
    # An address or a word that names nobody mentions nobody.
    assert mentioned("write to ada@example.com or @nobody", people) == set()
    assert mentioned("no mention here", people) == set()
