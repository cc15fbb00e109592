"""What may happen to a case next, and why not: the one table of steps, actions and rules.

Every transition of the case state machine is a `Step`; everything else a person may
do to a case within a state (respond, record a finding, vote, declare a conflict...)
is an `Action`. Each names the states it is offered in, who may take it (`Who`) and
the due-process `Rule`s that must hold (docs/design.md, "The table"). The same
definitions drive:
  - the django-fsm-2 transitions on `Case`, generated from STEPS (models.py),
  - the due-process checklist on the case page,
  - the forms and buttons each user is offered (cases.access.offered),
  - the check every service makes first and the message a refusal gives
    (cases.access.authorize).
A rule returns a `Check`: whether it holds and, in plain words, why (not).

This module imports nothing of the project but the threshold arithmetic and the
roles, so every other module may use it.
"""

from __future__ import annotations

import contextvars
import datetime
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format

from cases.thresholds import describe_threshold, threshold_met
from members.roles import roles_of

_AS_OF: contextvars.ContextVar[datetime.date | None] = contextvars.ContextVar(
    "probity_as_of", default=None
)


def today() -> datetime.date:
    """The date the rules are judged on: today, or the date the deadline job acts as of."""
    return _AS_OF.get() or timezone.localdate()


@contextmanager
def as_of(day: datetime.date):
    token = _AS_OF.set(day)
    try:
        yield
    finally:
        _AS_OF.reset(token)


class CaseState(models.TextChoices):
    FILED = "filed", "Filed"
    UNDER_REVIEW = "under_review", "Under review"
    DISMISSED = "dismissed", "Dismissed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    BOARD_VOTE = "board_vote", "Board vote"
    NO_VIOLATION = "no_violation", "No violation found"
    SANCTIONED = "sanctioned", "Sanctioned"
    UNDER_APPEAL = "under_appeal", "Under appeal"
    CLOSED = "closed", "Closed"


@dataclass(frozen=True)
class StateInfo:
    label: str  # what staff and the board see
    public_label: str  # what the respondent and the complainant see
    final: bool = False


STATES: dict[str, StateInfo] = {
    CaseState.FILED: StateInfo("Filed", "Complaint received"),
    CaseState.UNDER_REVIEW: StateInfo("Under review", "Under review: your response is invited"),
    CaseState.DISMISSED: StateInfo("Dismissed", "Dismissed", final=True),
    CaseState.WITHDRAWN: StateInfo("Withdrawn", "Withdrawn", final=True),
    CaseState.BOARD_VOTE: StateInfo("Board vote", "Before the board for decision"),
    CaseState.NO_VIOLATION: StateInfo(
        "No violation found", "Decided: no violation found", final=True
    ),
    CaseState.SANCTIONED: StateInfo("Sanctioned", "Decided: sanction imposed"),
    CaseState.UNDER_APPEAL: StateInfo("Under appeal", "Your appeal is being considered"),
    CaseState.CLOSED: StateInfo("Closed", "Closed", final=True),
}

# The stages of the stepper on the case page, in order.
STAGES = [
    (CaseState.FILED,),
    (CaseState.UNDER_REVIEW,),
    (CaseState.BOARD_VOTE,),
    (CaseState.SANCTIONED, CaseState.NO_VIOLATION),
    (CaseState.UNDER_APPEAL,),
    (CaseState.CLOSED,),
]


def _d(value: datetime.date | datetime.datetime) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return date_format(value, "j F Y")


@dataclass(frozen=True)
class Check:
    holds: bool
    reason: str


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    test: Callable[[object], Check]

    do_not_call_in_templates = True  # templates read .label; they must not call the rule

    def __call__(self, case) -> Check:
        return self.test(case)


# ---------------------------------------------------------------------------
# The rules. They read the case through its related managers' .all(), so a page
# that prefetches them (cases.selectors.case_for_page) asks no further queries.
# ---------------------------------------------------------------------------


def _allegations(case):
    return list(case.allegations.all())


def _has_allegations(case) -> Check:
    n = len(_allegations(case))
    if n == 0:
        return Check(False, "The complaint has no allegation yet.")
    return Check(True, f"{n} allegation{'s' if n != 1 else ''} on file.")


MEMBER_STATUSES = ("active", "suspended", "lapsed")


