"""Projects and their sections."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, status

from todo_app.api import API_PREFIX
from todo_app.api.deps import only_query
from todo_app.api.router import ApiRouter, RouterSession, RouterUser
from todo_app.schemas import (
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
from todo_app.services import projects

router = ApiRouter(prefix=API_PREFIX)


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
    "/projects/{project_id}/members", tags=["members"], status_code=status.HTTP_201_CREATED
)
def add_member(
    project_id: uuid.UUID, body: MemberAdd, user: RouterUser, session: RouterSession
) -> MemberPublic:
    """Share the project with an existing account (an unknown email is refused, 422)."""
    return projects.add_member(session, user, project_id, body)


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
