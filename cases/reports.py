"""The association's enforcement as a whole: the annual report, the statistics by
year, and precedents (earlier decided cases citing the same principles).

Read-only, like cases.selectors. No party is named by anything here except the
staff's precedent list, which links each case. Counts are aggregates in SQL; the
durations (median and 90th percentile) are computed from one column list per year,
so the report costs a fixed handful of queries however many cases there are
(bench/bench_annual_report.py).

What is counted (docs/decisions/0022):
  - received: cases whose `received_on` falls in the year, by complainant kind and by
    principle cited (a case citing two principles counts once under each);
  - decided: the board's decision (`decided_at`), or the dismissal or withdrawal
    (the case's last change, for a case still dismissed or withdrawn); the outcome is
    the board's: a sanction later changed on appeal counts as imposed, and the appeal
    results are reported apart;
  - closed: a case in a final state, on the day it reached it;
  - open at year end: received by then and not closed by then.
"""

from __future__ import annotations

import datetime
import math
import statistics
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from association.prefetch import counts_together
from cases import charts, rendering
from cases.models import (
    SANCTION_SEVERITY,
    Allegation,
    Appeal,
    AppealOutcome,
    BallotKind,
    Case,
    Complainant,
    ComplainantKind,
    Principle,
    Sanction,
    SanctionKind,
)
from cases.services.checkpoints import public_key_pem, verifying_keys
from cases.workflow import STATES, CaseState

FINAL_STATES = [s for s, info in STATES.items() if info.final]
DISMISSED_OR_WITHDRAWN = (CaseState.DISMISSED, CaseState.WITHDRAWN)

# The outcomes the report counts, in the order it lists them.
OUTCOMES: list[tuple[str, str]] = [
    ("dismissed", gettext_lazy("Dismissed")),
    ("withdrawn", gettext_lazy("Withdrawn")),
    ("no_violation", gettext_lazy("No violation found")),
    *[(str(kind), SanctionKind(kind).label) for kind in SANCTION_SEVERITY],
]
OUTCOME_LABELS = dict(OUTCOMES)
# What the board decided (precedents): no violation, or the sanction imposed.
DECISIONS = OUTCOMES[2:]


# ---------------------------------------------------------------------------
# Years: calendar or fiscal
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportYear:
    """A reporting year: the calendar year, or the fiscal year starting in
    PROBITY_REPORT_YEAR_START_MONTH of `year` (April: 1 April 2026 to 31 March 2027)."""

    year: int
    start_month: int = 1

    @classmethod
    def of(cls, year: int) -> ReportYear:
        return cls(year, settings.PROBITY_REPORT_YEAR_START_MONTH)

    @classmethod
    def containing(cls, day: datetime.date) -> ReportYear:
        month = settings.PROBITY_REPORT_YEAR_START_MONTH
        return cls(day.year if day.month >= month else day.year - 1, month)

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.start_month, 1)

    @property
    def last_day(self) -> datetime.date:
        if self.start_month == 1:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year + 1, self.start_month, 1) - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.start_month == 1:
            return str(self.year)
        return f"{self.year}–{str(self.year + 1)[-2:]}"

    @property
    def span(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) as aware datetimes in the association's time zone."""
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.first_day, datetime.time(), tz)
        end = datetime.datetime.combine(
            self.last_day + datetime.timedelta(days=1), datetime.time(), tz
        )
        return start, end


def report_years() -> list[ReportYear]:
    """Every reporting year from the first complaint received to the current one."""
    first = Case.objects.order_by("received_on").values_list("received_on", flat=True).first()
    now = ReportYear.containing(timezone.localdate())
    if first is None:
        return [now]
    start = ReportYear.containing(first).year
    return [ReportYear.of(y) for y in range(start, now.year + 1)]


# ---------------------------------------------------------------------------
# The annual report
# ---------------------------------------------------------------------------