def membership_periods(org) -> list[tuple[datetime.date | None, datetime.date | None]]:
    """The spans during which the organization was a member, from its status history
    (a readmitted member has two). An open end is None."""
    periods: list = []
    start = None
    first = True
    for change in sorted(org.status_history.all(), key=lambda c: (c.changed_at, c.pk)):
        day = timezone.localtime(change.changed_at).date()
        if change.to_status in MEMBER_STATUSES and change.from_status not in MEMBER_STATUSES:
            # The register may know an earlier joining date than its history does.
            start = min(day, org.joined_on) if first and org.joined_on else day
            first = False
        elif change.from_status in MEMBER_STATUSES and change.to_status not in MEMBER_STATUSES:
            periods.append((start if start is not None else org.joined_on, day))
            start, first = None, False
    if org.status in MEMBER_STATUSES:
        periods.append((start if start is not None else (org.joined_on or org.status_since), None))
    return periods


def _member_during_conduct(case) -> Check:
    org = case.respondent
    periods = membership_periods(org)
    for i, a in enumerate(_allegations(case), 1):
        overlaps = any(
            (begin is None or begin <= a.conduct_to) and (end is None or end >= a.conduct_from)
            for begin, end in periods
        )
        if overlaps:
            continue
        last_end = periods[-1][1] if periods else None
        if last_end is not None and last_end < a.conduct_from:
            return Check(
                False,
                f"Allegation {i} concerns conduct from {_d(a.conduct_from)} to {_d(a.conduct_to)}, "
                f"after {org.name} left the association on {_d(last_end)}.",
            )
        if not periods:
            why = f"{org.name} has never been a member"
        elif periods[0][0] and periods[0][0] > a.conduct_to:
            why = f"{org.name} joined on {_d(periods[0][0])}"
        else:
            why = f"{org.name} was not a member then"
        return Check(
            False,
            f"Allegation {i} concerns conduct from {_d(a.conduct_from)} to {_d(a.conduct_to)}, "
            f"but {why}.",
        )
    if not _allegations(case):
        return Check(False, "No allegation states a conduct period yet.")
    return Check(True, f"{org.name} was a member during the conduct alleged.")


def _principles_in_effect(case) -> Check:
    partly = []
    for i, a in enumerate(_allegations(case), 1):
        p = a.principle
        if p.effective_on > a.conduct_to:
            return Check(
                False,
                f"Allegation {i} cites principle {p.number} “{p.title}”, which took effect on "
                f"{_d(p.effective_on)}, after the conduct ended on {_d(a.conduct_to)}: "
                "a rule cannot be applied retroactively.",
            )
        if a.conduct_from < p.effective_on:
            # Straddling conduct: only the part on or after the effective date counts.
            partly.append(
                f"Allegation {i}: conduct before {_d(p.effective_on)} cannot be considered "
                f"under principle {p.number}; only {_d(p.effective_on)} to "
                f"{_d(a.conduct_to)} is considered."
            )
    if not _allegations(case):
        return Check(False, "No allegation cites a principle yet.")
    if partly:
        return Check(True, " ".join(partly))
    return Check(True, "Every principle cited was in effect during the conduct.")


def filing_deadline(case) -> datetime.date:
    return case.conduct_known_on + datetime.timedelta(days=case.procedure.filing_deadline_days)


def _filed_in_time(case) -> Check:
    """Measured from the day the association received the complaint, which may be
    earlier than the day staff entered it."""
    deadline = filing_deadline(case)
    filed_on = case.received_on
    if filed_on <= deadline:
        return Check(True, f"Received on {_d(filed_on)}, within the deadline of {_d(deadline)}.")
    if case.late_acceptance_reason.strip():
        return Check(
            True,
            f"Filed after the deadline of {_d(deadline)}; accepted late: "
            f"{case.late_acceptance_reason.strip()}",
        )
    return Check(
        False,
        f"Received on {_d(filed_on)}, after the filing deadline of {_d(deadline)} "
        f"({case.procedure.filing_deadline_days} days from when the conduct could be known), "
        "and no reason for accepting it late is recorded.",
    )


def _notice_issued(case) -> Check:
    if case.notice_issued_at is None:
        return Check(False, "No notice of complaint has been issued to the respondent.")
    return Check(True, f"Notice of complaint issued on {_d(case.notice_issued_at)}.")


def _amendments_noticed(case) -> Check:
    pending = [a for a in case.amendments.all() if a.needs_notice and a.noticed_at is None]
    if pending:
        return Check(
            False,
            f"The amendment of {_d(pending[0].made_at)} has not been notified to the respondent; "
            "issue an amended notice first.",
        )
    return Check(True, "The respondent was notified of every amendment.")


def latest_notice_at(case):
    """The first notice, or the latest amended notice: a response must answer it."""
    noticed = [a.noticed_at for a in case.amendments.all() if a.noticed_at is not None]
    return max([case.notice_issued_at, *noticed]) if case.notice_issued_at else None


