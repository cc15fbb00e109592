"""Ballots: opening them (who sits, who is recused), votes, conflicts of interest,
extensions, closing and counting. The functions named like services (`vote_cast`,
`conflict_declare`, ...) are called by views and take the case lock; the `*_effects`
and `*_prepare` functions are parts of workflow steps, called by
cases.services.transitions.case_transition under its lock."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cases import events, notifications, tally, workflow
from cases.access import (
    RESPONDENT_VIEW,
    authorize,
    case_permissions,
    relation_to,
    require_reason,
)
from cases.models import (
    BALLOT_CHOICES,
    BALLOT_KIND_IN,
    COMPLIANCE_KINDS,
    SANCTION_SEVERITY,
    Appeal,
    AppealOutcome,
    Ballot,
    BallotKind,
    BallotSeat,
    Case,
    CaseLink,
    LetterKind,
    Recusal,
    SanctionKind,
    Vote,
    VoteChoice,
)
from cases.outcomes import (
    appeal_result,
    ballot_outcome,
    case_officers,
    compliance_sanctions,
    current_sanction,
    open_ballot,
)
from cases.rendering import respondent_recipient
from cases.services.compliance import (
    impose_compliance,
    reschedule_compliance,
    restore_after_compliance,
)
from cases.services.grants import grant, revoke
from cases.services.letters import issue, issue_outcome_notice
from cases.services.record import lock_case, record_event
from cases.services.sanctions import impose, lift, reschedule, sanction_apply
from cases.workflow import CaseState
from members.models import Representative
from members.roles import APPEALS_PANEL, BOARD, roles_of

log = logging.getLogger("probity.cases")


MAX_SUSPENSION_MONTHS = 36


def sends_to_vote(case: Case) -> bool:
    """Whether the complainant's appeal may send the case to a new board vote: only
    an appeal against a finding of no violation (a dismissal had no vote)."""
    appeal = getattr(case, "complainant_appeal", None)
    return appeal is not None and appeal.appealed_state == CaseState.NO_VIOLATION


REPRESENTS_RESPONDENT = "Representative of the respondent"

REPRESENTS_COMPLAINANT = "Representative of the complainant's organization"


def _party_representatives(case: Case, voters) -> dict[int, str]:
    """The voters who act for a party (board members are often executives of member
    companies): {user id: why they may not sit}."""
    parties = {case.respondent_id: REPRESENTS_RESPONDENT}
    complainant_org = case.complainant.member_organization_id
    if complainant_org is not None:
        parties.setdefault(complainant_org, REPRESENTS_COMPLAINANT)
    return {
        user_id: parties[org_id]
        for user_id, org_id in Representative.objects.filter(
            user__in=[v.pk for v in voters], organization_id__in=list(parties)
        ).values_list("user_id", "organization_id")
    }


def _recuse_party_representative(case: Case, member, reason: str, *, by) -> Recusal:
    """Record the conflict nobody needs to declare: a party's representative is never
    seated, never given access, and counts like any recused member (not at all).
    The staff member acting records it; when the respondent opened the ballot by
    appealing, the case officer does."""
    recorder = by if by is not None and roles_of(by).ethics_staff else case.case_officer
    recusal = Recusal.objects.create(case=case, member=member, reason=reason, recorded_by=recorder)
    record_event(
        case,
        actor=by,
        kind="conflict_recorded",
        payload={"member": member.username, "reason": reason, "automatic": True},
    )
    return recusal


def _open_ballot(case: Case, kind: str, voters, *, by, why: str) -> Ballot:
    closes_on = workflow.today() + datetime.timedelta(days=case.procedure.ballot_window_days)
    ballot = Ballot.objects.create(case=case, kind=kind, closes_on=closes_on)
    voters = list(voters)
    recused = set(case.recusals.values_list("member_id", flat=True))
    for voter_id, reason in _party_representatives(case, voters).items():
        if voter_id not in recused:
            member = next(v for v in voters if v.pk == voter_id)
            _recuse_party_representative(case, member, reason, by=by)
            recused.add(voter_id)
    seated = []
    for voter in voters:
        if voter.pk in recused:
            continue
        BallotSeat.objects.create(ballot=ballot, voter=voter)
        grant(case, voter, ["view_case", "vote_on_case"], actor=by, why=why)
        seated.append(voter.username)
    record_event(
        case,
        actor=by,
        **events.ballot_opened(ballot=ballot.pk, kind=kind, closes_on=closes_on, eligible=seated),
    )
    notifications.after_commit(notifications.ballot_opened, ballot.pk)
    return ballot


def _active_members(group: str):
    return User.objects.filter(groups__name=group, is_active=True).order_by("pk")


def open_board_ballot(case: Case, *, by) -> dict:
    """The board members seated now, minus recusals, become the eligible voters."""
    ballot = _open_ballot(
        case,
        BallotKind.BOARD,
        _active_members(BOARD),
        by=by,
        why="Board member seated when the case was referred.",
    )
    return events.refer_to_board_effects(ballot=ballot.pk, closes_on=ballot.closes_on)


def open_appeal_ballot(case: Case, *, by, kind: str = BallotKind.APPEAL) -> dict:
    """The appeals panel, minus recusals, minus anyone who voted on the original ballot
    or acted as case officer: for the respondent's appeal and the complainant's."""
    voted_before = set(
        Vote.objects.filter(ballot__case=case, ballot__kind=BallotKind.BOARD).values_list(
            "voter_id", flat=True
        )
    )
    excluded = voted_before | case_officers(case)
    panel = [u for u in _active_members(APPEALS_PANEL) if u.pk not in excluded]
    ballot = _open_ballot(
        case,
        kind,
        panel,
        by=by,
        why="Appeals panel member, not involved in the decision.",
    )
    return events.file_appeal_effects(
        ballot=ballot.pk, closes_on=ballot.closes_on, excluded=sorted(excluded)
    )


def _seat(ballot: Ballot, voter) -> BallotSeat | None:
    return BallotSeat.objects.filter(ballot=ballot, voter=voter, recused_at__isnull=True).first()


def consolidated_with(case: Case) -> list[int]:
    """The ids of the cases consolidated with this one for one ballot (its direct links
    marked consolidated)."""
    pairs = CaseLink.objects.filter(
        Q(from_case=case) | Q(to_case=case), consolidated_at__isnull=False
    ).values_list("from_case_id", "to_case_id")
    return sorted({pk for pair in pairs for pk in pair} - {case.pk})


@transaction.atomic
def vote_cast(
    *,
    case: Case,
    voter,
    choice: str,
    sanction: str = "",
    suspension_months: int | None = None,
    reason: str = "",
    dissent: str = "",
    compliance: dict | None = None,
) -> Vote:
    """Record (or change) this voter's vote on the case's open ballot. A `dissent` is
    shown in the decision if the vote ends in the minority. `compliance`: the fine,
    education or conditions the voter supports besides `sanction`, with their terms
    ({"fine": {"amount": "500", "due_days": 30}, ...}; docs/decisions/0018). On a board
    ballot, the same vote is cast in each case consolidated with this one whose board
    ballot is open and where the voter sits (each in its own record); returns this
    case's."""
    others = consolidated_with(case) if case.state == CaseState.BOARD_VOTE else []
    # Every case the vote is cast in is locked, in id order as every service locks.
    locked = {pk: lock_case(Case(pk=pk)) for pk in sorted([case.pk, *others])}
    case = locked[case.pk]
    authorize(voter, case, "vote")
    vote = _cast_one(case, voter, choice, sanction, suspension_months, reason, dissent, compliance)
    for pk in others:
        other = locked[pk]
        if other.state != CaseState.BOARD_VOTE:
            continue
        try:
            authorize(voter, other, "vote")
        except (PermissionDenied, ValidationError):
            continue  # not seated there, or recused: the vote counts where they sit
        if _seat(_open_board_ballot(other), voter) is not None:
            _cast_one(
                other,
                voter,
                choice,
                sanction,
                suspension_months,
                reason,
                dissent,
                compliance,
                consolidated_from=case.number,
            )
    return vote


