"""Ballots, votes, conflicts of interest, sanctions and appeals.

The functions named like services (`vote_cast`, `conflict_declare`, ...) are called
by views and lock the case row; the ones with a leading underscore are the effects
of workflow steps, called by `cases.services.case_transition` under its lock.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cases import letters, notifications, tally, workflow
from cases.access import case_permissions
from cases.models import (
    SANCTION_SEVERITY,
    Appeal,
    AppealOutcome,
    Ballot,
    BallotKind,
    BallotSeat,
    Case,
    LetterKind,
    Recusal,
    Sanction,
    SanctionKind,
    SanctionTiming,
    Vote,
    VoteChoice,
)
from cases.services import _lock, _require_reason, _require_staff, grant, record_event, revoke
from cases.workflow import CaseState
from members.models import MembershipStatus, Representative, StatusChange
from members.roles import APPEALS_PANEL, BOARD, roles_of
from members.selectors import has_overdue_dues
from members.services import MembershipChangeRefused, membership_change

log = logging.getLogger("probity.cases")

MAX_SUSPENSION_MONTHS = 36


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


# ---------------------------------------------------------------------------
# Reading a ballot
# ---------------------------------------------------------------------------


def ballots_with_votes():
    return Ballot.objects.prefetch_related(
        Prefetch("seats", queryset=BallotSeat.objects.select_related("voter")),
        Prefetch("votes", queryset=Vote.objects.select_related("voter")),
    )


def attach_seats_and_votes(ballots: list[Ballot], *, among: QuerySet[Ballot]) -> list[Ballot]:
    """Give each of `ballots` its seats and votes, with their voters, as
    `ballots_with_votes()` does, in two queries that run even when `ballots` is empty.

    `among` is a queryset of the same ballots; the seats and votes are selected by it
    as a subquery. A nested `prefetch_related` runs no query for an empty list, so a
    page that shows ballots would run two queries more when there is one (the case
    page, the dashboard): its query count would depend on the case, not only the code.
    """
    ids = among.values("pk")
    seats: dict[int, list[BallotSeat]] = defaultdict(list)
    for seat in BallotSeat.objects.filter(ballot__in=ids).select_related("voter"):
        seats[seat.ballot_id].append(seat)
    votes: dict[int, list[Vote]] = defaultdict(list)
    for v in Vote.objects.filter(ballot__in=ids).select_related("voter"):
        votes[v.ballot_id].append(v)
    for ballot in ballots:
        for row in seats[ballot.pk] + votes[ballot.pk]:
            row.ballot = ballot
        _store_prefetched(ballot, "seats", seats[ballot.pk])
        _store_prefetched(ballot, "votes", votes[ballot.pk])
    return ballots


def _store_prefetched(instance, related_name: str, rows: list) -> None:
    """What `prefetch_related` leaves on an instance: its related manager's queryset,
    already evaluated, so `instance.<related_name>.all()` runs no query."""
    queryset = getattr(instance, related_name).all()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[related_name] = queryset


def open_ballot(case: Case, kind: str) -> Ballot | None:
    return ballots_with_votes().filter(case=case, kind=kind, closed_at__isnull=True).first()


def eligible_votes(ballot: Ballot) -> list[Vote]:
    seated = {s.voter_id for s in ballot.seats.all() if s.recused_at is None}
    return [v for v in ballot.votes.all() if v.voter_id in seated]


def ballot_outcome(ballot: Ballot, procedure, original_sanction: str = "") -> tally.Outcome:
    votes = [
        tally.CastVote(v.choice, v.sanction, v.suspension_months) for v in eligible_votes(ballot)
    ]
    eligible = sum(1 for s in ballot.seats.all() if s.recused_at is None)
    return tally.count(
        votes, eligible=eligible, procedure=procedure, original_sanction=original_sanction
    )


def ballot_status(ballot: Ballot, procedure, original_sanction: str = "") -> dict:
    """Who has voted, who has not, who is recused, quorum, and the projected outcome."""
    votes = {v.voter_id: v for v in eligible_votes(ballot)}
    seats = list(ballot.seats.all())
    outcome = ballot_outcome(ballot, procedure, original_sanction)
    return {
        "ballot": ballot,
        "voted": [
            (s.voter, votes[s.voter_id])
            for s in seats
            if s.recused_at is None and s.voter_id in votes
        ],
        "not_voted": [s.voter for s in seats if s.recused_at is None and s.voter_id not in votes],
        "recused": [s.voter for s in seats if s.recused_at is not None],
        "outcome": outcome,
        "projection": tally.describe(outcome, procedure) if outcome.quorum_met else "",
    }


# ---------------------------------------------------------------------------
# Opening ballots (effects of refer_to_board and file_appeal)
# ---------------------------------------------------------------------------


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
        kind="ballot_opened",
        payload={
            "ballot": ballot.pk,
            "kind": kind,
            "closes_on": closes_on.isoformat(),
            "eligible": seated,
        },
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
    return {"ballot": ballot.pk, "closes_on": ballot.closes_on.isoformat()}


def case_officers(case: Case) -> set[int]:
    """Everyone who acted as case officer, from the record: the current one and any
    earlier one the case was handed over from."""
    usernames = set()
    for kind, payload in case.events.filter(
        kind__in=["filed", "case_officer_assigned"]
    ).values_list("kind", "payload"):
        usernames.update(
            [payload.get("case_officer")]
            if kind == "filed"
            else [payload.get("from"), payload.get("to")]
        )
    ids = set(
        User.objects.filter(username__in=[u for u in usernames if u]).values_list("pk", flat=True)
    )
    return ids | {case.case_officer_id}


def open_appeal_ballot(case: Case, *, by) -> dict:
    """The appeals panel, minus recusals, minus anyone who voted on the original ballot
    or acted as case officer."""
    voted_before = set(
        Vote.objects.filter(ballot__case=case, ballot__kind=BallotKind.BOARD).values_list(
            "voter_id", flat=True
        )
    )
    excluded = voted_before | case_officers(case)
    panel = [u for u in _active_members(APPEALS_PANEL) if u.pk not in excluded]
    ballot = _open_ballot(
        case,
        BallotKind.APPEAL,
        panel,
        by=by,
        why="Appeals panel member, not involved in the decision.",
    )
    return {
        "ballot": ballot.pk,
        "closes_on": ballot.closes_on.isoformat(),
        "excluded": sorted(excluded),
    }


# ---------------------------------------------------------------------------
# Voting and conflicts
# ---------------------------------------------------------------------------


def _seat(ballot: Ballot, voter) -> BallotSeat | None:
    return BallotSeat.objects.filter(ballot=ballot, voter=voter, recused_at__isnull=True).first()


@transaction.atomic
def vote_cast(
    *,
    case: Case,
    voter,
    choice: str,
    sanction: str = "",
    suspension_months: int | None = None,
    reason: str = "",
) -> Vote:
    """Record (or change) this voter's vote on the case's open ballot."""
    case = _lock(case)
    if "vote_on_case" not in case_permissions(voter, case):
        raise PermissionDenied("You are not an eligible voter on this case.")
    kind = BallotKind.APPEAL if case.state == CaseState.UNDER_APPEAL else BallotKind.BOARD
    ballot = Ballot.objects.filter(case=case, kind=kind, closed_at__isnull=True).first()
    if ballot is None or case.state not in (CaseState.BOARD_VOTE, CaseState.UNDER_APPEAL):
        raise PermissionDenied("This ballot is closed: no vote can be cast or changed.")
    if _seat(ballot, voter) is None:
        raise PermissionDenied("You are not an eligible voter on this ballot.")
    sanction, suspension_months = _validate_vote(case, kind, choice, sanction, suspension_months)
    previous = Vote.objects.filter(ballot=ballot, voter=voter).first()
    fields = {
        "choice": choice,
        "sanction": sanction,
        "suspension_months": suspension_months,
        "reason": (reason or "").strip(),
        "cast_at": timezone.now(),
    }
    if previous:
        Vote.objects.filter(pk=previous.pk).update(**fields)
        vote = Vote.objects.get(pk=previous.pk)
    else:
        vote = Vote.objects.create(ballot=ballot, voter=voter, **fields)
    record_event(
        case,
        actor=voter,
        kind="vote_changed" if previous else "vote_cast",
        payload={
            "ballot": ballot.pk,
            "voter": voter.username,
            "choice": choice,
            "sanction": sanction or None,
            "suspension_months": suspension_months,
            "reason": fields["reason"] or None,
        },
    )
    return vote


def _validate_vote(case, kind, choice, sanction, months):
    board_choices = (VoteChoice.VIOLATION, VoteChoice.NO_VIOLATION, VoteChoice.ABSTAIN)
    appeal_choices = (VoteChoice.UPHOLD, VoteChoice.MODIFY, VoteChoice.OVERTURN, VoteChoice.ABSTAIN)
    if choice not in (appeal_choices if kind == BallotKind.APPEAL else board_choices):
        raise ValidationError("Choose one of the options on the ballot.")
    if kind == BallotKind.BOARD and choice == VoteChoice.VIOLATION:
        if sanction not in SanctionKind.values:
            raise ValidationError("With “violation found”, choose the sanction you support.")
    elif kind == BallotKind.APPEAL and choice == VoteChoice.MODIFY:
        original = current_sanction(case)
        allowed = SANCTION_SEVERITY[: SANCTION_SEVERITY.index(original.kind)] if original else []
        if sanction not in allowed:
            raise ValidationError(
                "To modify, choose a sanction less severe than the one under appeal."
            )
    else:
        return "", None
    if sanction == SanctionKind.SUSPENSION:
        if not months or not 1 <= months <= MAX_SUSPENSION_MONTHS:
            raise ValidationError(f"Propose a suspension of 1 to {MAX_SUSPENSION_MONTHS} months.")
        return sanction, months
    return sanction, None


@transaction.atomic
def conflict_declare(*, case: Case, member, reason: str, by) -> Recusal:
    """A board or panel member's conflict of interest: they lose access to the case,
    their vote on any open ballot is removed and they no longer count."""
    case = _lock(case)
    reason = _require_reason(reason, "Declaring a conflict")
    if by == member:
        member_roles = roles_of(member)
        if not (member_roles.board or member_roles.appeals_panel):
            raise PermissionDenied("Only board and appeals-panel members declare conflicts.")
        if "view_case" not in case_permissions(member, case) and not roles_of(member).ethics_staff:
            raise PermissionDenied("You have no access to this case.")
    else:
        _require_staff(by, case)  # staff record a conflict raised by a party
        member_roles = roles_of(member)
        if not (member_roles.board or member_roles.appeals_panel):
            raise ValidationError("Only board and appeals-panel members can be recused.")
    if Recusal.objects.filter(case=case, member=member).exists():
        raise ValidationError(
            f"{member.get_full_name() or member.username} is already recused from this case."
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
    held = [p for p in ("view_case", "vote_on_case") if p in case_permissions(member, case)]
    if held:
        revoke(case, member, held, actor=by, why="Conflict of interest declared.")
    return recusal


@transaction.atomic
def ballot_extend(*, case: Case, by, until: datetime.date, reason: str) -> Ballot:
    case = _lock(case)
    _require_staff(by, case)
    reason = _require_reason(reason, "Extending the ballot")
    ballot = Ballot.objects.filter(case=case, closed_at__isnull=True).first()
    if ballot is None:
        raise ValidationError("No ballot is open on this case.")
    if until <= max(ballot.closes_on, workflow.today()):
        raise ValidationError(
            f"The new closing date must be after {max(ballot.closes_on, workflow.today()):%d %B %Y}."
        )
    previous = ballot.closes_on
    Ballot.objects.filter(pk=ballot.pk).update(closes_on=until)
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


def _store_result(ballot: Ballot, outcome: tally.Outcome) -> None:
    Ballot.objects.filter(pk=ballot.pk).update(
        closed_at=timezone.now(),
        tally={**outcome.counts, "quorum_met": outcome.quorum_met},
        outcome_rule=outcome.rule,
        violation_found=outcome.violation_found,
        sanction_kind=outcome.sanction,
        suspension_months=outcome.suspension_months,
    )


# ---------------------------------------------------------------------------
# Closing the board ballot and imposing the sanction (close_ballot)
# ---------------------------------------------------------------------------


def _prepare_close_ballot(case: Case, by, reason: str) -> dict:
    """Count the open board ballot and store the result; the transition then moves the
    case to `sanctioned` or `no_violation`."""
    ballot = open_ballot(case, BallotKind.BOARD)
    outcome = ballot_outcome(ballot, case.procedure)
    _store_result(ballot, outcome)
    case._closing_outcome = (ballot, outcome)
    return {"violation_found": outcome.violation_found}


def _after_close_ballot(case: Case, by, reason: str, event) -> dict:
    ballot, outcome = case._closing_outcome
    payload = {
        "ballot": ballot.pk,
        "tally": outcome.counts,
        "violation_found": outcome.violation_found,
        "sanction": outcome.sanction or None,
    }
    if outcome.violation_found:
        sanction = _impose(case, ballot, outcome.sanction, outcome.suspension_months, by=by)
        payload["sanction_id"] = sanction.pk
        payload["appeal_deadline"] = case.appeal_deadline.isoformat()
    kind = LetterKind.DECISION if outcome.violation_found else LetterKind.NO_VIOLATION
    letters.issue(case, kind, letters.respondent_recipient(case), event=event, by=by)
    letters.issue_outcome_notice(case, event=event, by=by)
    return payload


def _impose(
    case: Case, ballot: Ballot, kind: str, months: int | None, *, by, replaces=None
) -> Sanction:
    procedure = case.procedure
    today = workflow.today()
    if (
        procedure.sanction_takes_effect == SanctionTiming.ON_DECISION
        or replaces is not None
        or case.state == CaseState.CLOSED
    ):
        effective = today
    else:
        effective = case.appeal_deadline + datetime.timedelta(days=1)
    sanction = Sanction.objects.create(
        case=case,
        ballot=ballot,
        kind=kind,
        effective_on=effective,
        ends_on=_add_months(effective, months) if kind == SanctionKind.SUSPENSION else None,
        readmission_bar_until=(effective + datetime.timedelta(days=procedure.readmission_bar_days))
        if kind == SanctionKind.EXPULSION
        else None,
        terms=_terms(kind, months),
        replaces=replaces,
    )
    record_event(
        case,
        actor=by,
        kind="sanction_imposed",
        payload={
            "sanction": sanction.pk,
            "kind": kind,
            "effective_on": effective.isoformat(),
            "ends_on": sanction.ends_on.isoformat() if sanction.ends_on else None,
            "readmission_bar_until": sanction.readmission_bar_until.isoformat()
            if sanction.readmission_bar_until
            else None,
        },
    )
    if effective <= today:
        sanction_apply(sanction, by=by)
    return sanction


def _reschedule(sanction: Sanction, effective: datetime.date, procedure) -> None:
    """Start a sanction on another date; a suspension still runs the months voted and
    the readmission bar still lasts the procedure's term."""
    months = sanction.ballot.suspension_months
    fields = {"effective_on": effective}
    if sanction.kind == SanctionKind.SUSPENSION:
        fields["ends_on"] = _add_months(effective, months or tally.DEFAULT_SUSPENSION_MONTHS)
    if sanction.kind == SanctionKind.EXPULSION:
        fields["readmission_bar_until"] = effective + datetime.timedelta(
            days=procedure.readmission_bar_days
        )
    Sanction.objects.filter(pk=sanction.pk).update(**fields)
    sanction.refresh_from_db()