def _response_or_window_passed(case) -> Check:
    since = latest_notice_at(case)
    responses = [r for r in case.responses.all() if since is None or r.submitted_at >= since]
    if responses:
        return Check(True, f"Response received on {_d(responses[-1].submitted_at)}.")
    if case.response_due_on is None:
        return Check(False, "No response window has been set: the notice was not issued.")
    if today() <= case.response_due_on:
        answered = "to the amended notice " if case.responses.all() else ""
        return Check(
            False,
            f"Response window open until {_d(case.response_due_on)}; no response {answered}received yet.",
        )
    return Check(True, f"Response window closed on {_d(case.response_due_on)} with no response.")


def _evidence_exists(case) -> Check:
    n = len(case.evidence.all())
    if n == 0:
        return Check(False, "No evidence is on file.")
    return Check(True, f"{n} piece{'s' if n != 1 else ''} of evidence on file.")


def _every_allegation_has_finding(case) -> Check:
    allegations = _allegations(case)
    for i, a in enumerate(allegations, 1):
        if not hasattr(a, "finding"):
            return Check(
                False, f"Allegation {i} (principle {a.principle.number}) has no finding yet."
            )
    if not allegations:
        return Check(False, "There are no allegations to make findings on.")
    return Check(True, "Every allegation has a finding.")


def _review_report_written(case) -> Check:
    if not case.review_report.strip():
        return Check(False, "The review report is not written yet.")
    return Check(True, "The review report is written.")


def independent_producers(case) -> list[str]:
    """Who the evidence supporting the allegations comes from, each independent producer
    once (two items from one outlet are one source). The respondent's own submissions
    never corroborate the complaint."""
    seen: dict[str, str] = {}
    for e in case.evidence.all():
        if e.source == "respondent":
            continue
        seen.setdefault(e.independence_key, e.producer.strip() or e.get_source_display())
    return list(seen.values())


def _single_source_acknowledged(case) -> Check:
    producers = independent_producers(case)
    counted = "; ".join(producers) or "none"
    if len(producers) > 1:
        return Check(
            True,
            f"The evidence comes from {len(producers)} independent sources: {counted}.",
        )
    if case.review_rests_on_single_source:
        return Check(
            True,
            f"The review report states that the case rests on one party's report "
            f"(sources counted: {counted}).",
        )
    return Check(
        False,
        f"All evidence comes from one source ({counted}; the respondent's own material does "
        "not count): add fact-finding from an independent source, or have the review report "
        "state that the case rests on one party's report alone.",
    )


def _new_evidence_since_closing(case) -> Check:
    since = case.state_changed_at
    if any(e.added_at > since for e in case.evidence.all()):
        return Check(True, "New evidence was added after the dismissal.")
    return Check(False, f"No new evidence has been added since the dismissal on {_d(since)}.")


def _ballot(case, kind: str):
    """The open ballot of this kind, or the last one (ballots prefetched with seats and votes)."""
    ballots = [b for b in case.ballots.all() if b.kind == kind]
    open_ones = [b for b in ballots if b.closed_at is None]
    return open_ones[-1] if open_ones else (ballots[-1] if ballots else None)


def ballot_numbers(ballot) -> tuple[int, int]:
    """(eligible voters, voters who took part): recused seats count for neither."""
    eligible = {s.voter_id for s in ballot.seats.all() if s.recused_at is None}
    voted = {v.voter_id for v in ballot.votes.all() if v.voter_id in eligible}
    return len(eligible), len(voted)


def ballot_quorum(ballot, procedure) -> Check:
    """Whether enough eligible voters took part, by the case's procedure. The rule's
    check, the dashboard's flag and the deadline job all ask this."""
    eligible, voted = ballot_numbers(ballot)
    needed = describe_threshold(procedure.quorum_rule)
    if threshold_met(procedure.quorum_rule, voted, eligible):
        return Check(True, f"Quorum met: {voted} of {eligible} eligible voters have voted.")
    return Check(
        False,
        f"Quorum not met: {voted} of {eligible} eligible voters have voted; "
        f"{needed} must take part.",
    )


def _quorum(case, kind: str) -> Check:
    ballot = _ballot(case, kind)
    if ballot is None:
        return Check(False, "No ballot has been opened.")
    return ballot_quorum(ballot, case.procedure)


def _ballot_quorum(case) -> Check:
    return _quorum(case, "board")


