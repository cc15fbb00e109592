"""The case summary (issue 15): how many cases are in each state, per month how many
were decided (by the state they are in now) and dismissed or withdrawn, and per day of
receipt how many are open, kept in `CaseCount` rows so the dashboard reads a few
hundred rows instead of counting every case ever filed (or every open one: the ages
of the open cases were the largest part of its figures at a million cases).

The rule is one function, `keys_of(case)`: the rows a case counts in. The services
that create or move a case (intake, and `case_transition`, under the case's lock and
in its transaction) call `moved(before, after)` with its keys before and after, so the
counts change in the same commit as the case. `rebuild_summary()` recounts every row
from the cases (the data migration, `seed_scale` and `manage.py case_summary --repair`
call it); `summary_drift()` compares the two, so drift is detectable
(`manage.py case_summary`).

Months are calendar months in the site's time zone (settings.TIME_ZONE), as the
dashboard shows them.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, DateField, F
from django.db.models.functions import Trunc
from django.utils import timezone

from cases.models import Case, CaseCount
from cases.workflow import OPEN_STATES, CaseState

IN_STATE = "state"  # every case: (state, no month)
DECIDED = "decided"  # a case with a decision: (its state now, the month of decided_at)
ENDED = "ended"  # dismissed or withdrawn: (that state, the month it got there)
# An open case: (no state, the day it was received, kept in `month`). received_on is
# set once, at intake, and never in the future.
OPEN_RECEIVED = "open_received"
ENDED_STATES = (CaseState.DISMISSED, CaseState.WITHDRAWN)

Key = tuple[str, str, "datetime.date | None"]


def month_of(moment: datetime.datetime) -> datetime.date:
    """The first day of the month `moment` falls in, in the site's time zone."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date().replace(day=1)


def keys_of(case: Case) -> list[Key]:
    """The summary rows `case` counts in, from its state, decided_at and state_changed_at."""
    keys: list[Key] = [(IN_STATE, case.state, None)]
    if case.decided_at is not None:
        keys.append((DECIDED, case.state, month_of(case.decided_at)))
    if case.state in ENDED_STATES:
        keys.append((ENDED, case.state, month_of(case.state_changed_at)))
    if case.state in OPEN_STATES:
        keys.append((OPEN_RECEIVED, "", case.received_on))
    return keys


def moved(before: list[Key], after: list[Key]) -> None:
    """Count a case out of its `before` rows and into its `after` rows (a new case has
    no `before`). Called inside the transaction that changes the case."""
    delta = Counter(after)
    delta.subtract(before)
    for (kind, state, month), n in sorted(delta.items(), key=_order):
        if n:
            _add(kind, state, month, n)


def _order(item):
    # The same order in every transaction, so two never wait for each other's rows.
    (kind, state, month), _n = item
    return (kind, state, month or datetime.date.min)


def _add(kind: str, state: str, month: datetime.date | None, n: int) -> None:
    rows = CaseCount.objects.filter(kind=kind, state=state, month=month)
    if rows.update(n=F("n") + n):
        return
    # No row yet. If another transaction inserts it at the same moment, ours fails
    # (in its savepoint, after theirs commits) and the update finds their row.
    try:
        with transaction.atomic():
            CaseCount.objects.create(kind=kind, state=state, month=month, n=n)
    except IntegrityError:
        rows.update(n=F("n") + n)


def counted(case_model=Case) -> Counter:
    """Every summary row's count, recounted from the cases (a few grouped aggregates)."""
    tz = timezone.get_default_timezone()
    found: Counter = Counter()
    cases = case_model.objects.order_by()
    for state, n in cases.values_list("state").annotate(n=Count("pk")):
        found[(IN_STATE, state, None)] = n
    for kind, some, moment in (
        (DECIDED, cases.filter(decided_at__isnull=False), "decided_at"),
        (ENDED, cases.filter(state__in=ENDED_STATES), "state_changed_at"),
    ):
        by_month = (
            some.annotate(month=Trunc(moment, "month", output_field=DateField(), tzinfo=tz))
            .values_list("state", "month")
            .annotate(n=Count("pk"))
        )
        for state, month, n in by_month:
            found[(kind, state, month)] = n
    received = cases.filter(state__in=OPEN_STATES).values_list("received_on")
    for day, n in received.annotate(n=Count("pk")):
        found[(OPEN_RECEIVED, "", day)] = n
    return found


def stored(count_model=CaseCount) -> Counter:
    return Counter(
        {
            (kind, state, month): n
            for kind, state, month, n in count_model.objects.values_list(
                "kind", "state", "month", "n"
            )
            if n
        }
    )


@transaction.atomic
def rebuild_summary(*, case_model=Case, count_model=CaseCount) -> int:
    """Replace every summary row by a recount from the cases; returns the rows written.
    On PostgreSQL the table is locked first: a step taken meanwhile waits, then moves
    its case in the recounted rows (SQLite's writers are serialized already).
    (`case_model`, `count_model`: the data migration passes its historical models.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {count_model._meta.db_table} IN EXCLUSIVE MODE")
    found = counted(case_model)
    count_model.objects.all().delete()
    count_model.objects.bulk_create(
        count_model(kind=kind, state=state, month=month, n=n)
        for (kind, state, month), n in found.items()
    )
    return len(found)


def summary_drift() -> list[tuple[Key, int, int]]:
    """The rows whose stored count differs from a recount: (key, stored, counted)."""
    have, want = stored(), counted()
    return sorted(
        (
            (key, have[key], want[key])
            for key in have.keys() | want.keys()
            if have[key] != want[key]
        ),
        key=lambda row: _order((row[0], 0)),
    )
