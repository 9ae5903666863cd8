"""The offline assistant: the chat without a language model.

A small intent grammar (add, list/search, complete, reopen, skip, rename, reschedule, set
priority, tag, delete with confirmation, "when is the next ...") over the quick-add parser and
the same tools the model would call. What it does not understand it says plainly, with
examples, and changes nothing.

Two kinds of question carry over to the next message, kept in the assistant's stored reply
(`pending`): "delete X?" waits for yes or no, and "which one?" waits for a number or more words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlmodel import Session

from todo_app.assistant.tools import ToolOutcome, call_tool
from todo_app.core.errors import DomainError
from todo_app.core.quickadd import parse as parse_quick_add
from todo_app.models import User
from todo_app.schemas import TaskCreate
from todo_app.services import quickadd

HELP = (
    "I can add tasks (“add call mom tomorrow 6pm #family every sunday”, “add paint the door "
    "^Home/Repairs”), list them (“what's due this week?”, “high priority tasks tagged work”, "
    "“find passport”, “tasks in ^Home”), complete, reopen, skip, rename, reschedule (“move "
    "dentist to friday 10am”), reprioritise or tag them, delete them (after you confirm), and "
    "tell you when a repeating task comes next. Projects too: “list projects”, “create project "
    "Garden in Home”, “share Garden with sam@example.com as viewer”, “who is in Garden?”."
)
YES = {
    "yes",
    "y",
    "yep",
    "yeah",
    "sure",
    "ok",
    "okay",
    "confirm",
    "do it",
    "delete it",
    "please do",
}
NO = {"no", "n", "nope", "cancel", "stop", "keep it", "don't", "dont", "never mind"}
# Straight and typographic quotes people put around a task's title.
QUOTES = "\"'\u201c\u201d\u2018\u2019"
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}


@dataclass
class Reply:
    text: str
    outcomes: list[ToolOutcome] = field(default_factory=list)
    # What the next message may answer: {"kind": "confirm"|"choose", "tool", "arguments", ...}
    pending: dict[str, Any] | None = None


def _clean(message: str) -> str:
    text = " ".join(message.strip().split())
    return text.rstrip("?!. ").strip()


def _quoted_or(text: str) -> str:
    """Strip quotes and a leading article from a task reference."""
    text = text.strip().strip(QUOTES)
    return re.sub(r"^(the|my|a)\s+", "", text, flags=re.IGNORECASE).strip()


def _typed(task: TaskCreate) -> dict[str, Any]:
    """The tool arguments of what quick add read in the text: the title and tags, and the
    priority and due date when the text gave them."""
    arguments: dict[str, Any] = {"title": task.title, "tags": task.tags}
    if "priority" in task.model_fields_set:
        arguments["priority"] = task.priority
    if task.due_at is not None:
        arguments["due"] = task.due_at
    return arguments


class OfflineAssistant:
    def __init__(self, session: Session, user: User, now: datetime | None = None) -> None:
        self.session = session
        self.user = user
        self.now = now or datetime.now(UTC)
        self.tz = ZoneInfo(user.timezone)

    # -- entry -------------------------------------------------------------------------------

    def respond(self, message: str, pending: dict[str, Any] | None = None) -> Reply:
        text = _clean(message)
        if pending:
            answered = self._answer_pending(text, pending)
            if answered is not None:
                return answered
        if not text:
            return Reply(HELP)
        lowered = text.lower()
        if lowered in ("hi", "hello", "hey", "help", "what can you do", "how does this work"):
            return Reply("Hello! " + HELP)
        for handler in (
            self._share,
            self._members,
            self._projects,
            self._create_project,
            self._subtask,
            self._move,
            self._delete,
            self._uncomplete,
            self._complete,
            self._skip,
            self._rename,
            self._priority,
            self._tag,
            self._reschedule,
            self._next,
            self._add,
            self._list,
        ):
            reply = handler(text)
            if reply is not None:
                return reply
        return Reply(f"I did not understand “{message.strip()}”, so I changed nothing. " + HELP)

    # -- running tools -----------------------------------------------------------------------

    def _call(self, tool: str, **arguments: Any) -> Reply:
        outcome = call_tool(self.session, self.user, tool, arguments)
        if outcome.confirm:
            return Reply(
                outcome.summary + " (yes / no)",
                [outcome],
                {"kind": "confirm", "tool": tool, "arguments": {**arguments, "confirm": True}},
            )
        if outcome.candidates:
            lines = [
                f"{n}. {c['title']}" + (f" ({c['due']})" if c["due"] else "")
                for n, c in enumerate(outcome.candidates, 1)
            ]
            return Reply(
                outcome.summary.split(":")[0] + ". Which one?\n" + "\n".join(lines),
                [outcome],
                {
                    "kind": "choose",
                    "tool": tool,
                    "arguments": arguments,
                    "candidates": outcome.candidates,
                },
            )
        if not outcome.ok:
            return Reply(f"I could not do that: {outcome.summary}", [outcome])
        return Reply(outcome.summary, [outcome])

    def _answer_pending(self, text: str, pending: dict[str, Any]) -> Reply | None:
        lowered = text.lower()
        arguments = dict(pending.get("arguments") or {})
        tool = str(pending.get("tool", ""))
        if pending.get("kind") == "confirm":
            if lowered in YES:
                return self._call(tool, **arguments)
            if lowered in NO:
                return Reply("OK, I left it as it is.")
            return None
        if pending.get("kind") == "choose":
            candidates = list(pending.get("candidates") or [])
            choice = self._choice(lowered, candidates)
            if choice is None:
                return None
            arguments["task"] = choice["id"]
            return self._call(tool, **arguments)
        return None

    @staticmethod
    def _choice(text: str, candidates: list[dict[str, str]]) -> dict[str, str] | None:
        match = re.fullmatch(r"(?:number\s+|#|no\.?\s*)?(\d+)", text)
        index: int | None = None
        if match:
            index = int(match.group(1))
        else:
            word = re.sub(r"^(the\s+)?", "", text).replace(" one", "").strip()
            if word in ORDINALS:
                index = ORDINALS[word]
        if index is not None:
            if index == -1:
                return candidates[-1] if candidates else None
            return candidates[index - 1] if 1 <= index <= len(candidates) else None
        narrowed = [c for c in candidates if text.casefold() in c["title"].casefold()]
        return narrowed[0] if len(narrowed) == 1 else None

    # -- intents -----------------------------------------------------------------------------

    def _delete(self, text: str) -> Reply | None:
        match = re.match(
            r"^(?:delete|remove|trash|get rid of|erase)\s+(?:task\s+)?(.+)$", text, re.I
        )
        if not match:
            return None
        return self._call("delete_task", task=_quoted_or(match.group(1)))

    def _complete(self, text: str) -> Reply | None:
        patterns = (
            r"^(?:complete|finish|finished|done(?: with)?|check off|tick off|tick|close)\s+(.+?)$",
            r"^mark\s+(.+?)\s+(?:as\s+)?(?:done|complete|completed|finished)$",
            r"^i(?:'ve| have)?\s+(?:done|finished|completed)\s+(.+)$",
            r"^(.+?)\s+is\s+(?:done|finished|complete)$",
        )
        for pattern in patterns:
            match = re.match(pattern, text, re.I)
            if match:
                return self._call("complete_task", task=_quoted_or(match.group(1)))
        return None

    def _uncomplete(self, text: str) -> Reply | None:
        patterns = (
            r"^(?:uncomplete|reopen|re-open|undo|unmark|un-complete)\s+(.+)$",
            r"^mark\s+(.+?)\s+(?:as\s+)?(?:not done|open|undone|incomplete|not complete)$",
        )
        for pattern in patterns:
            match = re.match(pattern, text, re.I)
            if match:
                return self._call("uncomplete_task", task=_quoted_or(match.group(1)))
        return None

    def _skip(self, text: str) -> Reply | None:
        match = re.match(
            r"^skip\s+(?:the\s+next\s+|this\s+|today'?s\s+|the\s+)?(.+?)(?:\s+(?:this time|once|"
            r"occurrence|today))?$",
            text,
            re.I,
        )
        return self._call("skip_occurrence", task=_quoted_or(match.group(1))) if match else None

    def _rename(self, text: str) -> Reply | None:
        match = re.match(r"^(?:rename|retitle)\s+(.+?)\s+(?:to|as)\s+(.+)$", text, re.I)
        if not match:
            return None
        return self._call(
            "update_task", task=_quoted_or(match.group(1)), title=_quoted_or(match.group(2))
        )

    def _priority(self, text: str) -> Reply | None:
        level = r"(high|medium|low|urgent|normal)"
        patterns = (
            rf"^(?:set\s+)?(?:the\s+)?priority\s+(?:of|for)\s+(.+?)\s+to\s+{level}$",
            rf"^(?:make|mark|set)\s+(.+?)\s+(?:as\s+|to\s+)?{level}(?:\s+priority)?$",
            rf"^(?:prioritise|prioritize)\s+(.+?)(?:\s+as\s+{level})?$",
        )
        for pattern in patterns:
            match = re.match(pattern, text, re.I)
            if match:
                word = (match.group(2) or "high").lower()
                priority = {"urgent": "high", "normal": "medium"}.get(word, word)
                return self._call("update_task", task=_quoted_or(match.group(1)), priority=priority)
        return None

    def _tag(self, text: str) -> Reply | None:
        match = re.match(r"^(?:tag|label)\s+(.+?)\s+(?:with|as)\s+(.+)$", text, re.I)
        if match:
            tags = re.findall(r"#?([\w-]+)", match.group(2).replace(" and ", " "))
            return self._call("update_task", task=_quoted_or(match.group(1)), add_tags=tags)
        match = re.match(r"^(?:untag|remove (?:the )?tag)\s+#?([\w-]+)\s+from\s+(.+)$", text, re.I)
        if match:
            return self._call(
                "update_task", task=_quoted_or(match.group(2)), remove_tags=[match.group(1)]
            )
        return None

    def _reschedule(self, text: str) -> Reply | None:
        match = re.match(
            r"^(?:move|reschedule|postpone|push|change|set)\s+(?:the\s+due\s+date\s+of\s+)?"
            r"(.+?)\s+(?:to|until|till|for)\s+(.+)$",
            text,
            re.I,
        )
        if not match:
            return None
        target, when = _quoted_or(match.group(1)), match.group(2).strip()
        if when.lower() in ("no date", "someday", "no due date", "nothing"):
            return self._call("update_task", task=target, due="")
        parsed = parse_quick_add(f"x {when}", self.now, self.user.timezone)
        if parsed.due_at is None or parsed.title.strip().lower() != "x":
            # Not a date, but maybe a project's name: "move dentist to health".
            places = quickadd.places(self.session, self.user)
            if any(place.name.casefold() == _quoted_or(when).casefold() for place in places):
                return self._call("move_task", task=target, project=_quoted_or(when))
            return Reply(f"I did not understand the date “{when}”, so I changed nothing.")
        return self._call("update_task", task=target, due=self._due_text(parsed))

    def _next(self, text: str) -> Reply | None:
        patterns = (
            r"^when\s+(?:is|does|will)\s+(?:the\s+)?next\s+(.+?)(?:\s+(?:due|happen|come))?$",
            r"^when\s+(?:does|is)\s+(.+?)\s+(?:repeat|recur|due next|next due|next)$",
            r"^(?:next\s+(?:occurrences?|dates?)|how often)\s+(?:of|for|does)?\s*(.+?)"
            r"(?:\s+repeat)?$",
        )
        for pattern in patterns:
            match = re.match(pattern, text, re.I)
            if match:
                return self._call("next_occurrences", task=_quoted_or(match.group(1)))
        return None

    def _add(self, text: str) -> Reply | None:
        match = re.match(
            r"^(?:please\s+)?(?:add(?: a)?(?: new)?(?: task)?(?: to)?|create(?: a)?(?: task)?|"
            r"new task|todo|remind me to|remind me|i need to|i have to|i must|don't let me "
            r"forget to|note)\s*:?\s+(.+)$",
            text,
            re.I,
        )
        if not match:
            return None
        # The task as quick add reads the text, created through the tool (audited as a call).
        line = match.group(1)
        # "... to project Home": the quick-add ^Home in words.
        in_project = re.search(r"\s+(?:to|in|into)\s+(?:the\s+)?project\s+(.+)$", line, re.I)
        if in_project:
            line = line[: in_project.start()]
        places = quickadd.places(self.session, self.user)
        try:
            task = quickadd.task_from_text(line, self.user.timezone, now=self.now, places=places)
        except DomainError as error:
            return Reply(f"I could not do that: {error.message}. I changed nothing.")
        if not task.title.strip():
            return Reply("What should the task be called?")
        arguments = _typed(task)
        if task.rrule:
            arguments["rrule"] = task.rrule
            arguments["repeat_from"] = task.repeat_from
        if text.lower().startswith("remind me") and task.due_at is not None and not task.all_day:
            arguments["remind_before_minutes"] = [0]
        if "project_id" in task.model_fields_set:
            arguments["project"] = str(task.project_id)
        if "section_id" in task.model_fields_set:
            arguments["section"] = str(task.section_id)
        if in_project and "project" not in arguments:
            arguments["project"] = _quoted_or(in_project.group(1))
        return self._call("add_task", **arguments)

    def _projects(self, text: str) -> Reply | None:
        asks = re.match(
            r"^(?:list|show|what are)(?: me)?\s+(?:all\s+)?(?:my\s+|the\s+)?projects$"
            r"|^(?:which|what)\s+projects\s+do\s+i\s+have$|^projects$",
            text,
            re.I,
        )
        return self._call("list_projects") if asks else None

    def _share(self, text: str) -> Reply | None:
        match = re.match(
            r"^(?:share|invite\s+\S+@\S+\s+to)\s+(?:the\s+)?(?:project\s+)?(.+?)"
            r"(?:\s+with\s+(\S+@\S+))?(?:\s+as\s+(?:an?\s+)?(\w+))?$",
            text,
            re.I,
        )
        invite = re.match(r"^invite\s+(\S+@\S+)\s+to\s+", text, re.I)
        email = (match.group(2) if match else None) or (invite.group(1) if invite else None)
        if not match or not email:
            return None
        arguments = {"project": _quoted_or(match.group(1)), "email": email}
        if match.group(3):
            arguments["role"] = match.group(3).lower()
        return self._call("share_project", **arguments)

    def _members(self, text: str) -> Reply | None:
        match = re.match(
            r"^(?:who(?:'s| is)\s+(?:in|on)|(?:list|show)(?:\s+the)?\s+members\s+of)\s+"
            r"(?:the\s+)?(?:project\s+)?(.+?)\??$",
            text,
            re.I,
        )
        return self._call("list_members", project=_quoted_or(match.group(1))) if match else None

    def _create_project(self, text: str) -> Reply | None:
        match = re.match(
            # "add project review" stays a task: only these verbs make a project.
            r"^(?:(?:create|make|start)\s+(?:a\s+)?(?:new\s+)?|(?:add\s+a\s+)?new\s+)project\s+"
            r"(?:called\s+|named\s+)?(.+?)(?:\s+(?:in|inside|under)\s+(?:project\s+)?(.+))?$",
            text,
            re.I,
        )
        if not match:
            return None
        arguments = {"name": match.group(1).strip(QUOTES)}
        if match.group(2):
            arguments["parent"] = match.group(2).strip().strip(QUOTES)
        return self._call("create_project", **arguments)

    def _subtask(self, text: str) -> Reply | None:
        match = re.match(
            r"^add\s+(?:a\s+)?(?:subtask|sub-task|step)\s+(.+?)\s+(?:to|under|for)\s+(.+)$",
            text,
            re.I,
        ) or re.match(r"^add\s+(.+?)\s+as\s+a\s+(?:subtask|sub-task|step)\s+of\s+(.+)$", text, re.I)
        if not match:
            return None
        task = quickadd.task_from_text(match.group(1), self.user.timezone, now=self.now)
        return self._call("add_subtask", parent=_quoted_or(match.group(2)), **_typed(task))

    def _move(self, text: str) -> Reply | None:
        under = re.match(
            r"^(?:move|put)\s+(.+?)\s+under\s+(.+)$|^make\s+(.+?)\s+a\s+(?:subtask|sub-task|step)"
            r"\s+of\s+(.+)$",
            text,
            re.I,
        )
        if under:
            target, parent = under.group(1) or under.group(3), under.group(2) or under.group(4)
            return self._call("move_task", task=_quoted_or(target), parent=_quoted_or(parent))
        match = re.match(
            r"^(?:move|put)\s+(.+?)\s+(?:to|into|in)\s+(?:the\s+)?(?:project\s+(.+)|(\^.+))$",
            text,
            re.I,
        )
        if not match:
            return None
        arguments: dict[str, Any] = {"task": _quoted_or(match.group(1))}
        if match.group(2):
            arguments["project"] = _quoted_or(match.group(2))
            return self._call("move_task", **arguments)
        places = quickadd.places(self.session, self.user)
        parsed = quickadd.parse_in_zone(match.group(3), self.user.timezone, self.now, places)
        if parsed.project is None or parsed.title:
            return Reply(
                f"I did not understand the project “{match.group(3)}”, so I changed nothing."
            )
        arguments["project"] = parsed.project_id or parsed.project
        if parsed.section is not None:
            arguments["section"] = parsed.section_id or parsed.section
        return self._call("move_task", **arguments)

    def _list(self, text: str) -> Reply | None:
        lowered = text.lower()
        asks = re.match(
            r"^(what|what's|whats|show|list|which|any|anything|find|search|do i have|give me|get|"
            r"tell me|my|all|open|overdue|high|low|medium|urgent|tasks?)\b",
            lowered,
        )
        if not asks:
            return None
        arguments: dict[str, Any] = {"sort_by": "due_at"}
        today = self.now.astimezone(self.tz).date()
        week_end = today + timedelta(days=6 - today.weekday())
        spans: list[tuple[str, tuple[date | None, date | None]]] = [
            ("next week", (week_end + timedelta(days=1), week_end + timedelta(days=7))),
            ("this week", (None, week_end)),
            ("today", (None, today)),
            ("tomorrow", (today + timedelta(days=1), today + timedelta(days=1))),
            ("this month", (None, _month_end(today))),
            ("upcoming", (today, today + timedelta(days=6))),
            ("next 7 days", (today, today + timedelta(days=6))),
        ]
        for phrase, (after, before) in spans:
            if phrase in lowered:
                if after:
                    arguments["due_after"] = after.isoformat()
                if before:
                    arguments["due_before"] = before.isoformat()
                break
        if "overdue" in lowered or "late" in lowered.split():
            arguments["overdue"] = True
        priorities = [p for p in ("high", "medium", "low") if f"{p} priority" in lowered]
        if "urgent" in lowered or "important" in lowered:
            priorities.append("high")
        if priorities:
            arguments["priority"] = sorted(set(priorities))
        tags = re.findall(r"#([\w-]+)", text)
        tags += re.findall(
            r"\b(?:tagged|tag|labelled|labeled)\s+(?:with\s+|as\s+)?#?([\w-]+)", text, re.I
        )
        if tags:
            arguments["tags"] = list(dict.fromkeys(tags))
        if re.search(r"\b(completed|finished|done)\b", lowered) and "not done" not in lowered:
            arguments["status"] = "completed"
        in_project = re.search(r"\bin\s+(?:the\s+)?project\s+(.+)$", text, re.I)
        parsed = quickadd.parse_in_zone(
            text, self.user.timezone, self.now, quickadd.places(self.session, self.user)
        )
        if parsed.project is not None:
            arguments["project"] = parsed.project_id or parsed.project
            text = text.replace(next(c.text for c in parsed.recognized if c.kind == "project"), "")
        elif in_project:
            arguments["project"] = _quoted_or(in_project.group(1))
            text = text[: in_project.start()]
        search = re.search(
            r"\b(?:find|search(?: for)?|about|containing|mentioning|called|named)\s+(.+)$",
            text,
            re.I,
        )
        if search:
            arguments["q"] = _quoted_or(search.group(1))
        return self._call("list_tasks", **arguments)

    def _due_text(self, parsed: Any) -> str:
        local = parsed.due_at.astimezone(self.tz)
        return local.date().isoformat() if parsed.all_day else local.isoformat()


def _month_end(day: date) -> date:
    end: date = day + relativedelta(day=31)
    return end