def _complete_or_due(case, kind: str) -> Check:
    ballot = _ballot(case, kind)
    if ballot is None:
        return Check(False, "No ballot has been opened.")
    eligible, voted = ballot_numbers(ballot)
    if voted >= eligible:
        return Check(True, "Every eligible voter has voted.")
    if today() > ballot.closes_on:
        return Check(True, f"The ballot's closing date, {_d(ballot.closes_on)}, has passed.")
    return Check(
        False,
        f"{eligible - voted} eligible voter(s) have not voted and the ballot is open "
        f"until {_d(ballot.closes_on)}.",
    )


def _ballot_complete_or_due(case) -> Check:
    return _complete_or_due(case, "board")


def _open_ballot_of(case):
    return next((b for b in case.ballots.all() if b.closed_at is None), None)


def _a_ballot_is_open(case) -> Check:
    ballot = _open_ballot_of(case)
    if ballot is None:
        return Check(False, "No ballot is open on this case.")
    return Check(True, f"A ballot is open until {_d(ballot.closes_on)}.")


def _appeal_ballot_open(case) -> Check:
    ballot = _ballot(case, "appeal")
    if ballot is None or ballot.closed_at is not None:
        return Check(False, "The appeals panel's ballot is already closed.")
    return Check(True, f"The appeals panel's ballot is open until {_d(ballot.closes_on)}.")


def _appeal_ballot_quorum(case) -> Check:
    return _quorum(case, "appeal")


def _appeal_ballot_complete_or_due(case) -> Check:
    return _complete_or_due(case, "appeal")


def _response_window_open(case) -> Check:
    if case.response_due_on is None:
        return Check(False, "No response window has been set: the notice was not issued.")
    if today() <= case.response_due_on:
        return Check(True, f"The response window is open until {_d(case.response_due_on)}.")
    return Check(
        False,
        f"The response window closed on {_d(case.response_due_on)}. Ask the ethics staff to "
        "reopen it if you need to respond late.",
    )


def _amendments_await_notice(case) -> Check:
    if any(a.needs_notice and a.noticed_at is None for a in case.amendments.all()):
        return Check(True, "An amendment is waiting for an amended notice.")
    return Check(False, "No amendment is waiting for a notice.")


def _appeal_window_open(case) -> Check:
    if case.appeal_deadline is None:
        return Check(False, "No appeal window is open.")
    if today() <= case.appeal_deadline:
        return Check(True, f"The appeal window is open until {_d(case.appeal_deadline)}.")
    return Check(False, f"The appeal window closed on {_d(case.appeal_deadline)}.")


def _appeal_window_passed(case) -> Check:
    if case.appeal_deadline is None:
        return Check(False, "No appeal window has been set.")
    if today() > case.appeal_deadline:
        return Check(
            True, f"The appeal window closed on {_d(case.appeal_deadline)} with no appeal."
        )
    return Check(False, f"The appeal window is open until {_d(case.appeal_deadline)}.")


def _appeal_ballot_closed(case) -> Check:
    ballot = _ballot(case, "appeal")
    if ballot is None:
        return Check(False, "The appeals panel's ballot has not been opened.")
    if ballot.closed_at is None:
        eligible, voted = ballot_numbers(ballot)
        return Check(
            False,
            f"The appeals panel's ballot is still open ({voted} of {eligible} "
            "have voted); close it first.",
        )
    if not ballot.tally.get("quorum_met"):
        return Check(False, "The appeals panel's ballot closed without quorum.")
    return Check(True, f"The appeals panel's ballot closed on {_d(ballot.closed_at)} with quorum.")


def _procedure_publishes(case) -> Check:
    if case.procedure.publication == "nothing":
        return Check(False, "The case's procedure publishes nothing about its decisions.")
    return Check(True, f"The procedure publishes {case.procedure.get_publication_display()}.")


def _publication_not_withheld(case) -> Check:
    publication = getattr(case, "publication", None)
    if publication is not None and publication.withheld_at is not None:
        return Check(False, f"The publication was withheld: {publication.withheld_reason}")
    return Check(True, "The publication is not withheld.")


def _hold_in_place(case):
    return next((h for h in case.legal_holds.all() if h.released_at is None), None)


def _no_legal_hold(case) -> Check:
    hold = _hold_in_place(case)
    if hold is not None:
        return Check(False, f"A legal hold is already in place: {hold.reason}")
    return Check(True, "No legal hold is in place.")


def _legal_hold_in_place(case) -> Check:
    hold = _hold_in_place(case)
    if hold is None:
        return Check(False, "No legal hold is in place.")
    return Check(True, f"A legal hold is in place since {_d(hold.placed_at)}: {hold.reason}")


