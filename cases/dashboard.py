"""The staff home: "what do I need to do now?" (work queues), with charts of the case
load, and the same queues per case officer for the weekly digest (cases.digest).

Its cost does not grow with the cases ever filed (issue 15): cases per state and the
decisions per month come from the summary the services keep (cases.services.summary,
a few dozen rows); the figures over open cases are those counts less the cases still
within their window (received, due or moved recently: ranges of their indexes, in one
query); every list is one query with a limit (QUEUE_LIMIT rows, so the page
builds and renders a bounded number of rows), all of them in one query. The page asks
the same number of queries however many cases are open or closed
(tests/views/test_dashboard.py counts them at two sizes).
"""

from __future__ import annotations

import datetime
from collections import Counter
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from association.prefetch import counts_together, load_together
from cases import charts
from cases.access import cases_visible_to
from cases.models import (
    Ballot,
    Case,
    CaseCount,
    DispatchStatus,
    Letter,
    Procedure,
)
from cases.outcomes import overdue_ballot_parts, overdue_ballots, overdue_from
from cases.services import summary
from cases.workflow import OPEN_STATES, STATES, CaseState
from members.roles import roles_of

# Rows per list: enough to act on now (each says when there are more); every row is
# built and rendered, so this bounds the page's cost at any size (bench_dashboard.py).
QUEUE_LIMIT = 10
# "My cases" counts the officer's open cases up to this, and says "more than" past it.
MINE_COUNT_LIMIT = 1000
SOON_DAYS = 14

# Stages in the order a case goes through them, then the ways out at intake.
WORKFLOW_ORDER = [
    CaseState.FILED,
    CaseState.UNDER_REVIEW,
    CaseState.HEARING,
    CaseState.BOARD_VOTE,
    CaseState.SANCTIONED,
    CaseState.NO_VIOLATION,
    CaseState.UNDER_APPEAL,
    CaseState.COMPLAINANT_APPEAL,
    CaseState.CLOSED,
    CaseState.DISMISSED,
    CaseState.WITHDRAWN,
]
assert sorted(WORKFLOW_ORDER) == sorted(CaseState.values), "every state has its place"

# Age of an open case, from receipt: (label, from day, to day exclusive).
AGE_BUCKETS = [
    (gettext_lazy("Under 30 days"), 0, 30),
    (gettext_lazy("30–59 days"), 30, 60),
    (gettext_lazy("60–89 days"), 60, 90),
    (gettext_lazy("90–179 days"), 90, 180),
    (gettext_lazy("180 days or more"), 180, None),
]


# The columns the lists show (cases/includes/work_queue.html, deadline_list.html): the
# rest of each case, respondent and officer is left unread. Every column is a JSON
# value the database builds and this process parses (association.prefetch); with
# every list full, at a million cases, they were a fifth of the page.
CASE_COLUMNS = (
    "number",
    "state",
    "procedure",
    "received_on",
    "response_due_on",
    "appeal_deadline",
    "state_changed_at",
    "respondent__name",
    "case_officer__username",
    "case_officer__first_name",
    "case_officer__last_name",
)


def _shown_columns(cases: QuerySet) -> QuerySet:
    return cases.select_related("respondent", "case_officer").only(*CASE_COLUMNS)


def _limited(queryset: QuerySet) -> QuerySet:
    """A queue's rows, one more than it shows (to say there are more)."""
    return queryset[: QUEUE_LIMIT + 1]


def _shown(rows: list) -> dict:
    return {"items": rows[:QUEUE_LIMIT], "more": len(rows) > QUEUE_LIMIT}