def percentile(values: list[int], share: float) -> int | None:
    """The nearest-rank percentile: the smallest value with at least `share` of the
    values at or below it (the 90th percentile of 10 values is the 9th smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


def _median(values: list[int]) -> float | None:
    return statistics.median(values) if values else None


@dataclass
class Durations:
    count: int
    median: float | None
    p90: int | None

    @classmethod
    def of(cls, days: list[int]) -> Durations:
        return cls(len(days), _median(days), percentile(days, 0.9))


@dataclass
class AnnualReport:
    year: ReportYear
    received: int
    by_complainant: list[tuple[str, int]]
    by_principle: list[tuple[str, str, int]]  # (number, title, cases)
    decided: int
    outcomes: list[tuple[str, str, int]]  # (key, label, cases)
    appeals_filed: int
    appeal_results: list[tuple[str, str, int]]
    to_decision: Durations
    to_closing: Durations
    open_at_year_end: int
    charts: list[charts.Chart] = field(default_factory=list)

    def rows(self) -> list[list]:
        """The report as (section, item, value) rows: the CSV, and the PDF's tables."""
        # Words for people (the PDF's tables, the CSV's cells), in the reader's language;
        # the CSV's column keys (section, item, value) stay as they are.
        out = [[_("Complaints received"), _("All"), self.received]]
        out += [
            [_("Received, by kind of complainant"), str(label), n]
            for label, n in self.by_complainant
        ]
        out += [
            [_("Received, by principle cited"), f"{number} {title}", n]
            for number, title, n in self.by_principle
        ]
        out += [[_("Cases decided"), _("All"), self.decided]]
        out += [[_("Outcomes"), str(label), n] for _k, label, n in self.outcomes]
        out += [[_("Appeals"), _("Filed"), self.appeals_filed]]
        out += [[_("Appeal results"), str(label), n] for _k, label, n in self.appeal_results]
        for section, d in (
            (_("Days from receipt to decision"), self.to_decision),
            (_("Days from receipt to closing"), self.to_closing),
        ):
            out += [
                [section, _("Cases"), d.count],
                [section, _("Median"), _figure(d.median)],
                [section, _("90th percentile"), _figure(d.p90)],
            ]
        out += [[_("Open at year end"), self.year.last_day.isoformat(), self.open_at_year_end]]
        return out


def _figure(value) -> str:
    if value is None:
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _number_key(number: str):
    return (0, int(number), "") if number.isdigit() else (1, 0, number)


def _local_date(value: datetime.datetime, tz) -> datetime.date:
    return value.astimezone(tz).date()


def _sanctions_of(cases) -> tuple[dict[int, str], dict[int, str]]:
    """({case id: the board's sanction}, {case id: the latest sanction replacing it on
    appeal}) for the cases of the `cases` subquery, in one query. (A correlated
    subquery per case is far slower on SQLite.)"""
    board: dict[int, str] = {}
    later: dict[int, str] = {}
    rows = (
        Sanction.objects.filter(case__in=cases)
        .order_by("pk")
        .values_list("case_id", "kind", "replaces_id", "ballot__kind")
    )
    for case_id, kind, replaces_id, ballot_kind in rows:
        if replaces_id is not None:
            later[case_id] = kind
        elif ballot_kind == BallotKind.BOARD:
            board.setdefault(case_id, kind)
    return board, later


def principles_by_number() -> list[tuple[str, str]]:
    """(number, title) of every principle number in any code, in number order; the
    title is the latest code's for that number."""
    titles: dict[str, str] = {}
    for number, title in Principle.objects.order_by("code__adopted_on", "pk").values_list(
        "number", "title"
    ):
        titles[number] = title
    return sorted(titles.items(), key=lambda item: _number_key(item[0]))


