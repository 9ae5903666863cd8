"""Input rules for tasks and accounts; each failure names its field in words a user can act on."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from email_validator import EmailNotValidError, validate_email

from todo_app.core.errors import FieldError

PRIORITIES = ("low", "medium", "high")
REPEAT_FROM = ("due", "completion")
TITLE_MAX = 255
DESCRIPTION_MAX = 5000
COMMENT_MAX = 10_000
TAGS_MAX = 20
TAG_MAX = 50
REMINDERS_MAX = 20
REMINDER_OFFSET_MAX = 366 * 24 * 60
DISPLAY_NAME_MAX = 100
PASSWORD_MIN = 8
# bcrypt reads at most 72 bytes; longer passwords would be silently truncated.
PASSWORD_MAX_BYTES = 72
EARLIEST_YEAR = 1970
LATEST_YEAR = 2200


def _has_control(value: str, allowed: str = "") -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value)


def refuse_control(value: str, field: str) -> str:
    """`value` unchanged, or a FieldError if it holds a control character (newlines too)."""
    if _has_control(value):
        raise FieldError(field, f"{field} must not contain control characters")
    return value


def clean_title(value: str) -> str:
    title = value.strip()
    if not title:
        raise FieldError("title", "title must not be empty")
    if len(title) > TITLE_MAX:
        raise FieldError("title", f"title must be at most {TITLE_MAX} characters")
    if _has_control(title):
        raise FieldError("title", "title must not contain control characters")
    return title


def clean_description(value: str | None) -> str:
    description = (value or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise FieldError("description", f"description must be at most {DESCRIPTION_MAX} characters")
    if _has_control(description, allowed="\n\r\t"):
        raise FieldError("description", "description must not contain control characters")
    return description


def clean_comment(value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise FieldError("text", "text must not be empty")
    if len(text) > COMMENT_MAX:
        raise FieldError("text", f"text must be at most {COMMENT_MAX} characters")
    if _has_control(text, allowed="\n\r\t"):
        raise FieldError("text", "text must not contain control characters")
    return text


def clean_priority(value: str | None) -> str:
    priority = (value or "medium").strip().lower()
    if priority not in PRIORITIES:
        raise FieldError("priority", "priority must be one of low, medium, high")
    return priority


def clean_repeat_from(value: str | None) -> str:
    repeat_from = (value or "due").strip().lower()
    if repeat_from not in REPEAT_FROM:
        raise FieldError("repeat_from", "repeat_from must be one of due, completion")
    return repeat_from


def clean_tag(value: str, field: str = "tags") -> str:
    tag = value.strip().lstrip("#").strip()
    if not tag:
        raise FieldError(field, f"{field}: each tag must be 1 to {TAG_MAX} characters")
    if len(tag) > TAG_MAX:
        raise FieldError(field, f"{field}: each tag must be at most {TAG_MAX} characters")
    if _has_control(tag) or "," in tag:
        raise FieldError(field, f"{field}: a tag must not contain commas or control characters")
    return tag


def clean_tags(values: list[str] | None) -> list[str]:
    """Trim, drop case-insensitive duplicates (keeping the first spelling), cap the count."""
    seen: set[str] = set()
    tags: list[str] = []
    for raw in values or []:
        tag = clean_tag(raw)
        key = tag_key(tag)
        if key not in seen:
            seen.add(key)
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise FieldError("tags", f"tags: a task can have at most {TAGS_MAX} tags")
    return tags


def tag_key(tag: str) -> str:
    return tag.casefold()


def search_text(title: str, description: str) -> str:
    return f"{title}\n{description}".casefold()


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones() | {"UTC"})


def clean_timezone(value: str | None, field: str = "timezone") -> str:
    zone = (value or "").strip()
    if zone not in _zones():
        raise FieldError(field, f"{field} must be an IANA time zone such as Europe/Berlin")
    return zone


def clean_display_name(value: str | None) -> str:
    name = (value or "").strip()
    if len(name) > DISPLAY_NAME_MAX:
        raise FieldError(
            "display_name", f"display_name must be at most {DISPLAY_NAME_MAX} characters"
        )
    if _has_control(name):
        raise FieldError("display_name", "display_name must not contain control characters")
    return name


def clean_password(value: str) -> str:
    if len(value) < PASSWORD_MIN:
        raise FieldError("password", f"password must be at least {PASSWORD_MIN} characters")
    if len(value.encode()) > PASSWORD_MAX_BYTES:
        raise FieldError("password", f"password must be at most {PASSWORD_MAX_BYTES} bytes")
    return value


def _check_year(moment: date, field: str) -> None:
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise FieldError(field, f"{field} must be between {EARLIEST_YEAR} and {LATEST_YEAR}")


def local_midnight(day: date, tz: str) -> datetime:
    """The UTC instant at which `day` starts in `tz`."""
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def parse_instant(value: str | datetime, tz: str, field: str) -> datetime:
    """An RFC 3339 instant, or a local date-time without offset read in the user's `tz`."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise FieldError(
                field, f"{field} must be an RFC 3339 date-time such as 2026-12-25T17:00:00Z"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    _check_year(moment, field)
    return moment.astimezone(UTC)


def parse_due(value: str | datetime | date | None, tz: str) -> tuple[datetime | None, bool]:
    """Parse a due value: a date alone means all-day (local midnight), else an instant.

    Returns (due_at in UTC or None, all_day).
    """
    if value is None:
        return None, False
    if isinstance(value, date) and not isinstance(value, datetime):
        _check_year(value, "due_at")
        return local_midnight(value, tz), True
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise FieldError(
                "due_at", "due_at must be a date (2026-12-25) or an RFC 3339 date-time"
            ) from None
        _check_year(day, "due_at")
        return local_midnight(day, tz), True
    return parse_instant(value, tz, "due_at"), False


def parse_boundary(value: str, tz: str, field: str, end_of_day: bool) -> datetime:
    """A filter bound: a date means the start (or the end) of that local day."""
    text = value.strip()
    if len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise FieldError(field, f"{field} must be a date or an RFC 3339 date-time") from None
        _check_year(day, field)
        start = local_midnight(day, tz)
        if end_of_day:
            return local_midnight(day + timedelta(days=1), tz)
        return start
    return parse_instant(text, tz, field)


def clean_reminders(
    instants: list[str] | list[datetime] | None,
    before_minutes: list[int] | None,
    due_at: datetime | None,
    tz: str,
) -> list[tuple[datetime, int | None]]:
    """Reminders as (remind_at UTC, offset minutes or None), duplicates dropped, sorted."""
    result: set[tuple[datetime, int | None]] = set()
    for raw in instants or []:
        result.add((parse_instant(raw, tz, "reminders"), None))
    for minutes in before_minutes or []:
        if due_at is None:
            raise FieldError("remind_before_minutes", "remind_before_minutes needs a due date")
        if not 0 <= minutes <= REMINDER_OFFSET_MAX:
            raise FieldError(
                "remind_before_minutes",
                f"remind_before_minutes must be between 0 and {REMINDER_OFFSET_MAX}",
            )
        result.add((due_at - timedelta(minutes=minutes), minutes))
    if len(result) > REMINDERS_MAX:
        raise FieldError("reminders", f"reminders: a task can have at most {REMINDERS_MAX}")
    return sorted(result, key=lambda item: (item[0], item[1] is None, item[1] or 0))


def clean_email(value: str) -> str:
    """An email address as accounts and invitations store it: validated, normalized, lower."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise FieldError("email", f"email is not a valid address: {exc}") from None
    return result.normalized.lower()