def _open_figures(
    cases: QuerySet,
    per_state: dict,
    received: dict[datetime.date, int],
    *,
    user,
    today,
    now,
    standards: list[tuple[int, int]],
) -> dict[str, int]:
    """The figures over open cases. Their ages from `received`, the open cases per day
    of receipt since the oldest age bucket's start (the summary's, or for a party
    counted from what they may see). The others (responses overdue, appeal windows
    passed, idle, mine) each counted as what it is not: the open cases of a state
    (`per_state`) less those still within their window. Only the cases due or moved
    recently are read, each range from its own index, so the cost follows the recent
    case load, not the cases left open for years (the aggregate over every open case
    it replaces grew with them: docs/decisions/0032, 0035). All in one query."""
    in_states = {state: per_state.get(state, 0) for state in OPEN_STATES}
    open_cases = cases.filter(state__in_literal=OPEN_STATES)
    *bounded, (_label, oldest, high) = AGE_BUCKETS
    assert high is None, "only the last age bucket is open-ended"

    def received_between(low: int, high: int) -> int:
        # Received `low` to `high` days ago: after today - high, up to today - low.
        after, upto = today - datetime.timedelta(days=high), today - datetime.timedelta(days=low)
        return sum(n for day, n in received.items() if after < day <= upto)

    ages = {
        f"age_{i}": received_between(low, high) for i, (_label, low, high) in enumerate(bounded)
    }
    parts: dict[str, QuerySet] = {}
    for name, state, date in (
        ("responses", CaseState.UNDER_REVIEW, "response_due_on"),
        ("appeals", CaseState.SANCTIONED, "appeal_deadline"),
    ):
        # Not overdue: due today or later, or with no date (the (state, date) index).
        parts[f"{name}_not_due"] = cases.filter(state=state, **{f"{date}__gte": today})
        parts[f"{name}_undated"] = cases.filter(state=state, **{f"{date}__isnull": True})
    parts["not_idle"] = open_cases.filter(within_time_standard_filter(now, standards))
    # Counted up to MINE_COUNT_LIMIT: past it the panel says "more than", so its cost
    # does not follow one officer's caseload (the case_open_officer index).
    parts["mine"] = (
        open_cases.filter(case_officer=user).order_by().values("pk")[: MINE_COUNT_LIMIT + 1]
    )
    n = counts_together(**parts)
    total = sum(in_states.values())

    def less(whole: int, *within: str) -> int:
        # Never below 0, should the summary have drifted (manage.py case_summary).
        return max(0, whole - sum(n[name] for name in within))

    return {
        **ages,
        # The last bucket is every open case less those received since its start, all of
        # `received` (a received_on in the future is in no bucket; intake refuses one).
        f"age_{len(bounded)}": max(0, total - sum(received.values())),
        "responses_overdue": less(
            in_states[CaseState.UNDER_REVIEW], "responses_not_due", "responses_undated"
        ),
        "appeal_windows_passed": less(
            in_states[CaseState.SANCTIONED], "appeals_not_due", "appeals_undated"
        ),
        "idle": less(total, "not_idle"),
        "mine": min(n["mine"], MINE_COUNT_LIMIT),
        "mine_more": int(n["mine"] > MINE_COUNT_LIMIT),
    }


def time_standards() -> list[tuple[int, int]]:
    """(procedure version, its time standard in days): there are few."""
    return list(Procedure.objects.values_list("pk", "review_time_standard_days"))


def idle_filter(now: datetime.datetime, standards: list[tuple[int, int]] | None = None) -> Q:
    """Open cases that stayed in their stage longer than their procedure's time
    standard: one condition per procedure version (there are few), so the database
    compares a stored date with a constant and reads the open cases' partial index
    (procedure, state_changed_at, ...: case_open_dashboard), whatever the number closed."""
    q = Q(pk__in=[])
    for pk, days in time_standards() if standards is None else standards:
        q |= Q(procedure_id=pk, state_changed_at__lt=now - datetime.timedelta(days=days))
    return Q(state__in_literal=OPEN_STATES) & q


def within_time_standard_filter(now: datetime.datetime, standards: list[tuple[int, int]]) -> Q:
    """The open cases `idle_filter` leaves out (state_changed_at is never null): those
    that moved to their stage within their procedure's time standard, one range of the
    same index per procedure version."""
    q = Q(pk__in=[])
    for pk, days in standards:
        q |= Q(procedure_id=pk, state_changed_at__gte=now - datetime.timedelta(days=days))
    return Q(state__in_literal=OPEN_STATES) & q


