"""The complainant's page (docs/decisions/0021): signing in with the case reference
and access code, what the page shows and never shows, the forms, and the staff side."""

import pytest
from django.urls import reverse

from cases import services
from cases.models import (
    ComplainantMessage,
    ComplainantSubmission,
    Evidence,
    Letter,
    Procedure,
    Response,
    VoteChoice,
)
from tests.factories.cases import fresh, member_complainant, pdf, step
from tests.factories.dates import days, today
from tests.factories.language import said, said_p, shown_to_client
from tests.factories.letters import dismissed_case, referred_case, world_case
from tests.factories.pages import squeezed, text_of
from tests.factories.scenes import vote_all

pytestmark = pytest.mark.django_db

SIGN_IN = "cases:complainant_sign_in"
RESPONSE_TEXT = "We dispute every word of the complaint."


def page_url(case) -> str:
    return reverse("cases:complainant_page", args=[case.number])


def sign_in(client, case, code=None):
    return client.post(
        reverse(SIGN_IN), {"reference": case.number, "code": code or case.new_access_code}
    )


def test_the_reference_and_code_open_the_complainants_page(client, world):
    case = world_case(world)
    response = sign_in(client, case)
    assert response.status_code == 302 and response["Location"] == page_url(case)
    page = client.get(page_url(case))
    assert page.status_code == 200
    assert said("Complaint received") in text_of(page)
    ack = Letter.objects.get(case=case, kind="acknowledgement")
    url = reverse("cases:complainant_letter", args=[case.number, ack.pk])
    assert url in page.content.decode()
    assert client.get(url).status_code == 200


def test_the_code_opens_only_its_own_case(client, world):
    """IDOR: signed in to one case, every URL of another case is a 404."""
    case, other = world_case(world), world_case(world)
    sign_in(client, case)
    other_letter = Letter.objects.filter(case=other).first()
    for url in (
        page_url(other),
        reverse("cases:complainant_letter", args=[other.number, other_letter.pk]),
        # another case's letter under this case's number
        reverse("cases:complainant_letter", args=[case.number, other_letter.pk]),
        other.get_absolute_url(),
    ):
        assert client.get(url).status_code in (404, 302), url
        assert client.get(url).status_code != 200, url
    response = client.post(
        reverse("cases:complainant_message", args=[other.number]), {"msg-body": "Hello"}
    )
    assert response.status_code == 404
    assert not ComplainantMessage.objects.exists()
    # and one case's code does not open the other
    assert sign_in(client, other, case.new_access_code).status_code == 400


