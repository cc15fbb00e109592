"""What may happen next to a case, and why not: the one table of steps and rules.

Every transition of the case state machine is a `Step`. Each step names who may
take it and the due-process `Rule`s that must hold (DESIGN.md, "Guards"). The
same definitions drive:
  - the django-fsm-2 conditions and permissions on `Case` (models.py),
  - the due-process checklist on the case page,
  - the list of actions a user may take now,
  - the message a refused transition gives.
A rule returns a `Check`: whether it holds and, in plain words, why (not).
"""

from __future__ import annotations

import contextvars
import datetime
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format

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
    for i, a in enumerate(_allegations(case), 1):
        p = a.principle
        if p.effective_on > a.conduct_to:
            return Check(
                False,
                f"Allegation {i} cites principle {p.number} “{p.title}”, which took effect on "
                f"{_d(p.effective_on)}, after the conduct ended on {_d(a.conduct_to)}: "
                "a rule cannot be applied retroactively.",
            )
    if not _allegations(case):
        return Check(False, "No allegation cites a principle yet.")
    return Check(True, "Every principle cited was in effect during the conduct.")


def filing_deadline(case) -> datetime.date:
    return case.conduct_known_on + datetime.timedelta(days=case.procedure.filing_deadline_days)


def _filed_in_time(case) -> Check:
    deadline = filing_deadline(case)
    filed_on = timezone.localtime(case.filed_at).date()
    if filed_on <= deadline:
        return Check(True, f"Filed on {_d(filed_on)}, within the deadline of {_d(deadline)}.")
    if case.late_acceptance_reason.strip():
        return Check(
            True,
            f"Filed after the deadline of {_d(deadline)}; accepted late: "
            f"{case.late_acceptance_reason.strip()}",
        )
    return Check(
        False,
        f"Filed on {_d(filed_on)}, after the filing deadline of {_d(deadline)} "
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


def _single_source_acknowledged(case) -> Check:
    sources = {e.source for e in case.evidence.all()}
    if len(sources) > 1:
        return Check(True, "The evidence comes from more than one source.")
    if case.review_rests_on_single_source:
        return Check(True, "The review report states that the case rests on one party's report.")
    return Check(
        False,
        "All evidence comes from one source: add fact-finding, or have the review report state "
        "that the case rests on one party's report alone.",
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
    from cases.models import describe_threshold, threshold_met

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


def _ballot_complete_or_due(case) -> Check:
    ballot = _ballot(case, "board")
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
            "Filed within the filing deadline, or accepted late with a reason",
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
            "Evidence from more than one source, or the report says it rests on one",
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
    ]
}


# ---------------------------------------------------------------------------
# The steps
# ---------------------------------------------------------------------------

STAFF = "staff"  # ethics staff holding manage_case on the case
RESPONDENT = "respondent"  # a representative holding respond_to_case on the case


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    actor: str
    rules: tuple[str, ...] = ()
    reason_label: str = ""  # non-empty: a written reason is required
    system_may: bool = False  # the deadline job may take this step
    description: str = ""

    def checks(self, case) -> list[tuple[Rule, Check]]:
        return [(RULES[key], RULES[key](case)) for key in self.rules]

    def unmet(self, case) -> list[Check]:
        return [check for _, check in self.checks(case) if not check.holds]


STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        Step(
            "open_review",
            "Open review and issue the notice of complaint",
            (CaseState.FILED,),
            CaseState.UNDER_REVIEW,
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
            CaseState.BOARD_VOTE,
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
            CaseState.DISMISSED,
            STAFF,
            reason_label="Reasons for dismissal (sent to the parties)",
        ),
        Step(
            "withdraw",
            "Record withdrawal",
            (CaseState.FILED, CaseState.UNDER_REVIEW),
            CaseState.WITHDRAWN,
            STAFF,
            reason_label="Reasons for withdrawal",
        ),
        Step(
            "reopen",
            "Reopen the complaint",
            (CaseState.DISMISSED,),
            CaseState.FILED,
            STAFF,
            rules=("new_evidence_since_closing",),
            reason_label="Why the complaint is reopened",
        ),
        Step(
            "close_ballot",
            "Close the board's ballot and record the decision",
            (CaseState.BOARD_VOTE,),
            "decided",
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
            CaseState.UNDER_APPEAL,
            RESPONDENT,
            rules=("appeal_window_open",),
            reason_label="Grounds of appeal",
            description="The appeals panel, none of whom took part in the decision, will consider it.",
        ),
        Step(
            "finalize",
            "Finalize: no appeal was filed",
            (CaseState.SANCTIONED,),
            CaseState.CLOSED,
            STAFF,
            rules=("appeal_window_passed",),
            system_may=True,
        ),
        Step(
            "decide_appeal",
            "Record the appeal decision",
            (CaseState.UNDER_APPEAL,),
            CaseState.CLOSED,
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


def rules_hold(name: str) -> Callable[[object], bool]:
    """The django-fsm condition for a step: all its rules hold."""

    def condition(case) -> bool:
        return not STEPS[name].unmet(case)

    condition.__name__ = f"rules_of_{name}"
    return condition


def actor_may(user, case, name: str) -> bool:
    """Whether this user may take this step on this case (not whether its rules hold).
    `user` None is the system (the deadline job)."""
    step = STEPS[name]
    if user is None:
        return step.system_may
    from cases.access import case_permissions
    from members.roles import roles_of

    perms = case_permissions(user, case)
    if step.actor == STAFF:
        return roles_of(user).ethics_staff and "manage_case" in perms
    if step.actor == RESPONDENT:
        return "respond_to_case" in perms
    return False


def may(name: str) -> Callable[[object, object], bool]:
    """The django-fsm permission callable for a step: checked per case, never model-wide."""

    def permission(case, user) -> bool:
        return actor_may(user, case, name)

    permission.__name__ = f"may_{name}"
    return permission


def checklist(case) -> list[tuple[Rule, Check]]:
    name = FORWARD.get(case.state)
    return STEPS[name].checks(case) if name else []


@dataclass(frozen=True)
class Action:
    step: Step
    unmet: list[Check]

    @property
    def ready(self) -> bool:
        return not self.unmet


def actions_for(case, user) -> list[Action]:
    """The steps this user may take from the case's state, each with its unmet rules."""
    return [
        Action(step, step.unmet(case))
        for step in STEPS.values()
        if case.state in step.sources and actor_may(user, case, step.name)
    ]


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
