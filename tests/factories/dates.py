"""Dates as the rules read them: today in the association's time zone, spans in days,
and a date as the pages, refusals and letters write it ("3 March 2026").

Time passing is simulated by moving stored dates into the past with queryset updates
(the workflow rules read today's date), never by touching the rules.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.formats import date_format


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def shown(value: datetime.date) -> str:
    """A date as the pages, the refusals and the letters write it ("3 March 2026")."""
    return date_format(value, "j F Y")
