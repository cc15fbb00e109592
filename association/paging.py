"""Keyset ("seek") pagination for long lists: every page costs what the first does.

Django's Paginator counts the whole list and skips rows with OFFSET, so page 2,000 of
the case list reads 50,000 rows to throw them away. Here a page is "the next N rows
after this one" in the list's order, which an index on the sort key answers directly.
The links carry the last (or first) row's sort key as an opaque cursor; the count is
bounded (`COUNT_LIMIT`): "More than 1,000" is what a person needs past that. It is read
in the page's own query, as a column (`BoundedCount`): one round trip fewer per page.

A list is ordered by two keys, both descending or both ascending, the second unique
(the primary key), e.g. ("-filed_at", "-pk"), ("name", "pk") or ("-published_on",
"-pk"); the list's index must match. A key's column is a moment, a date, a string or
an integer (`kinds`). A cursor that cannot be read gives the first page and says so.
"""

from __future__ import annotations

import base64
import datetime
import json
from dataclasses import dataclass, field

from django.db.models import IntegerField, Q, QuerySet, Subquery
from django.utils.formats import number_format
from django.utils.translation import gettext as _

COUNT_LIMIT = 1000


class BadCursor(ValueError):
    """A page link that cannot be read (edited by hand, or from another list)."""


def _encode_value(value):
    # A datetime is also a date: it is tested first.
    if isinstance(value, datetime.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    return value


def _encode(values: tuple) -> str:
    raw = [_encode_value(v) for v in values]
    return base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode()).decode()


def _decode(token: str, kinds: tuple[type, ...]) -> tuple:
    try:
        raw = json.loads(base64.urlsafe_b64decode(token.encode()))
        if not isinstance(raw, list) or len(raw) != len(kinds):
            raise ValueError
        values = []
        for value, kind in zip(raw, kinds, strict=True):
            if kind is datetime.datetime:
                value = datetime.datetime.fromisoformat(value["dt"])
            elif kind is datetime.date:
                value = datetime.date.fromisoformat(value["d"])
            elif not isinstance(value, kind) or isinstance(value, bool):
                raise ValueError
            elif kind is int and not -(2**63) <= value < 2**63:
                raise ValueError  # past what a database column holds (SQLite: OverflowError)
            elif kind is str and "\x00" in value:
                raise ValueError  # PostgreSQL refuses a NUL in a string
            values.append(value)
        return tuple(values)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise BadCursor(_("That page link cannot be read; here is the first page.")) from exc


@dataclass
class KeysetPage:
    object_list: list
    has_next: bool
    has_previous: bool
    next_cursor: str = ""
    previous_cursor: str = ""
    count: int = 0  # exact up to COUNT_LIMIT
    count_is_bounded: bool = False  # more than COUNT_LIMIT match
    problem: str = ""
    extra: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def count_text(self) -> str:
        count = number_format(self.count, force_grouping=True)
        if self.count_is_bounded:
            return _("More than %(count)s") % {"count": count}
        return count


def bounded_count(queryset: QuerySet, limit: int | None = None) -> tuple[int, bool]:
    """(count, more than `limit`, COUNT_LIMIT by default): counts at most limit + 1 rows."""
    limit = COUNT_LIMIT if limit is None else limit
    n = queryset.order_by().values("pk")[: limit + 1].count()
    return min(n, limit), n > limit