def _open_board_ballot(case: Case):
    return Ballot.objects.filter(case=case, kind=BallotKind.BOARD, closed_at__isnull=True).first()


def _cast_one(
    case,
    voter,
    choice,
    sanction,
    suspension_months,
    reason,
    dissent,
    compliance=None,
    consolidated_from="",
) -> Vote:
    kind = BALLOT_KIND_IN.get(case.state, BallotKind.BOARD)
    ballot = Ballot.objects.filter(case=case, kind=kind, closed_at__isnull=True).first()
    if ballot is None:
        raise PermissionDenied(workflow.ACTIONS["vote"].closed_refusal)
    if _seat(ballot, voter) is None:
        raise PermissionDenied(_("You are not an eligible voter on this ballot."))
    sanction, suspension_months = _validate_vote(case, kind, choice, sanction, suspension_months)
    compliance = (
        _validate_compliance(compliance or {})
        if kind == BallotKind.BOARD and choice == VoteChoice.VIOLATION
        else {}
    )
    previous = Vote.objects.filter(ballot=ballot, voter=voter).first()
    fields = {
        "choice": choice,
        "sanction": sanction,
        "suspension_months": suspension_months,
        "compliance": compliance,
        "reason": (reason or "").strip(),
        "dissent": (dissent or "").strip(),
        "cast_at": timezone.now(),
    }
    if previous:
        Vote.objects.filter(pk=previous.pk).update(**fields)
        vote = Vote.objects.get(pk=previous.pk)
    else:
        vote = Vote.objects.create(ballot=ballot, voter=voter, **fields)
    built = events.vote_cast(
        ballot=ballot.pk,
        voter=voter.username,
        choice=choice,
        sanction=sanction,
        suspension_months=suspension_months,
        reason=fields["reason"],
        changed=previous is not None,
        dissent=fields["dissent"],
        compliance=compliance,
    )
    if consolidated_from:
        built["payload"]["consolidated_from"] = consolidated_from
    record_event(case, actor=voter, **built)
    return vote