def annual_report(year: ReportYear, *, with_charts: bool = True) -> AnnualReport:
    first, last = year.first_day, year.last_day
    start, end = year.span
    tz = timezone.get_current_timezone()
    received = Case.objects.filter(received_on__gte=first, received_on__lte=last)

    kinds = dict(
        Complainant.objects.filter(cases__in=received)
        .values_list("kind")
        .annotate(n=Count("cases"))
        .values_list("kind", "n")
    )
    by_complainant = [(label, kinds.get(kind, 0)) for kind, label in ComplainantKind.choices]

    per_number = dict(
        Allegation.objects.filter(case__in=received.values("pk"))
        .values_list("principle__number")
        .annotate(n=Count("case", distinct=True))
        .values_list("principle__number", "n")
    )
    titles = dict(principles_by_number())
    by_principle = [
        (number, titles.get(number, ""), per_number[number])
        for number in sorted(per_number, key=_number_key)
    ]

    # The decisions of the year: the board's, and dismissals and withdrawals.
    # Two queries, each on its index: an OR of both would scan every case.
    fields = ("pk", "state", "received_on", "decided_at", "state_changed_at")
    decided_rows = list(
        Case.objects.filter(decided_at__gte=start, decided_at__lt=end).values_list(*fields)
    ) + list(
        Case.objects.filter(
            state__in=DISMISSED_OR_WITHDRAWN, state_changed_at__gte=start, state_changed_at__lt=end
        ).values_list(*fields)
    )
    board, _later = _sanctions_of(
        Case.objects.filter(decided_at__gte=start, decided_at__lt=end).values("pk")
    )
    counts = dict.fromkeys(OUTCOME_LABELS, 0)
    to_decision = []
    for pk, state, received_on, decided_at, changed_at in decided_rows:
        if decided_at is None:  # dismissed or withdrawn
            counts[state] += 1
            to_decision.append((_local_date(changed_at, tz) - received_on).days)
            continue
        counts[board.get(pk, "no_violation")] += 1
        to_decision.append((_local_date(decided_at, tz) - received_on).days)

    closed_days = [
        (_local_date(changed_at, tz) - received_on).days
        for received_on, changed_at in Case.objects.filter(
            state__in=FINAL_STATES, state_changed_at__gte=start, state_changed_at__lt=end
        ).values_list("received_on", "state_changed_at")
    ]

    # The year's counts in one query, each on its index (association.prefetch).
    counted = counts_together(
        received=received,
        appeals_filed=Appeal.objects.filter(filed_at__gte=start, filed_at__lt=end),
        # Open at year end: open now, or closed only after it.
        open_now=Case.objects.exclude(state__in=FINAL_STATES).filter(received_on__lte=last),
        closed_after=Case.objects.filter(
            state__in=FINAL_STATES, state_changed_at__gte=end, received_on__lte=last
        ),
    )
    appeals_filed = counted["appeals_filed"]
    results = dict(
        Appeal.objects.filter(decided_at__gte=start, decided_at__lt=end)
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .values_list("outcome", "n")
    )
    appeal_results = [(k, label, results.get(k, 0)) for k, label in AppealOutcome.choices]

    open_at_end = counted["open_now"] + counted["closed_after"]

    report = AnnualReport(
        year=year,
        received=counted["received"],
        by_complainant=by_complainant,
        by_principle=by_principle,
        decided=len(decided_rows),
        outcomes=[(k, label, counts[k]) for k, label in OUTCOMES],
        appeals_filed=appeals_filed,
        appeal_results=appeal_results,
        to_decision=Durations.of(to_decision),
        to_closing=Durations.of(closed_days),
        open_at_year_end=open_at_end,
    )
    if with_charts:
        report.charts = [
            charts.bars(
                "received-principle",
                _("Complaints received in %(year)s, by principle cited") % {"year": year.label},
                [(f"{n} {t}"[:32], c) for n, t, c in by_principle],
            ),
            charts.bars(
                "received-complainant",
                _("Complaints received in %(year)s, by kind of complainant") % {"year": year.label},
                [(str(label).split(" (")[0], n) for label, n in by_complainant],
            ),
            charts.bars(
                "outcomes",
                _("Outcomes of the cases decided in %(year)s") % {"year": year.label},
                [(label, n) for _, label, n in report.outcomes],
            ),
            charts.bars(
                "appeals",
                _("Results of the appeals decided in %(year)s") % {"year": year.label},
                [(str(label).split(":")[0], n) for _k, label, n in appeal_results],
                unit=_("appeals"),
            ),
        ]
    return report


def annual_report_pdf(report: AnnualReport) -> bytes:
    """The report as a PDF/A document, through the letters' renderer (its closed URL
    fetcher and the letterhead): the same figures and charts as the page."""
    head = rendering.letterhead()
    html = render_to_string(
        "letters/annual_report.html",
        {
            "report": report,
            "letterhead": head,
            "generated_on": timezone.localdate(),
            "record_keys": [
                (key_id, public_key_pem(key)) for key_id, key in sorted(verifying_keys().items())
            ],
        },
    )
    return rendering.render_pdf(html, head)


def _statistics_header() -> list[str]:
    """The statistics CSV's column keys: English whatever the language of the request
    that first imports this module (other programs read these columns by name)."""
    with translation.override("en"):
        return [
            "year",
            "from",
            "to",
            "received",
            *[f"received: {label}" for _, label in ComplainantKind.choices],
            "decided",
            *[f"outcome: {label}" for _, label in OUTCOMES],
            "appeals filed",
            *[f"appeal: {label}" for _, label in AppealOutcome.choices],
            "median days to decision",
            "p90 days to decision",
            "median days to closing",
            "p90 days to closing",
            "open at year end",
        ]


STATISTICS_HEADER = _statistics_header()


def statistics_rows():
    """One row per reporting year (STATISTICS_HEADER), computed a year at a time."""
    for year in report_years():
        r = annual_report(year, with_charts=False)
        yield [
            year.label,
            year.first_day,
            year.last_day,
            r.received,
            *[n for _, n in r.by_complainant],
            r.decided,
            *[n for _, _, n in r.outcomes],
            r.appeals_filed,
            *[n for _, _, n in r.appeal_results],
            _figure(r.to_decision.median),
            _figure(r.to_decision.p90),
            _figure(r.to_closing.median),
            _figure(r.to_closing.p90),
            r.open_at_year_end,
        ]


# ---------------------------------------------------------------------------
# Precedents
# ---------------------------------------------------------------------------

PRECEDENT_LIMIT = 20