class BoundedCount(Subquery):
    """`bounded_count`'s count as a column of another query: a subquery that does not
    depend on the row, which PostgreSQL (an InitPlan) and SQLite run once per query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS bounded)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet, limit: int):
        super().__init__(queryset.order_by().values("pk")[: limit + 1])


# The page's rows carry the list's bounded count under this name.
def through(value) -> tuple:
    """A `start_at` for keyset_page that starts at the last row whose first key is
    `value` (a descending list: every row of that day, then older ones), whatever its id."""
    return (value, 2**62)  # past any id


_TOTAL = "_keyset_total"


def _after(keys: tuple[str, str], values: tuple, descending: bool, inclusive: bool = False) -> Q:
    """Rows after `values` in the list's order (with `inclusive`, from it on): the seek
    condition on two keys. It starts with a range on the first key alone: SQLite seeks
    the index only on such a term, and given the OR alone it read the whole index from
    the top (the case list's oldest page at 100,000 cases: 1.6 times its first)."""
    (first, second), (v1, v2) = keys, values
    op = "lt" if descending else "gt"
    second_op = op + ("e" if inclusive else "")
    return Q(**{f"{first}__{op}e": v1}) & (
        Q(**{f"{first}__{op}": v1}) | Q(**{f"{second}__{second_op}": v2})
    )


def _seeking(queryset: QuerySet, condition: Q) -> QuerySet:
    """`queryset` filtered by the seek `condition`, put first in its WHERE: given two
    upper (or lower) bounds on the first key, the list's own (the public decisions
    page's "published by today") and the cursor's, SQLite seeks the index on the first
    it reads and filters by the other, so the list's bound first read the whole list
    down to the cursor (its oldest page at 100,000 cases: 1.8 times its first). The
    terms are ANDed: their order changes nothing else."""
    before = len(queryset.query.where.children)
    page = queryset.filter(condition)
    where = page.query.where
    if where.connector == "AND" and not where.negated and len(where.children) > before:
        where.children[:] = where.children[before:] + where.children[:before]
    return page


def keyset_page(
    queryset: QuerySet,
    *,
    order: tuple[str, str],
    kinds: tuple[type, type],
    size: int,
    after: str = "",
    before: str = "",
    start_at: tuple | None = None,
    count: bool = True,
) -> KeysetPage:
    """One page of `queryset` in `order`, after the cursor `after`, before the cursor
    `before` (the previous page), from `start_at` (the sort key of a row to start at,
    inclusive: a jump), or from the top."""
    descending = order[0].startswith("-")
    assert descending == order[1].startswith("-"), "both keys run the same way"
    keys = (order[0].lstrip("-"), order[1].lstrip("-"))
    reverse = keys if descending else (f"-{keys[0]}", f"-{keys[1]}")
    problem = ""
    try:
        after_values = _decode(after, kinds) if after else None
        before_values = _decode(before, kinds) if before else None
    except BadCursor as exc:
        after_values = before_values = None
        start_at = None
        problem = str(exc)

    listed = queryset
    if count:
        listed = queryset.annotate(**{_TOTAL: BoundedCount(queryset, COUNT_LIMIT)})
    if before_values is not None:
        # The previous page: read backwards from the cursor, then put the rows in order.
        rows = list(
            _seeking(listed, _after(keys, before_values, not descending)).order_by(*reverse)[
                : size + 1
            ]
        )
        has_previous = len(rows) > size
        rows = rows[:size][::-1]
        has_next = True
    else:
        page = listed.order_by(*order)
        if after_values is not None:
            page = _seeking(page, _after(keys, after_values, descending))
        elif start_at is not None:
            page = _seeking(page, _after(keys, start_at, descending, inclusive=True))
        rows = list(page[: size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        if start_at is not None and after_values is None:
            has_previous = _seeking(queryset, _after(keys, start_at, not descending)).exists()
        else:
            has_previous = after_values is not None

    def cursor(row) -> str:
        return _encode(tuple(getattr(row, k) for k in keys))

    if not count:
        total, bounded = 0, False
    elif rows:
        n = getattr(rows[0], _TOTAL)
        total, bounded = min(n, COUNT_LIMIT), n > COUNT_LIMIT
    elif after_values is None and before_values is None and start_at is None:
        total, bounded = 0, False  # the first page is empty: so is the list
    else:  # past either end of a list that may have rows
        total, bounded = bounded_count(queryset)
    return KeysetPage(
        object_list=rows,
        has_next=has_next and bool(rows),
        has_previous=has_previous and bool(rows),
        next_cursor=cursor(rows[-1]) if rows else "",
        previous_cursor=cursor(rows[0]) if rows else "",
        count=total,
        count_is_bounded=bounded,
        problem=problem,
    )