def _terms(kind: str, months: int | None) -> str:
    return {
        SanctionKind.WARNING: "A written warning is placed on the member's record.",
        SanctionKind.CENSURE: "The member is censured; the censure stays on its record.",
        SanctionKind.SUSPENSION: f"Membership is suspended for {months} months; it resumes on its own at the end.",
        SanctionKind.EXPULSION: "Membership is terminated. The organization may apply for readmission after the readmission-bar date.",
    }[kind]


def sanction_apply(sanction: Sanction, *, by) -> None:
    """Give the sanction its effect on membership status (caller holds the case lock)."""
    if sanction.applied_at is not None or sanction.rescinded_at is not None:
        return
    case = sanction.case
    org = case.respondent
    org.refresh_from_db()
    reason = f"{sanction.get_kind_display()} decided in case {case.number}."
    staff = by if by is not None and roles_of(by).ethics_staff else None
    # A lapsed member serves its suspension, and a member that resigned during the case
    # is expelled all the same (docs/decisions/0005); from other statuses (already
    # suspended or terminated, say) the sanction has no effect and the record says why.
    try:
        if sanction.kind == SanctionKind.SUSPENSION:
            membership_change(
                organization=org,
                transition="suspend_lapsed" if org.status == MembershipStatus.LAPSED else "suspend",
                by=staff,
                reason=reason,
                until=sanction.ends_on,
                case=case,
            )
        elif sanction.kind == SanctionKind.EXPULSION:
            membership_change(
                organization=org,
                transition="expel_after_resignation"
                if org.status == MembershipStatus.RESIGNED
                else "terminate",
                by=staff,
                reason=reason,
                until=sanction.readmission_bar_until,
                case=case,
            )
    except MembershipChangeRefused as exc:
        record_event(
            case,
            actor=by,
            kind="sanction_not_applicable",
            payload={"sanction": sanction.pk, "why": exc.messages[0]},
        )
    Sanction.objects.filter(pk=sanction.pk).update(applied_at=timezone.now())
    sanction.applied_at = timezone.now()
    record_event(
        case,
        actor=by,
        kind="sanction_applied",
        payload={"sanction": sanction.pk, "kind": sanction.kind, "status": org.status},
    )


