"""Deadlines in one wording on every page: "15 December 2026 (in 9 days)"."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()


def _day(day: datetime.date) -> str:
    # The whole date, as every other date on the pages and in the letters.
    return date_format(day, "j F Y")


def _distance(day: datetime.date, today: datetime.date) -> str:
    n = (day - today).days
    if n == 0:
        return "today"
    if n == 1:
        return "tomorrow"
    if n == -1:
        return "yesterday"
    return f"in {n} days" if n > 0 else f"{-n} days ago"


@register.filter
def due(day) -> str:
    """ "15 December 2026 (in 9 days)" for a date; "" for none."""
    if not day:
        return ""
    today = timezone.localdate()
    return f"{_day(day)} ({_distance(day, today)})"


@register.filter
def closes_in(day) -> str:
    """ "closes in 9 days, 15 December 2026" (a ballot); "closes today, ..." """
    if not day:
        return ""
    today = timezone.localdate()
    distance = _distance(day, today)
    verb = "closed" if day < today else "closes"
    return f"{verb} {distance}, {_day(day)}"
