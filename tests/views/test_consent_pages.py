"""The pages of resolution by consent and interim suspension (docs/decisions/0020):
the respondent accepts on a confirmation page or refuses on its case page; staff and
the board see the forms the table offers them, and none where the procedure's path is
off; a refused form keeps what was typed and changes nothing."""

import pytest
from django.urls import reverse

from cases import services
from cases.models import ConsentStatus, InterimSuspension
from cases.workflow import CaseState
from tests.factories.cases import adopt_procedure, case_snapshot, fresh
from tests.factories.dates import days, today
from tests.factories.language import said
from tests.factories.members import OrganizationFactory, representative_of
from tests.factories.pages import text_of
from tests.factories.people import board_members, staff_user
from tests.factories.scenes import case_at_review

pytestmark = pytest.mark.django_db

TERMS = "Withdraw the advert and publish a correction within 14 days."


@pytest.fixture
def scene():
    adopt_procedure(consent_resolution=True, interim_suspension=True)
    staff = staff_user()
    board = board_members(3, prefix="pages.")
    organization = OrganizationFactory()
    rep = representative_of(organization)
    case = case_at_review(staff, respondent=organization)
    return staff, board, rep, case


def _offer(case, staff):
    return services.consent_offer(
        case=fresh(case),
        by=staff,
        sanction="censure",
        suspension_months=None,
        terms=TERMS,
        reply_by=today() + days(10),
    )


def test_staff_offer_from_the_case_page_and_the_respondent_sees_it(client, scene):
    staff, board, rep, case = scene
    client.force_login(staff)
    page = client.get(case.get_absolute_url())
    assert "offer_consent" in page.context["offered"]
    assert 'action="{}"'.format(reverse("cases:consent_offer", args=[case.number])) in (
        page.content.decode()
    )
    response = client.post(
        reverse("cases:consent_offer", args=[case.number]),
        {
            "consent-sanction": "censure",
            "consent-terms": TERMS,
            "consent-reply_by": today() + days(10),
        },
    )
    assert response.status_code == 302
    client.force_login(rep)
    text = text_of(client.get(case.get_absolute_url()))
    assert TERMS in text and said("Accept the offer…") in text


def test_a_refused_offer_form_keeps_what_was_typed_and_changes_nothing(client, scene):
    staff, board, rep, case = scene
    before = case_snapshot(case)
    client.force_login(staff)
    response = client.post(
        reverse("cases:consent_offer", args=[case.number]),
        {"consent-sanction": "censure", "consent-terms": TERMS, "consent-reply_by": today()},
    )
    assert response.status_code == 400
    assert said("The reply-by date must be after today.") in response.content.decode()
    assert TERMS in response.content.decode()
    assert case_snapshot(case) == before


def test_accepting_takes_the_confirmation_page(client, scene):
    staff, board, rep, case = scene
    _offer(case, staff)
    client.force_login(rep)
    url = reverse("cases:consent_accept", args=[case.number])
    page = client.get(url)
    assert page.status_code == 200 and TERMS in page.content.decode()

    before = case_snapshot(case)
    unticked = client.post(url, {"expected_state": case.state})
    assert unticked.status_code == 400
    assert said("Tick the box to confirm that you accept the offer.") in unticked.content.decode()
    assert case_snapshot(case) == before

    done = client.post(url, {"expected_state": case.state, "confirm": "on"})
    assert done.status_code == 302
    assert fresh(case).state == CaseState.CLOSED
    assert said("Resolved by consent") in text_of(client.get(case.get_absolute_url()))


def test_refusing_on_the_case_page(client, scene):
    staff, board, rep, case = scene
    offer = _offer(case, staff)
    client.force_login(rep)
    response = client.post(
        reverse("cases:consent_refuse", args=[case.number]), {"refuse-said": "No, thank you."}
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == ConsentStatus.REFUSED and offer.answer == "No, thank you."
    after = client.get(reverse("cases:consent_accept", args=[case.number]))
    assert said("No consent offer is open.") in after.content.decode()
    assert TERMS not in after.content.decode()


def test_the_board_votes_on_an_interim_suspension_from_its_page(client, scene):
    staff, board, rep, case = scene
    client.force_login(staff)
    response = client.post(
        reverse("cases:interim_propose", args=[case.number]),
        {"interim-propose-reason": "Buyers at risk."},
    )
    assert response.status_code == 302
    client.force_login(board[0])
    page = client.get(case.get_absolute_url())
    assert "cases/case_board.html" in [t.name for t in page.templates]
    assert "vote_interim" in page.context["offered"]
    assert TERMS not in page.content.decode()
    response = client.post(
        reverse("cases:interim_vote", args=[case.number]), {"interim-choice": "for"}
    )
    assert response.status_code == 302
    assert InterimSuspension.objects.get(case=case).ballot.votes.count() == 1


def test_with_the_paths_off_the_pages_offer_none_of_it(client):
    adopt_procedure(consent_resolution=False, interim_suspension=False, consolidation=False)
    staff = staff_user()
    organization = OrganizationFactory()
    rep = representative_of(organization)
    case = case_at_review(staff, respondent=organization)
    client.force_login(staff)
    html = client.get(case.get_absolute_url()).content.decode()
    for name in ("consent_offer", "interim_propose", "consolidate"):
        assert reverse(f"cases:{name}", args=[case.number]) not in html
    client.force_login(rep)
    html = client.get(case.get_absolute_url()).content.decode()
    assert reverse("cases:consent_accept", args=[case.number]) not in html
    assert client.get(reverse("cases:consent_accept", args=[case.number])).status_code == 403
