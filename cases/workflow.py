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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

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


# The labels are lazy: translated where shown, never stored (the state's value is).
# "case state" context: "Closed", "Filed", "Hearing"... name other things elsewhere.
class CaseState(models.TextChoices):
    FILED = "filed", pgettext_lazy("case state", "Filed")
    UNDER_REVIEW = "under_review", pgettext_lazy("case state", "Under review")
    DISMISSED = "dismissed", pgettext_lazy("case state", "Dismissed")
    WITHDRAWN = "withdrawn", pgettext_lazy("case state", "Withdrawn")
    BOARD_VOTE = "board_vote", pgettext_lazy("case state", "Board vote")
    NO_VIOLATION = "no_violation", pgettext_lazy("case state", "No violation found")
    SANCTIONED = "sanctioned", pgettext_lazy("case state", "Sanctioned")
    UNDER_APPEAL = "under_appeal", pgettext_lazy("case state", "Under appeal")
    CLOSED = "closed", pgettext_lazy("case state", "Closed")
    COMPLAINANT_APPEAL = "complainant_appeal", pgettext_lazy("case state", "Complainant's appeal")
    HEARING = "hearing", pgettext_lazy("case state", "Hearing")


@dataclass(frozen=True)
class StateInfo:
    label: str  # what staff and the board see
    public_label: str  # what the respondent and the complainant see
    final: bool = False
    # Where the respondent's words would mislead the complainant ("your response").
    complainant_label: str = ""


STATES: dict[str, StateInfo] = {
    CaseState.FILED: StateInfo(CaseState.FILED.label, gettext_lazy("Complaint received")),
    CaseState.UNDER_REVIEW: StateInfo(
        CaseState.UNDER_REVIEW.label,
        gettext_lazy("Under review: your response is invited"),
        complainant_label=gettext_lazy("Under review: the respondent has been notified"),
    ),
    CaseState.DISMISSED: StateInfo(
        CaseState.DISMISSED.label, CaseState.DISMISSED.label, final=True
    ),
    CaseState.WITHDRAWN: StateInfo(
        CaseState.WITHDRAWN.label, CaseState.WITHDRAWN.label, final=True
    ),
    CaseState.BOARD_VOTE: StateInfo(
        CaseState.BOARD_VOTE.label, gettext_lazy("Before the board for decision")
    ),
    CaseState.NO_VIOLATION: StateInfo(
        CaseState.NO_VIOLATION.label, gettext_lazy("Decided: no violation found"), final=True
    ),
    CaseState.SANCTIONED: StateInfo(
        CaseState.SANCTIONED.label, gettext_lazy("Decided: sanction imposed")
    ),
    CaseState.UNDER_APPEAL: StateInfo(
        CaseState.UNDER_APPEAL.label,
        gettext_lazy("Your appeal is being considered"),
        complainant_label=gettext_lazy("The respondent's appeal is being considered"),
    ),
    CaseState.CLOSED: StateInfo(CaseState.CLOSED.label, CaseState.CLOSED.label, final=True),
    CaseState.COMPLAINANT_APPEAL: StateInfo(
        CaseState.COMPLAINANT_APPEAL.label,
        gettext_lazy("The complainant's appeal is before the appeals panel"),
        complainant_label=gettext_lazy("Your appeal is before the appeals panel"),
    ),
    CaseState.HEARING: StateInfo(
        CaseState.HEARING.label, gettext_lazy("Before the board: a hearing is to be held")
    ),
}

# The states a case is still being handled in (the dashboard's counts and its index).
OPEN_STATES = [s for s, info in STATES.items() if not info.final]

# The stages of the stepper on the case page, in order.
STAGES = [
    (CaseState.FILED,),
    (CaseState.UNDER_REVIEW,),
    (CaseState.BOARD_VOTE, CaseState.HEARING),
    (CaseState.SANCTIONED, CaseState.NO_VIOLATION),
    (CaseState.UNDER_APPEAL, CaseState.COMPLAINANT_APPEAL),
    (CaseState.CLOSED,),
]


def state_words(state: str) -> str:
    """The state's label inside a sentence ("while the case is under review"), in the
    active language."""
    return str(STATES[state].label).lower()


def _d(value: datetime.date | datetime.datetime) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return date_format(value, "DATE_FORMAT")


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
        return Check(False, _("The complaint has no allegation yet."))
    return Check(
        True, ngettext("%(n)d allegation on file.", "%(n)d allegations on file.", n) % {"n": n}
    )


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
        args = {"i": i, "start": _d(a.conduct_from), "end": _d(a.conduct_to), "org": org.name}
        if last_end is not None and last_end < a.conduct_from:
            message = _(
                "Allegation %(i)s concerns conduct from %(start)s to %(end)s, "
                "after %(org)s left the association on %(left)s."
            )
            return Check(False, message % {**args, "left": _d(last_end)})
        # Whole sentences, one for each reason: a translation may order them its way.
        if not periods:
            message = _(
                "Allegation %(i)s concerns conduct from %(start)s to %(end)s, "
                "but %(org)s has never been a member."
            )
        elif periods[0][0] and periods[0][0] > a.conduct_to:
            message = _(
                "Allegation %(i)s concerns conduct from %(start)s to %(end)s, "
                "but %(org)s joined on %(joined)s."
            )
            args["joined"] = _d(periods[0][0])
        else:
            message = _(
                "Allegation %(i)s concerns conduct from %(start)s to %(end)s, "
                "but %(org)s was not a member then."
            )
        return Check(False, message % args)
    if not _allegations(case):
        return Check(False, _("No allegation states a conduct period yet."))
    return Check(True, _("%(org)s was a member during the conduct alleged.") % {"org": org.name})


def _principles_in_effect(case) -> Check:
    partly = []
    for i, a in enumerate(_allegations(case), 1):
        p = a.principle
        args = {
            "i": i,
            "number": p.number,
            "title": p.title,
            "effective": _d(p.effective_on),
            "end": _d(a.conduct_to),
        }
        if p.effective_on > a.conduct_to:
            message = _(
                "Allegation %(i)s cites principle %(number)s “%(title)s”, which took effect on "
                "%(effective)s, after the conduct ended on %(end)s: "
                "a rule cannot be applied retroactively."
            )
            return Check(False, message % args)
        if a.conduct_from < p.effective_on:
            # Straddling conduct: only the part on or after the effective date counts.
            message = _(
                "Allegation %(i)s: conduct before %(effective)s cannot be considered "
                "under principle %(number)s; only %(effective)s to %(end)s is considered."
            )
            partly.append(message % args)
    if not _allegations(case):
        return Check(False, _("No allegation cites a principle yet."))
    if partly:
        return Check(True, " ".join(partly))
    return Check(True, _("Every principle cited was in effect during the conduct."))


def filing_deadline(case) -> datetime.date:
    return case.conduct_known_on + datetime.timedelta(days=case.procedure.filing_deadline_days)


def _filed_in_time(case) -> Check:
    """Measured from the day the association received the complaint, which may be
    earlier than the day staff entered it."""
    deadline = filing_deadline(case)
    filed_on = case.received_on
    args = {"received": _d(filed_on), "deadline": _d(deadline)}
    if filed_on <= deadline:
        message = _("Received on %(received)s, within the deadline of %(deadline)s.")
        return Check(True, message % args)
    if case.late_acceptance_reason.strip():
        message = _("Filed after the deadline of %(deadline)s; accepted late: %(reason)s")
        return Check(True, message % {**args, "reason": case.late_acceptance_reason.strip()})
    message = _(
        "Received on %(received)s, after the filing deadline of %(deadline)s "
        "(%(days)s days from when the conduct could be known), "
        "and no reason for accepting it late is recorded."
    )
    return Check(False, message % {**args, "days": case.procedure.filing_deadline_days})


def _notice_issued(case) -> Check:
    if case.notice_issued_at is None:
        return Check(False, _("No notice of complaint has been issued to the respondent."))
    return Check(
        True,
        _("Notice of complaint issued on %(day)s.") % {"day": _d(case.notice_issued_at)},
    )


def _amendments_noticed(case) -> Check:
    pending = [a for a in case.amendments.all() if a.needs_notice and a.noticed_at is None]
    if pending:
        message = _(
            "The amendment of %(day)s has not been notified to the respondent; "
            "issue an amended notice first."
        )
        return Check(False, message % {"day": _d(pending[0].made_at)})
    return Check(True, _("The respondent was notified of every amendment."))


def latest_notice_at(case):
    """The first notice, or the latest amended notice: a response must answer it."""
    noticed = [a.noticed_at for a in case.amendments.all() if a.noticed_at is not None]
    return max([case.notice_issued_at, *noticed]) if case.notice_issued_at else None


def _response_or_window_passed(case) -> Check:
    since = latest_notice_at(case)
    responses = [r for r in case.responses.all() if since is None or r.submitted_at >= since]
    if responses:
        message = _("Response received on %(day)s.")
        return Check(True, message % {"day": _d(responses[-1].submitted_at)})
    if case.response_due_on is None:
        return Check(False, _("No response window has been set: the notice was not issued."))
    due = {"day": _d(case.response_due_on)}
    if today() <= case.response_due_on:
        if case.responses.all():
            message = _(
                "Response window open until %(day)s; no response to the amended notice "
                "received yet."
            )
        else:
            message = _("Response window open until %(day)s; no response received yet.")
        return Check(False, message % due)
    return Check(True, _("Response window closed on %(day)s with no response.") % due)


def _evidence_exists(case) -> Check:
    n = len(case.evidence.all())
    if n == 0:
        return Check(False, _("No evidence is on file."))
    message = ngettext("%(n)d piece of evidence on file.", "%(n)d pieces of evidence on file.", n)
    return Check(True, message % {"n": n})


