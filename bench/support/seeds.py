"""Generated tasks as users write them: the vocabulary and the mix of a seeded task list.

bench/api_list.py and bench/projects.py (COPY, 100,000 tasks, rows from `task_rows`) and
bench/ui_load.py (through the services) draw the same kind of list from these.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

from todo_app.core.validation import local_midnight, search_text, tag_key

TIMEZONE = "Europe/Berlin"

SHARE_RECURRING = 0.10
SHARE_UNDATED = 0.20
SHARE_ALL_DAY = 0.05
SHARE_COMPLETED = 0.30
SHARE_DELETED = 0.005
SHARE_DESCRIBED = 0.40
SHARE_REMINDED = 0.15
DUE_SPREAD_DAYS = 180
HISTORY_DAYS = 730

VERBS = (
    "Call", "Email", "Review", "Write", "Fix", "Plan", "Buy", "Book", "Pay", "Update",
    "Prepare", "Send", "Clean", "Schedule", "Read", "Draft", "Submit", "Check", "Renew",
    "Organize", "Finish", "Print", "Sign", "Return", "Order",
)  # fmt: skip
OBJECTS = (
    "report", "invoice", "dentist", "groceries", "slides", "budget", "tax return", "car service",
    "passport", "insurance", "newsletter", "roadmap", "contract", "blog post", "garden",
    "birthday gift", "flight", "hotel", "quarterly report", "expense report", "team meeting",
    "code review", "release notes", "landlord", "plumber", "library books", "gym membership",
    "vet appointment", "project proposal", "onboarding docs", "backup", "photos", "recipes",
    "bike", "windows", "laundry", "kitchen", "presentation", "survey results", "spreadsheet",
)  # fmt: skip
SUFFIXES = (
    "", "", "", "", "for Monday", "with Alex", "before Friday", "for the client", "again",
    "this week", "for Sam", "at the office", "tonight",
)  # fmt: skip
SENTENCES = (
    "Remember to attach the latest numbers.",
    "Ask Sam about the report deadline.",
    "Check the shared drive first.",
    "Needs the signed copy from last week.",
    "Keep the receipt for the expense report.",
    "Compare at least three offers.",
    "Follow up if there is no answer by Thursday.",
    "Bring the printed agenda.",
    "Use the template from the wiki.",
    "Coordinate with the design team.",
    "Budget is tight this quarter.",
    "Low effort but easy to forget.",
    "Blocked until the contract is signed.",
    "Call before noon, they close early.",
    "Draft first, then ask for a review.",
)
# Canonical spellings, most used first; tasks sometimes spell them in another case.
TAGS = (
    "Work", "Home", "Errands", "urgent", "Finance", "Health", "Family", "Shopping", "Reading",
    "ProjectX", "Garden", "Car", "Travel", "Admin", "Kids", "Calls", "Email", "Fitness",
    "Learning", "Music", "Cooking", "Taxes", "Insurance", "Meetings", "Ideas", "Someday",
    "Q3-Planning", "Backlog", "Volunteering", "DIY",
)  # fmt: skip
TAG_WEIGHTS = tuple(1 / (rank + 1) for rank in range(len(TAGS)))
# Canonical forms, as recurrence.normalize_rrule stores them; the list only tests IS NOT NULL.
RULES = (
    "FREQ=DAILY",
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "FREQ=WEEKLY",
    "FREQ=MONTHLY",
    "FREQ=WEEKLY;BYDAY=MO",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
    "FREQ=MONTHLY;BYMONTHDAY=1",
    "FREQ=YEARLY",
)


def spelling(tag: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.10:
        return tag.lower()
    if roll < 0.15:
        return tag.upper()
    return tag


def tags(rng: random.Random) -> list[str]:
    count = rng.choices((0, 1, 2, 3, 4), weights=(25, 35, 25, 10, 5))[0]
    picked = dict.fromkeys(rng.choices(TAGS, weights=TAG_WEIGHTS, k=count))
    return [spelling(tag, rng) for tag in picked]


def title(rng: random.Random) -> str:
    suffix = rng.choice(SUFFIXES)
    return " ".join(part for part in (rng.choice(VERBS), rng.choice(OBJECTS), suffix) if part)


def _due(rng: random.Random, today: date, tz: ZoneInfo) -> tuple[datetime, bool]:
    day = today + timedelta(days=rng.randint(-DUE_SPREAD_DAYS, DUE_SPREAD_DAYS))
    # A share of the dated tasks, so that SHARE_ALL_DAY of all tasks are all-day.
    if rng.random() < SHARE_ALL_DAY / (1 - SHARE_UNDATED):
        return local_midnight(day, TIMEZONE), True
    local = datetime.combine(day, clock(rng.randint(8, 18), rng.choice((0, 30))), tzinfo=tz)
    return local.astimezone(UTC), False


def task_rows(
    user_id: uuid.UUID, project_id: uuid.UUID, count: int, rng: random.Random, now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`count` task rows of one project, filled as services.tasks.create_task fills them
    (positions 1.. in creation order), and their reminders: the rows the benchmarks COPY."""
    tz = ZoneInfo(TIMEZONE)
    today = now.astimezone(tz).date()
    history = HISTORY_DAYS * 86400
    # Positions follow creation order, as _next_position hands them out.
    created = sorted(now - timedelta(seconds=rng.uniform(60, history)) for _ in range(count))
    tasks: list[dict[str, Any]] = []
    reminders: list[dict[str, Any]] = []
    for position, created_at in enumerate(created, start=1):
        task_id = uuid.uuid4()
        name = title(rng)
        described = rng.random() < SHARE_DESCRIBED
        description = " ".join(rng.sample(SENTENCES, rng.randint(1, 3))) if described else ""
        labels = tags(rng)
        kind = rng.random()
        rule = rng.choice(RULES) if kind < SHARE_RECURRING else None
        undated = rule is None and kind < SHARE_RECURRING + SHARE_UNDATED
        due_at, all_day = (None, False) if undated else _due(rng, today, tz)
        completed = rng.random() < SHARE_COMPLETED
        completed_at = created_at + (now - created_at) * rng.random() if completed else None
        deleted_at = (
            now - (now - created_at) * rng.random() if rng.random() < SHARE_DELETED else None
        )
        tasks.append(
            {
                "id": task_id,
                "user_id": user_id,
                "project_id": project_id,
                "created_by": user_id,
                "section_id": None,
                "parent_id": None,
                "assignee_id": None,
                "title": name,
                "description": description,
                "priority": rng.choices(("low", "medium", "high"), weights=(25, 55, 20))[0],
                "tags": json.dumps(labels),
                "tag_keys": json.dumps([tag_key(tag) for tag in labels]),
                "search_text": search_text(name, description),
                "due_at": due_at,
                "all_day": all_day,
                "rrule": rule,
                "repeat_from": "completion" if rule and rng.random() < 0.2 else "due",
                "series_id": task_id,
                "occurrence_at": due_at if rule else None,
                "completed": completed,
                "completed_at": completed_at,
                "deleted_at": deleted_at,
                "skipped_at": None,
                "position": position,
                "created_at": created_at,
                "updated_at": max(filter(None, (created_at, completed_at, deleted_at))),
                "version": 1 + completed + (deleted_at is not None),
            }
        )
        if due_at is not None and not completed and rng.random() < SHARE_REMINDED:
            offset = rng.choice((15, 60, 1440))
            remind_at = due_at - timedelta(minutes=offset)
            sent = remind_at < now
            reminders.append(
                {
                    "id": uuid.uuid4(),
                    "task_id": task_id,
                    "user_id": user_id,
                    "remind_at": remind_at,
                    "offset_minutes": offset,
                    "sent_at": remind_at if sent else None,
                    "attempts": int(sent),
                }
            )
    return tasks, reminders