def _cites(numbers) -> Exists:
    return Exists(
        Allegation.objects.filter(case=OuterRef("pk"), principle__number__in=list(numbers))
    )


def _decision_of(case: Case, board: dict, later: dict) -> dict:
    """What the board decided and what became of it on appeal (see _sanctions_of; the
    case's appeal selected with it)."""
    key = board.get(case.pk, "no_violation")
    appeal = getattr(case, "appeal", None)
    on_appeal = ""
    if appeal is not None and not appeal.outcome:
        on_appeal = _("Under appeal")
    elif appeal is not None and appeal.outcome == AppealOutcome.OVERTURNED:
        on_appeal = _("Overturned on appeal")
    elif appeal is not None and appeal.outcome == AppealOutcome.MODIFIED:
        kind = later.get(case.pk)
        on_appeal = (
            _("Modified on appeal: %(sanction)s")
            % {"sanction": str(SanctionKind(kind).label).lower()}
            if kind
            else _("Modified on appeal")
        )
    elif appeal is not None:
        on_appeal = _("Upheld on appeal")
    return {"key": key, "label": OUTCOME_LABELS[key], "on_appeal": on_appeal}


def precedents_for(case: Case) -> dict:
    """Earlier cases decided by the board that cite any principle this case cites,
    latest first: number, decision date, principles, outcome and sanction. The page
    decides what of each it shows (staff: the respondent and a link; the deciders:
    neither). Reads the case's allegations as prefetched by the case page."""
    numbers = sorted({a.principle.number for a in case.allegations.all()}, key=_number_key)
    if not numbers:
        return {"numbers": [], "cases": [], "more": False}
    earlier = (
        Case.objects.filter(decided_at__isnull=False)
        .exclude(pk=case.pk)
        .filter(_cites(numbers))
        .order_by("-decided_at", "-pk")
    )
    if case.decided_at is not None:
        earlier = earlier.filter(decided_at__lt=case.decided_at)
    found = list(earlier.select_related("respondent", "appeal")[: PRECEDENT_LIMIT + 1])
    # The principles and sanctions of the cases listed, by a subquery (a list of ids
    # would skip the query when there is none): three queries in all, always.
    listed = earlier.values("pk")[:PRECEDENT_LIMIT]
    cited: dict[int, set[str]] = {}
    for case_id, number in Allegation.objects.filter(case__in=listed).values_list(
        "case_id", "principle__number"
    ):
        cited.setdefault(case_id, set()).add(number)
    board, later = _sanctions_of(listed)
    rows = []
    for other in found[:PRECEDENT_LIMIT]:
        principles = sorted(cited.get(other.pk, ()), key=_number_key)
        rows.append(
            {
                "case": other,
                "decided_on": timezone.localtime(other.decided_at).date(),
                "principles": principles,
                "shared": [n for n in principles if n in numbers],
                **_decision_of(other, board, later),
            }
        )
    return {"numbers": numbers, "cases": rows, "more": len(found) > PRECEDENT_LIMIT}


def principle_precedents(number: str, *, list_cases: bool) -> dict:
    """The precedent page of one principle (by its number, across code versions): the
    board's decisions on cases citing it, by year of decision (the chart and its
    table), and, for staff, the latest of those cases."""
    principles = list(Principle.objects.filter(number=number).select_related("code"))
    if not principles:
        return {}
    tz = timezone.get_current_timezone()
    decided = Case.objects.filter(decided_at__isnull=False).filter(_cites([number]))
    by_year: dict[str, dict[str, int]] = {}
    board, later = _sanctions_of(decided.values("pk"))
    for pk, decided_at in decided.values_list("pk", "decided_at"):
        label = ReportYear.containing(_local_date(decided_at, tz)).label
        counts = by_year.setdefault(label, {})
        key = board.get(pk, "no_violation")
        counts[key] = counts.get(key, 0) + 1
    columns = sorted(by_year.items())
    chart = charts.stacked_columns(
        "precedent-years",
        _("Board decisions on principle %(number)s, by year") % {"number": number},
        columns,
        DECISIONS,
    )
    totals = {k: sum(c.get(k, 0) for _, c in columns) for k, _ in DECISIONS}
    latest = []
    if list_cases:
        latest = [
            {
                "case": c,
                "decided_on": timezone.localtime(c.decided_at).date(),
                **_decision_of(c, board, later),
            }
            for c in decided.select_related("respondent", "appeal").order_by("-decided_at", "-pk")[
                :50
            ]
        ]
    return {
        "number": number,
        "principles": principles,
        "chart": chart,
        "totals": [(label, totals[k]) for k, label in DECISIONS],
        "decided": sum(totals.values()),
        "latest": latest,
    }
