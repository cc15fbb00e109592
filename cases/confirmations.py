"""What an irreversible step will do, in words, for its confirmation page: who will
receive which letter or message, with what, and what changes for whom. The table marks
the steps (`irreversible` in cases/workflow.py); this module only reads.

Each summary is a list of sentences; `warnings` are what staff should look at twice
(a notice with nothing disclosed, a ballot whose count is not the one they expect).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.utils.formats import date_format

from cases import tally, workflow
from cases.models import BallotKind, Case
from cases.outcomes import ballot_outcome
from cases.rendering import complainant_recipient, respondent_recipient
from members.models import Representative
from members.roles import BOARD


@dataclass
class Summary:
    sentences: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _d(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _by(recipient) -> str:
    """How a letter reaches its recipient."""
    if recipient.emails:
        return "by email to " + ", ".join(recipient.emails)
    return "with no email address on file (by post or in the portal)"


def _open_review(case: Case, summary: Summary) -> None:
    evidence = list(case.evidence.all())
    disclosed = [e for e in evidence if e.disclosed_to_respondent]
    respondent = respondent_recipient(case)
    reps = list(case.respondent.representatives.all())
    due = workflow.today() + datetime.timedelta(days=case.procedure.response_window_days)
    summary.sentences.append(
        f"The respondent, {respondent.name}, will receive the notice of complaint "
        f"{_by(respondent)}, with {_plural(len(disclosed), 'disclosed evidence item')} "
        f"(of {len(evidence)} on file)."
    )
    summary.sentences.append(
        f"{_plural(len(reps), 'representative')} of {case.respondent.name} will be given "
        f"access to the case and may respond until {_d(due)}."
    )
    if not disclosed:
        summary.warnings.append(
            "Nothing is disclosed to the respondent: the notice will list no evidence. "
            "Change what is disclosed in the evidence table first if it should."
        )
    if not reps:
        summary.warnings.append(
            f"{case.respondent.name} has no representative: nobody can sign in to respond."
        )


def _closing(case: Case, summary: Summary, letter: str) -> None:
    if case.notice_issued_at is not None:
        respondent = respondent_recipient(case)
        summary.sentences.append(
            f"The respondent, {respondent.name}, will receive the {letter} letter "
            f"{_by(respondent)}, with the reasons you give, and can no longer respond."
        )
    else:
        summary.sentences.append(
            "The respondent was never notified of the complaint and is not written to."
        )
    complainant = complainant_recipient(case)
    summary.sentences.append(
        f"The complainant, {complainant.name}, will receive the {letter} letter "
        f"{_by(complainant)}, with the reasons you give."
    )
    summary.sentences.append(
        "The case is closed; a dismissed case can be reopened only with new evidence."
        if letter == "dismissal"
        else "The case is closed for good."
    )


def _refer_to_board(case: Case, summary: Summary) -> None:
    board = list(User.objects.filter(groups__name=BOARD, is_active=True).order_by("pk"))
    recused = {r.member_id for r in case.recusals.all()}
    parties = [case.respondent_id]
    if case.complainant.member_organization_id:
        parties.append(case.complainant.member_organization_id)
    representing = set(
        Representative.objects.filter(
            user__in=[u.pk for u in board], organization_id__in=parties
        ).values_list("user_id", flat=True)
    )
    seated = [u for u in board if u.pk not in recused | representing]
    closes = workflow.today() + datetime.timedelta(days=case.procedure.ballot_window_days)
    names = ", ".join(u.get_full_name() or u.username for u in seated) or "nobody"
    summary.sentences.append(
        f"The board's ballot opens until {_d(closes)}: {_plural(len(seated), 'board member')} "
        f"will be seated ({names}), each emailed that the ballot is open and given access "
        "to the whole case file, withheld evidence included."
    )
    if representing:
        summary.sentences.append(
            f"{_plural(len(representing), 'board member')} who represent a party will be "
            "recorded as recused and not seated."
        )
    summary.sentences.append("The case can no longer be amended or its review report revised.")
    if not seated:
        summary.warnings.append("No board member can be seated: the ballot could never close.")


def _close_ballot(case: Case, summary: Summary) -> None:
    ballot = next(
        (b for b in case.ballots.all() if b.kind == BallotKind.BOARD and b.closed_at is None), None
    )
    if ballot is None:
        return
    outcome = ballot_outcome(ballot, case.procedure)
    counts = outcome.counts
    summary.sentences.append(
        f"The votes are counted as they stand: {counts['took_part']} of {counts['eligible']} "
        f"eligible voters have voted. Result: {tally.describe(outcome, case.procedure)}"
    )
    respondent = respondent_recipient(case)
    complainant = complainant_recipient(case)
    letter = "decision letter" if outcome.violation_found else "no-violation letter"
    summary.sentences.append(
        f"The respondent, {respondent.name}, will receive the {letter} {_by(respondent)}."
    )
    summary.sentences.append(
        f"The complainant, {complainant.name}, will receive the outcome notice {_by(complainant)}."
    )
    if outcome.violation_found:
        summary.sentences.append(
            f"The appeal window opens for {case.procedure.appeal_window_days} days."
        )
    summary.sentences.append("No vote can be cast or changed after this.")


def _close_appeal_ballot(case: Case, summary: Summary) -> None:
    ballot = next(
        (b for b in case.ballots.all() if b.kind == BallotKind.APPEAL and b.closed_at is None),
        None,
    )
    if ballot is None:
        return
    first = [x for x in case.sanctions.all() if x.replaces_id is None]
    outcome = ballot_outcome(ballot, case.procedure, first[0].kind if first else "")
    counts = outcome.counts
    summary.sentences.append(
        f"The appeals panel's votes are counted as they stand: {counts['took_part']} of "
        f"{counts['eligible']} eligible members have voted. Result: "
        f"{tally.describe(outcome, case.procedure)}"
    )
    summary.sentences.append(
        "No letter is sent yet: the parties are written to when you record the appeal decision."
    )
    summary.sentences.append("No vote can be cast or changed after this.")


def summary_of(case: Case, name: str) -> Summary:
    """What taking the irreversible step or action `name` on this case will do."""
    summary = Summary()
    if name == "open_review":
        _open_review(case, summary)
    elif name == "dismiss":
        _closing(case, summary, "dismissal")
    elif name == "withdraw":
        _closing(case, summary, "withdrawal")
    elif name == "refer_to_board":
        _refer_to_board(case, summary)
    elif name == "close_ballot":
        _close_ballot(case, summary)
    elif name == "close_appeal_ballot":
        _close_appeal_ballot(case, summary)
    return summary