def awaiting_findings_filter() -> Q:
    """Under review, with a response received and an allegation still without a finding:
    the flag the services keep (cases.services.awaiting), read in order from its partial
    index (case_awaiting_findings)."""
    return Q(state=CaseState.UNDER_REVIEW, awaiting_findings=True)


def queue_parts(
    cases: QuerySet, *, today: datetime.date, now: datetime.datetime, idle: Q | None = None
) -> dict[str, QuerySet]:
    """The work queues over `cases` (all cases, one officer's, or what a party may see),
    each a query with its limit, for association.prefetch.load_together."""
    base = _shown_columns(cases)
    failed = (
        Letter.objects.filter(dispatch__status=DispatchStatus.FAILED, case__in=cases)
        .select_related("case", "case__respondent", "dispatch")
        .order_by("issued_at", "pk")
    )
    return {
        "to_open": _limited(base.filter(state=CaseState.FILED).order_by("received_on", "pk")),
        "awaiting_findings": _limited(
            base.filter(awaiting_findings_filter()).order_by("response_due_on", "pk")
        ),
        "responses_overdue": _limited(
            base.filter(state=CaseState.UNDER_REVIEW, response_due_on__lt=today).order_by(
                "response_due_on", "pk"
            )
        ),
        "appeal_windows_passed": _limited(
            base.filter(state=CaseState.SANCTIONED, appeal_deadline__lt=today).order_by(
                "appeal_deadline", "pk"
            )
        ),
        "idle": _limited(
            base.filter(idle if idle is not None else idle_filter(now))
            .select_related("procedure")
            .order_by("state_changed_at", "pk")
        ),
        "failed_deliveries": _limited(failed),
    }


def queue_parts_names() -> list[str]:
    return [
        "to_open",
        "awaiting_findings",
        "responses_overdue",
        "appeal_windows_passed",
        "idle",
        "failed_deliveries",
    ]


def queues(cases: QuerySet, *, today: datetime.date, now: datetime.datetime) -> dict:
    """The work queues over `cases`, read in one query."""
    found = load_together(queue_parts(cases, today=today, now=now))
    return {name: _shown(rows) for name, rows in found.items()}


def _month_starts(first: datetime.date, today: datetime.date) -> list[datetime.date]:
    months = []
    day = first
    while day <= today:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def _last_twelve_months(today: datetime.date) -> list[datetime.date]:
    return _month_starts(
        (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1), today
    )


def _counts_from_summary(
    months: list[datetime.date], today: datetime.date
) -> tuple[dict, dict, dict]:
    """Cases per state, the decisions of each month and the open cases per day of
    receipt since the oldest age bucket's start, from the summary the services keep
    (cases.services.summary): one query over a few hundred rows at most (one per
    state, per state and month for the twelve months, per day for the last
    AGE_BUCKETS days), however many cases were ever filed or are open."""
    per_state: dict[str, int] = {}
    per_month: dict[datetime.date, Counter] = {m: Counter() for m in months}
    received: dict[datetime.date, int] = {}
    oldest = AGE_BUCKETS[-1][1]
    rows = CaseCount.objects.filter(
        Q(kind=summary.IN_STATE)
        | Q(kind__in=(summary.DECIDED, summary.ENDED), month__gte=months[0], month__lte=months[-1])
        | Q(kind=summary.OPEN_RECEIVED, month__gt=today - datetime.timedelta(days=oldest))
    ).values_list("kind", "state", "month", "n")
    for kind, state, month, n in rows:
        if kind == summary.IN_STATE:
            per_state[state] = n
        elif kind == summary.OPEN_RECEIVED:
            received[month] = n
        elif kind == summary.ENDED:
            per_month[month]["dismissed"] += n
        else:
            found = "no_violation" if state == CaseState.NO_VIOLATION else "violation"
            per_month[month][found] += n
    return per_state, per_month, received


