import pytest

from todo_app.core.recurrence import normalize_rrule
from todo_app.core.repeat_choice import RepeatChoice, from_rrule, to_rrule

CASES = [
    (RepeatChoice(kind="none"), None),
    (RepeatChoice(kind="daily"), "FREQ=DAILY"),
    (RepeatChoice(kind="weekdays"), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    (RepeatChoice(kind="weekly", weekdays=["WE", "MO"]), "FREQ=WEEKLY;BYDAY=MO,WE"),
    (RepeatChoice(kind="weekly", interval=2), "FREQ=WEEKLY;INTERVAL=2"),
    (RepeatChoice(kind="monthly_day", month_day=15), "FREQ=MONTHLY;BYMONTHDAY=15"),
    (RepeatChoice(kind="monthly_nth", nth=-1, nth_weekday="FR"), "FREQ=MONTHLY;BYDAY=-1FR"),
    (RepeatChoice(kind="yearly", end="count", count=5), "FREQ=YEARLY;COUNT=5"),
    (RepeatChoice(kind="daily", end="until", until="2027-01-31"), "FREQ=DAILY;UNTIL=20270131"),
]


@pytest.mark.parametrize(("choice", "rule"), CASES)
def test_choices_make_valid_rules_and_come_back(choice, rule):
    assert to_rrule(choice) == rule
    if rule is None:
        return
    normalize_rrule(rule)
    again = from_rrule(rule)
    assert to_rrule(again) == rule


def test_what_the_picker_cannot_show_stays_custom():
    choice = from_rrule("FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1")
    assert choice.kind == "custom"
    assert to_rrule(choice) == "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1"