def _every_allegation_has_finding(case) -> Check:
    allegations = _allegations(case)
    for i, a in enumerate(allegations, 1):
        if not hasattr(a, "finding"):
            message = _("Allegation %(i)s (principle %(number)s) has no finding yet.")
            return Check(False, message % {"i": i, "number": a.principle.number})
    if not allegations:
        return Check(False, _("There are no allegations to make findings on."))
    return Check(True, _("Every allegation has a finding."))


def _review_report_written(case) -> Check:
    if not case.review_report.strip():
        return Check(False, _("The review report is not written yet."))
    return Check(True, _("The review report is written."))


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
    counted = "; ".join(str(p) for p in producers) or _("none")
    if len(producers) > 1:
        message = _("The evidence comes from %(n)s independent sources: %(counted)s.")
        return Check(True, message % {"n": len(producers), "counted": counted})
    if case.review_rests_on_single_source:
        message = _(
            "The review report states that the case rests on one party's report "
            "(sources counted: %(counted)s)."
        )
        return Check(True, message % {"counted": counted})
    message = _(
        "All evidence comes from one source (%(counted)s; the respondent's own material does "
        "not count): add fact-finding from an independent source, or have the review report "
        "state that the case rests on one party's report alone."
    )
    return Check(False, message % {"counted": counted})


def _new_evidence_since_closing(case) -> Check:
    since = case.state_changed_at
    if any(e.added_at > since for e in case.evidence.all()):
        return Check(True, _("New evidence was added after the dismissal."))
    message = _("No new evidence has been added since the dismissal on %(day)s.")
    return Check(False, message % {"day": _d(since)})


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
    args = {"voted": voted, "eligible": eligible}
    if threshold_met(procedure.quorum_rule, voted, eligible):
        message = _("Quorum met: %(voted)s of %(eligible)s eligible voters have voted.")
        return Check(True, message % args)
    message = _(
        "Quorum not met: %(voted)s of %(eligible)s eligible voters have voted; "
        "%(needed)s must take part."
    )
    return Check(False, message % {**args, "needed": describe_threshold(procedure.quorum_rule)})


def _quorum(case, kind: str) -> Check:
    ballot = _ballot(case, kind)
    if ballot is None:
        return Check(False, _("No ballot has been opened."))
    return ballot_quorum(ballot, case.procedure)


def _ballot_quorum(case) -> Check:
    return _quorum(case, "board")


def _complete_or_due(case, kind: str) -> Check:
    ballot = _ballot(case, kind)
    if ballot is None:
        return Check(False, _("No ballot has been opened."))
    eligible, voted = ballot_numbers(ballot)
    if voted >= eligible:
        return Check(True, _("Every eligible voter has voted."))
    closes = {"day": _d(ballot.closes_on)}
    if today() > ballot.closes_on:
        return Check(True, _("The ballot's closing date, %(day)s, has passed.") % closes)
    message = _("%(n)s eligible voter(s) have not voted and the ballot is open until %(day)s.")
    return Check(False, message % {**closes, "n": eligible - voted})


def _ballot_complete_or_due(case) -> Check:
    return _complete_or_due(case, "board")


def _open_ballot_of(case):
    return next(
        (b for b in case.ballots.all() if b.closed_at is None and b.kind != "interim"), None
    )


def _a_ballot_is_open(case) -> Check:
    ballot = _open_ballot_of(case)
    if ballot is None:
        return Check(False, _("No ballot is open on this case."))
    return Check(True, _("A ballot is open until %(day)s.") % {"day": _d(ballot.closes_on)})


def _panel_ballot_open(case, kind: str, closed: str) -> Check:
    """The appeals panel's ballot of this kind (a respondent's or a complainant's
    appeal) is open; `closed` says otherwise in the rule's words."""
    ballot = _ballot(case, kind)
    if ballot is None or ballot.closed_at is not None:
        return Check(False, closed)
    message = _("The appeals panel's ballot is open until %(day)s.")
    return Check(True, message % {"day": _d(ballot.closes_on)})


def _appeal_ballot_open(case) -> Check:
    return _panel_ballot_open(case, "appeal", _("The appeals panel's ballot is already closed."))


def _appeal_ballot_quorum(case) -> Check:
    return _quorum(case, "appeal")


def _appeal_ballot_complete_or_due(case) -> Check:
    return _complete_or_due(case, "appeal")


def _response_window_open(case) -> Check:
    if case.response_due_on is None:
        return Check(False, _("No response window has been set: the notice was not issued."))
    due = {"day": _d(case.response_due_on)}
    if today() <= case.response_due_on:
        return Check(True, _("The response window is open until %(day)s.") % due)
    message = _(
        "The response window closed on %(day)s. Ask the ethics staff to "
        "reopen it if you need to respond late."
    )
    return Check(False, message % due)


def _amendments_await_notice(case) -> Check:
    if any(a.needs_notice and a.noticed_at is None for a in case.amendments.all()):
        return Check(True, _("An amendment is waiting for an amended notice."))
    return Check(False, _("No amendment is waiting for a notice."))


def _appeal_window_open(case) -> Check:
    if case.appeal_deadline is None:
        return Check(False, _("No appeal window is open."))
    due = {"day": _d(case.appeal_deadline)}
    if today() <= case.appeal_deadline:
        return Check(True, _("The appeal window is open until %(day)s.") % due)
    return Check(False, _("The appeal window closed on %(day)s.") % due)


def _appeal_window_passed(case) -> Check:
    if case.appeal_deadline is None:
        return Check(False, _("No appeal window has been set."))
    due = {"day": _d(case.appeal_deadline)}
    if today() > case.appeal_deadline:
        return Check(True, _("The appeal window closed on %(day)s with no appeal.") % due)
    return Check(False, _("The appeal window is open until %(day)s.") % due)


def _panel_ballot_closed(case, kind: str) -> Check:
    """The appeals panel's ballot of this kind closed with quorum: what deciding the
    appeal (a respondent's or a complainant's) waits for."""
    ballot = _ballot(case, kind)
    if ballot is None:
        return Check(False, _("The appeals panel's ballot has not been opened."))
    if ballot.closed_at is None:
        eligible, voted = ballot_numbers(ballot)
        message = _(
            "The appeals panel's ballot is still open (%(voted)s of %(eligible)s "
            "have voted); close it first."
        )
        return Check(False, message % {"voted": voted, "eligible": eligible})
    if not ballot.tally.get("quorum_met"):
        return Check(False, _("The appeals panel's ballot closed without quorum."))
    message = _("The appeals panel's ballot closed on %(day)s with quorum.")
    return Check(True, message % {"day": _d(ballot.closed_at)})


def _appeal_ballot_closed(case) -> Check:
    return _panel_ballot_closed(case, "appeal")


# -- The complainant's access and appeal (docs/decisions/0021) ------------------


def complainant_appeal_deadline(case) -> datetime.date | None:
    """The last day the complainant may appeal the dismissal or the finding of no
    violation the case is in: counted from the day the case reached that state."""
    if case.state not in (CaseState.DISMISSED, CaseState.NO_VIOLATION):
        return None
    decided = timezone.localtime(case.state_changed_at).date()
    return decided + datetime.timedelta(days=case.procedure.complainant_appeal_window_days)


def _complainant_appeal_window_open(case) -> Check:
    deadline = complainant_appeal_deadline(case)
    if deadline is None:
        return Check(False, _("Only a dismissal or a finding of no violation can be appealed."))
    due = {"day": _d(deadline)}
    if today() <= deadline:
        return Check(True, _("The complainant may appeal until %(day)s.") % due)
    return Check(False, _("The complainant's appeal window closed on %(day)s.") % due)


def _no_earlier_complainant_appeal(case) -> Check:
    earlier = getattr(case, "complainant_appeal", None)
    if earlier is not None:
        message = _(
            "The complainant already appealed on %(day)s; a case allows one complainant's appeal."
        )
        return Check(False, message % {"day": _d(earlier.filed_at)})
    return Check(True, _("The complainant has not appealed before in this case."))


def _complainant_appeal_ballot_open(case) -> Check:
    return _panel_ballot_open(
        case, "c_appeal", _("The appeals panel's ballot on the complainant's appeal is closed.")
    )


def _complainant_appeal_ballot_quorum(case) -> Check:
    return _quorum(case, "c_appeal")


def _complainant_appeal_ballot_complete_or_due(case) -> Check:
    return _complete_or_due(case, "c_appeal")


def _complainant_appeal_ballot_closed(case) -> Check:
    return _panel_ballot_closed(case, "c_appeal")


def _complainant_without_account(case) -> Check:
    if case.complainant.member_organization_id is not None:
        return Check(
            False,
            _(
                "The complainant is a member: its representatives follow the case with their "
                "own accounts, not an access code."
            ),
        )
    return Check(True, _("The complainant has no account: an access code opens their page."))


def _complainant_code_in_force(case) -> Check:
    if any(c.revoked_at is None for c in case.complainant_codes.all()):
        return Check(True, _("An access code is in force."))
    return Check(False, _("No access code is in force for this case."))


def _submission_awaits_decision(case) -> Check:
    waiting = [s for s in case.complainant_submissions.all() if not s.decision]
    if not waiting:
        return Check(False, _("No evidence from the complainant is waiting for a decision."))
    message = ngettext(
        "%(n)d submission from the complainant.",
        "%(n)d submissions from the complainant.",
        len(waiting),
    )
    return Check(True, message % {"n": len(waiting)})


