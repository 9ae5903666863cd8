"""Projects, their sections and members, and invitations to them."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Path, Query, Response, status

from todo_app.api import API_PREFIX
from todo_app.api.deps import only_query
from todo_app.api.router import ApiRouter, RouterSession, RouterUser
from todo_app.schemas import (
    ErrorBody,
    InvitationList,
    InvitationPublic,
    MemberAdd,
    MemberList,
    MemberPublic,
    MemberUpdate,
    ProjectCreate,
    ProjectList,
    ProjectPublic,
    ProjectUpdate,
    SectionCreate,
    SectionList,
    SectionPublic,
    SectionUpdate,
    TransferRequest,
)
from todo_app.services import invitations, projects
from todo_app.services.invitations import TOKEN_PATTERN

router = ApiRouter(prefix=API_PREFIX)
GONE: dict[int | str, dict[str, Any]] = {
    410: {"model": ErrorBody, "description": "The invitation was used, revoked or has expired"}
}
Token = Annotated[
    str, Path(pattern=TOKEN_PATTERN, description="the token of the invitation's link")
]


@router.get("/projects", tags=["projects"], dependencies=[only_query("archived")])
def list_projects(
    user: RouterUser,
    session: RouterSession,
    archived: Annotated[bool, Query(description="the archived projects instead")] = False,
) -> ProjectList:
    """The user's projects, the Inbox first; the trash is never listed."""
    return projects.list_projects(session, user, archived)


@router.post("/projects", tags=["projects"], status_code=status.HTTP_201_CREATED)
def create_project(body: ProjectCreate, user: RouterUser, session: RouterSession) -> ProjectPublic:
    return projects.create_project(session, user, body)


@router.get("/projects/{project_id}", tags=["projects"])
def get_project(project_id: uuid.UUID, user: RouterUser, session: RouterSession) -> ProjectPublic:
    return projects.read_project(session, user, project_id)


@router.patch("/projects/{project_id}", tags=["projects"])
def update_project(
    project_id: uuid.UUID, body: ProjectUpdate, user: RouterUser, session: RouterSession
) -> ProjectPublic:
    """Change only the fields sent; `position` is the place among its siblings."""
    return projects.update_project(session, user, project_id, body)


@router.delete("/projects/{project_id}", tags=["projects"])
def delete_project(
    project_id: uuid.UUID, user: RouterUser, session: RouterSession
) -> ProjectPublic:
    """To the trash with its sub-projects and tasks; POST .../restore undoes it."""
    return projects.delete_project(session, user, project_id)


@router.post("/projects/{project_id}/restore", tags=["projects"])
def restore_project(
    project_id: uuid.UUID, user: RouterUser, session: RouterSession
) -> ProjectPublic:
    """Back from the trash with what went with it; tasks trashed before stay there."""
    return projects.restore_project(session, user, project_id)


@router.post("/projects/{project_id}/archive", tags=["projects"])
def archive_project(
    project_id: uuid.UUID, user: RouterUser, session: RouterSession
) -> ProjectPublic:
    return projects.archive_project(session, user, project_id)


@router.post("/projects/{project_id}/unarchive", tags=["projects"])
def unarchive_project(
    project_id: uuid.UUID, user: RouterUser, session: RouterSession
) -> ProjectPublic:
    return projects.unarchive_project(session, user, project_id)


@router.get("/projects/{project_id}/sections", tags=["sections"])
def list_sections(project_id: uuid.UUID, user: RouterUser, session: RouterSession) -> SectionList:
    return projects.list_sections(session, user, project_id)


@router.post(
    "/projects/{project_id}/sections", tags=["sections"], status_code=status.HTTP_201_CREATED
)
def create_section(
    project_id: uuid.UUID, body: SectionCreate, user: RouterUser, session: RouterSession
) -> SectionPublic:
    return projects.create_section(session, user, project_id, body)


@router.patch("/sections/{section_id}", tags=["sections"])
def update_section(
    section_id: uuid.UUID, body: SectionUpdate, user: RouterUser, session: RouterSession
) -> SectionPublic:
    return projects.update_section(session, user, section_id, body)


