"""Interim suspension (docs/decisions/0020): proposed by staff, decided by a separate
board ballot with the procedure's threshold, shown on the public verification page,
lifted on request the same way, ended by the final decision (the status restored
correctly when the case ends without a sanction)."""

import pytest
from django.core.exceptions import PermissionDenied

from cases import services
from cases.models import Ballot, BallotKind, InterimStatus, InterimSuspension, Letter, LetterKind
from cases.services import deadlines
from cases.workflow import CaseState, TransitionRefused
from members.models import MembershipStatus
from members.services import MembershipChangeRefused, membership_change
from tests.factories.cases import adopt_procedure, fresh, messages_of, step
from tests.factories.dates import days, today
from tests.factories.language import said, shown_to_client
from tests.factories.members import OrganizationFactory, overdue_invoice, representative_of
from tests.factories.people import board_members, staff_user
from tests.factories.scenes import (
    case_at_review,
    close_ballot,
    refer,
    vote_all,
    votes_for,
)

pytestmark = pytest.mark.django_db

REASONS = "Continuing sales of uncertified safety equipment put buyers at risk."


@pytest.fixture
def world():
    adopt_procedure(interim_suspension=True, interim_suspension_rule=">=2/3")
    staff = staff_user()
    board = board_members(3, prefix="interim.")
    organization = OrganizationFactory()
    representative_of(organization)
    case = case_at_review(staff, respondent=organization)
    return staff, board, case


def propose(case, staff):
    return services.interim_propose(case=fresh(case), by=staff, reasons=REASONS)


def votes(case, board, choices):
    for member, choice in zip(board, choices, strict=True):
        services.interim_vote_cast(case=fresh(case), voter=member, choice=choice)


def close(case, by):
    return services.interim_ballot_close(case=fresh(case), by=by)


def status_of(case):
    org = fresh(case).respondent
    org.refresh_from_db()
    return org.status


def test_passed_by_the_threshold_the_membership_is_suspended_and_public(client, world):
    staff, board, case = world
    interim = propose(case, staff)
    assert interim.ballot.kind == BallotKind.INTERIM
    assert set(interim.ballot.seats.values_list("voter", flat=True)) == {m.pk for m in board}
    votes(case, board, ["for", "for", "against"])

    interim = close(case, staff)

    assert interim.status == InterimStatus.IN_FORCE
    assert status_of(case) == MembershipStatus.SUSPENDED
    # Each seat carries the ballot's closed_at ("My ballots" pages a member's seats by it).
    assert set(interim.ballot.seats.values_list("closed_at", flat=True)) == {
        interim.ballot.closed_at
    }
    assert interim.ballot.tally["for"] == 2 and interim.ballot.violation_found is True
    assert Letter.objects.filter(case=case, kind=LetterKind.INTERIM_IMPOSED).exists()
    page = client.get(f"/verify/{fresh(case).respondent.slug}/").content.decode()
    assert said(
        'is a member of the association whose membership is <span class="badge badge-'
        'warn">suspended</span> as of %(today)s.',
        today=shown_to_client(today(), "DATE_FORMAT"),
    ) in page
    assert services.verify_case_record(fresh(case)).ok


def test_below_the_threshold_nothing_changes(world):
    staff, board, case = world
    propose(case, staff)
    votes(case, board, ["for", "against", "abstain"])  # 1 of 2 cast: not two thirds

    interim = close(case, staff)

    assert interim.status == InterimStatus.REJECTED
    assert status_of(case) == MembershipStatus.ACTIVE
    assert not Letter.objects.filter(case=case, kind=LetterKind.INTERIM_IMPOSED).exists()


def test_the_ballot_closes_only_when_everyone_voted_or_its_date_passed(world):
    staff, board, case = world
    propose(case, staff)
    votes(case, board[:2], ["for", "for"])
    with pytest.raises(TransitionRefused) as waiting:
        close(case, staff)
    assert any("not voted" in m for m in messages_of(waiting.value))
    ballot = Ballot.objects.get(case=case, kind=BallotKind.INTERIM)
    assert deadlines.run(ballot.closes_on + days(1))["interim ballots closed"] == 1
    assert InterimSuspension.objects.get(case=case).status == InterimStatus.IN_FORCE