RULES = {
    r.key: r
    for r in [
        Rule("has_allegations", "The complaint states at least one allegation", _has_allegations),
        Rule(
            "member_during_conduct",
            "The respondent was a member during the conduct",
            _member_during_conduct,
        ),
        Rule(
            "principles_in_effect",
            "Every principle cited was in effect during the conduct",
            _principles_in_effect,
        ),
        Rule(
            "filed_in_time",
            "Received within the filing deadline, or accepted late with a reason",
            _filed_in_time,
        ),
        Rule("notice_issued", "Notice of complaint issued to the respondent", _notice_issued),
        Rule(
            "amendments_noticed",
            "The respondent was notified of every amendment",
            _amendments_noticed,
        ),
        Rule(
            "response_or_window_passed",
            "The respondent responded, or the response window passed",
            _response_or_window_passed,
        ),
        Rule("evidence_exists", "At least one piece of evidence", _evidence_exists),
        Rule(
            "every_allegation_has_finding",
            "Every allegation has a finding",
            _every_allegation_has_finding,
        ),
        Rule("review_report_written", "A review report is written", _review_report_written),
        Rule(
            "single_source_acknowledged",
            "Evidence from independent sources, or the report says it rests on one",
            _single_source_acknowledged,
        ),
        Rule(
            "new_evidence_since_closing",
            "New evidence since the dismissal",
            _new_evidence_since_closing,
        ),
        Rule("ballot_quorum_met", "Quorum is met among the eligible voters", _ballot_quorum),
        Rule(
            "ballot_complete_or_due",
            "Every eligible voter has voted, or the closing date passed",
            _ballot_complete_or_due,
        ),
        Rule("appeal_window_open", "Within the appeal window", _appeal_window_open),
        Rule(
            "appeal_window_passed",
            "The appeal window passed with no appeal",
            _appeal_window_passed,
        ),
        Rule(
            "appeal_ballot_closed",
            "The appeals panel's ballot closed with quorum",
            _appeal_ballot_closed,
        ),
        Rule("a_ballot_is_open", "A ballot is open", _a_ballot_is_open),
        Rule("appeal_ballot_open", "The appeals panel's ballot is open", _appeal_ballot_open),
        Rule(
            "appeal_ballot_quorum_met",
            "Quorum is met among the eligible panel members",
            _appeal_ballot_quorum,
        ),
        Rule(
            "appeal_ballot_complete_or_due",
            "Every eligible panel member has voted, or the closing date passed",
            _appeal_ballot_complete_or_due,
        ),
        Rule("response_window_open", "Within the response window", _response_window_open),
        Rule(
            "amendments_await_notice",
            "An amendment is waiting for an amended notice",
            _amendments_await_notice,
        ),
        # Publication and legal holds (docs/decisions/0023)
        Rule("procedure_publishes", "The procedure publishes decisions", _procedure_publishes),
        Rule(
            "publication_not_withheld",
            "The decision's publication is not withheld yet",
            _publication_not_withheld,
        ),
        Rule("no_legal_hold", "No legal hold is in place", _no_legal_hold),
        Rule("legal_hold_in_place", "A legal hold is in place", _legal_hold_in_place),
    ]
}


# ---------------------------------------------------------------------------
# Who may act
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Who:
    """Who may take a step or an action: a role (a `members.roles.Roles` attribute)
    and/or a permission held on this very case. Both must hold when both are named;
    no role alone ever grants anything on a case."""

    key: str
    description: str
    role: str = ""
    permission: str = ""
    # The user's relation to this very case that it needs (cases.access.relation_to:
    # "staff", "decider", "respondent"): a party's representative is the party on
    # the case whatever else they are, and a recused decider is no decider.
    relation: str = ""

    def allows(self, user, case, relation: str | None = None) -> bool:
        """`relation` is the user's relation to the case (cases.access passes it);
        without it only the role and the permission are asked."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        if relation is not None and self.relation and relation != self.relation:
            return False
        if self.role and not getattr(roles_of(user), self.role):
            return False
        return not self.permission or self.permission in case.held_permissions(user)


STAFF = Who(
    "staff",
    "ethics staff with the staff permission on the case",
    "ethics_staff",
    "manage_case",
    relation="staff",
)
RESPONDENT = Who(
    "respondent",
    "a representative of the respondent",
    permission="respond_to_case",
    relation="respondent",
)
VOTER = Who(
    "voter",
    "a board or panel member seated on the case's ballot",
    permission="vote_on_case",
    relation="decider",
)
DECIDER = Who(
    "decider",
    "a board or panel member with access to the case",
    "decider",
    "view_case",
    relation="decider",
)


# ---------------------------------------------------------------------------
# Paths: the parts of the workflow a procedure may turn on or off
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Path:
    """A part of the workflow that the case's procedure version turns on or off
    (hearings, consent, ...). A step or action naming a path is, when the procedure
    turns it off, never offered, refused by `cases.access.authorize`, and not drawn."""

    key: str
    label: str  # completes "The procedure ... does not provide for …"
    enabled: Callable[[object], bool]  # given the procedure version

    do_not_call_in_templates = True


PATHS: dict[str, Path] = {}


def open_paths(procedure) -> frozenset[str]:
    """The paths this procedure version turns on."""
    return frozenset(key for key, path in PATHS.items() if path.enabled(procedure))


class TransitionRefused(ValidationError):
    """The step or action is not possible now; the message says which rule failed."""


class CaseMovedOn(TransitionRefused):
    """Someone else changed the case's state first."""