def _counts_from_cases(
    cases: QuerySet, months: list[datetime.date], today: datetime.date
) -> tuple[dict, dict, dict]:
    """The same figures counted from `cases` (for a staff member who is also a party,
    who sees only some cases): by state from the state index, each month as a range
    of the indexed dates (local midnights), in two aggregates, and the open cases
    received since the oldest age bucket's start, per day."""
    per_state = dict(cases.order_by().values_list("state").annotate(n=Count("pk")))
    received = dict(
        cases.filter(
            state__in_literal=OPEN_STATES,
            received_on__gt=today - datetime.timedelta(days=AGE_BUCKETS[-1][1]),
        )
        .order_by()
        .values_list("received_on")
        .annotate(n=Count("pk"))
    )
    tz = timezone.get_default_timezone()
    next_month = (months[-1] + datetime.timedelta(days=32)).replace(day=1)
    bounds = [datetime.datetime.combine(m, datetime.time(), tz) for m in [*months, next_month]]
    ranges = list(zip(bounds, bounds[1:], strict=False))
    decided = cases.filter(decided_at__gte=bounds[0], decided_at__lt=bounds[-1]).aggregate(
        **{
            f"all_{i}": Count("pk", filter=Q(decided_at__gte=low, decided_at__lt=high))
            for i, (low, high) in enumerate(ranges)
        },
        **{
            f"nv_{i}": Count(
                "pk",
                filter=Q(decided_at__gte=low, decided_at__lt=high, state=CaseState.NO_VIOLATION),
            )
            for i, (low, high) in enumerate(ranges)
        },
    )
    ended = cases.filter(
        state__in=summary.ENDED_STATES,
        state_changed_at__gte=bounds[0],
        state_changed_at__lt=bounds[-1],
    ).aggregate(
        **{
            f"out_{i}": Count("pk", filter=Q(state_changed_at__gte=low, state_changed_at__lt=high))
            for i, (low, high) in enumerate(ranges)
        }
    )
    per_month = {
        month: Counter(
            violation=decided[f"all_{i}"] - decided[f"nv_{i}"],
            no_violation=decided[f"nv_{i}"],
            dismissed=ended[f"out_{i}"],
        )
        for i, month in enumerate(months)
    }
    return per_state, per_month, received


def _decisions_per_month(per_month: dict[datetime.date, Counter]) -> charts.Chart:
    """Board decisions (violation or not) and dismissals or withdrawals, for the last
    twelve months."""
    return charts.stacked_columns(
        "decisions-month",
        _("Decisions per month, last twelve months"),
        # A column is 34 pixels wide: the month's short name and the year's two digits.
        [
            (date_format(m, "M y"), {key: n for key, n in counts.items() if n})
            for m, counts in per_month.items()
        ],
        [
            ("violation", _("Violation found")),
            ("no_violation", _("No violation found")),
            ("dismissed", _("Dismissed or withdrawn")),
        ],
    )


