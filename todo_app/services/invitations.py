"""Sharing a project by email: an account is added at once, any other address is invited.

An invitation is mailed as a link (by the notifications worker, on `project.invited`). Its
token is the invitation's id and an HMAC of that id under the app's secret, so no secret is
stored and an altered token is refused; it works once (`status`) and for INVITATION_DAYS.
Accepting needs an account with the invited address: the invite page registers one on the
spot.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import timedelta

from sqlmodel import Session, col, select

from todo_app.config import get_settings
from todo_app.core.errors import Gone, NotFound
from todo_app.core.people import shown_name
from todo_app.core.projects import Permission, Role
from todo_app.models import Invitation, Project, User, utcnow
from todo_app.schemas import (
    InvitationList,
    InvitationPublic,
    InvitationReceived,
    MemberAdd,
    MemberPublic,
    ProjectPublic,
)
from todo_app.services import outbox, projects

INVITATION_DAYS = 7
# The invitation's id in hex, a dot, and 24 bytes of HMAC in unpadded base64url.
TOKEN_PATTERN = r"^[0-9a-f]{32}\.[A-Za-z0-9_-]{32}$"
PENDING = projects.PENDING


def token_of(invitation_id: uuid.UUID) -> str:
    secret = get_settings().jwt_secret.get_secret_value().encode()
    mac = hmac.new(secret, b"invitation:" + invitation_id.bytes, hashlib.sha256).digest()
    return f"{invitation_id.hex}.{base64.urlsafe_b64encode(mac[:24]).decode()}"


def link_of(invitation_id: uuid.UUID) -> str:
    """Where the invitation's mail sends its reader: the invite page of the app."""
    return f"{get_settings().app_url.rstrip('/')}/invite/{token_of(invitation_id)}"


def share(
    session: Session, user: User, project_id: uuid.UUID, data: MemberAdd
) -> MemberPublic | InvitationPublic:
    """Add the account with this email in the role given, or invite the address by mail. Asking
    again for an address already invited renews its invitation (role, 7 days, a new mail)."""
    project, role, email = projects.project_to_share(session, user, project_id, data)
    account = session.exec(select(User).where(User.email == email)).one_or_none()
    if account is not None:
        return projects.admit(session, project, account, role)
    row = session.exec(
        select(Invitation).where(
            Invitation.project_id == project.id,
            Invitation.email == email,
            Invitation.status == PENDING,
        )
    ).one_or_none()
    now = utcnow()
    if row is None:
        row = Invitation(project_id=project.id, email=email, role=role.value, expires_at=now)
    row.role = role.value
    row.invited_by = user.id
    row.created_at = now
    row.expires_at = now + timedelta(days=INVITATION_DAYS)
    session.add(row)
    session.flush()
    _emit(session, "project.invited", project, row)
    return projects.invitation_public(row)


def _emit(session: Session, event_type: str, project: Project, row: Invitation) -> None:
    data = {
        "user_id": str(project.owner_id),
        "project_id": str(project.id),
        "invitation_id": str(row.id),
        "email": row.email,
        "role": row.role,
    }
    outbox.emit(session, event_type, data)


def revoke(session: Session, user: User, project_id: uuid.UUID, invitation_id: uuid.UUID) -> None:
    """Withdraw a pending invitation: its link stops working at once."""
    project = projects.project_for(session, user, project_id, Permission.manage_members)
    row = session.get(Invitation, invitation_id)
    if row is None or row.project_id != project.id or row.status != PENDING:
        raise NotFound("invitation not found")
    _answer(session, project, row, "revoked")


def _answer(session: Session, project: Project, row: Invitation, status: str) -> None:
    row.status = status
    row.responded_at = utcnow()
    session.add(row)
    session.flush()
    if status != "accepted":
        _emit(session, f"project.invitation_{status}", project, row)


def _by_token(session: Session, token: str) -> tuple[Invitation, Project]:
    """The pending invitation of a token and its project: an unknown or altered token is not
    found; a used, revoked or expired one is gone."""
    head, _, _ = token.partition(".")
    try:
        invitation_id = uuid.UUID(hex=head)
    except ValueError:
        raise NotFound("invitation not found") from None
    row = session.get(Invitation, invitation_id)
    if row is None or not hmac.compare_digest(token_of(invitation_id), token):
        raise NotFound("invitation not found")
    project = session.get(Project, row.project_id)
    if row.status != PENDING:
        raise Gone(f"this invitation was {row.status}")
    if row.expires_at <= utcnow():
        raise Gone("this invitation has expired: ask for a new one")
    if project is None or project.deleted_at is not None:
        raise Gone("the project of this invitation was deleted")
    return row, project


def _received(session: Session, row: Invitation, project: Project) -> InvitationReceived:
    inviter = session.get(User, row.invited_by) if row.invited_by else None
    return InvitationReceived(
        token=token_of(row.id),
        project_id=project.id,
        project_name=project.name,
        email=row.email,
        role=row.role,
        invited_by=shown_name(inviter.display_name, inviter.email) if inviter else "Someone",
        expires_at=row.expires_at,
    )


def preview(session: Session, token: str) -> InvitationReceived:
    """What the invite page shows before anyone signs in: the token is the right to see it."""
    row, project = _by_token(session, token)
    return _received(session, row, project)


def received(session: Session, user: User) -> InvitationList:
    """The invitations waiting for the user's address, newest first."""
    rows = session.exec(
        select(Invitation, Project)
        .join(Project, col(Project.id) == Invitation.project_id)
        .where(
            Invitation.email == user.email.lower(),
            Invitation.status == PENDING,
            col(Invitation.expires_at) > utcnow(),
            col(Project.deleted_at).is_(None),
        )
        .order_by(col(Invitation.created_at).desc())
    ).all()
    return InvitationList(items=[_received(session, row, project) for row, project in rows])


def _addressed(session: Session, user: User, token: str) -> tuple[Invitation, Project]:
    row, project = _by_token(session, token)
    if row.email != user.email.lower():
        # Someone else's invitation, like their data, is not found.
        raise NotFound(f"no invitation for {user.email} with this token")
    return row, project


def accept(session: Session, user: User, token: str) -> ProjectPublic:
    """Join the project in the role invited to; the project as the user now sees it."""
    row, project = _addressed(session, user, token)
    _answer(session, project, row, "accepted")
    if projects.role_of(session, user, project) is None:
        role = Role(row.role)
        invited_by = str(row.invited_by) if row.invited_by else None
        projects.admit(
            session, project, user, role, invited_by=invited_by, invitation_id=str(row.id)
        )
    return projects.project_public(session, user, project)


def decline(session: Session, user: User, token: str) -> None:
    row, project = _addressed(session, user, token)
    _answer(session, project, row, "declined")
