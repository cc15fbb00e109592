"""Resolution by consent (docs/decisions/0020): the offer, its acceptance (a step, with
who and when) imposing the sanction exactly as a vote would, refusal and lapse leaving
the case on its path with the offer kept from the deciders."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import services
from cases.access import case_permissions
from cases.models import (
    Ballot,
    BallotKind,
    ConsentOffer,
    ConsentStatus,
    Letter,
    LetterKind,
    Sanction,
)
from cases.outcomes import prior_record
from cases.rendering import render_html, respondent_recipient
from cases.services import deadlines
from cases.workflow import CaseState, TransitionRefused
from members.models import StatusChange
from tests.factories.cases import adopt_procedure, case_snapshot, fresh, messages_of, step
from tests.factories.dates import days, today
from tests.factories.members import OrganizationFactory, representative_of
from tests.factories.people import board_members, staff_user
from tests.factories.scenes import (
    case_at_review,
    close_ballot,
    refer,
    seated_voters,
    setup_board_case,
    vote,
    votes_for,
)

pytestmark = pytest.mark.django_db

TERMS = "Acme withdraws the advert within 14 days and publishes a correction."
SAID = "We refuse: the advert was approved by our regulator in 2019."


@pytest.fixture
def consent_procedure():
    return adopt_procedure(consent_resolution=True)


def offer(case, by, sanction="suspension", months=6, reply_by=None):
    return services.consent_offer(
        case=fresh(case),
        by=by,
        sanction=sanction,
        suspension_months=months,
        terms=TERMS,
        reply_by=reply_by or today() + days(14),
    )


def accept(case, rep):
    return step(case, "accept_consent", rep)


def _respondent():
    """An active member and its representative (notified when the review opens)."""
    organization = OrganizationFactory()
    return organization, representative_of(organization)


def _membership(org):
    """What a sanction did to membership, without what necessarily differs (ids, times,
    the case): status, end dates, and the history's transitions."""
    org.refresh_from_db()
    return {
        "status": org.status,
        "suspended_until": org.suspended_until,
        "readmission_bar_until": org.readmission_bar_until,
        "history": list(
            StatusChange.objects.filter(organization=org, case__isnull=False)
            .order_by("pk")
            .values_list("from_status", "to_status")
        ),
    }


def _sanction(case):
    return (
        Sanction.objects.filter(case=case)
        .values("kind", "effective_on", "ends_on", "readmission_bar_until", "terms")
        .get()
    )


@pytest.mark.parametrize(
    ("sanction", "months"), [("warning", None), ("suspension", 6), ("expulsion", None)]
)
def test_accepting_changes_membership_exactly_as_a_vote_would(consent_procedure, sanction, months):
    staff = staff_user()
    voted = setup_board_case(staff, board=3)
    votes_for(voted.case, seated_voters(voted.case), sanction, months)
    close_ballot(voted.case, staff)

    # another active member, whose case is resolved by consent from the review instead
    organization, rep = _respondent()
    consented_case = case_at_review(staff, respondent=organization)
    offer(consented_case, staff, sanction, months)
    accept(consented_case, rep)

    assert _membership(organization) == _membership(voted.organization)
    assert _sanction(consented_case) == _sanction(voted.case)
    assert Sanction.objects.get(case=consented_case).applied_at is not None


def test_acceptance_is_a_step_recorded_with_who_and_when_and_ends_the_case(consent_procedure):
    staff = staff_user()
    organization, rep = _respondent()
    case = case_at_review(staff, respondent=organization)
    made = offer(case, staff)

    case = accept(case, rep)

    assert case.state == CaseState.CLOSED and case.appeal_deadline is None
    made.refresh_from_db()
    assert made.status == ConsentStatus.ACCEPTED
    assert made.answered_by == rep and made.answered_at is not None
    assert made.sanction == Sanction.objects.get(case=case)
    kinds = set(Letter.objects.filter(case=case).values_list("kind", flat=True))
    assert {
        LetterKind.CONSENT_OFFER,
        LetterKind.CONSENT_ACCEPTED,
        LetterKind.OUTCOME_NOTICE,
    } <= kinds
    assert "respond_to_case" not in case_permissions(rep, fresh(case))
    assert services.verify_case_record(fresh(case)).ok


def test_where_the_procedure_allows_it_an_accepted_sanction_may_be_appealed():
    adopt_procedure(consent_resolution=True, consent_appealable=True)
    staff = staff_user()
    organization, rep = _respondent()
    case = case_at_review(staff, respondent=organization)
    offer(case, staff, "censure", None)

    case = accept(case, rep)

    assert case.state == CaseState.SANCTIONED
    assert case.appeal_deadline == today() + days(case.procedure.appeal_window_days)
    case = step(case, "file_appeal", rep, "We accepted under pressure.")
    assert case.state == CaseState.UNDER_APPEAL


def test_refusing_leaves_the_case_on_its_path_and_the_offer_holds_referral_until_answered(
    consent_procedure,
):
    staff = staff_user()
    organization, rep = _respondent()
    case = case_at_review(staff, respondent=organization)
    offer(case, staff)

    with pytest.raises(TransitionRefused) as held:
        refer(case, staff)
    assert any("consent offer is open" in m for m in messages_of(held.value))

    refused = services.consent_refuse(case=fresh(case), by=rep, said=SAID)
    assert refused.status == ConsentStatus.REFUSED and refused.answer == SAID
    assert fresh(case).state == CaseState.UNDER_REVIEW
    assert refer(case, staff).state == CaseState.BOARD_VOTE
    assert not Sanction.objects.filter(case=case).exists()