MAX_COMPLIANCE_DAYS = 730
MAX_CONDITIONS_MONTHS = 60


def _validate_compliance(proposed: dict) -> dict:
    """The compliance sanctions a vote supports, checked and normalised: a fine needs a
    positive amount, education what is required, conditions their terms."""
    unknown = set(proposed) - set(COMPLIANCE_KINDS)
    if unknown:
        raise ValidationError(_("Unknown sanction “%(kind)s”.") % {"kind": sorted(unknown)[0]})
    clean: dict = {}

    def number(value, message: str, low: int, high: int) -> int:
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ValidationError(message) from None
        if not low <= value <= high:
            raise ValidationError(message)
        return value

    def days(terms: dict, label: str) -> int | None:
        value = terms.get("due_days")
        if value in (None, ""):
            return None
        return number(
            value,
            _("%(what)s: give 1 to %(max)s days.") % {"what": label, "max": MAX_COMPLIANCE_DAYS},
            1,
            MAX_COMPLIANCE_DAYS,
        )

    def text(terms: dict, name: str, label: str, required: bool) -> str:
        value = str(terms.get(name) or "").strip()
        if required and not value:
            raise ValidationError(label)
        return value[:500]

    if SanctionKind.FINE in proposed:
        terms = proposed[SanctionKind.FINE]
        try:
            amount = Decimal(str(terms.get("amount") or "")).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            amount = None
        if amount is None or amount <= 0 or amount >= Decimal("1e10"):
            raise ValidationError(_("With a fine, give the amount you support (more than zero)."))
        clean[SanctionKind.FINE] = {
            "amount": f"{amount:.2f}",
            # An amount is never without its currency: the association's, from settings.
            "currency": settings.PROBITY_CURRENCY,
            "due_days": days(terms, _("Days to pay the fine")),
        }
    if SanctionKind.EDUCATION in proposed:
        terms = proposed[SanctionKind.EDUCATION]
        clean[SanctionKind.EDUCATION] = {
            "what": text(terms, "what", _("With required education, say what it is."), True),
            "due_days": days(terms, _("Days to complete the education")),
        }
    if SanctionKind.CONDITIONS in proposed:
        terms = proposed[SanctionKind.CONDITIONS]
        months = number(
            terms.get("months"),
            _("With conditions, give the period: 1 to %(max)s months.")
            % {"max": MAX_CONDITIONS_MONTHS},
            1,
            MAX_CONDITIONS_MONTHS,
        )
        clean[SanctionKind.CONDITIONS] = {
            "terms": text(terms, "terms", _("With conditions, state the conditions."), True),
            "months": months,
            "checked_by": text(terms, "checked_by", "", False),
        }
    return {
        str(kind.value): {k: v for k, v in terms.items() if v not in (None, "")}
        for kind, terms in clean.items()
    }


def _validate_vote(case, kind, choice, sanction, months):
    if choice not in BALLOT_CHOICES[kind]:
        raise ValidationError(_("Choose one of the options on the ballot."))
    if choice == VoteChoice.SEND_TO_VOTE and not sends_to_vote(case):
        raise ValidationError(
            _(
                "A dismissed complaint was never put to the board: it can be upheld or sent "
                "back to review, not sent to a new vote."
            )
        )
    if kind == BallotKind.BOARD and choice == VoteChoice.VIOLATION:
        if sanction not in SANCTION_SEVERITY:
            raise ValidationError(_("With “violation found”, choose the sanction you support."))
    elif kind == BallotKind.APPEAL and choice == VoteChoice.MODIFY:
        original = current_sanction(case)
        allowed = SANCTION_SEVERITY[: SANCTION_SEVERITY.index(original.kind)] if original else []
        if sanction not in allowed:
            raise ValidationError(
                _("To modify, choose a sanction less severe than the one under appeal.")
            )
    else:
        return "", None
    if sanction == SanctionKind.SUSPENSION:
        if not months or not 1 <= months <= MAX_SUSPENSION_MONTHS:
            raise ValidationError(
                _("Propose a suspension of 1 to %(max)s months.") % {"max": MAX_SUSPENSION_MONTHS}
            )
        return sanction, months
    return sanction, None


