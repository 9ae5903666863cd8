"""Domain errors: values a user can read, mapped to HTTP statuses at the edges."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the services raise on purpose."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class FieldError(DomainError):
    """Input that breaks a rule; `field` names the input at fault."""

    status = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field)


class NotFound(DomainError):
    """Missing, or belonging to someone else: the two are indistinguishable on purpose."""

    status = 404


class Forbidden(DomainError):
    """Seen but not to be changed this way by this user (a shared project's role)."""

    status = 403


class Gone(DomainError):
    """Was there, and is no more: a used, revoked or expired invitation."""

    status = 410


class Conflict(DomainError):
    """The change collides with the current state (stale version, duplicate)."""

    status = 409

    def __init__(self, message: str, field: str | None = None, current: object = None) -> None:
        super().__init__(message, field)
        self.current = current


class Unauthorized(DomainError):
    status = 401


class TooManyAttempts(DomainError):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