def current_sanction(case: Case) -> Sanction | None:
    return (
        Sanction.objects.filter(case=case, rescinded_at__isnull=True)
        .order_by("-decided_at", "-pk")
        .first()
    )


def _lift(sanction: Sanction, *, by, reason: str) -> None:
    """Undo a sanction's membership effect (appeal overturned or modified)."""
    case = sanction.case
    Sanction.objects.filter(pk=sanction.pk).update(
        rescinded_at=timezone.now(), rescinded_reason=reason
    )
    record_event(
        case,
        actor=by,
        kind="sanction_rescinded",
        payload={"sanction": sanction.pk, "reason": reason},
    )
    org = case.respondent
    org.refresh_from_db()
    if (
        sanction.applied_at
        and sanction.changes_membership
        and org.status in (MembershipStatus.SUSPENDED, MembershipStatus.TERMINATED)
    ):
        staff = by if by is not None and roles_of(by).ethics_staff else None
        membership_change(
            organization=org,
            transition=transition_after_sanction(org, case, on_appeal=True),
            by=staff,
            reason=f"Restored on appeal in case {case.number}: {reason}",
            case=case,
        )


def transition_after_sanction(org, case: Case, *, on_appeal: bool) -> str:
    """Where a member goes when a sanction stops holding it, whether a suspension ended
    or a sanction was lifted on appeal (docs/decisions/0005): a member that had resigned
    (the history row this case wrote says so) is resigned again; one with dues unpaid
    past their date is lapsed, and paying restores it; any other is active."""
    before = (
        StatusChange.objects.filter(organization=org, case=case, to_status=org.status)
        .order_by("-changed_at", "-pk")
        .values_list("from_status", flat=True)
        .first()
    )
    if before == MembershipStatus.RESIGNED and org.status == MembershipStatus.TERMINATED:
        return "restore_resignation_on_appeal"
    if has_overdue_dues(org, on=workflow.today()):
        return "lapse_after_sanction"
    return "reinstate_on_appeal" if on_appeal else "reinstate"