@transaction.atomic
def conflict_declare(*, case: Case, member, reason: str, by) -> Recusal:
    """A board or panel member's conflict of interest: they lose access to the case,
    their vote on any open ballot is removed and they no longer count."""
    case = lock_case(case)
    # A member declares their own conflict; staff record one a party raised. Who
    # first, before anything is written: a representative of a party is no decider.
    authorize(by, case, "declare_conflict" if by == member else "record_party_conflict")
    reason = require_reason(reason, _("Declaring a conflict"))
    if not roles_of(member).decider:
        raise ValidationError(_("Only board and appeals-panel members can be recused."))
    if Recusal.objects.filter(case=case, member=member).exists():
        raise ValidationError(
            _("%(member)s is already recused from this case.")
            % {"member": member.get_full_name() or member.username}
        )
    recusal = Recusal.objects.create(case=case, member=member, reason=reason, recorded_by=by)
    record_event(
        case,
        actor=by,
        kind="conflict_declared",
        payload={"member": member.username, "reason": reason, "raised_by_party": by != member},
    )
    now = timezone.now()
    for seat in BallotSeat.objects.filter(
        ballot__case=case, ballot__closed_at__isnull=True, voter=member, recused_at__isnull=True
    ):
        BallotSeat.objects.filter(pk=seat.pk).update(recused_at=now)
        removed = Vote.objects.filter(ballot_id=seat.ballot_id, voter=member)
        if removed.exists():
            removed.delete()
            record_event(
                case,
                actor=by,
                kind="vote_removed",
                payload={"ballot": seat.ballot_id, "voter": member.username, "why": "recusal"},
            )
    # The seat's access goes; a representative of the respondent keeps the
    # respondent's view (their view_case came with the notice, not with a seat).
    seat_access = (
        ("vote_on_case",)
        if relation_to(member, case) == RESPONDENT_VIEW
        else ("view_case", "vote_on_case")
    )
    held = [p for p in seat_access if p in case_permissions(member, case)]
    if held:
        revoke(case, member, held, actor=by, why="Conflict of interest declared.")
    return recusal


@transaction.atomic
def ballot_extend(*, case: Case, by, until: datetime.date, reason: str) -> Ballot:
    case = lock_case(case)
    authorize(by, case, "extend_ballot")
    reason = require_reason(reason, _("Extending the ballot"))
    # The case's board or appeal ballot: an interim suspension ballot runs beside it.
    ballot = Ballot.objects.exclude(kind=BallotKind.INTERIM).get(case=case, closed_at__isnull=True)
    if until <= max(ballot.closes_on, workflow.today()):
        raise ValidationError(
            _("The new closing date must be after %(day)s.")
            % {"day": formats.date_format(max(ballot.closes_on, workflow.today()), "DATE_FORMAT")}
        )
    previous = ballot.closes_on
    Ballot.objects.filter(pk=ballot.pk).update(closes_on=until)
    BallotSeat.objects.filter(ballot=ballot).update(closes_on=until)  # "My ballots" reads it
    record_event(
        case,
        actor=by,
        kind="ballot_extended",
        payload={
            "ballot": ballot.pk,
            "from": previous.isoformat(),
            "until": until.isoformat(),
            "reason": reason,
        },
    )
    notifications.after_commit(notifications.ballot_opened, ballot.pk)
    ballot.refresh_from_db()
    return ballot


@transaction.atomic
def close_ballots(ballots: QuerySet[Ballot], **result) -> None:
    """Close the open ones of `ballots`, storing `result` (tally, rule...) on each: the
    one place a ballot's closed_at is written, and its copy on the ballot's seats with it
    (cases.selectors.my_ballots pages a member's seats by their own closed_at)."""
    now = timezone.now()
    still_open = ballots.filter(closed_at__isnull=True)
    # The seats first: once the ballots are closed this selection no longer finds them.
    BallotSeat.objects.filter(ballot__in=still_open.values("pk")).update(closed_at=now)
    still_open.update(closed_at=now, **result)