def _complaint_late(case) -> Check:
    deadline = filing_deadline(case)
    args = {"received": _d(case.received_on), "deadline": _d(deadline)}
    if case.received_on <= deadline:
        message = _(
            "The complaint was received on %(received)s, within the filing "
            "deadline of %(deadline)s: there is nothing to accept late."
        )
        return Check(False, message % args)
    if case.late_acceptance_reason.strip():
        return Check(False, _("The complaint was already accepted late."))
    message = _("Received on %(received)s, after the filing deadline of %(deadline)s.")
    return Check(True, message % args)


def _response_window_closed(case) -> Check:
    if case.response_due_on is None:
        return Check(False, _("No response window has been set: the notice was not issued."))
    due = {"day": _d(case.response_due_on)}
    if today() <= case.response_due_on:
        return Check(False, _("The response window is still open, until %(day)s.") % due)
    return Check(True, _("The response window closed on %(day)s.") % due)


DELIVERY_FAILED = ("failed", "retrying")


def delivery_failed(letter) -> bool:
    """Whether the emailing of this letter failed (or waits to be retried): staff may
    retry it now. A letter without an address is not emailed at all."""
    dispatch = getattr(letter, "dispatch", None) if letter.recipient_emails else None
    return dispatch is not None and dispatch.status in DELIVERY_FAILED


def _a_delivery_failed(case) -> Check:
    failed = [x for x in case.letters.all() if delivery_failed(x)]
    if not failed:
        return Check(False, _("No letter's emailing has failed."))
    return Check(True, _("%(n)s letter(s) could not be emailed.") % {"n": len(failed)})


def _a_letter_preparation_failed(case) -> Check:
    """A letter ordered by a step whose preparation (PDF, signature, storage) failed and
    stopped retrying (docs/decisions/0027)."""
    # .all(): a page that lists cases may prefetch the orders, as it does the letters.
    # "failed": LetterOrderStatus.FAILED (cases.models imports this module, not back).
    failed = len(
        [x for x in case.letter_orders.all() if x.status == "failed" and x.letter_id is None]
    )
    if not failed:
        return Check(False, _("No letter's preparation has failed."))
    return Check(True, _("%(n)s letter(s) could not be prepared.") % {"n": failed})


def _procedure_publishes(case) -> Check:
    if case.procedure.publication == "nothing":
        return Check(False, _("The case's procedure publishes nothing about its decisions."))
    message = _("The procedure publishes %(what)s.")
    return Check(True, message % {"what": case.procedure.get_publication_display()})


def _publication_not_withheld(case) -> Check:
    publication = getattr(case, "publication", None)
    if publication is not None and publication.withheld_at is not None:
        message = _("The publication was withheld: %(reason)s")
        return Check(False, message % {"reason": publication.withheld_reason})
    return Check(True, _("The publication is not withheld."))


def _hold_in_place(case):
    return next((h for h in case.legal_holds.all() if h.released_at is None), None)


def _no_legal_hold(case) -> Check:
    hold = _hold_in_place(case)
    if hold is not None:
        message = _("A legal hold is already in place: %(reason)s")
        return Check(False, message % {"reason": hold.reason})
    return Check(True, _("No legal hold is in place."))


def _legal_hold_in_place(case) -> Check:
    hold = _hold_in_place(case)
    if hold is None:
        return Check(False, _("No legal hold is in place."))
    message = _("A legal hold is in place since %(day)s: %(reason)s")
    return Check(True, message % {"day": _d(hold.placed_at), "reason": hold.reason})


# -- Issue 10: the respondent's comment on the review, and the hearing. --


def latest_disclosure(case):
    """The last disclosure of the review to the respondent for comment, or None."""
    disclosures = list(case.review_disclosures.all())
    return disclosures[-1] if disclosures else None


def review_changed_since(case, disclosure) -> bool:
    """Whether the review report or a finding was revised after this disclosure."""
    if case.review_report_at and case.review_report_at > disclosure.disclosed_at:
        return True
    return any(
        hasattr(a, "finding") and a.finding.recorded_at > disclosure.disclosed_at
        for a in _allegations(case)
    )


def comments_on(case, disclosure) -> list:
    return [c for c in case.review_comments.all() if c.disclosure_id == disclosure.pk]


def _review_comment_or_window_passed(case) -> Check:
    if not case.procedure.respondent_comments_on_review:
        return Check(True, _("The procedure gives the respondent no comment on the review."))
    disclosure = latest_disclosure(case)
    if disclosure is None:
        return Check(
            False,
            _(
                "The findings and the review report have not been disclosed to the respondent "
                "for comment."
            ),
        )
    if review_changed_since(case, disclosure):
        message = _(
            "The review was revised after it was disclosed on %(day)s: "
            "disclose it again for comment."
        )
        return Check(False, message % {"day": _d(disclosure.disclosed_at)})
    comments = comments_on(case, disclosure)
    if comments:
        message = _("The respondent commented on %(day)s.")
        return Check(True, message % {"day": _d(comments[-1].submitted_at)})
    due = {"day": _d(disclosure.comment_due_on)}
    if today() <= disclosure.comment_due_on:
        message = _("Comment window open until %(day)s; no comment received yet.")
        return Check(False, message % due)
    return Check(True, _("The comment window closed on %(day)s with no comment.") % due)


def _review_not_yet_disclosed(case) -> Check:
    disclosure = latest_disclosure(case)
    if disclosure is None:
        return Check(True, _("The review has not been disclosed to the respondent yet."))
    if review_changed_since(case, disclosure):
        return Check(True, _("The review was revised after it was last disclosed."))
    message = _("The findings and the review report as they stand were disclosed on %(day)s.")
    return Check(False, message % {"day": _d(disclosure.disclosed_at)})


def _review_comment_window_open(case) -> Check:
    disclosure = latest_disclosure(case)
    if disclosure is None:
        return Check(False, _("The review has not been disclosed to you for comment."))
    if review_changed_since(case, disclosure):
        return Check(False, _("The review is being revised; it will be disclosed to you again."))
    comments = comments_on(case, disclosure)
    if comments:
        message = _("Your comment was received on %(day)s.")
        return Check(False, message % {"day": _d(comments[-1].submitted_at)})
    due = {"day": _d(disclosure.comment_due_on)}
    if today() > disclosure.comment_due_on:
        return Check(False, _("The comment window closed on %(day)s.") % due)
    return Check(True, _("The comment window is open until %(day)s.") % due)


# What each party asked, in a sentence of its own per party (a translation may need
# another word order or agreement than "the respondent" slotted in).
_HEARING_REQUESTED_BY = {
    "respondent": gettext_lazy("A hearing was requested by the respondent on %(day)s."),
    "complainant": gettext_lazy("A hearing was requested by the complainant on %(day)s."),
}
_ASKED_FOR_HEARING_REFER = {
    "respondent": gettext_lazy(
        "The respondent asked for a hearing on %(day)s: refer the case to a hearing."
    ),
    "complainant": gettext_lazy(
        "The complainant asked for a hearing on %(day)s: refer the case to a hearing."
    ),
}
_ASKED_FOR_HEARING = {
    "respondent": gettext_lazy("The respondent asked for a hearing on %(day)s."),
    "complainant": gettext_lazy("The complainant asked for a hearing on %(day)s."),
}
_MAY_ASK_FOR_HEARING = {
    "respondent": gettext_lazy("The respondent may ask for a hearing before referral."),
    "complainant": gettext_lazy("The complainant may ask for a hearing before referral."),
}


def _hearing_requests(case) -> list:
    return list(case.hearing_requests.all())


def _hearing_called(case) -> Check:
    rule = case.procedure.hearing
    if rule == "always":
        return Check(True, _("The procedure holds a hearing in every case referred."))
    requests = _hearing_requests(case)
    if rule == "on_request" and requests:
        first = requests[0]
        message = str(_HEARING_REQUESTED_BY[first.party])
        return Check(True, message % {"day": _d(first.requested_at)})
    if rule == "on_request":
        return Check(False, _("No party has asked for a hearing: refer the case to the board."))
    return Check(False, _("The procedure provides no hearing."))


def _no_hearing_due(case) -> Check:
    rule = case.procedure.hearing
    if rule == "always":
        return Check(
            False,
            _("The procedure holds a hearing before every vote: refer the case to a hearing."),
        )
    requests = _hearing_requests(case)
    if rule == "on_request" and requests:
        first = requests[0]
        message = str(_ASKED_FOR_HEARING_REFER[first.party])
        return Check(False, message % {"day": _d(first.requested_at)})
    if rule == "on_request":
        return Check(True, _("No party has asked for a hearing."))
    return Check(True, _("The procedure provides no hearing: the board decides on the papers."))


def _party_may_request_hearing(case, party: str) -> Check:
    if case.procedure.hearing == "always":
        return Check(False, _("The procedure holds a hearing in every case: no request is needed."))
    if case.procedure.hearing != "on_request":
        return Check(False, _("The procedure provides no hearing."))
    made = [r for r in _hearing_requests(case) if r.party == party]
    if made:
        message = str(_ASKED_FOR_HEARING[party])
        return Check(False, message % {"day": _d(made[0].requested_at)})
    return Check(True, str(_MAY_ASK_FOR_HEARING[party]))


def _respondent_may_request_hearing(case) -> Check:
    return _party_may_request_hearing(case, "respondent")


def _complainant_may_request_hearing(case) -> Check:
    return _party_may_request_hearing(case, "complainant")


def current_hearing(case):
    """The hearing as now set: the last one not postponed, or None."""
    live = [h for h in case.hearings.all() if h.postponed_at is None]
    return live[-1] if live else None


def _when(hearing) -> str:
    start = hearing.local_start
    return _("%(day)s at %(time)s (%(zone)s)") % {
        "day": _d(start.date()),
        "time": f"{start:%H:%M}",
        "zone": hearing.time_zone,
    }