# ---------------------------------------------------------------------------
# The steps: the state machine's transitions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]  # more than one: the step's effect chooses (close_ballot)
    who: Who
    rules: tuple[str, ...] = ()
    reason_label: str = ""  # non-empty: a written reason is required
    system_may: bool = False  # the deadline job may take this step
    description: str = ""
    path: str = ""  # a key of PATHS: the procedure may turn this step off

    @property
    def states(self) -> tuple[str, ...]:
        return self.sources

    @property
    def target(self) -> str:
        """The state the step leads to; for a step with several, the first (the
        FSM method returns the one taken)."""
        return self.targets[0]

    def checks(self, case) -> list[tuple[Rule, Check]]:
        return [(RULES[key], RULES[key](case)) for key in self.rules]

    def unmet(self, case) -> list[Check]:
        return [check for _, check in self.checks(case) if not check.holds]

    def refusal(self, case) -> str:
        return (
            f"“{self.label}” is not possible while the case is {STATES[case.state].label.lower()}."
        )


STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        Step(
            "open_review",
            "Open review and issue the notice of complaint",
            (CaseState.FILED,),
            (CaseState.UNDER_REVIEW,),
            STAFF,
            rules=(
                "has_allegations",
                "member_during_conduct",
                "principles_in_effect",
                "filed_in_time",
            ),
            description="The respondent is notified and its representatives get access to the case.",
        ),
        Step(
            "refer_to_board",
            "Refer to the board",
            (CaseState.UNDER_REVIEW,),
            (CaseState.BOARD_VOTE,),
            STAFF,
            rules=(
                # Amendments may have added allegations since the review opened.
                "member_during_conduct",
                "principles_in_effect",
                "notice_issued",
                "amendments_noticed",
                "response_or_window_passed",
                "evidence_exists",
                "every_allegation_has_finding",
                "review_report_written",
                "single_source_acknowledged",
            ),
            description="Opens the board's ballot.",
        ),
        Step(
            "dismiss",
            "Dismiss the complaint",
            (CaseState.FILED, CaseState.UNDER_REVIEW),
            (CaseState.DISMISSED,),
            STAFF,
            reason_label="Reasons for dismissal (sent to the parties)",
        ),
        Step(
            "withdraw",
            "Record withdrawal",
            (CaseState.FILED, CaseState.UNDER_REVIEW),
            (CaseState.WITHDRAWN,),
            STAFF,
            reason_label="Reasons for withdrawal",
        ),
        Step(
            "reopen",
            "Reopen the complaint",
            (CaseState.DISMISSED,),
            (CaseState.FILED,),
            STAFF,
            rules=("new_evidence_since_closing",),
            reason_label="Why the complaint is reopened",
        ),
        Step(
            "close_ballot",
            "Close the board's ballot and record the decision",
            (CaseState.BOARD_VOTE,),
            (CaseState.SANCTIONED, CaseState.NO_VIOLATION),
            STAFF,
            rules=("ballot_quorum_met", "ballot_complete_or_due"),
            system_may=True,
            description="Counts the votes by the case's procedure: the case moves to "
            "“sanctioned” or “no violation found”.",
        ),
        Step(
            "file_appeal",
            "File an appeal",
            (CaseState.SANCTIONED,),
            (CaseState.UNDER_APPEAL,),
            RESPONDENT,
            rules=("appeal_window_open",),
            reason_label="Grounds of appeal",
            description="The appeals panel, none of whom took part in the decision, will consider it.",
        ),
        Step(
            "finalize",
            "Finalize: no appeal was filed",
            (CaseState.SANCTIONED,),
            (CaseState.CLOSED,),
            STAFF,
            rules=("appeal_window_passed",),
            system_may=True,
        ),
        Step(
            "decide_appeal",
            "Record the appeal decision",
            (CaseState.UNDER_APPEAL,),
            (CaseState.CLOSED,),
            STAFF,
            rules=("appeal_ballot_closed",),
            reason_label="Reasons for the appeal decision (sent to the parties)",
            description="Applies the appeals panel's outcome: upheld, modified or overturned.",
        ),
    ]
}

