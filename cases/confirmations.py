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
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    return date_format(day, "DATE_FORMAT")


def _by(recipient) -> str:
    """How a letter reaches its recipient."""
    if recipient.emails:
        return _("by email to %(emails)s") % {"emails": ", ".join(recipient.emails)}
    return _("with no email address on file (by post or in the portal)")


def _open_review(case: Case, summary: Summary) -> None:
    evidence = list(case.evidence.all())
    disclosed = [e for e in evidence if e.disclosed_to_respondent]
    respondent = respondent_recipient(case)
    reps = list(case.respondent.representatives.all())
    due = workflow.today() + datetime.timedelta(days=case.procedure.response_window_days)
    summary.sentences.append(
        ngettext(
            "The respondent, %(name)s, will receive the notice of complaint %(by)s, with "
            "%(count)s disclosed evidence item (of %(total)s on file).",
            "The respondent, %(name)s, will receive the notice of complaint %(by)s, with "
            "%(count)s disclosed evidence items (of %(total)s on file).",
            len(disclosed),
        )
        % {
            "name": respondent.name,
            "by": _by(respondent),
            "count": len(disclosed),
            "total": len(evidence),
        }
    )
    summary.sentences.append(
        ngettext(
            "%(count)s representative of %(name)s will be given access to the case and may "
            "respond until %(day)s.",
            "%(count)s representatives of %(name)s will be given access to the case and may "
            "respond until %(day)s.",
            len(reps),
        )
        % {"count": len(reps), "name": case.respondent.name, "day": _d(due)}
    )
    if not disclosed:
        summary.warnings.append(
            _(
                "Nothing is disclosed to the respondent: the notice will list no evidence. "
                "Change what is disclosed in the evidence table first if it should."
            )
        )
    if not reps:
        summary.warnings.append(
            _("%(name)s has no representative: nobody can sign in to respond.")
            % {"name": case.respondent.name}
        )


def _closing(case: Case, summary: Summary, letter: str) -> None:
    # `letter` is "dismissal" or "withdrawal"; what the sentences name is its letter.
    the_letter = _("the dismissal letter") if letter == "dismissal" else _("the withdrawal letter")
    if case.notice_issued_at is not None:
        respondent = respondent_recipient(case)
        summary.sentences.append(
            _(
                "The respondent, %(name)s, will receive %(letter)s %(by)s, with the reasons "
                "you give, and can no longer respond."
            )
            % {"name": respondent.name, "letter": the_letter, "by": _by(respondent)}
        )
    else:
        summary.sentences.append(
            _("The respondent was never notified of the complaint and is not written to.")
        )
    complainant = complainant_recipient(case)
    summary.sentences.append(
        _("The complainant, %(name)s, will receive %(letter)s %(by)s, with the reasons you give.")
        % {"name": complainant.name, "letter": the_letter, "by": _by(complainant)}
    )
    summary.sentences.append(
        _("The case is closed; a dismissed case can be reopened only with new evidence.")
        if letter == "dismissal"
        else _("The case is closed for good.")
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
    names = ", ".join(u.get_full_name() or u.username for u in seated) or _("nobody")
    summary.sentences.append(
        ngettext(
            "The board's ballot opens until %(day)s: %(count)s board member will be seated "
            "(%(names)s), each emailed that the ballot is open and given access to the whole "
            "case file, withheld evidence included.",
            "The board's ballot opens until %(day)s: %(count)s board members will be seated "
            "(%(names)s), each emailed that the ballot is open and given access to the whole "
            "case file, withheld evidence included.",
            len(seated),
        )
        % {"day": _d(closes), "count": len(seated), "names": names}
    )
    if representing:
        summary.sentences.append(
            ngettext(
                "%(count)s board member who represent a party will be recorded as recused "
                "and not seated.",
                "%(count)s board members who represent a party will be recorded as recused "
                "and not seated.",
                len(representing),
            )
            % {"count": len(representing)}
        )
    summary.sentences.append(_("The case can no longer be amended or its review report revised."))
    if not seated:
        summary.warnings.append(_("No board member can be seated: the ballot could never close."))


def _close_ballot(case: Case, summary: Summary) -> None:
    ballot = next(
        (b for b in case.ballots.all() if b.kind == BallotKind.BOARD and b.closed_at is None), None
    )
    if ballot is None:
        return
    outcome = ballot_outcome(ballot, case.procedure)
    counts = outcome.counts
    summary.sentences.append(
        _(
            "The votes are counted as they stand: %(took_part)s of %(eligible)s eligible "
            "voters have voted. Result: %(result)s"
        )
        % {
            "took_part": counts["took_part"],
            "eligible": counts["eligible"],
            "result": tally.describe(outcome, case.procedure),
        }
    )
    respondent = respondent_recipient(case)
    complainant = complainant_recipient(case)
    letter = _("the decision letter") if outcome.violation_found else _("the no-violation letter")
    summary.sentences.append(
        _("The respondent, %(name)s, will receive %(letter)s %(by)s.")
        % {"name": respondent.name, "letter": letter, "by": _by(respondent)}
    )
    summary.sentences.append(
        _("The complainant, %(name)s, will receive the outcome notice %(by)s.")
        % {"name": complainant.name, "by": _by(complainant)}
    )
    if outcome.violation_found:
        summary.sentences.append(
            ngettext(
                "The appeal window opens for %(days)s day.",
                "The appeal window opens for %(days)s days.",
                case.procedure.appeal_window_days,
            )
            % {"days": case.procedure.appeal_window_days}
        )
    summary.sentences.append(_("No vote can be cast or changed after this."))


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
        _(
            "The appeals panel's votes are counted as they stand: %(took_part)s of "
            "%(eligible)s eligible members have voted. Result: %(result)s"
        )
        % {
            "took_part": counts["took_part"],
            "eligible": counts["eligible"],
            "result": tally.describe(outcome, case.procedure),
        }
    )
    summary.sentences.append(
        _("No letter is sent yet: the parties are written to when you record the appeal decision.")
    )
    summary.sentences.append(_("No vote can be cast or changed after this."))


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