@router.delete("/sections/{section_id}", tags=["sections"], status_code=status.HTTP_204_NO_CONTENT)
def delete_section(section_id: uuid.UUID, user: RouterUser, session: RouterSession) -> None:
    """The section goes; its tasks stay in the project, outside any section."""
    projects.delete_section(session, user, section_id)


@router.get("/projects/{project_id}/members", tags=["members"])
def list_members(project_id: uuid.UUID, user: RouterUser, session: RouterSession) -> MemberList:
    """Who sees the project: its owner first (role "owner"), then its members."""
    return projects.list_members(session, user, project_id)


@router.post(
    "/projects/{project_id}/members",
    tags=["members"],
    status_code=status.HTTP_201_CREATED,
    responses={202: {"model": InvitationPublic, "description": "Invited by mail"}},
)
def add_member(
    project_id: uuid.UUID,
    body: MemberAdd,
    response: Response,
    user: RouterUser,
    session: RouterSession,
) -> MemberPublic | InvitationPublic:
    """Share the project: an account with this email is added at once (201, the member);
    any other address is invited by mail (202, the invitation: a link valid 7 days, once)."""
    shared = invitations.share(session, user, project_id, body)
    if isinstance(shared, InvitationPublic):
        response.status_code = status.HTTP_202_ACCEPTED
    return shared


@router.delete(
    "/projects/{project_id}/invitations/{invitation_id}",
    tags=["members"],
    status_code=status.HTTP_204_NO_CONTENT,
)
def revoke_invitation(
    project_id: uuid.UUID, invitation_id: uuid.UUID, user: RouterUser, session: RouterSession
) -> None:
    """Withdraw a pending invitation: its link stops working at once."""
    invitations.revoke(session, user, project_id, invitation_id)


@router.patch("/projects/{project_id}/members/{user_id}", tags=["members"])
def update_member(
    project_id: uuid.UUID,
    user_id: uuid.UUID,
    body: MemberUpdate,
    user: RouterUser,
    session: RouterSession,
) -> MemberPublic:
    return projects.update_member(session, user, project_id, user_id, body)


@router.delete(
    "/projects/{project_id}/members/{user_id}",
    tags=["members"],
    status_code=status.HTTP_204_NO_CONTENT,
)
def remove_member(
    project_id: uuid.UUID, user_id: uuid.UUID, user: RouterUser, session: RouterSession
) -> None:
    """The member loses the project at once; removing oneself is leaving."""
    projects.remove_member(session, user, project_id, user_id)


@router.post(
    "/projects/{project_id}/leave", tags=["members"], status_code=status.HTTP_204_NO_CONTENT
)
def leave_project(project_id: uuid.UUID, user: RouterUser, session: RouterSession) -> None:
    projects.leave_project(session, user, project_id)


@router.post("/projects/{project_id}/transfer", tags=["members"])
def transfer_project(
    project_id: uuid.UUID, body: TransferRequest, user: RouterUser, session: RouterSession
) -> ProjectPublic:
    """Hand the project to one of its members; the owner stays on as an admin."""
    return projects.transfer_project(session, user, project_id, body.user_id)


@router.get("/invitations", tags=["invitations"])
def list_invitations(user: RouterUser, session: RouterSession) -> InvitationList:
    """The invitations waiting for the caller's email address, newest first."""
    return invitations.received(session, user)


@router.post("/invitations/{token}/accept", tags=["invitations"], responses=GONE)
def accept_invitation(token: Token, user: RouterUser, session: RouterSession) -> ProjectPublic:
    """Join the project in the role invited to. An invitation to another address is not
    found (404); a used, revoked or expired one is gone (410)."""
    return invitations.accept(session, user, token)


@router.post(
    "/invitations/{token}/decline",
    tags=["invitations"],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=GONE,
)
def decline_invitation(token: Token, user: RouterUser, session: RouterSession) -> None:
    invitations.decline(session, user, token)
