"""Dates shown in the browser's language, on the user's calendar."""

from __future__ import annotations

import reflex as rx
from reflex.vars.function import FunctionStringVar

from todo_app.state.auth import AuthState

# A due moment in the browser's language, on the user's calendar, by the rules of
# core.dates.due_label: Today/Tomorrow/Yesterday, a weekday within the week, else the date.
_LOCAL_DUE = FunctionStringVar.create(
    """((iso, allDay, zone, fallback) => {
  if (!iso || typeof Intl === 'undefined' || !Intl.RelativeTimeFormat) return fallback;
  const due = new Date(iso), now = new Date();
  const format = (options, date) =>
    new Intl.DateTimeFormat(undefined, { timeZone: zone, ...options }).format(date);
  const ymd = (date) =>
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit',
      day: '2-digit' }).format(date);
  const days = Math.round((Date.parse(ymd(due)) - Date.parse(ymd(now))) / 86400000);
  let day;
  if (Math.abs(days) <= 1) {
    day = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }).format(days, 'day');
    day = day.charAt(0).toLocaleUpperCase() + day.slice(1);
  } else if (days > 1 && days < 7) {
    day = format({ weekday: 'long' }, due);
  } else if (ymd(due).slice(0, 4) === ymd(now).slice(0, 4)) {
    day = format({ weekday: 'short', day: 'numeric', month: 'short' }, due);
  } else {
    day = format({ day: 'numeric', month: 'short', year: 'numeric' }, due);
  }
  return allDay ? day : day + ' ' + format({ hour: '2-digit', minute: '2-digit' }, due);
})"""
)


def local_due_text(iso: rx.Var[str], all_day: rx.Var[bool], fallback: rx.Var[str]) -> rx.Var[str]:
    """`iso` (RFC 3339) as the browser says it; `fallback`, the server's label, until then."""
    return _LOCAL_DUE.call(iso, all_day, AuthState.user_timezone, fallback).to(str)
