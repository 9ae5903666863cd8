"""Generated tasks as users write them: the vocabulary and the mix of a seeded task list.

bench/api_list.py (COPY, 100,000 tasks) and bench/ui_load.py (through the services) draw the
same kind of list from these.
"""

from __future__ import annotations

import random

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