# The step whose rules the checklist shows in each state: the way forward.
FORWARD = {
    CaseState.FILED: "open_review",
    CaseState.UNDER_REVIEW: "refer_to_board",
    CaseState.DISMISSED: "reopen",
    CaseState.BOARD_VOTE: "close_ballot",
    CaseState.SANCTIONED: "finalize",
    CaseState.UNDER_APPEAL: "decide_appeal",
}


# ---------------------------------------------------------------------------
# The actions: what a person may do to a case within a state
# ---------------------------------------------------------------------------

ALL_STATES = tuple(CaseState.values)
INTAKE_STATES = (CaseState.FILED, CaseState.UNDER_REVIEW, CaseState.DISMISSED)
BALLOT_STATES = (CaseState.BOARD_VOTE, CaseState.UNDER_APPEAL)
PARTY_CONFLICT_STATES = (
    CaseState.FILED,
    CaseState.UNDER_REVIEW,
    CaseState.BOARD_VOTE,
    CaseState.SANCTIONED,
    CaseState.UNDER_APPEAL,
)


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    states: tuple[str, ...]
    who: Who
    doing: str  # completes "You cannot … while the case is …"
    rules: tuple[str, ...] = ()
    reason_label: str = ""  # non-empty: a written reason is required
    system_may: bool = False
    # Where leaving `states` closes the thing to its users (a ballot that closed),
    # the refusal says so, as a 403, instead of naming the state.
    closed_refusal: str = ""
    path: str = ""  # a key of PATHS: the procedure may turn this action off

    def checks(self, case) -> list[tuple[Rule, Check]]:
        return [(RULES[key], RULES[key](case)) for key in self.rules]

    def unmet(self, case) -> list[Check]:
        return [check for _, check in self.checks(case) if not check.holds]

    def refusal(self, case) -> str:
        return f"You cannot {self.doing} while the case is {STATES[case.state].label.lower()}."


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        # Intake and review (ethics staff)
        Action(
            "amend",
            "Amend the complaint",
            INTAKE_STATES,
            STAFF,
            "amend the complaint",
            reason_label="Reason for the amendment",
        ),
        Action("add_evidence", "Add evidence", INTAKE_STATES, STAFF, "add evidence"),
        Action(
            "set_disclosure",
            "Change what is disclosed to the respondent",
            ALL_STATES,
            STAFF,
            "change what is disclosed",
        ),
        Action(
            "accept_late_filing",
            "Accept a late complaint",
            (CaseState.FILED,),
            STAFF,
            "accept a late complaint",
            reason_label="Why the complaint is accepted late",
        ),
        Action(
            "assign_officer",
            "Assign the case officer",
            ALL_STATES,
            STAFF,
            "assign the case officer",
        ),
        Action(
            "issue_amended_notice",
            "Issue the amended notice",
            (CaseState.UNDER_REVIEW,),
            STAFF,
            "issue an amended notice",
            rules=("amendments_await_notice",),
        ),
        Action(
            "reopen_response_window",
            "Reopen the response window",
            (CaseState.UNDER_REVIEW,),
            STAFF,
            "reopen the response window",
            reason_label="Why the window is reopened",
        ),
        Action(
            "record_finding",
            "Record a finding",
            (CaseState.UNDER_REVIEW,),
            STAFF,
            "record findings",
            reason_label="Reasoning",
        ),
        Action(
            "write_review_report",
            "Write the review report",
            (CaseState.UNDER_REVIEW,),
            STAFF,
            "write the review report",
        ),
        # The respondent
        Action(
            "respond",
            "Send the response",
            (CaseState.UNDER_REVIEW,),
            RESPONDENT,
            "respond",
            rules=("response_window_open",),
        ),
        # Ballots
        Action(
            "vote",
            "Vote",
            BALLOT_STATES,
            VOTER,
            "vote",
            closed_refusal="This ballot is closed: no vote can be cast or changed.",
        ),
        Action(
            "declare_conflict",
            "Declare a conflict of interest",
            BALLOT_STATES,
            DECIDER,
            "declare a conflict of interest",
            reason_label="Your conflict of interest",
        ),
        Action(
            "record_party_conflict",
            "Record a conflict raised by a party",
            # Before referral and before an appeal too, so the member is never seated.
            PARTY_CONFLICT_STATES,
            STAFF,
            "record a conflict of interest",
            reason_label="The conflict raised",
        ),
        Action(
            "extend_ballot",
            "Extend the ballot",
            BALLOT_STATES,
            STAFF,
            "extend the ballot",
            rules=("a_ballot_is_open",),
            reason_label="Why the ballot is extended",
        ),
        Action(
            "close_appeal_ballot",
            "Close the appeals panel's ballot",
            (CaseState.UNDER_APPEAL,),
            STAFF,
            "close the appeals panel's ballot",
            rules=(
                "appeal_ballot_open",
                "appeal_ballot_quorum_met",
                "appeal_ballot_complete_or_due",
            ),
            system_may=True,
        ),
        Action(
            "export_dossier",
            "Download the whole file",
            ALL_STATES,
            STAFF,
            "export the case file",
        ),
        Action(
            "link_case",
            "Link another case",
            ALL_STATES,
            STAFF,
            "link cases",
            reason_label="Why the cases are linked",
        ),
        # Letters
        Action(
            "correct_letter",
            "Correct a letter",
            ALL_STATES,
            STAFF,
            "correct a letter",
            reason_label="What the correction changes",
        ),
        Action("retry_delivery", "Retry failed deliveries", ALL_STATES, STAFF, "retry a delivery"),
        Action("preview_letter", "Preview a letter", ALL_STATES, STAFF, "preview a letter"),
        # Publication and retention (docs/decisions/0023)
        Action(
            "withhold_publication",
            "Withhold the decision from publication",
            (CaseState.SANCTIONED, CaseState.UNDER_APPEAL, CaseState.CLOSED),
            STAFF,
            "withhold the decision from publication",
            rules=("procedure_publishes", "publication_not_withheld"),
            reason_label="Why the decision is not published",
        ),
        Action(
            "place_legal_hold",
            "Place a legal hold",
            ALL_STATES,
            STAFF,
            "place a legal hold",
            rules=("no_legal_hold",),
            reason_label="Why the case's data must be kept (the proceedings or request)",
        ),
        Action(
            "release_legal_hold",
            "Release the legal hold",
            ALL_STATES,
            STAFF,
            "release a legal hold",
            rules=("legal_hold_in_place",),
            reason_label="Why the hold ends",
        ),
    ]
}

