"""Consolidated cases (docs/decisions/0020): linked cases decided by one ballot, each
keeping its own record, letters and verification."""

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import CaseEvent, LetterKind, Vote
from cases.workflow import CaseState, TransitionRefused
from tests.factories.cases import adopt_procedure, fresh, messages_of
from tests.factories.people import board_members, staff_user
from tests.factories.scenes import case_at_review, close_ballot, refer, vote, votes_for

pytestmark = pytest.mark.django_db


def _link(a, b, staff):
    services.case_link(
        case=fresh(a), other_number=b.number, kind="same_conduct", reason="One advert.", by=staff
    )


def _consolidate(a, b, staff):
    return services.case_consolidate(
        case=fresh(a), other_number=b.number, reason="One hearing of one advert.", by=staff
    )


@pytest.fixture
def pair():
    staff = staff_user()
    board = board_members(3, prefix="consolidated.")
    first, second = case_at_review(staff), case_at_review(staff)
    _link(first, second, staff)
    return staff, board, first, second


def test_one_vote_per_voter_counts_in_each_consolidated_case(pair):
    staff, board, first, second = pair
    _consolidate(first, second, staff)
    first, second = refer(first, staff), refer(second, staff)

    votes_for(first, board, "censure")

    for case in (first, second):
        assert Vote.objects.filter(ballot__case=case).count() == 3
        assert CaseEvent.objects.filter(case=case, kind="vote_cast").count() == 3
    assert all(
        e.payload["consolidated_from"] == first.number
        for e in CaseEvent.objects.filter(case=second, kind="vote_cast")
    )
    for case in (first, second):
        case = close_ballot(case, staff)
        assert case.state == CaseState.SANCTIONED
        assert case.letters.filter(kind=LetterKind.DECISION).count() == 1
        assert services.verify_case_record(fresh(case)).ok


def test_a_vote_counts_only_where_the_voter_sits(pair):
    staff, board, first, second = pair
    _consolidate(first, second, staff)
    first, second = refer(first, staff), refer(second, staff)
    services.conflict_declare(case=fresh(second), member=board[0], reason="My client.", by=board[0])

    vote(first, board[0], "violation", "warning")

    assert Vote.objects.filter(ballot__case=first, voter=board[0]).exists()
    assert not Vote.objects.filter(ballot__case=second, voter=board[0]).exists()


def test_linked_but_not_consolidated_cases_vote_apart(pair):
    staff, board, first, second = pair
    first, second = refer(first, staff), refer(second, staff)
    vote(first, board[0], "violation", "warning")
    assert not Vote.objects.filter(ballot__case=second).exists()


def test_only_linked_cases_are_consolidated_and_only_once(pair):
    staff, board, first, second = pair
    third = case_at_review(staff)
    with pytest.raises(TransitionRefused) as unlinked:
        _consolidate(first, third, staff)
    assert messages_of(unlinked.value) == ["The case is linked to no other case: link it first."]
    _consolidate(first, second, staff)
    with pytest.raises(TransitionRefused):
        _consolidate(second, first, staff)
    _link(first, third, staff)
    with pytest.raises(ValidationError) as other:
        services.case_consolidate(case=fresh(first), other_number=third.number, reason="", by=staff)
    assert messages_of(other.value) == ["Consolidating cases: a written reason is required."]


def test_where_the_procedure_does_not_allow_it_it_is_refused():
    adopt_procedure(consolidation=False)
    staff = staff_user()
    first, second = case_at_review(staff), case_at_review(staff)
    _link(first, second, staff)
    with pytest.raises(TransitionRefused) as refused:
        _consolidate(first, second, staff)
    assert "does not provide for consolidating linked cases" in messages_of(refused.value)[0]
