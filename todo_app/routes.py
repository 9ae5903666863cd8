"""Page routes, named once."""

HOME = "/"
LOGIN = "/login"
REGISTER = "/register"
SETTINGS = "/settings"
ACTIVITY = "/activity"
STATS = "/stats"
PROJECT = "/projects/[project_id]"
INVITE = "/invite/[token]"


def project(project_id: object) -> str:
    """The page of one project."""
    return f"/projects/{project_id}"


def project_of(path: str) -> str:
    """The project id in a project page's path ("" for any other path)."""
    parts = path.strip("/").split("/")
    return parts[1] if len(parts) == 2 and parts[0] == "projects" else ""


def invitation_of(path: str) -> str:
    """The token in an invitation page's path ("" for any other path)."""
    parts = path.strip("/").split("/")
    return parts[1] if len(parts) == 2 and parts[0] == "invite" else ""