def earliest_hearing_day(case) -> datetime.date:
    """The first day a hearing noticed today may be held."""
    return today() + datetime.timedelta(days=case.procedure.hearing_notice_days)


def _hearing_to_schedule(case) -> Check:
    hearing = current_hearing(case)
    if hearing is None:
        return Check(True, _("No hearing is set yet."))
    message = _("The hearing is set for %(when)s; postpone it to change the date.")
    return Check(False, message % {"when": _when(hearing)})


def _hearing_scheduled(case) -> Check:
    hearing = current_hearing(case)
    if hearing is None:
        return Check(False, _("No hearing is set yet."))
    when = {"when": _when(hearing)}
    if hearing.recorded_at is not None:
        return Check(False, _("The hearing of %(when)s was held and its record kept.") % when)
    return Check(True, _("The hearing is set for %(when)s.") % when)


def _hearing_has_begun(case) -> Check:
    hearing = current_hearing(case)
    if hearing is None:
        return Check(False, _("No hearing is set yet."))
    when = {"when": _when(hearing)}
    if today() < hearing.local_start.date():
        message = _("The hearing is set for %(when)s: its record is kept once it is held.")
        return Check(False, message % when)
    return Check(True, _("The hearing was set for %(when)s.") % when)


def _hearing_notice_given(case) -> Check:
    hearing = current_hearing(case)
    if hearing is None:
        return Check(False, _("No hearing is set yet."))
    noticed = timezone.localtime(hearing.scheduled_at).date()
    given = (hearing.local_start.date() - noticed).days
    needed = case.procedure.hearing_notice_days
    args = {"day": _d(noticed), "given": given, "needed": needed}
    if given < needed:
        message = _(
            "The notice of hearing of %(day)s gave %(given)s days; the procedure "
            "requires %(needed)s."
        )
        return Check(False, message % args)
    return Check(True, _("Notice of hearing given on %(day)s, %(given)s days ahead.") % args)


def _participants_window_open(case) -> Check:
    hearing = current_hearing(case)
    if hearing is None:
        return Check(False, _("No hearing is set yet."))
    due = {"day": _d(hearing.participants_due_on)}
    if today() > hearing.participants_due_on:
        message = _(
            "Attendees, counsel and witnesses were to be named by %(day)s; ask the ethics staff."
        )
        return Check(False, message % due)
    return Check(True, _("Name attendees, counsel and witnesses by %(day)s.") % due)


def _hearing_record_kept(case) -> Check:
    hearing = current_hearing(case)
    if hearing is None:
        return Check(False, _("No hearing is set yet."))
    when = {"when": _when(hearing)}
    if hearing.recorded_at is None:
        message = _(
            "The record of the hearing of %(when)s (who attended, the minutes) is not kept yet."
        )
        return Check(False, message % when)
    return Check(True, _("The hearing of %(when)s is recorded.") % when)


def _hearing_record_if_held(case) -> Check:
    if case.procedure.hearing == "off":
        return Check(True, _("The procedure provides no hearing."))
    hearing = current_hearing(case)
    if hearing is None:
        return Check(True, _("No hearing was held."))
    return _hearing_record_kept(case)


# -- Resolution by consent, interim suspension, consolidation (docs/decisions/0020).
# The offers, suspensions and links are prefetched by the case page
# (cases.selectors.case_for_page).


def _open_consent_offer(case):
    return next((o for o in case.consent_offers.all() if o.status == "open"), None)


def _consent_offered_by(case, who: str) -> Check:
    if case.procedure.consent_offered_by == who:
        return Check(True, str(_OFFERED_BY[who]))
    return Check(False, str(_NOT_OFFERED_BY[who]))


# Whole sentences for each offerer (the names do not slot into every language).
_OFFERED_BY = {
    "staff": gettext_lazy("This procedure has the ethics staff make consent offers."),
    "board": gettext_lazy("This procedure has the board make consent offers."),
}
_NOT_OFFERED_BY = {
    "staff": gettext_lazy(
        "This procedure has the board make consent offers, not the ethics staff."
    ),
    "board": gettext_lazy(
        "This procedure has the ethics staff make consent offers, not the board."
    ),
}


def _consent_by_staff(case) -> Check:
    return _consent_offered_by(case, "staff")


def _consent_by_board(case) -> Check:
    return _consent_offered_by(case, "board")


def _no_open_consent_offer(case) -> Check:
    offer = _open_consent_offer(case)
    if offer is not None:
        message = _("A consent offer is open until %(day)s; it must be answered first.")
        return Check(False, message % {"day": _d(offer.reply_by)})
    return Check(True, _("No consent offer is waiting for an answer."))


def _consent_offer_open(case) -> Check:
    offer = _open_consent_offer(case)
    if offer is None:
        return Check(False, _("No consent offer is open."))
    due = {"day": _d(offer.reply_by)}
    if today() > offer.reply_by:
        return Check(False, _("The consent offer could be answered until %(day)s.") % due)
    return Check(True, _("A consent offer is open until %(day)s.") % due)


def _consent_reply_date_passed(case) -> Check:
    offer = _open_consent_offer(case)
    if offer is None:
        return Check(False, _("No consent offer is open."))
    due = {"day": _d(offer.reply_by)}
    if today() > offer.reply_by:
        return Check(True, _("The consent offer was not answered by %(day)s.") % due)
    return Check(False, _("The consent offer may be answered until %(day)s.") % due)


def _live_interim(case):
    return next(
        (i for i in case.interim_suspensions.all() if i.status in ("proposed", "in_force")), None
    )


def _interim_ballot(case):
    return next(
        (b for b in case.ballots.all() if b.kind == "interim" and b.closed_at is None), None
    )


def _no_live_interim_suspension(case) -> Check:
    live = _live_interim(case)
    if live is None:
        return Check(True, _("No interim suspension is proposed or in force."))
    if live.status == "proposed":
        return Check(False, _("An interim suspension is already before the board."))
    return Check(False, _("An interim suspension is already in force."))


def _respondent_may_be_suspended(case) -> Check:
    org = case.respondent
    args = {"org": org.name, "status": org.get_status_display().lower()}
    if org.status in ("active", "lapsed"):
        return Check(True, _("%(org)s is %(status)s.") % args)
    return Check(False, _("%(org)s is %(status)s: there is no membership to suspend.") % args)


def _interim_suspension_in_force(case) -> Check:
    live = _live_interim(case)
    if live is None or live.status != "in_force":
        return Check(False, _("No interim suspension is in force."))
    message = _("An interim suspension is in force since %(day)s.")
    return Check(True, message % {"day": _d(live.imposed_at)})


def _no_interim_ballot_open(case) -> Check:
    ballot = _interim_ballot(case)
    if ballot is not None:
        message = _("An interim suspension ballot is open until %(day)s.")
        return Check(False, message % {"day": _d(ballot.closes_on)})
    return Check(True, _("No interim suspension ballot is open."))


def _interim_ballot_open(case) -> Check:
    ballot = _interim_ballot(case)
    if ballot is None:
        return Check(False, _("No interim suspension ballot is open."))
    message = _("The interim suspension ballot is open until %(day)s.")
    return Check(True, message % {"day": _d(ballot.closes_on)})


def _interim_ballot_quorum(case) -> Check:
    ballot = _interim_ballot(case)
    if ballot is None:
        return Check(False, _("No interim suspension ballot is open."))
    return ballot_quorum(ballot, case.procedure)


def _interim_ballot_complete_or_due(case) -> Check:
    if _interim_ballot(case) is None:
        return Check(False, _("No interim suspension ballot is open."))
    return _complete_or_due(case, "interim")


def _has_link_to_consolidate(case) -> Check:
    links = [*case.links_from.all(), *case.links_to.all()]
    if not links:
        return Check(False, _("The case is linked to no other case: link it first."))
    if all(link.consolidated_at for link in links):
        return Check(False, _("Every linked case is already consolidated with this one."))
    return Check(True, _("A linked case may be consolidated with this one."))