# ---------------------------------------------------------------------------
# Appeals
# ---------------------------------------------------------------------------


def _after_file_appeal(case: Case, by, reason: str, event) -> dict:
    Appeal.objects.create(case=case, filed_by=by, grounds=reason)
    payload = open_appeal_ballot(case, by=by)
    notifications.after_commit(notifications.appeal_filed, case.pk)
    return payload


@transaction.atomic
def appeal_ballot_close(*, case: Case, by) -> Ballot:
    """Close the appeals panel's ballot: quorum met, and everyone voted or the date passed."""
    from cases import workflow

    case = _lock(case)
    if by is not None:
        _require_staff(by, case)
    if case.state != CaseState.UNDER_APPEAL:
        raise ValidationError("No appeal is under consideration on this case.")
    ballot = open_ballot(case, BallotKind.APPEAL)
    if ballot is None:
        raise ValidationError("The appeals panel's ballot is already closed.")
    original = current_sanction(case)
    outcome = ballot_outcome(ballot, case.procedure, original.kind if original else "")
    eligible, voted = workflow.ballot_numbers(ballot)
    if not outcome.quorum_met:
        raise ValidationError(
            tally.describe(outcome, case.procedure) + " The ballot stays open; extend it if needed."
        )
    if voted < eligible and workflow.today() <= ballot.closes_on:
        raise ValidationError(
            f"{eligible - voted} panel member(s) have not voted and the ballot is open until {ballot.closes_on:%d %B %Y}."
        )
    _store_result(ballot, outcome)
    record_event(
        case,
        actor=by,
        kind="ballot_closed",
        payload={
            "ballot": ballot.pk,
            "kind": "appeal",
            "tally": outcome.counts,
            "sanction_upheld": outcome.sanction or None,
        },
    )
    ballot.refresh_from_db()
    return ballot