def test_a_manual_reinstatement_is_refused_naming_the_case(world):
    staff, board, case = world
    propose(case, staff)
    votes(case, board, ["for"] * 3)
    close(case, staff)
    with pytest.raises(MembershipChangeRefused) as refused:
        membership_change(
            organization=fresh(case).respondent, transition="reinstate", by=staff, reason="Asked."
        )
    assert case.number in messages_of(refused.value)[0]


def test_the_respondent_may_ask_for_lifting_decided_the_same_way(world):
    staff, board, case = world
    rep_user = fresh(case).respondent.representatives.get().user
    propose(case, staff)
    votes(case, board, ["for"] * 3)
    close(case, staff)

    with pytest.raises(PermissionDenied):  # staff do not ask on the member's behalf
        services.interim_lifting_request(case=fresh(case), by=staff, grounds="x")
    services.interim_lifting_request(
        case=fresh(case), by=rep_user, grounds="The equipment is now certified."
    )
    votes(case, board, ["for", "for", "for"])
    interim = close(case, staff)

    assert interim.status == InterimStatus.LIFTED
    assert status_of(case) == MembershipStatus.ACTIVE
    assert Letter.objects.filter(case=case, kind=LetterKind.INTERIM_LIFTED).exists()


def _impose(case, staff, board):
    propose(case, staff)
    votes(case, board, ["for"] * 3)
    close(case, staff)


def test_a_decision_of_no_violation_ends_it_and_restores_the_member(world):
    staff, board, case = world
    _impose(case, staff, board)
    case = refer(case, staff)
    vote_all(case, board, "no_violation")

    case = close_ballot(case, staff)

    assert case.state == CaseState.NO_VIOLATION
    assert InterimSuspension.objects.get(case=case).status == InterimStatus.ENDED
    assert status_of(case) == MembershipStatus.ACTIVE
    assert services.verify_case_record(fresh(case)).ok


def test_a_member_whose_dues_fell_overdue_meanwhile_is_restored_to_lapsed(world):
    staff, board, case = world
    _impose(case, staff, board)
    overdue_invoice(fresh(case).respondent)

    case = step(case, "dismiss", staff, "The evidence did not hold.")

    assert status_of(case) == MembershipStatus.LAPSED


def test_a_suspension_decided_takes_over_from_the_interim_one(world):
    staff, board, case = world
    _impose(case, staff, board)
    case = refer(case, staff)
    votes_for(case, board, "suspension", 6)

    case = close_ballot(case, staff)

    org = fresh(case).respondent
    org.refresh_from_db()
    assert org.status == MembershipStatus.SUSPENDED
    assert org.suspended_until == fresh(case).sanctions.get().ends_on
    assert InterimSuspension.objects.get(case=case).status == InterimStatus.ENDED


def test_a_proposal_still_before_the_board_lapses_when_the_case_ends(world):
    staff, board, case = world
    propose(case, staff)
    case = step(case, "withdraw", staff, "The complainant withdrew.")
    interim = InterimSuspension.objects.get(case=case)
    assert interim.status == InterimStatus.REJECTED
    assert interim.ballot.closed_at is not None
    # Each seat carries the ballot's closed_at ("My ballots" pages a member's seats by it).
    assert set(interim.ballot.seats.values_list("closed_at", flat=True)) == {
        interim.ballot.closed_at
    }
    assert status_of(case) == MembershipStatus.ACTIVE


def test_with_the_path_off_it_is_refused_in_the_procedures_name():
    adopt_procedure(interim_suspension=False)
    staff = staff_user()
    case = case_at_review(staff)
    with pytest.raises(TransitionRefused) as refused:
        propose(case, staff)
    assert "does not provide for interim suspension" in messages_of(refused.value)[0]
    assert not InterimSuspension.objects.exists()


def test_an_accepted_consent_offer_ends_it_before_its_sanction_applies():
    adopt_procedure(interim_suspension=True, consent_resolution=True)
    staff = staff_user()
    board = board_members(3, prefix="both.")
    organization = OrganizationFactory()
    rep = representative_of(organization)
    case = case_at_review(staff, respondent=organization)
    _impose(case, staff, board)
    services.consent_offer(
        case=fresh(case),
        by=staff,
        sanction="expulsion",
        suspension_months=None,
        terms="Acme leaves the association.",
        reply_by=today() + days(7),
    )

    case = step(case, "accept_consent", rep)

    assert InterimSuspension.objects.get(case=case).status == InterimStatus.ENDED
    assert status_of(case) == MembershipStatus.TERMINATED
    assert services.verify_case_record(fresh(case)).ok