def test_an_offer_not_answered_by_its_date_lapses_by_the_deadline_job(consent_procedure):
    staff = staff_user()
    case = case_at_review(staff)
    made = offer(case, staff, reply_by=today() + days(3))

    assert deadlines.run(today() + days(3))["consent offers lapsed"] == 0
    assert deadlines.run(today() + days(4))["consent offers lapsed"] == 1

    made.refresh_from_db()
    assert made.status == ConsentStatus.LAPSED and made.answered_by is None
    assert fresh(case).state == CaseState.UNDER_REVIEW
    assert deadlines.run(today() + days(5))["consent offers lapsed"] == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reply_by": "today"}, "The reply-by date must be after today."),
        ({"terms": "  "}, "State the terms of the offer: what the respondent agrees to."),
        ({"sanction": "suspension", "months": None}, "Offer a suspension of 1 to 36 months."),
        ({"sanction": "banishment"}, "Choose the sanction offered."),
    ],
)
def test_a_bad_offer_is_refused_with_a_clear_message_and_changes_nothing(
    consent_procedure, changes, message
):
    staff = staff_user()
    case = case_at_review(staff)
    before = case_snapshot(case)
    values = {"sanction": "censure", "months": None, "terms": TERMS, "reply_by": today() + days(9)}
    values.update(changes)
    if values["reply_by"] == "today":
        values["reply_by"] = today()
    with pytest.raises(ValidationError) as refused:
        services.consent_offer(
            case=fresh(case),
            by=staff,
            sanction=values["sanction"],
            suspension_months=values["months"],
            terms=values["terms"],
            reply_by=values["reply_by"],
        )
    assert messages_of(refused.value) == [message]
    assert case_snapshot(case) == before
    assert not ConsentOffer.objects.filter(case=case).exists()


def test_where_the_board_makes_offers_a_seated_member_offers_and_acceptance_ends_the_ballot():
    adopt_procedure(consent_resolution=True, consent_offered_by="board")
    staff = staff_user()
    bc = setup_board_case(staff, board=3)
    rep = bc.rep
    member = seated_voters(bc.case)[0]
    vote(bc.case, member, "violation", "censure")

    with pytest.raises(PermissionDenied):  # during the vote, only a seated member offers
        services.consent_offer(
            case=fresh(bc.case),
            by=staff,
            sanction="censure",
            suspension_months=None,
            terms=TERMS,
            reply_by=today() + days(7),
        )
    offer(bc.case, member, "censure", None)
    with pytest.raises(TransitionRefused):  # the ballot waits for the answer
        close_ballot(bc.case, staff)

    case = accept(bc.case, rep)

    ballot = Ballot.objects.get(case=case, kind=BallotKind.BOARD)
    assert ballot.closed_at is not None and ballot.tally == {"resolved_by_consent": True}
    # Each seat carries the ballot's closed_at ("My ballots" pages a member's seats by it).
    assert set(ballot.seats.values_list("closed_at", flat=True)) == {ballot.closed_at}
    assert case.state == CaseState.CLOSED
    assert Sanction.objects.get(case=case).ballot is None


def test_a_refused_offer_and_its_answer_never_reach_the_deciders(client, consent_procedure):
    staff = staff_user()
    organization, rep = _respondent()
    case = case_at_review(staff, respondent=organization)
    offer(case, staff, "expulsion", None)
    services.consent_refuse(case=fresh(case), by=rep, said=SAID)
    board = board_members(3, prefix="decider.")
    case = refer(case, staff)
    offer_letter = Letter.objects.get(case=case, kind=LetterKind.CONSENT_OFFER)

    client.force_login(board[0])
    response = client.get(case.get_absolute_url())
    assert "cases/case_board.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert TERMS not in page and SAID not in page
    assert str(LetterKind.CONSENT_OFFER.label) not in page
    download = reverse("cases:letter_download", args=[case.number, offer_letter.pk])
    assert client.get(download).status_code == 404

    for member in board:
        vote(case, member, "violation", "censure")
    case = close_ballot(case, staff)
    decision = render_html(fresh(case), LetterKind.DECISION, respondent_recipient(case))
    assert TERMS not in decision and SAID not in decision

    client.force_login(staff)
    staff_page = client.get(case.get_absolute_url()).content.decode()
    assert TERMS in staff_page and "We refuse: the advert was approved" in staff_page


def test_a_sanction_accepted_by_consent_is_in_the_respondents_prior_record(consent_procedure):
    staff = staff_user()
    organization, rep = _respondent()
    earlier = case_at_review(staff, respondent=organization)
    offer(earlier, staff, "warning", None)
    accept(earlier, rep)
    later = case_at_review(staff, respondent=organization)

    record = prior_record(fresh(later))

    assert [entry["case"].pk for entry in record] == [earlier.pk]
    assert record[0]["sanction"].kind == "warning"