def staff_dashboard(*, user, today: datetime.date | None = None) -> dict:
    """The staff home. For a staff member who is also a representative of a member,
    only the cases they may see as staff or as that member's representative
    (cases.access.cases_visible_to): they are a party to their own member's cases."""
    today = today or timezone.localdate()
    now = timezone.now()
    soon = today + datetime.timedelta(days=SOON_DAYS)
    a_party = user is not None and roles_of(user).representative
    cases = cases_visible_to(user) if a_party else Case.objects.all()

    standards = time_standards()
    idle = idle_filter(now, standards)

    # Cases by state and the decisions per month from the summary the services keep
    # (or, for a party, counted over what they may see); then the figures over open
    # cases, from those counts less the cases still within their window (_open_figures).
    months = _last_twelve_months(today)
    per_state, per_month, received = (
        _counts_from_cases(cases, months, today) if a_party else _counts_from_summary(months, today)
    )
    totals = _open_figures(
        cases, per_state, received, user=user, today=today, now=now, standards=standards
    )
    totals.update({f"state_{state}": per_state.get(state, 0) for state in WORKFLOW_ORDER})
    by_state = [(state, STATES[state].label, totals[f"state_{state}"]) for state in WORKFLOW_ORDER]

    # Every list in one query (association.prefetch.load_together), each with its limit.
    ballots = Ballot.objects.filter(
        closed_at__isnull=True, closes_on__gte=today, closes_on__lte=soon
    )
    found = load_together(
        {
            **queue_parts(cases, today=today, now=now, idle=idle),
            "mine": _limited(
                # The literal IN: SQLite then reads the open cases' partial index.
                _shown_columns(
                    cases.filter(case_officer=user, state__in_literal=OPEN_STATES)
                ).order_by("state_changed_at", "pk")
            ),
            "upcoming": _shown_columns(
                cases.filter(
                    state=CaseState.UNDER_REVIEW,
                    response_due_on__gte=today,
                    response_due_on__lte=soon,
                )
            ).order_by("response_due_on", "pk")[: QUEUE_LIMIT + 1],
            "ballots_closing": (ballots.filter(case__in=cases) if a_party else ballots)
            .select_related("case", "case__respondent")
            .order_by("closes_on", "pk")[: QUEUE_LIMIT + 1],
            "appeals_closing": _shown_columns(
                cases.filter(state=CaseState.SANCTIONED, appeal_deadline__lte=soon)
            ).order_by("appeal_deadline", "pk")[: QUEUE_LIMIT + 1],
            # The QUEUE_LIMIT longest overdue ballots, like every list on the page.
            **overdue_ballot_parts(today, limit=QUEUE_LIMIT),
        }
    )
    # The "coming up" lists too show QUEUE_LIMIT rows (and say if there are more), so
    # the page builds and renders a bounded number of rows whatever the case load.
    work = {
        name: _shown(found[name])
        for name in [*queue_parts_names(), "mine", "upcoming", "ballots_closing", "appeals_closing"]
    }
    upcoming = work["upcoming"]["items"]
    ballots_closing = work["ballots_closing"]["items"]
    appeals_closing = work["appeals_closing"]["items"]
    without_quorum = overdue_from(found)
    if a_party:
        visible = set(
            cases.filter(pk__in=[b.case_id for b in without_quorum]).values_list("pk", flat=True)
        )
        without_quorum = [b for b in without_quorum if b.case_id in visible]

    overdue_items = [
        (_("Responses overdue"), totals["responses_overdue"]),
        (_("Ballots past closing, no quorum"), len(without_quorum)),
        (_("Appeal windows passed, not finalized"), totals["appeal_windows_passed"]),
        (_("Idle beyond the time standard"), totals["idle"]),
    ]
    return {
        "today": today,
        "by_state": by_state,
        "work": work,
        "mine_count": totals["mine"],
        "mine_count_bounded": bool(totals["mine_more"]),
        "mine_count_text": number_format(totals["mine"], force_grouping=True),
        # The officer's whole list, open and closed, is the case list filtered to them.
        "mine_list_url": f"{reverse('cases:case_list')}?{urlencode({'officer': user.pk})}"
        if user is not None
        else "",
        "ballots_without_quorum": without_quorum,
        "ballots_closing": ballots_closing,
        "appeals_closing": appeals_closing,
        "overdue": work["responses_overdue"]["items"],
        "upcoming": upcoming,
        "upcoming_more": work["upcoming"]["more"],
        "ballots_closing_more": work["ballots_closing"]["more"],
        "appeals_closing_more": work["appeals_closing"]["more"],
        "charts": [
            charts.bars(
                "stages",
                _("Cases by stage, in workflow order"),
                [(label, n) for _state, label, n in by_state],
            ),
            charts.bars(
                "ages",
                _("Age of open cases, from receipt"),
                [(label, totals[f"age_{i}"]) for i, (label, _low, _high) in enumerate(AGE_BUCKETS)],
            ),
            charts.bars("overdue-items", _("Overdue items"), overdue_items, unit=_("items")),
            _decisions_per_month(per_month),
        ],
    }


def officer_digest(officer, *, today: datetime.date | None = None) -> dict:
    """One case officer's queues, for their weekly digest: their own cases only."""
    today = today or timezone.localdate()
    mine = Case.objects.filter(case_officer=officer)
    work = queues(mine, today=today, now=timezone.now())
    work["ballots_without_quorum"] = [
        b for b in overdue_ballots(today) if b.case.case_officer_id == officer.pk
    ]
    work["open"] = mine.filter(state__in=OPEN_STATES).count()
    return work