def _store_result(ballot: Ballot, outcome: tally.Outcome) -> None:
    close_ballots(
        Ballot.objects.filter(pk=ballot.pk),
        tally={**outcome.counts, "quorum_met": outcome.quorum_met},
        outcome_rule=outcome.rule,
        violation_found=outcome.violation_found,
        sanction_kind=outcome.sanction,
        suspension_months=outcome.suspension_months,
        compliance=outcome.compliance,
    )


def close_ballot_prepare(case: Case, by, reason: str) -> dict:
    """Count the open board ballot and store the result; the transition then moves the
    case to `sanctioned` or `no_violation`."""
    ballot = open_ballot(case, BallotKind.BOARD)
    outcome = ballot_outcome(ballot, case.procedure)
    _store_result(ballot, outcome)
    case._closing_outcome = (ballot, outcome)
    return {"violation_found": outcome.violation_found}


def close_ballot_effects(case: Case, by, reason: str, event) -> dict:
    ballot, outcome = case._closing_outcome
    sanction = None
    if outcome.violation_found:
        sanction = impose(case, ballot, outcome.sanction, outcome.suspension_months, by=by)
        for compliance_kind, terms in outcome.compliance.items():
            impose_compliance(case, ballot, compliance_kind, terms, by=by)
    kind = LetterKind.DECISION if outcome.violation_found else LetterKind.NO_VIOLATION
    issue(case, kind, respondent_recipient(case), event=event, by=by)
    issue_outcome_notice(case, event=event, by=by)
    return events.close_ballot_effects(
        ballot=ballot.pk,
        tally=outcome.counts,
        violation_found=outcome.violation_found,
        sanction=outcome.sanction,
        sanction_id=sanction.pk if sanction else None,
        appeal_deadline=case.appeal_deadline,
    )


def file_appeal_effects(case: Case, by, reason: str, event) -> dict:
    Appeal.objects.create(case=case, filed_by=by, grounds=reason)
    payload = open_appeal_ballot(case, by=by)
    notifications.after_commit(notifications.appeal_filed, case.pk)
    return payload


@transaction.atomic
def appeal_ballot_close(*, case: Case, by) -> Ballot:
    """Close the appeals panel's ballot: the table's rules say when (it is open, quorum
    is met, and everyone voted or the date passed)."""
    case = lock_case(case)
    authorize(by, case, "close_appeal_ballot")
    ballot = open_ballot(case, BallotKind.APPEAL)
    original = current_sanction(case)
    outcome = ballot_outcome(ballot, case.procedure, original.kind if original else "")
    _store_result(ballot, outcome)
    record_event(
        case,
        actor=by,
        **events.appeal_ballot_closed(
            ballot=ballot.pk, tally=outcome.counts, sanction_upheld=outcome.sanction
        ),
    )
    ballot.refresh_from_db()
    return ballot


def decide_appeal_effects(case: Case, by, reason: str, event) -> dict:
    outcome, kind, months = appeal_result(case)
    original = current_sanction(case)
    ballot = Ballot.objects.filter(case=case, kind=BallotKind.APPEAL).order_by("-closed_at").first()
    Appeal.objects.filter(case=case).update(
        outcome=outcome, decided_at=timezone.now(), decision_reasons=reason
    )
    if outcome == AppealOutcome.OVERTURNED and original:
        lift(original, by=by, reason=reason)
        # The fine, education and conditions fall with the decision (docs/decisions/0018).
        for other in compliance_sanctions(case):
            lift(other, by=by, reason=reason)
        restore_after_compliance(case, by=by)
    elif outcome == AppealOutcome.MODIFIED and original:
        lift(original, by=by, reason=f"Replaced on appeal by a lesser sanction: {reason}")
        impose(case, ballot, kind, months, by=by, replaces=original)
    elif outcome == AppealOutcome.UPHELD and original and original.applied_at is None:
        reschedule(original, workflow.today(), case.procedure)
        sanction_apply(original, by=by)
    if outcome != AppealOutcome.OVERTURNED:
        reschedule_compliance(case, workflow.today())
    case.refresh_from_db()
    issue(case, LetterKind.APPEAL_DECISION, respondent_recipient(case), event=event, by=by)
    issue_outcome_notice(case, event=event, by=by)
    return events.decide_appeal_effects(outcome=outcome, sanction=kind)


def open_interim_ballot(case: Case, *, by) -> Ballot:
    """A ballot of its own, beside any board ballot, on an interim suspension or its
    lifting: the board members seated now, minus recusals and parties' representatives."""
    return _open_ballot(
        case,
        BallotKind.INTERIM,
        _active_members(BOARD),
        by=by,
        why="Board member seated for an interim suspension ballot.",
    )