def test_wrong_codes_are_throttled_even_before_the_right_one(client, world):
    case = world_case(world)
    for _ in range(5):
        response = sign_in(client, case, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH")
    assert response.status_code in (400, 429)
    response = sign_in(client, case)
    assert response.status_code == 429
    assert client.get(page_url(case)).status_code == 404


def test_a_wrong_code_is_refused_with_the_reference_kept(client, world):
    case = world_case(world)
    response = sign_in(client, case, "not-the-code")
    assert response.status_code == 400
    mismatch = said(
        "That case reference and access code do not match. Check both (the code is "
        "in the email that came with the acknowledgement) and try again."
    )
    assert squeezed(mismatch) in text_of(response)
    assert f'value="{case.number}"' in response.content.decode()


def test_a_revoked_code_stops_working_at_once(client, world):
    case = world_case(world)
    sign_in(client, case)
    services.access_code_revoke(case=fresh(case), by=world.staff, reason="Leaked.")
    response = client.get(page_url(case))
    assert response.status_code == 302 and response["Location"] == reverse(SIGN_IN)
    assert client.get(page_url(case)).status_code == 404
    assert sign_in(client, case).status_code == 400


def test_the_page_never_shows_votes_withheld_evidence_or_the_response(client, world):
    case = referred_case(world)
    withheld_titles = [e.title for e in Evidence.objects.filter(case=case)]
    assert withheld_titles
    vote_all(case, world.board, VoteChoice.NO_VIOLATION)
    Response.objects.filter(case=case).update(text=RESPONSE_TEXT)
    code = services.access_code_reissue(case=fresh(case), by=world.staff, reason="Lost.")
    sign_in(client, case, code)
    text = text_of(client.get(page_url(case)))
    assert said("Before the board for decision") in text
    for withheld in (*withheld_titles, RESPONSE_TEXT, said("No violation found"), "vote"):
        assert withheld not in text, withheld
    for name in (m.username for m in world.board):
        assert name not in text


def test_the_response_is_shown_where_the_procedure_discloses_it(client, world):
    Procedure.objects.filter(pk=world.procedure.pk).update(complainant_sees_response=True)
    case = referred_case(world)
    Response.objects.filter(case=case).update(text=RESPONSE_TEXT)
    code = services.access_code_reissue(case=fresh(case), by=world.staff, reason="Lost.")
    sign_in(client, case, code)
    assert RESPONSE_TEXT in text_of(client.get(page_url(case)))


def test_a_message_and_evidence_from_the_page_reach_the_staff_page(client, world):
    case = world_case(world)
    sign_in(client, case)
    response = client.post(
        reverse("cases:complainant_message", args=[case.number]),
        {"msg-body": "I have a second advert <b>too</b>."},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("cases:complainant_evidence", args=[case.number]),
        {"ev-file": pdf("second-advert.pdf"), "ev-title": "Second advert"},
    )
    assert response.status_code == 302
    client.force_login(world.staff)
    staff_page = client.get(case.get_absolute_url()).content.decode()
    assert "I have a second advert &lt;b&gt;too&lt;/b&gt;." in staff_page
    assert "Second advert" in staff_page
    submission = ComplainantSubmission.objects.get(case=case)
    response = client.post(
        reverse("cases:complainant_submission_accept", args=[case.number]),
        {"cacc-submission": submission.pk, "cacc-producer": "The Gazette"},
    )
    assert response.status_code == 302
    assert Evidence.objects.get(case=case, title="Second advert").producer == "The Gazette"
    client.post(
        reverse("cases:complainant_staff_message", args=[case.number]),
        {"cmsg-body": "Thank you: it is now evidence in the case."},
    )
    client.logout()
    sign_in(client, case)
    text = text_of(client.get(page_url(case)))
    assert "Thank you: it is now evidence in the case." in text
    assert said("Accepted into the case") in text


def test_an_empty_message_is_refused_and_what_was_sent_is_kept(client, world):
    case = world_case(world)
    sign_in(client, case)
    response = client.post(
        reverse("cases:complainant_message", args=[case.number]), {"msg-body": "   "}
    )
    assert response.status_code == 400
    assert not ComplainantMessage.objects.exists()


def test_a_member_complainants_representative_uses_their_own_account(client, world):
    complainer = world.other_rep.representative.organization
    case = world_case(world, complainant=member_complainant(complainer))
    client.force_login(world.other_rep)
    assert client.get(page_url(case)).status_code == 200
    assert client.get(case.get_absolute_url()).status_code == 404  # not the staff page
    client.force_login(world.rep)  # the respondent's representative is no complainant
    assert client.get(page_url(case)).status_code == 404


def test_staff_reissue_a_code_shown_once(client, world):
    case = world_case(world)
    client.force_login(world.staff)
    response = client.post(
        reverse("cases:complainant_code_reissue", args=[case.number]), {"cnew-reason": "Lost."}
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    code = response.context["code"]
    assert code in response.content.decode()
    assert code not in client.get(case.get_absolute_url()).content.decode()
    client.logout()
    assert sign_in(client, case).status_code == 400  # the first code no longer works
    assert sign_in(client, case, code).status_code == 302


def test_a_complainant_appeal_through_the_page(client, world):
    Procedure.objects.filter(pk=world.procedure.pk).update(complainant_appeal=True)
    case = dismissed_case(world)
    code = services.access_code_reissue(case=fresh(case), by=world.staff, reason="Lost.")
    sign_in(client, case, code)
    page = client.get(page_url(case))
    until = today() + days(fresh(case).procedure.complainant_appeal_window_days)
    may_appeal = said(
        "You may appeal %(appealable)s until <strong>%(day)s</strong>.",
        appealable=said("the dismissal"),
        day=shown_to_client(until),
    )
    assert may_appeal in page.content.decode()
    response = client.post(
        reverse("cases:complainant_appeal", args=[case.number]),
        {"expected_state": "dismissed", "reason": "The second advert was never considered."},
    )
    assert response.status_code == 302
    assert fresh(case).state == "complainant_appeal"
    assert said("Your appeal is before the appeals panel") in text_of(client.get(page_url(case)))


def test_with_the_path_off_the_page_offers_no_appeal(client, world):
    case = dismissed_case(world)
    code = services.access_code_reissue(case=fresh(case), by=world.staff, reason="Lost.")
    sign_in(client, case, code)
    page = client.get(page_url(case))
    assert reverse("cases:complainant_appeal", args=[case.number]) not in page.content.decode()
    response = client.post(
        reverse("cases:complainant_appeal", args=[case.number]),
        {"expected_state": "dismissed", "reason": "Please."},
    )
    assert response.status_code == 400
    no_path = said(
        "The procedure this case follows (version %(version)s) does not provide for %(path)s.",
        version=fresh(case).procedure.version,
        path=said("an appeal by the complainant"),
    )
    assert squeezed(no_path) in text_of(response)
    assert fresh(case).state == "dismissed"


def test_the_panel_votes_on_the_complainants_appeal_from_its_page(client, world):
    Procedure.objects.filter(pk=world.procedure.pk).update(complainant_appeal=True)
    case = dismissed_case(world)
    code = services.access_code_reissue(case=fresh(case), by=world.staff, reason="Lost.")
    sign_in(client, case, code)
    client.post(
        reverse("cases:complainant_appeal", args=[case.number]),
        {"expected_state": "dismissed", "reason": "The second advert was never considered."},
    )
    member = world.panel[0]
    client.force_login(member)
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200
    text = text_of(page)
    assert "The second advert was never considered." in text  # the grounds
    choices = [c for c, _ in page.context["vote_form"].fields["choice"].choices]
    assert choices == ["uphold", "to_review", "to_vote", "abstain"]
    assert "sanction" not in page.context["vote_form"].fields
    response = client.post(reverse("cases:vote_cast", args=[case.number]), {"choice": "to_review"})
    assert response.status_code == 302
    refused = client.post(reverse("cases:vote_cast", args=[case.number]), {"choice": "to_vote"})
    assert refused.status_code == 400
    never_voted = said(
        "A dismissed complaint was never put to the board: it can be upheld or sent "
        "back to review, not sent to a new vote."
    )
    assert squeezed(never_voted) in text_of(refused)


def test_where_the_procedure_keeps_the_outcome_back_the_page_says_only_decided(client, world):
    Procedure.objects.filter(pk=world.procedure.pk).update(complainant_told_outcome=False)
    case = referred_case(world)
    vote_all(case, world.board, VoteChoice.NO_VIOLATION)
    case = step(case, "close_ballot", world.staff)
    code = services.access_code_reissue(case=fresh(case), by=world.staff, reason="Lost.")
    sign_in(client, case, code)
    text = text_of(client.get(page_url(case)))
    assert said("Decided") in text
    for outcome in (
        said_p("case state", "No violation found"),
        said("Decided: no violation found"),
        said("the finding of no violation"),
    ):
        assert outcome.lower() not in text.lower(), outcome
    assert "no violation" not in text.lower()  # nor the outcome in English
