"""Invitations to a shared project through the REST API, on SQLite and PostgreSQL: an
address with no account is invited, and joins with the link once it has an account."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from tests.api.test_members import API, Person, call, refused, share
from todo_app.db import get_engine
from todo_app.models import Invitation, OutboxEvent, utcnow
from todo_app.services import invitations


def invite(client: TestClient, owner: Person, project_id: str, email: str, role: str) -> dict:
    body = {"email": email, "role": role}
    return call(client, "POST", f"/projects/{project_id}/members", owner.headers, 202, json=body)


def newcomer_email() -> str:
    return f"newcomer-{uuid.uuid4().hex[:6]}@example.com"


def test_an_unknown_address_is_invited_and_joins_once_registered(client, db):
    owner, editor = Person(client, "owner"), Person(client, "editor")
    project = call(client, "POST", "/projects", owner.headers, 201, json={"name": "Choir"})
    members = f"/projects/{project['id']}/members"
    share(client, owner, project["id"], editor, "editor")
    address = newcomer_email()

    invited = invite(client, owner, project["id"], address.upper(), "viewer")
    assert (invited["email"], invited["role"], invited["status"]) == (address, "viewer", "pending")
    assert invited["invited_by"] == owner.id
    days = (
        utcnow() + timedelta(days=7) - datetime.fromisoformat(invited["expires_at"])
    ).total_seconds() / 86400
    assert abs(days) < 0.01
    # Asking again renews the same invitation with the new role.
    again = invite(client, owner, project["id"], address, "editor")
    assert again["id"] == invited["id"] and again["role"] == "editor"
    listed = call(client, "GET", members, owner.headers)
    assert [m["role"] for m in listed["items"]] == ["owner", "editor"]
    assert [(i["email"], i["role"]) for i in listed["invitations"]] == [(address, "editor")]
    # A member who may not manage members does not see who is invited.
    assert call(client, "GET", members, editor.headers)["invitations"] == []
    with Session(get_engine(db)) as session:
        rows = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.seq))).all()
    events = [r for r in rows if r.payload["type"] == "project.invited"]
    assert [e.payload["data"]["invitation_id"] for e in events] == [invited["id"]] * 2
    assert all(e.key == project["id"] for e in events)
    # The token is in no event: only the mail, made by the notifications worker, carries it.
    token = invitations.token_of(uuid.UUID(invited["id"]))
    assert all(token not in str(e.payload) for e in events)

    newcomer = Person(client, "newcomer", email=address)
    (waiting,) = call(client, "GET", "/invitations", newcomer.headers)["items"]
    assert waiting["project_name"] == "Choir" and waiting["role"] == "editor"
    assert waiting["invited_by"] == "owner" and waiting["email"] == address
    assert call(client, "GET", "/invitations", editor.headers)["items"] == []
    joined = call(client, "POST", f"/invitations/{waiting['token']}/accept", newcomer.headers)
    assert (joined["id"], joined["role"], joined["shared"]) == (project["id"], "editor", True)
    roles = {m["email"]: m["role"] for m in call(client, "GET", members, owner.headers)["items"]}
    assert roles[address] == "editor"
    assert call(client, "GET", members, owner.headers)["invitations"] == []
    assert call(client, "GET", "/invitations", newcomer.headers)["items"] == []
    call(client, "GET", f"/projects/{project['id']}", newcomer.headers)
    # Once only.
    refused(
        client.post(f"{API}/invitations/{waiting['token']}/accept", headers=newcomer.headers),
        410,
        says="accepted",
    )


def _token(client: TestClient, who: Person) -> str:
    (waiting,) = call(client, "GET", "/invitations", who.headers)["items"]
    return waiting["token"]


def test_a_token_works_only_for_its_address_unaltered_and_in_time(client, db):
    owner = Person(client, "owner")
    project = call(client, "POST", "/projects", owner.headers, 201, json={"name": "Lab"})
    address = newcomer_email()
    invited = invite(client, owner, project["id"], address, "commenter")
    newcomer = Person(client, "newcomer", email=address)
    other = Person(client, "other")
    token = _token(client, newcomer)
    accept = f"{API}/invitations/{token}/accept"

    refused(client.post(accept, headers=other.headers), 404, says=other.email)
    head, _, mac = token.partition(".")
    altered = f"{head}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}"
    for bad in (altered, f"{uuid.uuid4().hex}.{mac}"):
        refused(
            client.post(f"{API}/invitations/{bad}/accept", headers=newcomer.headers),
            404,
            says="invitation not found",
        )
    refused(
        client.post(f"{API}/invitations/nonsense/accept", headers=newcomer.headers), 422, "token"
    )
    with Session(get_engine(db)) as session:
        row = session.get_one(Invitation, uuid.UUID(invited["id"]))
        row.expires_at = utcnow() - timedelta(minutes=1)
        session.add(row)
        session.commit()
    refused(client.post(accept, headers=newcomer.headers), 410, says="expired")
    assert call(client, "GET", "/invitations", newcomer.headers)["items"] == []
    listed = call(client, "GET", f"/projects/{project['id']}/members", owner.headers)
    assert [i["status"] for i in listed["invitations"]] == ["expired"]
    # Nothing was joined by any of it.
    assert [m["role"] for m in listed["items"]] == ["owner"]
    # Shared again, the address now has an account: it is added at once.
    share(client, owner, project["id"], newcomer, "commenter")


def test_an_invitation_is_revoked_by_who_manages_members_or_declined(client):
    owner, admin, editor, stranger = (Person(client, n) for n in ("owner", "admin", "ed", "x"))
    project = call(client, "POST", "/projects", owner.headers, 201, json={"name": "Shop"})
    share(client, owner, project["id"], admin, "admin")
    share(client, owner, project["id"], editor, "editor")
    first, second = newcomer_email(), newcomer_email()
    invited = invite(client, admin, project["id"], first, "viewer")
    invite(client, owner, project["id"], second, "viewer")
    revoked, declining = Person(client, "first", email=first), Person(client, "two", email=second)
    token = _token(client, revoked)
    revoke = f"/projects/{project['id']}/invitations/{invited['id']}"

    refused(client.delete(API + revoke, headers=editor.headers), 403, says="manage_members")
    refused(client.delete(API + revoke, headers=stranger.headers), 404)
    unknown = f"{API}/projects/{project['id']}/invitations/{uuid.uuid4()}"
    refused(client.delete(unknown, headers=admin.headers), 404)
    call(client, "DELETE", revoke, admin.headers, 204)
    refused(client.delete(API + revoke, headers=admin.headers), 404)
    refused(
        client.post(f"{API}/invitations/{token}/accept", headers=revoked.headers),
        410,
        says="revoked",
    )
    members = f"/projects/{project['id']}/members"
    waiting = call(client, "GET", members, owner.headers)["invitations"]
    assert [i["email"] for i in waiting] == [second]

    token = _token(client, declining)
    call(client, "POST", f"/invitations/{token}/decline", declining.headers, 204)
    refused(client.post(f"{API}/invitations/{token}/accept", headers=declining.headers), 410)
    for who in (revoked, declining):
        refused(client.get(f"{API}/projects/{project['id']}", headers=who.headers), 404)
    assert call(client, "GET", members, owner.headers)["invitations"] == []


def test_sharing_refuses_what_is_not_an_address_and_counts_invitations(client):
    owner = Person(client, "owner")
    project = call(client, "POST", "/projects", owner.headers, 201, json={"name": "Club"})
    path = f"{API}/projects/{project['id']}/members"
    for bad in ("", "no-at-sign", "@", "a@", "x" * 321 + "@example.com"):
        refused(
            client.post(path, json={"email": bad, "role": "viewer"}, headers=owner.headers),
            422,
            field="email",
        )
    refused(
        client.post(path, json={"email": newcomer_email(), "role": "owner"}, headers=owner.headers),
        422,
        field="role",
    )
    assert (
        call(client, "GET", f"/projects/{project['id']}/members", owner.headers)["invitations"]
        == []
    )
