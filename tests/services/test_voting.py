"""The board's ballot on a case: who is seated, voting, conflicts of interest, and
closing the ballot (cases.ballots, the close_ballot step)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from cases import outcomes, workflow
from cases.access import case_permissions
from cases.models import Ballot, BallotSeat, Recusal, Vote, VoteChoice
from cases.services import TransitionRefused, ballots, case_transition, verify_case_record
from cases.workflow import STATES, CaseState
from tests.factories.cases import event_kinds, events, fresh
from tests.factories.dates import days, shown, today
from tests.factories.people import board_members, board_user, staff_user
from tests.factories.scenes import board_ballot, close_ballot, setup_board_case, vote, votes_for

V = VoteChoice


def status(case):
    ballot = outcomes.open_ballot(fresh(case), "board")
    return outcomes.ballot_status(ballot, fresh(case).procedure)


def numbers(case):
    return workflow.ballot_numbers(outcomes.ballots_with_votes().get(pk=board_ballot(case).pk))


# ---------------------------------------------------------------------------
# Referral opens the ballot
# ---------------------------------------------------------------------------


def test_referral_seats_the_board_as_it_is_and_gives_each_access(staff):
    bc = setup_board_case(staff, board=3)
    late = board_user(username="joined.later")
    ballot = board_ballot(bc.case)
    seated = set(BallotSeat.objects.filter(ballot=ballot).values_list("voter__username", flat=True))
    assert seated == {"board.1", "board.2", "board.3"}
    assert ballot.closes_on == today() + days(bc.case.procedure.ballot_window_days)
    for member in bc.board:
        assert {"view_case", "vote_on_case"} <= case_permissions(member, fresh(bc.case))
    assert case_permissions(late, fresh(bc.case)) == frozenset()
    opened = events(bc.case).get(kind="ballot_opened")
    assert sorted(opened.payload["eligible"]) == ["board.1", "board.2", "board.3"]


def test_an_inactive_board_account_is_not_seated(staff):
    members = board_members(3)
    members[2].is_active = False
    members[2].save()
    bc = setup_board_case(staff, board=members)
    seated = set(BallotSeat.objects.filter(ballot=board_ballot(bc.case)).values_list(
        "voter_id", flat=True))
    assert seated == {members[0].pk, members[1].pk}
    assert numbers(bc.case) == (2, 0)


def test_a_member_recused_before_referral_is_not_seated(staff):
    members = board_members(4)

    def recuse(case):
        ballots.conflict_declare(
            case=fresh(case), member=members[0], by=staff,
            reason="The respondent says he advises its competitor.",
        )

    bc = setup_board_case(staff, board=members, before_referral=recuse)
    seated = set(BallotSeat.objects.filter(ballot=board_ballot(bc.case)).values_list(
        "voter_id", flat=True))
    assert members[0].pk not in seated
    assert seated == {m.pk for m in members[1:]}
    assert case_permissions(members[0], fresh(bc.case)) == frozenset()
    assert numbers(bc.case) == (3, 0)


# ---------------------------------------------------------------------------
# Voting
# ---------------------------------------------------------------------------


def test_one_vote_per_voter_per_ballot_is_a_database_constraint(staff):
    bc = setup_board_case(staff, board=2)
    ballot = board_ballot(bc.case)
    Vote.objects.create(ballot=ballot, voter=bc.board[0], choice=V.NO_VIOLATION)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(ballot=ballot, voter=bc.board[0], choice=V.VIOLATION,
                            sanction="warning")
    assert Vote.objects.filter(ballot=ballot).count() == 1


def test_a_vote_is_recorded_with_an_event(staff):
    bc = setup_board_case(staff, board=3)
    v = vote(bc.case, bc.board[0], V.VIOLATION, "suspension", 6, reason="Repeated conduct.")
    assert (v.choice, v.sanction, v.suspension_months) == ("violation", "suspension", 6)
    event = events(bc.case).filter(kind="vote_cast").get()
    assert event.actor == bc.board[0]
    assert event.payload["choice"] == "violation" and event.payload["sanction"] == "suspension"


def test_changing_a_vote_updates_it_and_records_the_change(staff):
    bc = setup_board_case(staff, board=3)
    vote(bc.case, bc.board[0], V.VIOLATION, "censure")
    vote(bc.case, bc.board[0], V.NO_VIOLATION)
    votes = Vote.objects.filter(ballot=board_ballot(bc.case), voter=bc.board[0])
    assert votes.count() == 1
    assert votes.get().choice == V.NO_VIOLATION and votes.get().sanction == ""
    assert event_kinds(bc.case).count("vote_cast") == 1
    changed = events(bc.case).filter(kind="vote_changed").get()
    assert changed.payload["choice"] == "no_violation"
    assert verify_case_record(fresh(bc.case)).ok


def test_a_violation_vote_without_a_sanction_is_refused(staff):
    bc = setup_board_case(staff, board=3)
    with pytest.raises(ValidationError) as exc:
        vote(bc.case, bc.board[0], V.VIOLATION, "")
    assert "choose the sanction you support" in exc.value.messages[0]
    assert not Vote.objects.filter(ballot=board_ballot(bc.case)).exists()


@pytest.mark.parametrize("months", [None, 0, 37])
def test_a_suspension_vote_needs_a_length_within_bounds(staff, months):
    bc = setup_board_case(staff, board=3)
    with pytest.raises(ValidationError) as exc:
        vote(bc.case, bc.board[0], V.VIOLATION, "suspension", months)
    assert "1 to 36 months" in exc.value.messages[0]


def test_an_appeal_choice_is_not_on_the_board_ballot(staff):
    bc = setup_board_case(staff, board=3)
    with pytest.raises(ValidationError):
        vote(bc.case, bc.board[0], V.UPHOLD)
    assert not Vote.objects.exists()


def test_a_board_member_not_seated_cannot_vote(staff):
    bc = setup_board_case(staff, board=3)
    newcomer = board_user(username="seated.too.late")
    with pytest.raises(PermissionDenied):
        vote(bc.case, newcomer, V.NO_VIOLATION)
    assert not Vote.objects.filter(voter=newcomer).exists()


def test_staff_and_the_representative_cannot_vote(staff):
    bc = setup_board_case(staff, board=3)
    for outsider in (staff, bc.rep):
        with pytest.raises(PermissionDenied):
            vote(bc.case, outsider, V.NO_VIOLATION)
    assert not Vote.objects.exists()


def test_a_recused_member_cannot_vote(staff):
    bc = setup_board_case(staff, board=3)
    ballots.conflict_declare(case=fresh(bc.case), member=bc.board[0], by=bc.board[0],
                             reason="My brother works for the respondent.")
    with pytest.raises(PermissionDenied):
        vote(bc.case, bc.board[0], V.NO_VIOLATION)
    assert not Vote.objects.filter(voter=bc.board[0]).exists()


def test_no_vote_after_the_ballot_closed(staff):
    bc = setup_board_case(staff, board=3)
    votes_for(bc.case, bc.board, "warning")
    close_ballot(bc.case, staff)
    before = list(Vote.objects.values_list("voter_id", "choice", "sanction"))
    with pytest.raises(PermissionDenied) as exc:
        vote(bc.case, bc.board[0], V.NO_VIOLATION)
    assert "closed" in str(exc.value)
    assert list(Vote.objects.values_list("voter_id", "choice", "sanction")) == before


# ---------------------------------------------------------------------------
# Conflicts of interest
# ---------------------------------------------------------------------------


def test_a_recused_member_is_neither_a_voter_nor_counted_for_quorum(staff):
    bc = setup_board_case(staff, board=5)
    ballots.conflict_declare(case=fresh(bc.case), member=bc.board[4], by=bc.board[4],
                             reason="I consult for the respondent.")
    vote(bc.case, bc.board[0], V.VIOLATION, "warning")
    vote(bc.case, bc.board[1], V.VIOLATION, "warning")
    assert numbers(bc.case) == (4, 2)  # 2 of 4: no quorum (it would be 2 of 5 otherwise)
    s = status(bc.case)
    assert s["recused"] == [bc.board[4]]
    assert bc.board[4] not in s["not_voted"]
    assert {u for u, _ in s["voted"]} == set(bc.board[:2])
    assert not s["outcome"].quorum_met
    assert s["outcome"].counts["eligible"] == 4
    vote(bc.case, bc.board[2], V.NO_VIOLATION)
    assert numbers(bc.case) == (4, 3)
    assert status(bc.case)["outcome"].quorum_met  # 3 of 4


def test_declaring_a_conflict_after_voting_removes_the_vote_and_the_access(staff):
    bc = setup_board_case(staff, board=3)
    member = bc.board[0]
    vote(bc.case, member, V.VIOLATION, "expulsion")
    assert {"view_case", "vote_on_case"} <= case_permissions(member, fresh(bc.case))

    recusal = ballots.conflict_declare(case=fresh(bc.case), member=member, by=member,
                                       reason="I learnt my firm supplies the respondent.")

    assert recusal.recorded_by == member
    assert not Vote.objects.filter(voter=member).exists()
    assert case_permissions(member, fresh(bc.case)) == frozenset()
    seat = BallotSeat.objects.get(ballot=board_ballot(bc.case), voter=member)
    assert seat.recused_at is not None
    kinds = event_kinds(bc.case)
    assert kinds[-3:] == ["conflict_declared", "vote_removed", "access_revoked"]
    assert numbers(bc.case) == (2, 0)
    assert verify_case_record(fresh(bc.case)).ok


def test_a_conflict_needs_a_reason_and_is_declared_once(staff):
    bc = setup_board_case(staff, board=3)
    with pytest.raises(ValidationError):
        ballots.conflict_declare(case=fresh(bc.case), member=bc.board[0], by=bc.board[0],
                                 reason="  ")
    assert not Recusal.objects.exists()
    ballots.conflict_declare(case=fresh(bc.case), member=bc.board[0], by=bc.board[0],
                             reason="Former employee.")
    with pytest.raises(ValidationError):
        ballots.conflict_declare(case=fresh(bc.case), member=bc.board[0], by=staff,
                                 reason="Raised again by the respondent.")
    assert Recusal.objects.count() == 1


def test_staff_record_a_conflict_raised_by_a_party(staff):
    bc = setup_board_case(staff, board=3)
    member = bc.board[1]
    vote(bc.case, member, V.NO_VIOLATION)
    recusal = ballots.conflict_declare(
        case=fresh(bc.case), member=member, by=staff,
        reason="The complainant points out that this member chairs the respondent's supplier.",
    )
    assert recusal.recorded_by == staff and recusal.member == member
    event = events(bc.case).get(kind="conflict_declared")
    assert event.actor == staff
    assert event.payload["raised_by_party"] is True
    assert event.payload["member"] == member.username
    assert not Vote.objects.filter(voter=member).exists()
    assert case_permissions(member, fresh(bc.case)) == frozenset()


def test_only_staff_record_a_conflict_for_someone_else(staff):
    bc = setup_board_case(staff, board=3)
    with pytest.raises(PermissionDenied):
        ballots.conflict_declare(case=fresh(bc.case), member=bc.board[1], by=bc.board[0],
                                 reason="I think my colleague is conflicted.")
    with pytest.raises(PermissionDenied):
        ballots.conflict_declare(case=fresh(bc.case), member=bc.board[1], by=bc.rep,
                                 reason="He is biased.")
    assert not Recusal.objects.exists()


def test_a_board_member_without_access_cannot_declare_a_conflict(staff):
    bc = setup_board_case(staff, board=2)
    outsider = board_user(username="not.seated")
    with pytest.raises(PermissionDenied):
        ballots.conflict_declare(case=fresh(bc.case), member=outsider, by=outsider,
                                 reason="Just in case.")
    assert not Recusal.objects.exists()


# ---------------------------------------------------------------------------
# Closing the ballot
# ---------------------------------------------------------------------------


def test_close_ballot_is_refused_while_quorum_is_not_met(staff):
    bc = setup_board_case(staff, board=5)
    votes_for(bc.case, bc.board[:2], "censure")
    with pytest.raises(TransitionRefused) as exc:
        close_ballot(bc.case, staff)
    assert any("Quorum not met: 2 of 5" in m for m in exc.value.messages)
    assert fresh(bc.case).state == CaseState.BOARD_VOTE
    assert board_ballot(bc.case).closed_at is None
    assert board_ballot(bc.case).tally == {}


def test_close_ballot_is_refused_while_voters_remain_before_the_closing_date(staff):
    bc = setup_board_case(staff, board=5)
    votes_for(bc.case, bc.board[:3], "censure")
    with pytest.raises(TransitionRefused) as exc:
        close_ballot(bc.case, staff)
    closes_on = board_ballot(bc.case).closes_on
    assert exc.value.messages == [
        f"2 eligible voter(s) have not voted and the ballot is open until {shown(closes_on)}."
    ]
    assert fresh(bc.case).state == CaseState.BOARD_VOTE
    assert board_ballot(bc.case).closed_at is None


def test_close_ballot_with_quorum_after_the_closing_date(staff):
    bc = setup_board_case(staff, board=5)
    votes_for(bc.case, bc.board[:3], "censure")
    Ballot.objects.filter(pk=board_ballot(bc.case).pk).update(closes_on=today() - days(1))
    case = close_ballot(bc.case, staff)
    assert case.state == CaseState.SANCTIONED


def test_close_ballot_is_staff_only(staff):
    bc = setup_board_case(staff, board=3)
    votes_for(bc.case, bc.board, "warning")
    for outsider in (bc.board[0], bc.rep):
        with pytest.raises(PermissionDenied):
            close_ballot(bc.case, outsider)
    assert fresh(bc.case).state == CaseState.BOARD_VOTE


def test_once_all_voted_the_ballot_closes_and_stores_counts_without_names(staff):
    bc = setup_board_case(staff, board=5)
    for m in bc.board[:3]:
        m.first_name, m.last_name = "Quentin", f"Voter{m.pk}"
        m.save()
    votes_for(bc.case, bc.board[:3], "censure")
    vote(bc.case, bc.board[3], V.NO_VIOLATION)
    vote(bc.case, bc.board[4], V.ABSTAIN)
    case = close_ballot(bc.case, staff)
    ballot = board_ballot(case)
    assert ballot.closed_at is not None
    # Each seat carries the ballot's closed_at ("My ballots" pages a member's seats by it).
    assert set(ballot.seats.values_list("closed_at", flat=True)) == {ballot.closed_at}
    assert ballot.violation_found is True and ballot.sanction_kind == "censure"
    assert ballot.tally["eligible"] == 5
    assert ballot.tally["cast"] == 4 and ballot.tally["abstained"] == 1
    assert ballot.tally["for"] == 3 and ballot.tally["against"] == 1
    assert ballot.tally["quorum_met"] is True
    assert "more than half of votes cast" in ballot.outcome_rule
    stored = json.dumps(ballot.tally) + ballot.outcome_rule
    for m in bc.board:
        assert m.username not in stored
    assert "Quentin" not in stored
    effects = events(case).get(kind="close_ballot_effects")
    for m in bc.board:
        assert m.username not in json.dumps(effects.payload)


def test_no_violation_is_final(staff):
    bc = setup_board_case(staff, board=3)
    for m in bc.board:
        vote(bc.case, m, V.NO_VIOLATION)
    case = close_ballot(bc.case, staff)
    assert case.state == CaseState.NO_VIOLATION
    assert STATES[case.state].final
    assert case.appeal_deadline is None
    assert not case.sanctions.exists()
    assert board_ballot(case).violation_found is False
    # nothing leads on from it, unless the procedure lets the complainant appeal
    assert not any(
        case.state in s.sources and workflow.path_open(s.name, case.procedure)
        for s in workflow.STEPS.values()
    )


def test_a_violation_sanctions_and_opens_the_appeal_window(staff, django_capture_on_commit_callbacks):
    bc = setup_board_case(staff, board=3)
    votes_for(bc.case, bc.board, "warning")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = close_ballot(bc.case, staff)
    assert case.state == CaseState.SANCTIONED
    assert case.decided_at is not None
    assert case.appeal_deadline == today() + datetime.timedelta(
        days=case.procedure.appeal_window_days
    )
    sanction = case.sanctions.get()
    assert sanction.kind == "warning" and sanction.ballot == board_ballot(case)
    assert fresh(case).respondent.status == "active"  # a warning does not change membership
    to_rep = [m for m in mail.outbox if bc.rep.email in m.to and case.number in m.subject]
    assert to_rep, [m.subject for m in mail.outbox]  # the respondent is told of the decision
    assert all(m.username not in msg.body for msg in to_rep for m in bc.board)


# ---------------------------------------------------------------------------
# Extending a ballot
# ---------------------------------------------------------------------------


def test_extending_a_ballot_needs_a_reason_and_a_later_date(staff):
    bc = setup_board_case(staff, board=3)
    ballot = board_ballot(bc.case)
    with pytest.raises(ValidationError):
        ballots.ballot_extend(case=fresh(bc.case), by=staff, until=ballot.closes_on + days(7),
                              reason="")
    with pytest.raises(ValidationError) as exc:
        ballots.ballot_extend(case=fresh(bc.case), by=staff, until=ballot.closes_on,
                              reason="Two members are travelling.")
    assert "must be after" in exc.value.messages[0]
    assert board_ballot(bc.case).closes_on == ballot.closes_on

    extended = ballots.ballot_extend(case=fresh(bc.case), by=staff,
                                     until=ballot.closes_on + days(7),
                                     reason="Two members are travelling.")
    assert extended.closes_on == ballot.closes_on + days(7)
    # Each seat's copy, which "My ballots" orders the open seats by, follows.
    assert set(extended.seats.values_list("closes_on", flat=True)) == {extended.closes_on}
    event = events(bc.case).get(kind="ballot_extended")
    assert event.payload["reason"] == "Two members are travelling."
    assert event.payload["from"] == ballot.closes_on.isoformat()


def test_only_staff_extend_a_ballot(staff):
    bc = setup_board_case(staff, board=3)
    ballot = board_ballot(bc.case)
    with pytest.raises(PermissionDenied):
        ballots.ballot_extend(case=fresh(bc.case), by=bc.board[0],
                              until=ballot.closes_on + days(7), reason="More time.")
    assert board_ballot(bc.case).closes_on == ballot.closes_on


def test_any_ethics_staff_member_may_close_the_ballot(staff):
    bc = setup_board_case(staff, board=3)
    votes_for(bc.case, bc.board, "warning")
    # Ethics staff hold manage_case through their group on every case: any staff may close.
    other = staff_user(username="other.staff")
    case = case_transition(case=fresh(bc.case), name="close_ballot", by=other)
    assert case.state == CaseState.SANCTIONED