RULES = {
    r.key: r
    for r in [
        Rule(
            "has_allegations",
            gettext_lazy("The complaint states at least one allegation"),
            _has_allegations,
        ),
        Rule(
            "member_during_conduct",
            gettext_lazy("The respondent was a member during the conduct"),
            _member_during_conduct,
        ),
        Rule(
            "principles_in_effect",
            gettext_lazy("Every principle cited was in effect during the conduct"),
            _principles_in_effect,
        ),
        Rule(
            "filed_in_time",
            gettext_lazy("Received within the filing deadline, or accepted late with a reason"),
            _filed_in_time,
        ),
        Rule(
            "notice_issued",
            gettext_lazy("Notice of complaint issued to the respondent"),
            _notice_issued,
        ),
        Rule(
            "amendments_noticed",
            gettext_lazy("The respondent was notified of every amendment"),
            _amendments_noticed,
        ),
        Rule(
            "response_or_window_passed",
            gettext_lazy("The respondent responded, or the response window passed"),
            _response_or_window_passed,
        ),
        Rule("evidence_exists", gettext_lazy("At least one piece of evidence"), _evidence_exists),
        Rule(
            "every_allegation_has_finding",
            gettext_lazy("Every allegation has a finding"),
            _every_allegation_has_finding,
        ),
        Rule(
            "review_report_written",
            gettext_lazy("A review report is written"),
            _review_report_written,
        ),
        Rule(
            "single_source_acknowledged",
            gettext_lazy("Evidence from independent sources, or the report says it rests on one"),
            _single_source_acknowledged,
        ),
        Rule(
            "new_evidence_since_closing",
            gettext_lazy("New evidence since the dismissal"),
            _new_evidence_since_closing,
        ),
        Rule(
            "ballot_quorum_met",
            gettext_lazy("Quorum is met among the eligible voters"),
            _ballot_quorum,
        ),
        Rule(
            "ballot_complete_or_due",
            gettext_lazy("Every eligible voter has voted, or the closing date passed"),
            _ballot_complete_or_due,
        ),
        Rule("appeal_window_open", gettext_lazy("Within the appeal window"), _appeal_window_open),
        Rule(
            "appeal_window_passed",
            gettext_lazy("The appeal window passed with no appeal"),
            _appeal_window_passed,
        ),
        Rule(
            "appeal_ballot_closed",
            gettext_lazy("The appeals panel's ballot closed with quorum"),
            _appeal_ballot_closed,
        ),
        Rule("a_ballot_is_open", gettext_lazy("A ballot is open"), _a_ballot_is_open),
        Rule(
            "appeal_ballot_open",
            gettext_lazy("The appeals panel's ballot is open"),
            _appeal_ballot_open,
        ),
        Rule(
            "appeal_ballot_quorum_met",
            gettext_lazy("Quorum is met among the eligible panel members"),
            _appeal_ballot_quorum,
        ),
        Rule(
            "appeal_ballot_complete_or_due",
            gettext_lazy("Every eligible panel member has voted, or the closing date passed"),
            _appeal_ballot_complete_or_due,
        ),
        Rule(
            "response_window_open",
            gettext_lazy("Within the response window"),
            _response_window_open,
        ),
        Rule(
            "amendments_await_notice",
            gettext_lazy("An amendment is waiting for an amended notice"),
            _amendments_await_notice,
        ),
        # The complainant's access and appeal
        Rule(
            "complainant_appeal_window_open",
            gettext_lazy("Within the complainant's appeal window"),
            _complainant_appeal_window_open,
        ),
        Rule(
            "no_earlier_complainant_appeal",
            gettext_lazy("The complainant has not appealed before"),
            _no_earlier_complainant_appeal,
        ),
        Rule(
            "complainant_appeal_ballot_open",
            gettext_lazy("The appeals panel's ballot on the complainant's appeal is open"),
            _complainant_appeal_ballot_open,
        ),
        Rule(
            "complainant_appeal_ballot_quorum_met",
            gettext_lazy("Quorum is met among the eligible panel members"),
            _complainant_appeal_ballot_quorum,
        ),
        Rule(
            "complainant_appeal_ballot_complete_or_due",
            gettext_lazy("Every eligible panel member has voted, or the closing date passed"),
            _complainant_appeal_ballot_complete_or_due,
        ),
        Rule(
            "complainant_appeal_ballot_closed",
            gettext_lazy(
                "The appeals panel's ballot on the complainant's appeal closed with quorum"
            ),
            _complainant_appeal_ballot_closed,
        ),
        Rule(
            "complainant_without_account",
            gettext_lazy("The complainant has no account of their own"),
            _complainant_without_account,
        ),
        Rule(
            "complainant_code_in_force",
            gettext_lazy("An access code is in force"),
            _complainant_code_in_force,
        ),
        Rule(
            "submission_awaits_decision",
            gettext_lazy("Evidence from the complainant waits for a decision"),
            _submission_awaits_decision,
        ),
        # Whether an action applies at all (its only_when), not whether it may go ahead.
        Rule(
            "complaint_late",
            gettext_lazy("The complaint was received after the filing deadline"),
            _complaint_late,
        ),
        Rule(
            "response_window_closed",
            gettext_lazy("The response window has closed"),
            _response_window_closed,
        ),
        Rule("a_delivery_failed", gettext_lazy("A letter's emailing failed"), _a_delivery_failed),
        Rule(
            "a_letter_preparation_failed",
            gettext_lazy("A letter's preparation failed"),
            _a_letter_preparation_failed,
        ),
        # Publication and legal holds (docs/decisions/0023)
        Rule(
            "procedure_publishes",
            gettext_lazy("The procedure publishes decisions"),
            _procedure_publishes,
        ),
        Rule(
            "publication_not_withheld",
            gettext_lazy("The decision's publication is not withheld yet"),
            _publication_not_withheld,
        ),
        Rule("no_legal_hold", gettext_lazy("No legal hold is in place"), _no_legal_hold),
        Rule("legal_hold_in_place", gettext_lazy("A legal hold is in place"), _legal_hold_in_place),
        # Issue 10: the comment on the review, and the hearing
        Rule(
            "review_comment_or_window_passed",
            gettext_lazy("The respondent commented on the review, or the comment window passed"),
            _review_comment_or_window_passed,
        ),
        Rule(
            "review_not_yet_disclosed",
            gettext_lazy("The review as it stands is not yet disclosed"),
            _review_not_yet_disclosed,
        ),
        Rule(
            "review_comment_window_open",
            gettext_lazy("Within the window for comment on the review"),
            _review_comment_window_open,
        ),
        Rule(
            "hearing_called",
            gettext_lazy("The procedure or a party calls for a hearing"),
            _hearing_called,
        ),
        Rule("no_hearing_due", gettext_lazy("No hearing is due before the vote"), _no_hearing_due),
        Rule(
            "respondent_may_request_hearing",
            gettext_lazy("The respondent may ask for a hearing"),
            _respondent_may_request_hearing,
        ),
        Rule(
            "complainant_may_request_hearing",
            gettext_lazy("The complainant may ask for a hearing"),
            _complainant_may_request_hearing,
        ),
        Rule("hearing_to_schedule", gettext_lazy("No hearing is set yet"), _hearing_to_schedule),
        Rule(
            "hearing_scheduled",
            gettext_lazy("A hearing is set and not yet recorded"),
            _hearing_scheduled,
        ),
        Rule("hearing_has_begun", gettext_lazy("The hearing's date has come"), _hearing_has_begun),
        Rule(
            "hearing_notice_given",
            gettext_lazy("The notice of hearing gave the procedure's notice period"),
            _hearing_notice_given,
        ),
        Rule(
            "participants_window_open",
            gettext_lazy("Within the time to name attendees, counsel and witnesses"),
            _participants_window_open,
        ),
        Rule(
            "hearing_record_kept",
            gettext_lazy("The hearing's record is kept (who attended, the minutes)"),
            _hearing_record_kept,
        ),
        Rule(
            "hearing_record_if_held",
            gettext_lazy("Where a hearing was held, its record is kept"),
            _hearing_record_if_held,
        ),
        # Resolution by consent, interim suspension, consolidation
        Rule(
            "consent_by_staff",
            gettext_lazy("The procedure has staff make consent offers"),
            _consent_by_staff,
        ),
        Rule(
            "consent_by_board",
            gettext_lazy("The procedure has the board make consent offers"),
            _consent_by_board,
        ),
        Rule(
            "no_open_consent_offer",
            gettext_lazy("No consent offer is waiting for an answer"),
            _no_open_consent_offer,
        ),
        # The same question before referral and before the decision: an offer waiting
        # for its answer holds the case where it is.
        Rule(
            "consent_answered_before_referral",
            gettext_lazy("No consent offer is waiting for an answer"),
            _no_open_consent_offer,
        ),
        Rule(
            "consent_answered_before_decision",
            gettext_lazy("No consent offer is waiting for an answer"),
            _no_open_consent_offer,
        ),
        Rule(
            "consent_offer_open",
            gettext_lazy("A consent offer is open for an answer"),
            _consent_offer_open,
        ),
        Rule(
            "consent_reply_date_passed",
            gettext_lazy("The consent offer's reply-by date passed without an answer"),
            _consent_reply_date_passed,
        ),
        Rule(
            "no_live_interim_suspension",
            gettext_lazy("No interim suspension is proposed or in force"),
            _no_live_interim_suspension,
        ),
        Rule(
            "respondent_may_be_suspended",
            gettext_lazy("The respondent's membership can be suspended"),
            _respondent_may_be_suspended,
        ),
        Rule(
            "interim_suspension_in_force",
            gettext_lazy("An interim suspension is in force"),
            _interim_suspension_in_force,
        ),
        Rule(
            "no_interim_ballot_open",
            gettext_lazy("No interim suspension ballot is open"),
            _no_interim_ballot_open,
        ),
        Rule(
            "interim_ballot_open",
            gettext_lazy("The interim suspension ballot is open"),
            _interim_ballot_open,
        ),
        Rule(
            "interim_ballot_quorum_met",
            gettext_lazy("Quorum is met on the interim suspension ballot"),
            _interim_ballot_quorum,
        ),
        Rule(
            "interim_ballot_complete_or_due",
            gettext_lazy(
                "Every eligible voter has voted, or the interim ballot's closing date passed"
            ),
            _interim_ballot_complete_or_due,
        ),
        Rule(
            "has_link_to_consolidate",
            gettext_lazy("A linked case not yet consolidated with this one"),
            _has_link_to_consolidate,
        ),
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
        if relation is None and self.relation and not (self.role or self.permission):
            # Only the relation could grant it (the complainant): unknown, it does not.
            return False
        if self.role and not getattr(roles_of(user), self.role):
            return False
        return not self.permission or self.permission in case.held_permissions(user)


STAFF = Who(
    "staff",
    gettext_lazy("ethics staff with the staff permission on the case"),
    "ethics_staff",
    "manage_case",
    relation="staff",
)
RESPONDENT = Who(
    "respondent",
    gettext_lazy("a representative of the respondent"),
    permission="respond_to_case",
    relation="respondent",
)
VOTER = Who(
    "voter",
    gettext_lazy("a board or panel member seated on the case's ballot"),
    permission="vote_on_case",
    relation="decider",
)
DECIDER = Who(
    "decider",
    gettext_lazy("a board or panel member with access to the case"),
    "decider",
    "view_case",
    relation="decider",
)
# The complainant: signed in with the case reference and access code (no Django user:
# cases.access.CodeHolder), or a representative of the member complainant's
# organization with their own account. Only the relation grants it.
COMPLAINANT = Who(
    "complainant",
    gettext_lazy(
        "the complainant (with the case's access code, or a member complainant's representative)"
    ),
    relation="complainant",
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


PATHS: dict[str, Path] = {
    p.key: p
    for p in [
        # Issue 10: the hearing (on request or always), the comment on the review
        Path("hearing", gettext_lazy("a hearing"), lambda procedure: procedure.hearing != "off"),
        Path(
            "review_comment",
            gettext_lazy("the respondent's comment on the review"),
            lambda procedure: procedure.respondent_comments_on_review,
        ),
    ]
}

# Resolution by consent, interim suspension, consolidation (docs/decisions/0020).
PATHS.update(
    {
        p.key: p
        for p in [
            Path(
                "consent", gettext_lazy("resolution by consent"), lambda pr: pr.consent_resolution
            ),
            Path(
                "interim_suspension",
                gettext_lazy("interim suspension while a case runs"),
                lambda pr: pr.interim_suspension,
            ),
            Path(
                "consolidation",
                gettext_lazy("consolidating linked cases for one ballot"),
                lambda pr: pr.consolidation,
            ),
        ]
    }
)

# The complainant's appeal of a dismissal or a finding of no violation (0021).
PATHS["complainant_appeal"] = Path(
    "complainant_appeal",
    gettext_lazy("an appeal by the complainant"),
    lambda procedure: procedure.complainant_appeal,
)


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
    # Rules without which the step does not apply at all (not "not yet"): the page
    # does not offer it, and authorize refuses it with the rule's reason.
    only_when: tuple[str, ...] = ()
    # Irreversible or destructive: styled as such, and taken only after a
    # confirmation page says what will be sent to whom (cases.confirmations).
    irreversible: bool = False

    @property
    def states(self) -> tuple[str, ...]:
        return self.sources

    @property
    def target(self) -> str:
        """The state the step leads to; for a step with several, the first (the
        FSM method returns the one taken)."""
        return self.targets[0]

    def checks(self, case) -> list[tuple[Rule, Check]]:
        return [(RULES[key], RULES[key](case)) for key in (*self.only_when, *self.rules)]

    def applies(self, case) -> bool:
        """Whether the step or action applies to the case at all (its only_when rules)."""
        return all(RULES[key](case).holds for key in self.only_when)

    def unmet(self, case) -> list[Check]:
        return [check for _, check in self.checks(case) if not check.holds]

    def refusal(self, case) -> str:
        message = _("“%(step)s” is not possible while the case is %(state)s.")
        return message % {"step": self.label, "state": state_words(case.state)}


STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        Step(
            "open_review",
            gettext_lazy("Open review and issue the notice of complaint"),
            (CaseState.FILED,),
            (CaseState.UNDER_REVIEW,),
            STAFF,
            rules=(
                "has_allegations",
                "member_during_conduct",
                "principles_in_effect",
                "filed_in_time",
            ),
            description=gettext_lazy(
                "The respondent is notified and its representatives get access to the case."
            ),
            irreversible=True,
        ),
        Step(
            "refer_to_board",
            gettext_lazy("Refer to the board"),
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
                "review_comment_or_window_passed",
                "no_hearing_due",
                "consent_answered_before_referral",
            ),
            description=gettext_lazy("Opens the board's ballot."),
            irreversible=True,
        ),
        Step(
            "dismiss",
            gettext_lazy("Dismiss the complaint"),
            (CaseState.FILED, CaseState.UNDER_REVIEW, CaseState.HEARING),
            (CaseState.DISMISSED,),
            STAFF,
            reason_label=gettext_lazy("Reasons for dismissal (sent to the parties)"),
            irreversible=True,
        ),
        Step(
            "withdraw",
            gettext_lazy("Record withdrawal"),
            (CaseState.FILED, CaseState.UNDER_REVIEW, CaseState.HEARING),
            (CaseState.WITHDRAWN,),
            STAFF,
            reason_label=gettext_lazy("Reasons for withdrawal"),
            irreversible=True,
        ),
        Step(
            "reopen",
            gettext_lazy("Reopen the complaint"),
            (CaseState.DISMISSED,),
            (CaseState.FILED,),
            STAFF,
            rules=("new_evidence_since_closing",),
            reason_label=gettext_lazy("Why the complaint is reopened"),
        ),
        Step(
            "close_ballot",
            gettext_lazy("Close the board's ballot and record the decision"),
            (CaseState.BOARD_VOTE,),
            (CaseState.SANCTIONED, CaseState.NO_VIOLATION),
            STAFF,
            rules=(
                "ballot_quorum_met",
                "ballot_complete_or_due",
                "hearing_record_if_held",
                "consent_answered_before_decision",
            ),
            system_may=True,
            description=gettext_lazy(
                "Counts the votes by the case's procedure: the case moves to "
                "“sanctioned” or “no violation found”."
            ),
            irreversible=True,
        ),
        Step(
            "file_appeal",
            gettext_lazy("File an appeal"),
            (CaseState.SANCTIONED,),
            (CaseState.UNDER_APPEAL,),
            RESPONDENT,
            rules=("appeal_window_open",),
            reason_label=gettext_lazy("Grounds of appeal"),
            description=gettext_lazy(
                "The appeals panel, none of whom took part in the decision, will consider it."
            ),
        ),
        Step(
            "finalize",
            gettext_lazy("Finalize: no appeal was filed"),
            (CaseState.SANCTIONED,),
            (CaseState.CLOSED,),
            STAFF,
            rules=("appeal_window_passed",),
            system_may=True,
        ),
        Step(
            "decide_appeal",
            gettext_lazy("Record the appeal decision"),
            (CaseState.UNDER_APPEAL,),
            (CaseState.CLOSED,),
            STAFF,
            rules=("appeal_ballot_closed",),
            reason_label=gettext_lazy("Reasons for the appeal decision (sent to the parties)"),
            description=gettext_lazy(
                "Applies the appeals panel's outcome: upheld, modified or overturned."
            ),
        ),
        # The complainant's appeal (docs/decisions/0021)
        Step(
            "file_complainant_appeal",
            gettext_lazy("Appeal the decision"),
            (CaseState.DISMISSED, CaseState.NO_VIOLATION),
            (CaseState.COMPLAINANT_APPEAL,),
            COMPLAINANT,
            rules=("complainant_appeal_window_open", "no_earlier_complainant_appeal"),
            reason_label=gettext_lazy("Grounds of appeal"),
            description=gettext_lazy(
                "The appeals panel, none of whom took part in the decision, will consider it."
            ),
            path="complainant_appeal",
        ),
        Step(
            "decide_complainant_appeal",
            gettext_lazy("Record the decision on the complainant's appeal"),
            (CaseState.COMPLAINANT_APPEAL,),
            (
                CaseState.CLOSED,
                CaseState.UNDER_REVIEW,
                CaseState.FILED,
                CaseState.BOARD_VOTE,
            ),
            STAFF,
            rules=("complainant_appeal_ballot_closed",),
            reason_label=gettext_lazy(
                "Reasons for the decision on the complainant's appeal (sent to the parties)"
            ),
            description=gettext_lazy(
                "Applies the appeals panel's outcome: the decision upheld (closed), "
                "the case sent back to review (or, never notified, to intake), or to a new "
                "board vote."
            ),
            path="complainant_appeal",
        ),
        # Issue 10: the hearing between the review and the vote
        Step(
            "refer_to_hearing",
            gettext_lazy("Refer to a hearing before the board"),
            (CaseState.UNDER_REVIEW,),
            (CaseState.HEARING,),
            STAFF,
            rules=(
                "member_during_conduct",
                "principles_in_effect",
                "notice_issued",
                "amendments_noticed",
                "response_or_window_passed",
                "evidence_exists",
                "every_allegation_has_finding",
                "review_report_written",
                "single_source_acknowledged",
                "review_comment_or_window_passed",
                "hearing_called",
            ),
            path="hearing",
            description=gettext_lazy(
                "The board hears the parties before it votes: set the hearing next."
            ),
        ),
        Step(
            "refer_after_hearing",
            gettext_lazy("Refer to the board's vote after the hearing"),
            (CaseState.HEARING,),
            (CaseState.BOARD_VOTE,),
            STAFF,
            rules=("hearing_record_kept",),
            path="hearing",
            description=gettext_lazy(
                "Opens the board's ballot; the hearing's record is in the deciders' file."
            ),
        ),
        # Resolution by consent (docs/decisions/0020)
        Step(
            "accept_consent",
            gettext_lazy("Accept the sanction offered by consent"),
            (CaseState.UNDER_REVIEW, CaseState.BOARD_VOTE),
            (CaseState.CLOSED, CaseState.SANCTIONED),
            RESPONDENT,
            rules=("consent_offer_open",),
            path="consent",
            description=gettext_lazy(
                "The sanction offered is imposed as a decision would impose it and "
                "the case ends without a vote (open to appeal only where the procedure says so)."
            ),
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
    CaseState.COMPLAINANT_APPEAL: "decide_complainant_appeal",
    CaseState.HEARING: "refer_after_hearing",
}


# ---------------------------------------------------------------------------
# The actions: what a person may do to a case within a state
# ---------------------------------------------------------------------------

ALL_STATES = tuple(CaseState.values)
INTAKE_STATES = (CaseState.FILED, CaseState.UNDER_REVIEW, CaseState.DISMISSED)
# While these last, the case runs: an interim suspension may be proposed and is in
# force; any step out of them ends it (cases.services.interim.end_with_case).
INTERIM_STATES = (CaseState.UNDER_REVIEW, CaseState.HEARING, CaseState.BOARD_VOTE)
BALLOT_STATES = (CaseState.BOARD_VOTE, CaseState.UNDER_APPEAL, CaseState.COMPLAINANT_APPEAL)
# A fine, education or conditions are complied with after the decision: also while
# an appeal runs (where the sanction took effect) and after the case closed.
COMPLIANCE_STATES = (CaseState.SANCTIONED, CaseState.UNDER_APPEAL, CaseState.CLOSED)
# Where the complainant may still add to the complaint: before the decision, and
# against a dismissal or a finding they may appeal.
COMPLAINANT_EVIDENCE_STATES = (
    CaseState.FILED,
    CaseState.UNDER_REVIEW,
    # Before the hearing too: the board hears the file as it then stands.
    CaseState.HEARING,
    CaseState.DISMISSED,
    CaseState.NO_VIOLATION,
    CaseState.COMPLAINANT_APPEAL,
)
PARTY_CONFLICT_STATES = (
    CaseState.FILED,
    CaseState.UNDER_REVIEW,
    CaseState.BOARD_VOTE,
    CaseState.SANCTIONED,
    CaseState.UNDER_APPEAL,
    CaseState.COMPLAINANT_APPEAL,
    CaseState.HEARING,
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
    only_when: tuple[str, ...] = ()  # as for a Step: otherwise not offered at all
    irreversible: bool = False  # as for a Step: confirmed on a page of its own

    def checks(self, case) -> list[tuple[Rule, Check]]:
        return [(RULES[key], RULES[key](case)) for key in (*self.only_when, *self.rules)]

    def applies(self, case) -> bool:
        """Whether the step or action applies to the case at all (its only_when rules)."""
        return all(RULES[key](case).holds for key in self.only_when)

    def unmet(self, case) -> list[Check]:
        return [check for _, check in self.checks(case) if not check.holds]

    def refusal(self, case) -> str:
        message = _("You cannot %(doing)s while the case is %(state)s.")
        return message % {"doing": self.doing, "state": state_words(case.state)}


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        # Intake and review (ethics staff)
        Action(
            "amend",
            gettext_lazy("Amend the complaint"),
            INTAKE_STATES,
            STAFF,
            gettext_lazy("amend the complaint"),
            reason_label=gettext_lazy("Reason for the amendment"),
        ),
        Action(
            "add_evidence",
            gettext_lazy("Add evidence"),
            INTAKE_STATES,
            STAFF,
            gettext_lazy("add evidence"),
        ),
        Action(
            "set_disclosure",
            gettext_lazy("Change what is disclosed to the respondent"),
            ALL_STATES,
            STAFF,
            gettext_lazy("change what is disclosed"),
        ),
        Action(
            "accept_late_filing",
            gettext_lazy("Accept a late complaint"),
            (CaseState.FILED,),
            STAFF,
            gettext_lazy("accept a late complaint"),
            reason_label=gettext_lazy("Why the complaint is accepted late"),
            only_when=("complaint_late",),
        ),
        Action(
            "assign_officer",
            gettext_lazy("Assign the case officer"),
            ALL_STATES,
            STAFF,
            gettext_lazy("assign the case officer"),
        ),
        Action(
            "issue_amended_notice",
            gettext_lazy("Issue the amended notice"),
            (CaseState.UNDER_REVIEW,),
            STAFF,
            gettext_lazy("issue an amended notice"),
            only_when=("amendments_await_notice",),
        ),
        Action(
            "reopen_response_window",
            gettext_lazy("Reopen the response window"),
            (CaseState.UNDER_REVIEW,),
            STAFF,
            gettext_lazy("reopen the response window"),
            reason_label=gettext_lazy("Why the window is reopened"),
            only_when=("response_window_closed",),
        ),
        Action(
            "record_finding",
            gettext_lazy("Record a finding"),
            (CaseState.UNDER_REVIEW,),
            STAFF,
            gettext_lazy("record findings"),
            reason_label=gettext_lazy("Reasoning"),
        ),
        Action(
            "write_review_report",
            gettext_lazy("Write the review report"),
            (CaseState.UNDER_REVIEW,),
            STAFF,
            gettext_lazy("write the review report"),
        ),
        # The respondent
        Action(
            "respond",
            gettext_lazy("Send the response"),
            (CaseState.UNDER_REVIEW,),
            RESPONDENT,
            gettext_lazy("respond"),
            rules=("response_window_open",),
        ),
        # Ballots
        Action(
            "vote",
            gettext_lazy("Vote"),
            BALLOT_STATES,
            VOTER,
            gettext_lazy("vote"),
            closed_refusal=gettext_lazy("This ballot is closed: no vote can be cast or changed."),
        ),
        Action(
            "declare_conflict",
            gettext_lazy("Declare a conflict of interest"),
            BALLOT_STATES,
            DECIDER,
            gettext_lazy("declare a conflict of interest"),
            reason_label=gettext_lazy("Your conflict of interest"),
        ),
        Action(
            "record_party_conflict",
            gettext_lazy("Record a conflict raised by a party"),
            # Before referral and before an appeal too, so the member is never seated.
            PARTY_CONFLICT_STATES,
            STAFF,
            gettext_lazy("record a conflict of interest"),
            reason_label=gettext_lazy("The conflict raised"),
        ),
        Action(
            "extend_ballot",
            gettext_lazy("Extend the ballot"),
            BALLOT_STATES,
            STAFF,
            gettext_lazy("extend the ballot"),
            reason_label=gettext_lazy("Why the ballot is extended"),
            only_when=("a_ballot_is_open",),
        ),
        Action(
            "close_appeal_ballot",
            gettext_lazy("Close the appeals panel's ballot"),
            (CaseState.UNDER_APPEAL,),
            STAFF,
            gettext_lazy("close the appeals panel's ballot"),
            rules=(
                "appeal_ballot_quorum_met",
                "appeal_ballot_complete_or_due",
            ),
            system_may=True,
            only_when=("appeal_ballot_open",),
            irreversible=True,
        ),
        Action(
            "export_dossier",
            gettext_lazy("Download the whole file"),
            ALL_STATES,
            STAFF,
            gettext_lazy("export the case file"),
        ),
        Action(
            "link_case",
            gettext_lazy("Link another case"),
            ALL_STATES,
            STAFF,
            gettext_lazy("link cases"),
            reason_label=gettext_lazy("Why the cases are linked"),
        ),
        # Letters
        Action(
            "correct_letter",
            gettext_lazy("Correct a letter"),
            ALL_STATES,
            STAFF,
            gettext_lazy("correct a letter"),
            reason_label=gettext_lazy("What the correction changes"),
        ),
        Action(
            "retry_delivery",
            gettext_lazy("Retry failed deliveries"),
            ALL_STATES,
            STAFF,
            gettext_lazy("retry a delivery"),
            only_when=("a_delivery_failed",),
        ),
        Action(
            "retry_letter",
            gettext_lazy("Retry preparing a letter"),
            ALL_STATES,
            STAFF,
            gettext_lazy("retry preparing a letter"),
            only_when=("a_letter_preparation_failed",),
        ),
        Action(
            "preview_letter",
            gettext_lazy("Preview a letter"),
            ALL_STATES,
            STAFF,
            gettext_lazy("preview a letter"),
        ),
        # The complainant's access (docs/decisions/0021)
        Action(
            "message_staff",
            gettext_lazy("Write to the ethics staff"),
            ALL_STATES,
            COMPLAINANT,
            gettext_lazy("write to the ethics staff"),
        ),
        Action(
            "message_complainant",
            gettext_lazy("Write to the complainant"),
            ALL_STATES,
            STAFF,
            gettext_lazy("write to the complainant"),
        ),
        Action(
            "submit_complainant_evidence",
            gettext_lazy("Send additional evidence"),
            COMPLAINANT_EVIDENCE_STATES,
            COMPLAINANT,
            gettext_lazy("send additional evidence"),
        ),
        Action(
            "accept_complainant_evidence",
            gettext_lazy("Accept the complainant's evidence into the case"),
            (*INTAKE_STATES, CaseState.HEARING, CaseState.COMPLAINANT_APPEAL),
            STAFF,
            gettext_lazy("accept evidence into the case"),
            rules=("submission_awaits_decision",),
        ),
        Action(
            "decline_complainant_evidence",
            gettext_lazy("Decline the complainant's evidence"),
            ALL_STATES,
            STAFF,
            gettext_lazy("decline the complainant's evidence"),
            rules=("submission_awaits_decision",),
            reason_label=gettext_lazy("Why it is not accepted (the complainant is told)"),
        ),
        Action(
            "reissue_access_code",
            gettext_lazy("Issue a new access code to the complainant"),
            ALL_STATES,
            STAFF,
            gettext_lazy("issue an access code"),
            rules=("complainant_without_account",),
            reason_label=gettext_lazy("Why a new code is issued"),
        ),
        Action(
            "revoke_access_code",
            gettext_lazy("Revoke the complainant's access code"),
            ALL_STATES,
            STAFF,
            gettext_lazy("revoke the access code"),
            rules=("complainant_code_in_force",),
            reason_label=gettext_lazy("Why the code is revoked"),
        ),
        Action(
            "close_complainant_appeal_ballot",
            gettext_lazy("Close the appeals panel's ballot on the complainant's appeal"),
            (CaseState.COMPLAINANT_APPEAL,),
            STAFF,
            gettext_lazy("close the appeals panel's ballot"),
            rules=(
                "complainant_appeal_ballot_open",
                "complainant_appeal_ballot_quorum_met",
                "complainant_appeal_ballot_complete_or_due",
            ),
            system_may=True,
            path="complainant_appeal",
        ),
        # Publication and retention (docs/decisions/0023)
        Action(
            "withhold_publication",
            gettext_lazy("Withhold the decision from publication"),
            (CaseState.SANCTIONED, CaseState.UNDER_APPEAL, CaseState.CLOSED),
            STAFF,
            gettext_lazy("withhold the decision from publication"),
            rules=("procedure_publishes", "publication_not_withheld"),
            reason_label=gettext_lazy("Why the decision is not published"),
        ),
        Action(
            "place_legal_hold",
            gettext_lazy("Place a legal hold"),
            ALL_STATES,
            STAFF,
            gettext_lazy("place a legal hold"),
            rules=("no_legal_hold",),
            reason_label=gettext_lazy(
                "Why the case's data must be kept (the proceedings or request)"
            ),
        ),
        Action(
            "release_legal_hold",
            gettext_lazy("Release the legal hold"),
            ALL_STATES,
            STAFF,
            gettext_lazy("release a legal hold"),
            rules=("legal_hold_in_place",),
            reason_label=gettext_lazy("Why the hold ends"),
        ),
        # Compliance with a fine, required education or conditions (docs/decisions/0018)
        Action(
            "record_compliance",
            gettext_lazy("Record compliance"),
            COMPLIANCE_STATES,
            STAFF,
            gettext_lazy("record compliance"),
        ),
        Action(
            "upload_compliance_proof",
            gettext_lazy("Send proof of compliance"),
            COMPLIANCE_STATES,
            RESPONDENT,
            gettext_lazy("send proof of compliance"),
        ),
        Action(
            "accept_compliance_proof",
            gettext_lazy("Accept the proof of compliance"),
            COMPLIANCE_STATES,
            STAFF,
            gettext_lazy("accept proof of compliance"),
        ),
        # Issue 10: the comment on the review
        Action(
            "disclose_review",
            gettext_lazy("Disclose the review to the respondent for comment"),
            (CaseState.UNDER_REVIEW,),
            STAFF,
            gettext_lazy("disclose the review for comment"),
            rules=(
                "every_allegation_has_finding",
                "review_report_written",
                "review_not_yet_disclosed",
            ),
            path="review_comment",
        ),
        Action(
            "comment_on_review",
            gettext_lazy("Comment on the review"),
            (CaseState.UNDER_REVIEW,),
            RESPONDENT,
            gettext_lazy("comment on the review"),
            rules=("review_comment_window_open",),
            path="review_comment",
        ),
        # Issue 10: the hearing
        Action(
            "request_hearing",
            gettext_lazy("Ask for a hearing"),
            (CaseState.UNDER_REVIEW,),
            RESPONDENT,
            gettext_lazy("ask for a hearing"),
            rules=("respondent_may_request_hearing",),
            reason_label=gettext_lazy("Why you ask to be heard"),
            path="hearing",
        ),
        Action(
            "record_hearing_request",
            gettext_lazy("Record the complainant's request for a hearing"),
            (CaseState.UNDER_REVIEW,),
            STAFF,
            gettext_lazy("record a request for a hearing"),
            rules=("complainant_may_request_hearing",),
            reason_label=gettext_lazy("The complainant's request, as made"),
            path="hearing",
        ),
        Action(
            "schedule_hearing",
            gettext_lazy("Set the hearing"),
            (CaseState.HEARING,),
            STAFF,
            gettext_lazy("set a hearing"),
            rules=("hearing_to_schedule",),
            path="hearing",
        ),
        Action(
            "postpone_hearing",
            gettext_lazy("Postpone the hearing"),
            (CaseState.HEARING,),
            STAFF,
            gettext_lazy("postpone a hearing"),
            rules=("hearing_scheduled",),
            reason_label=gettext_lazy("Why the hearing is postponed (sent to the parties)"),
            path="hearing",
        ),
        Action(
            "name_hearing_participants",
            gettext_lazy("Name attendees, counsel and witnesses"),
            (CaseState.HEARING,),
            RESPONDENT,
            gettext_lazy("name who comes to the hearing"),
            rules=("hearing_scheduled", "participants_window_open"),
            path="hearing",
        ),
        Action(
            "record_hearing_participants",
            gettext_lazy("Record a party's attendees, counsel and witnesses"),
            (CaseState.HEARING,),
            STAFF,
            gettext_lazy("record who comes to the hearing"),
            rules=("hearing_scheduled",),
            path="hearing",
        ),
        Action(
            "record_hearing",
            gettext_lazy("Keep the hearing's record"),
            (CaseState.HEARING,),
            STAFF,
            gettext_lazy("keep a hearing's record"),
            rules=("hearing_scheduled", "hearing_has_begun", "hearing_notice_given"),
            path="hearing",
        ),
        # Resolution by consent, interim suspension, consolidation (docs/decisions/0020)
        Action(
            "offer_consent",
            gettext_lazy("Offer resolution by consent"),
            (CaseState.UNDER_REVIEW,),
            STAFF,
            gettext_lazy("offer resolution by consent"),
            rules=("consent_by_staff", "notice_issued", "no_open_consent_offer"),
            path="consent",
        ),
        Action(
            "offer_consent_as_board",
            gettext_lazy("Offer resolution by consent (the board)"),
            (CaseState.BOARD_VOTE,),
            VOTER,
            gettext_lazy("offer resolution by consent"),
            rules=("consent_by_board", "no_open_consent_offer"),
            path="consent",
        ),
        Action(
            "refuse_consent",
            gettext_lazy("Refuse the consent offer"),
            (CaseState.UNDER_REVIEW, CaseState.BOARD_VOTE),
            RESPONDENT,
            gettext_lazy("refuse a consent offer"),
            rules=("consent_offer_open",),
            path="consent",
        ),
        Action(
            "lapse_consent",
            gettext_lazy("Close a consent offer not answered in time"),
            (CaseState.UNDER_REVIEW, CaseState.BOARD_VOTE),
            STAFF,
            gettext_lazy("close a consent offer"),
            rules=("consent_reply_date_passed",),
            system_may=True,
            path="consent",
        ),
        Action(
            "propose_interim_suspension",
            gettext_lazy("Propose an interim suspension"),
            INTERIM_STATES,
            STAFF,
            gettext_lazy("propose an interim suspension"),
            rules=("no_live_interim_suspension", "respondent_may_be_suspended"),
            reason_label=gettext_lazy("Why the membership should be suspended while the case runs"),
            path="interim_suspension",
        ),
        Action(
            "request_interim_lifting",
            gettext_lazy("Ask for the interim suspension to be lifted"),
            INTERIM_STATES,
            RESPONDENT,
            gettext_lazy("ask for the interim suspension to be lifted"),
            rules=("interim_suspension_in_force", "no_interim_ballot_open"),
            reason_label=gettext_lazy("Grounds for lifting the interim suspension"),
            path="interim_suspension",
        ),
        Action(
            "vote_interim",
            gettext_lazy("Vote on the interim suspension"),
            INTERIM_STATES,
            VOTER,
            gettext_lazy("vote on an interim suspension"),
            rules=("interim_ballot_open",),
            path="interim_suspension",
        ),
        Action(
            "close_interim_ballot",
            gettext_lazy("Close the interim suspension ballot"),
            INTERIM_STATES,
            STAFF,
            gettext_lazy("close the interim suspension ballot"),
            rules=(
                "interim_ballot_open",
                "interim_ballot_quorum_met",
                "interim_ballot_complete_or_due",
            ),
            system_may=True,
            path="interim_suspension",
        ),
        Action(
            "consolidate_case",
            gettext_lazy("Consolidate with a linked case for one ballot"),
            (CaseState.FILED, CaseState.UNDER_REVIEW),
            STAFF,
            gettext_lazy("consolidate cases"),
            rules=("has_link_to_consolidate",),
            reason_label=gettext_lazy("Why the cases are decided together"),
            path="consolidation",
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
    message = _(
        "The procedure this case follows (version %(version)s) does not provide for %(path)s."
    )
    return message % {"version": procedure.version, "path": path.label}


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


def relation_key(user):
    """What cases.access remembers a user's relation to a case under: the user's id,
    or the access code's for a complainant signed in with one (cases.access.CodeHolder)."""
    return getattr(user, "relation_key", None) or getattr(user, "pk", None)


def known_relation(user, case) -> str | None:
    """The relation cases.access.relation_to found for this user on this case
    instance, or None if it was not asked."""
    if user is None:
        return None
    return case.__dict__.get("_relation_cache", {}).get(relation_key(user))


def checklist(case) -> list[tuple[Rule, Check]]:
    name = FORWARD.get(case.state)
    return STEPS[name].checks(case) if name else []


def stepper(case, public: bool = False) -> list[tuple[str, str]]:
    """(label, 'done'|'current'|'') for each stage, for the stepper on the case page;
    `public`: in the respondent's words (the states' public labels)."""
    index = next((i for i, states in enumerate(STAGES) if case.state in states), None)

    def label_of(state):
        return STATES[state].public_label if public else STATES[state].label

    out = []
    for i, states in enumerate(STAGES):
        label = label_of(case.state) if case.state in states else label_of(states[0])
        if index is None:
            status = ""
        else:
            status = "done" if i < index else "current" if i == index else ""
        out.append((label, status))
    if public and STATES[case.state].final:
        # The respondent sees where the case ended, and no stage it will never reach.
        if index is None:
            # Dismissed or withdrawn: the respondent sees a case only from the notice on.
            reached = [(label_of(states[0]), "done") for states in STAGES[:2]]
            return [*reached, (label_of(case.state), "current")]
        return out[: index + 1]
    return out
