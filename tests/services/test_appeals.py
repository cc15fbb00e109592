"""Appeals: who may file one and when, who sits on the appeals panel's ballot, and when
the appeal may be decided (file_appeal, appeals ballot, decide_appeal)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services
from cases.access import case_permissions
from cases.models import Appeal, Ballot, BallotSeat, Case, VoteChoice
from cases.services import TransitionRefused, ballots
from cases.workflow import CaseState
from members.roles import APPEALS_PANEL, BOARD
from tests.factories.cases import event_kinds, events, fresh
from tests.factories.dates import days, shown, today
from tests.factories.people import (
    UserFactory,
    add_to_group,
    board_members,
    panel_members,
    panel_user,
    staff_user,
)
from tests.factories.scenes import (
    appeal_ballot,
    decide_appeal,
    file_appeal,
    sanctioned_case,
    setup_board_case,
    vote,
    votes_for,
)

V = VoteChoice


def seated(ballot: Ballot) -> set[str]:
    return set(BallotSeat.objects.filter(ballot=ballot).values_list("voter__username", flat=True))


# ---------------------------------------------------------------------------
# Filing an appeal
# ---------------------------------------------------------------------------


def test_the_respondents_representative_files_an_appeal_with_grounds(staff):
    bc = sanctioned_case(staff, "censure")
    panel = panel_members(3)
    case = file_appeal(bc.case, bc.rep, "The board did not consider our response.")
    assert case.state == CaseState.UNDER_APPEAL
    appeal = Appeal.objects.get(case=case)
    assert appeal.filed_by == bc.rep
    assert appeal.grounds == "The board did not consider our response."
    assert appeal.outcome == ""
    assert seated(appeal_ballot(case)) == {p.username for p in panel}
    for member in panel:
        assert {"view_case", "vote_on_case"} <= case_permissions(member, fresh(case))
    assert "ballot_opened" in event_kinds(case)[-len(panel) - 3 :]


def test_a_board_member_cannot_file_an_appeal(staff):
    bc = sanctioned_case(staff, "censure")
    with pytest.raises(PermissionDenied):
        file_appeal(bc.case, bc.board[0])
    assert fresh(bc.case).state == CaseState.SANCTIONED
    assert not Appeal.objects.exists()


def test_staff_cannot_file_an_appeal_for_the_respondent(staff):
    bc = sanctioned_case(staff, "censure")
    with pytest.raises(PermissionDenied):
        file_appeal(bc.case, staff)
    assert not Appeal.objects.exists()


def test_an_appeal_needs_written_grounds(staff):
    bc = sanctioned_case(staff, "censure")
    with pytest.raises(ValidationError) as exc:
        file_appeal(bc.case, bc.rep, grounds="   ")
    assert "written reason is required" in exc.value.messages[0]
    assert fresh(bc.case).state == CaseState.SANCTIONED
    assert not Appeal.objects.exists()


def test_no_appeal_after_the_window(staff):
    bc = sanctioned_case(staff, "censure")
    closed_on = today() - days(1)
    Case.objects.filter(pk=bc.case.pk).update(appeal_deadline=closed_on)
    with pytest.raises(TransitionRefused) as exc:
        file_appeal(bc.case, bc.rep)
    assert exc.value.messages == [f"The appeal window closed on {shown(closed_on)}."]
    assert fresh(bc.case).state == CaseState.SANCTIONED
    assert not Appeal.objects.exists()


def test_an_appeal_on_the_last_day_of_the_window_is_in_time(staff):
    bc = sanctioned_case(staff, "censure")
    Case.objects.filter(pk=bc.case.pk).update(appeal_deadline=today())
    assert file_appeal(bc.case, bc.rep).state == CaseState.UNDER_APPEAL


# ---------------------------------------------------------------------------
# Who sits on the appeals panel's ballot
# ---------------------------------------------------------------------------


def test_the_appeals_ballot_excludes_the_recused_the_original_voters_and_the_case_officer(db):
    officer = UserFactory(username="officer.on.panel", roles=["Ethics staff", APPEALS_PANEL])
    staff = staff_user(username="staff")
    board = board_members(2)
    both = UserFactory(username="board.and.panel", roles=[BOARD, APPEALS_PANEL])
    abstaining_board_panel = UserFactory(username="board.didnt.vote", roles=[BOARD, APPEALS_PANEL])
    panel = panel_members(3)
    conflicted = panel_user(username="panel.conflicted")

    bc = setup_board_case(staff, board=[*board, both, abstaining_board_panel], officer=officer)
    assert fresh(bc.case).case_officer == officer
    votes_for(bc.case, [*board, both], "censure")
    # The fourth board member does not take part; 3 of 4 is quorum, the date passes.
    Ballot.objects.filter(case=bc.case, kind="board").update(closes_on=today() - days(1))
    services.case_transition(case=fresh(bc.case), name="close_ballot", by=staff)
    ballots.conflict_declare(case=fresh(bc.case), member=conflicted, by=staff,
                             reason="The respondent says she is its former auditor.")

    case = file_appeal(bc.case, bc.rep)

    eligible = seated(appeal_ballot(case))
    assert eligible == {p.username for p in panel} | {"board.didnt.vote"}
    assert "board.and.panel" not in eligible  # voted on the original ballot
    assert "officer.on.panel" not in eligible  # the case officer
    assert "panel.conflicted" not in eligible  # recused
    opened = events(case).filter(kind="file_appeal_effects").get()
    assert set(opened.payload["excluded"]) >= {both.pk, officer.pk}


def test_an_original_voter_on_the_panel_cannot_vote_on_the_appeal(staff):
    both = UserFactory(username="board.and.panel", roles=[BOARD, APPEALS_PANEL])
    bc = setup_board_case(staff, board=[both, *board_members(2)])
    votes_for(bc.case, bc.board, "censure")
    services.case_transition(case=fresh(bc.case), name="close_ballot", by=staff)
    panel_members(3)
    file_appeal(bc.case, bc.rep)
    # They still see the case (from the board ballot) but hold no seat on the appeal.
    with pytest.raises(PermissionDenied):
        vote(bc.case, both, V.OVERTURN)
    assert not appeal_ballot(bc.case).votes.exists()


def test_a_former_case_officer_does_not_sit_on_the_appeals_ballot(db):
    first = UserFactory(username="first.officer", roles=["Ethics staff", APPEALS_PANEL])
    staff = staff_user(username="staff")
    panel_members(3)

    def hand_over(case):
        services.case_officer_assign(case=fresh(case), by=staff, officer=staff)

    bc = setup_board_case(staff, board=3, officer=first, before_referral=hand_over)
    votes_for(bc.case, bc.board, "censure")
    services.case_transition(case=fresh(bc.case), name="close_ballot", by=staff)
    case = file_appeal(bc.case, bc.rep)
    assert "first.officer" not in seated(appeal_ballot(case))


def test_a_panel_member_appointed_after_the_appeal_was_filed_is_not_seated(staff):
    bc = sanctioned_case(staff, "censure")
    panel_members(2)
    file_appeal(bc.case, bc.rep)
    late = panel_user(username="panel.late")
    assert "panel.late" not in seated(appeal_ballot(bc.case))
    with pytest.raises(PermissionDenied):
        vote(bc.case, late, V.OVERTURN)


def test_a_panel_member_can_declare_a_conflict_on_the_appeal(staff):
    bc = sanctioned_case(staff, "censure")
    panel = panel_members(3)
    file_appeal(bc.case, bc.rep)
    vote(bc.case, panel[0], V.UPHOLD)
    ballots.conflict_declare(case=fresh(bc.case), member=panel[0], by=panel[0],
                             reason="I advised the complainant last year.")
    ballot = appeal_ballot(bc.case)
    assert not ballot.votes.filter(voter=panel[0]).exists()
    assert BallotSeat.objects.get(ballot=ballot, voter=panel[0]).recused_at is not None
    assert case_permissions(panel[0], fresh(bc.case)) == frozenset()


# ---------------------------------------------------------------------------
# Voting on the appeal
# ---------------------------------------------------------------------------


def test_a_modify_vote_must_name_a_lesser_sanction(staff):
    bc = sanctioned_case(staff, "suspension", months=6)
    panel = panel_members(3)
    file_appeal(bc.case, bc.rep)
    for too_severe in ("suspension", "expulsion", ""):
        with pytest.raises(ValidationError) as exc:
            vote(bc.case, panel[0], V.MODIFY, too_severe)
        assert "less severe" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        vote(bc.case, panel[0], V.VIOLATION, "warning")  # a board choice
    assert not appeal_ballot(bc.case).votes.exists()
    vote(bc.case, panel[0], V.MODIFY, "censure")
    assert appeal_ballot(bc.case).votes.get().sanction == "censure"


def test_a_board_member_cannot_vote_on_the_appeal(staff):
    bc = sanctioned_case(staff, "censure")
    panel_members(2)
    file_appeal(bc.case, bc.rep)
    with pytest.raises(PermissionDenied):
        vote(bc.case, bc.board[0], V.OVERTURN)


# ---------------------------------------------------------------------------
# Deciding the appeal
# ---------------------------------------------------------------------------


def test_decide_appeal_is_refused_while_the_panels_ballot_is_open(staff):
    bc = sanctioned_case(staff, "censure")
    panel = panel_members(3)
    file_appeal(bc.case, bc.rep)
    for member in panel:
        vote(bc.case, member, V.OVERTURN)
    with pytest.raises(TransitionRefused) as exc:
        decide_appeal(bc.case, staff)
    assert "still open (3 of 3 have voted)" in exc.value.messages[0]
    assert fresh(bc.case).state == CaseState.UNDER_APPEAL


def test_the_panels_ballot_does_not_close_without_quorum(staff):
    bc = sanctioned_case(staff, "censure")
    panel = panel_members(4)
    file_appeal(bc.case, bc.rep)
    vote(bc.case, panel[0], V.OVERTURN)
    vote(bc.case, panel[1], V.OVERTURN)
    Ballot.objects.filter(pk=appeal_ballot(bc.case).pk).update(closes_on=today() - days(1))
    with pytest.raises(ValidationError) as exc:
        ballots.appeal_ballot_close(case=fresh(bc.case), by=staff)
    # The table's quorum rule words it, as for the board's ballot.
    assert "Quorum not met: 2 of 4 eligible voters have voted" in exc.value.messages[0]
    assert appeal_ballot(bc.case).closed_at is None
    with pytest.raises(TransitionRefused):
        decide_appeal(bc.case, staff)
    assert fresh(bc.case).state == CaseState.UNDER_APPEAL


def test_the_panels_ballot_waits_for_voters_before_its_date(staff):
    bc = sanctioned_case(staff, "censure")
    panel = panel_members(3)
    file_appeal(bc.case, bc.rep)
    vote(bc.case, panel[0], V.OVERTURN)
    vote(bc.case, panel[1], V.OVERTURN)
    with pytest.raises(ValidationError) as exc:
        ballots.appeal_ballot_close(case=fresh(bc.case), by=staff)
    assert "1 eligible voter(s) have not voted" in exc.value.messages[0]
    assert appeal_ballot(bc.case).closed_at is None


def test_only_staff_close_the_panels_ballot(staff):
    bc = sanctioned_case(staff, "censure")
    panel = panel_members(1)
    file_appeal(bc.case, bc.rep)
    vote(bc.case, panel[0], V.OVERTURN)
    with pytest.raises(PermissionDenied):
        ballots.appeal_ballot_close(case=fresh(bc.case), by=panel[0])
    assert appeal_ballot(bc.case).closed_at is None


def test_decide_appeal_once_the_panels_ballot_closed_with_quorum(staff):
    bc = sanctioned_case(staff, "censure")
    panel = panel_members(3)
    file_appeal(bc.case, bc.rep)
    for member in panel:
        vote(bc.case, member, V.OVERTURN)
    ballots.appeal_ballot_close(case=fresh(bc.case), by=staff)
    ballot = appeal_ballot(bc.case)
    assert ballot.closed_at is not None
    assert ballot.tally["quorum_met"] is True and ballot.tally["against"] == 3
    with pytest.raises(ValidationError):
        decide_appeal(bc.case, staff, reasons="")  # reasons are required
    case = decide_appeal(bc.case, staff, "The conduct predates the membership.")
    assert case.state == CaseState.CLOSED
    appeal = Appeal.objects.get(case=case)
    assert appeal.outcome == "overturned"
    assert appeal.decision_reasons == "The conduct predates the membership."
    assert appeal.decided_at is not None


def test_only_staff_decide_an_appeal(staff):
    bc = sanctioned_case(staff, "censure")
    panel = panel_members(1)
    file_appeal(bc.case, bc.rep)
    vote(bc.case, panel[0], V.UPHOLD)
    ballots.appeal_ballot_close(case=fresh(bc.case), by=staff)
    for outsider in (panel[0], bc.rep):
        with pytest.raises(PermissionDenied):
            decide_appeal(bc.case, outsider)
    assert fresh(bc.case).state == CaseState.UNDER_APPEAL


def test_a_staff_member_on_the_panel_keeps_staff_powers_but_is_not_seated_as_officer(db):
    officer = add_to_group(staff_user(username="staff"), APPEALS_PANEL)
    bc = sanctioned_case(officer, "censure")
    panel_members(2)
    file_appeal(bc.case, bc.rep)
    assert "staff" not in seated(appeal_ballot(bc.case))
    with pytest.raises(PermissionDenied):
        vote(bc.case, officer, V.OVERTURN)