def appeal_result(case: Case) -> tuple[str, str, int | None]:
    """(outcome, sanction kind kept, suspension months) from the closed appeal ballot."""
    ballot = (
        Ballot.objects.filter(case=case, kind=BallotKind.APPEAL, closed_at__isnull=False)
        .order_by("-closed_at")
        .first()
    )
    original = current_sanction(case)
    if not ballot.violation_found or not ballot.sanction_kind:
        return AppealOutcome.OVERTURNED, "", None
    if original and ballot.sanction_kind == original.kind:
        return AppealOutcome.UPHELD, original.kind, None
    return AppealOutcome.MODIFIED, ballot.sanction_kind, ballot.suspension_months


def _after_decide_appeal(case: Case, by, reason: str, event) -> dict:
    outcome, kind, months = appeal_result(case)
    original = current_sanction(case)
    ballot = Ballot.objects.filter(case=case, kind=BallotKind.APPEAL).order_by("-closed_at").first()
    Appeal.objects.filter(case=case).update(
        outcome=outcome, decided_at=timezone.now(), decision_reasons=reason
    )
    if outcome == AppealOutcome.OVERTURNED and original:
        _lift(original, by=by, reason=reason)
    elif outcome == AppealOutcome.MODIFIED and original:
        _lift(original, by=by, reason=f"Replaced on appeal by a lesser sanction: {reason}")
        _impose(case, ballot, kind, months, by=by, replaces=original)
    elif outcome == AppealOutcome.UPHELD and original and original.applied_at is None:
        _reschedule(original, workflow.today(), case.procedure)
        sanction_apply(original, by=by)
    case.refresh_from_db()
    letters.issue(
        case, LetterKind.APPEAL_DECISION, letters.respondent_recipient(case), event=event, by=by
    )
    letters.issue_outcome_notice(case, event=event, by=by)
    return {"outcome": outcome, "sanction": kind or None}
