"""Deadlines in one wording on every page: "15 December 2026 (in 9 days)"."""

from __future__ import annotations

import datetime
import functools

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

register = template.Library()


def _day(day: datetime.date) -> str:
    # The whole date, as every other date on the pages and in the letters.
    return _day_in(day, get_language())


@functools.lru_cache(maxsize=4096)
def _day_in(day: datetime.date, language: str | None) -> str:
    # Worded once per day and language: a long list (My ballots) words the same few days
    # on every row, and each wording looks the month up in the catalogues.
    return date_format(day, "DATE_FORMAT")


def _distance(day: datetime.date, today: datetime.date) -> str:
    n = (day - today).days
    if n == 0:
        return _("today")
    if n == 1:
        return _("tomorrow")
    if n == -1:
        return _("yesterday")
    if n > 0:
        return ngettext("in %(n)s day", "in %(n)s days", n) % {"n": n}
    return ngettext("%(n)s day ago", "%(n)s days ago", -n) % {"n": -n}


@register.filter
def due(day) -> str:
    """ "15 December 2026 (in 9 days)" for a date; "" for none."""
    if not day:
        return ""
    today = timezone.localdate()
    return _("%(day)s (%(distance)s)") % {"day": _day(day), "distance": _distance(day, today)}


@register.filter
def day(value) -> str:
    """The whole date of a day or of a moment (in the current time zone), as `_day`."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return _day(value)


@register.filter
def closes_in(day) -> str:
    """ "closes in 9 days, 15 December 2026" (a ballot); "closes today, ..." """
    if not day:
        return ""
    return _closes_in(day, timezone.localdate(), get_language())


@functools.lru_cache(maxsize=4096)
def _closes_in(day: datetime.date, today: datetime.date, language: str | None) -> str:
    # Per day, today and language: the rows of a long list share a few closing days.
    values = {"distance": _distance(day, today), "day": _day(day)}
    if day < today:
        return _("closed %(distance)s, %(day)s") % values
    return _("closes %(distance)s, %(day)s") % values