assert not set(STEPS) & set(ACTIONS), "a name is either a step or an action"


def entry(name: str) -> Step | Action:
    """The step or action of this name (KeyError if the table has neither)."""
    return STEPS.get(name) or ACTIONS[name]


def path_open(name: str, procedure) -> bool:
    """Whether the case's procedure provides for this step or action at all."""
    key = entry(name).path
    return not key or PATHS[key].enabled(procedure)


def path_refusal(name: str, procedure) -> str:
    path = PATHS[entry(name).path]
    return f"The procedure this case follows (version {procedure.version}) does not provide for {path.label}."


def offered_in(name: str, state: str) -> bool:
    return state in entry(name).states


def rules_hold(name: str) -> Callable[[object], bool]:
    """The django-fsm condition for a step: all its rules hold."""

    def condition(case) -> bool:
        return path_open(name, case.procedure) and not STEPS[name].unmet(case)

    condition.__name__ = f"rules_of_{name}"
    return condition


def who_may(user, case, name: str, relation: str | None = None) -> bool:
    """Whether this user may take this step or action on this case (not whether its
    state and rules allow it now). `user` None is the system (the deadline job).
    `relation` is the user's relation to the case (cases.access.relation_to), which
    cases.access always passes."""
    item = entry(name)
    if user is None:
        return item.system_may
    return item.who.allows(user, case, relation)


def checklist(case) -> list[tuple[Rule, Check]]:
    name = FORWARD.get(case.state)
    return STEPS[name].checks(case) if name else []


def stepper(case) -> list[tuple[str, str]]:
    """(label, 'done'|'current'|'') for each stage, for the stepper on the case page."""
    index = next((i for i, states in enumerate(STAGES) if case.state in states), None)
    out = []
    for i, states in enumerate(STAGES):
        label = STATES[case.state].label if case.state in states else STATES[states[0]].label
        if index is None:
            status = ""
        else:
            status = "done" if i < index else "current" if i == index else ""
        out.append((label, status))
    return out
